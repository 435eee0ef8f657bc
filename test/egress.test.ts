// A program that calls hosts the task does not play: every attempt is refused by the egress
// proxy and listed per scenario in every report; a path that carried a canary is recorded with
// the canary redacted, and no report holds the raw value.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEvidence } from '../src/evidence/load.ts';
import type { Evidence } from '../src/evidence/model.ts';
import type { EgressEvent } from '../src/lab/index.ts';
import { runCli } from './cli.ts';

const fixture = fileURLToPath(new URL('./fixtures/clis/telemetry.mjs', import.meta.url));
let work: string;
const outputs: Record<string, string> = {};
let evidence: Evidence;
let canaries: string[];
let sandboxFiles: { path: string; text: string }[];

async function filesUnder(dir: string): Promise<{ path: string; text: string }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((entry) => entry.isFile())
      .map(async (entry) => {
        const path = join(entry.parentPath, entry.name);
        return { path, text: await readFile(path, 'latin1') };
      }),
  );
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'devicebound-egress-'));
  const formats = ['text', 'json', 'markdown', 'html', 'sarif', 'junit'];
  const args = ['check', '--interval', '1', '--scenario', 'approve'];
  for (const format of formats) args.push('--format', format, '--output', join(work, format));
  args.push('--save-evidence', join(work, 'evidence.json'));
  args.push('--save-canaries', join(work, 'canaries.json'), '--keep-sandbox');
  args.push('--', process.execPath, fixture);
  // Run from a folder of its own: the kept sandbox holds a copy of the working directory, and
  // this repository's own files mention keys.
  const project = join(work, 'project');
  await mkdir(project);
  await writeFile(join(project, 'README'), 'a project\n');
  const done = await runCli(args, { ...process.env, TMPDIR: work }, project);
  // secret-in-telemetry and unexpected-egress find what the fixture sent.
  expect(done.code).toBe(1);
  sandboxFiles = await filesUnder(work);
  for (const format of formats) outputs[format] = await readFile(join(work, format), 'utf8');
  outputs.evidence = await readFile(join(work, 'evidence.json'), 'utf8');
  evidence = JSON.parse(outputs.evidence) as Evidence;
  canaries = (
    JSON.parse(await readFile(join(work, 'canaries.json'), 'utf8')) as {
      canaries: { value: string }[];
    }
  ).canaries.map((c) => c.value);
}, 60_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('destinations outside the played hosts', () => {
  it('are saved in evidence that loads again, proxy, refused requests and kept sandbox too', () => {
    expect(parseEvidence(outputs.evidence ?? '', 'evidence.json')).toEqual(evidence);
  });

  it('are read, searched and recorded (never forwarded): query, gzip body and path', () => {
    const events = (evidence.runs[0]?.events ?? []).filter(
      (e): e is EgressEvent => e.type === 'egress',
    );
    expect(
      events.map((e) => [
        e.method,
        e.scheme,
        e.host,
        e.port,
        e.action,
        (e.carried ?? []).map((c) => `${c.kind} in ${c.where} (${c.encoding})`),
      ]),
    ).toEqual([
      ['POST', 'https', 'telemetry.example.com', 443, 'intercepted', ['device_code in url (raw)']],
      ['POST', 'https', 'crash.example.org', 443, 'intercepted', ['device_code in body (raw)']],
      ['POST', 'http', 'metrics.example.net', 80, 'intercepted', ['device_code in url (raw)']],
    ]);
    expect(events[1]?.contentEncoding).toBe('gzip');
    const path = events[2]?.path ?? '';
    expect(path).toMatch(/^\/d\/.+….+\/event$/);
    expect(path).not.toContain('?');
  });

  it('are listed per scenario in the text, Markdown, JSON and HTML reports', () => {
    expect(outputs.text).toContain(
      'approve: telemetry.example.com:443, crash.example.org:443, metrics.example.net:80',
    );
    expect(outputs.markdown).toContain('`telemetry.example.com:443`');
    const json = JSON.parse(outputs.json ?? '{}') as {
      scenarios: { egress?: { host: string; port: number; attempts: number }[] }[];
    };
    expect(json.scenarios[0]?.egress).toEqual([
      expect.objectContaining({ host: 'telemetry.example.com', port: 443, attempts: 1 }),
      expect.objectContaining({ host: 'crash.example.org', port: 443, attempts: 1 }),
      expect.objectContaining({ host: 'metrics.example.net', port: 80, attempts: 1 }),
    ]);
    expect(outputs.html).toContain('<code>telemetry.example.com:443</code>');
  });

  it('the sandbox holds the run CA certificate for the program, and no key anywhere', () => {
    const pems = sandboxFiles.filter((file) => file.text.includes('-----BEGIN'));
    expect(pems.map((file) => file.path.replace(/.*\/ca\//, 'ca/'))).toEqual([
      'ca/devicebound-run-ca.pem',
    ]);
    expect(sandboxFiles.some((file) => /PRIVATE KEY/.test(file.text))).toBe(false);
  });

  it('no output holds a raw canary', () => {
    expect(canaries.length).toBeGreaterThan(3);
    for (const [name, text] of Object.entries(outputs)) {
      for (const value of canaries) {
        expect(text.includes(value), `${name} holds a raw canary`).toBe(false);
        expect(text.includes(encodeURIComponent(value)), `${name} holds a raw canary`).toBe(false);
      }
    }
  });
});
