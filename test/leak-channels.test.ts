// The leak channels beyond files and the program's own output, end to end through the CLI:
// a child's argv and environment (secret-in-argv) and the error path of the fault scenario (a
// body dumped on a JSON error). Every report format, the saved evidence and the kept sandbox
// hold fingerprints and redacted previews only; the process trace, which held raw argv and
// environments, is gone before the sandbox is kept.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Evidence } from '../src/evidence/model.ts';
import { runCli } from './cli.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/clis/${name}.mjs`, import.meta.url));
const FORMATS = ['text', 'json', 'markdown', 'html', 'sarif', 'junit'];

let work: string;
const outputs: Record<string, string> = {};
let evidence: Evidence;
let canaries: string[];
let sandboxFiles: { path: string; text: string }[];
let code: number | null;

interface Report {
  findings: { check: string; severity: string; scenario: string; task: string }[];
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'devicebound-leaks-'));
  const project = join(work, 'project');
  await mkdir(project);
  const node = JSON.stringify(process.execPath);
  await writeFile(
    join(project, 'devicebound.yaml'),
    [
      'version: 1',
      'interval: 1',
      'tasks:',
      `  argv: { run: [${node}, ${JSON.stringify(fixture('bad-secret-in-argv'))}] }`,
      `  env: { run: [${node}, ${JSON.stringify(fixture('bad-secret-in-child-env'))}] }`,
      `  dump: { run: [${node}, ${JSON.stringify(fixture('bad-dump-body'))}] }`,
      'scenarios: [approve, fault]',
      '',
    ].join('\n'),
  );
  const args = ['check', '--policy', join(project, 'devicebound.yaml')];
  for (const format of FORMATS) args.push('--format', format, '--output', join(work, format));
  args.push('--save-evidence', join(work, 'evidence.json'));
  args.push('--save-canaries', join(work, 'canaries.json'), '--keep-sandbox');
  const done = await runCli(args, { ...process.env, TMPDIR: work }, project);
  code = done.code;
  for (const format of FORMATS) outputs[format] = await readFile(join(work, format), 'utf8');
  outputs.evidence = await readFile(join(work, 'evidence.json'), 'utf8');
  outputs.stderr = done.stderr;
  outputs.stdout = done.stdout;
  evidence = JSON.parse(outputs.evidence) as Evidence;
  canaries = (
    JSON.parse(await readFile(join(work, 'canaries.json'), 'utf8')) as {
      canaries: { value: string }[];
    }
  ).canaries.map((c) => c.value);
  const entries = await readdir(work, { recursive: true, withFileTypes: true });
  sandboxFiles = await Promise.all(
    entries
      .filter((entry) => entry.isFile() && entry.name !== 'canaries.json')
      .map(async (entry) => {
        const path = join(entry.parentPath, entry.name);
        return { path, text: await readFile(path, 'latin1') };
      }),
  );
}, 120_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('leak channels through devicebound check', () => {
  it('finds the token in argv (high), in a child environment (info) and in a body dumped on the fault path', () => {
    const report = JSON.parse(outputs.json ?? '{}') as Report;
    const found = report.findings.map((f) => [f.task, f.scenario, f.check, f.severity]).sort();
    expect(found).toEqual(
      [
        ['argv', 'approve', 'secret-in-argv', 'high'],
        ['dump', 'fault', 'secret-in-output', 'high'],
        ['env', 'approve', 'secret-in-argv', 'info'],
      ].sort(),
    );
    expect(code).toBe(1);
  });

  it('records every process with the method that saw it, and no argument or variable value', () => {
    const argv = evidence.runs.find((r) => r.task === 'argv' && r.scenario === 'approve');
    const record = argv?.invocations[0]?.processes;
    expect(record?.method).toMatch(/^(strace|sample)$/);
    if (record?.method === 'strace') {
      expect(record.started.map((p) => p.name)).toEqual(['node', 'curl', 'true']);
    }
    const hits = record?.started.flatMap((p) => p.hits.map((h) => [p.name, h.where, h.index]));
    expect(hits).toEqual(
      record?.method === 'strace'
        ? [
            ['curl', 'argv', 3],
            ['true', 'argv', 2],
          ]
        : expect.anything(),
    );
  });

  it('no report format, no saved evidence, no output and no file of the kept sandbox holds a raw canary; the process trace is gone', () => {
    expect(canaries.length).toBeGreaterThan(6);
    const texts = { ...outputs, ...Object.fromEntries(sandboxFiles.map((f) => [f.path, f.text])) };
    for (const [name, text] of Object.entries(texts)) {
      for (const value of canaries) {
        expect(text.includes(value), `${name} holds a raw canary`).toBe(false);
        expect(text.includes(value.slice(0, 40)), `${name} holds a canary's start`).toBe(false);
      }
    }
    expect(sandboxFiles.filter((f) => f.path.endsWith('.strace'))).toEqual([]);
    // The kept sandboxes are there: the check above looked at them.
    expect(
      sandboxFiles.some((f) => f.path.includes(`${join('ca', 'devicebound-run-ca.pem')}`)),
    ).toBe(true);
  });
});
