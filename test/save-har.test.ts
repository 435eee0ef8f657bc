// `check --save-har`: every exchange of every scenario as HAR 1.2, one page per scenario run,
// with every credential the lab issued replaced by a stand-in. Proven here on programs that
// send the lab's credentials to other hosts raw, URL-encoded, in a gzip body, base64 and hex:
// no form of any canary is in the file, and `analyze` on it still follows the flows.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

const work = await mkdtemp(join(tmpdir(), 'devicebound-save-har-'));
afterAll(() => rm(work, { recursive: true, force: true }));
const fixture = (name: string) =>
  fileURLToPath(new URL(`fixtures/clis/${name}.mjs`, import.meta.url));

interface Har {
  log: {
    version: string;
    creator: { name: string };
    pages: { id: string; title: string }[];
    entries: {
      pageref: string;
      request: { method: string; url: string; postData?: { text: string } };
      response: { status: number; content: { text?: string } };
      comment?: string;
    }[];
  };
}

/** Runs a check with --save-har and --save-canaries; the HAR and every raw canary value. */
async function saveHar(name: string, scenarios: string[]) {
  const dir = await mkdtemp(join(work, `${name}-`));
  const har = join(dir, 'run.har');
  const canaries = join(dir, 'canaries.json');
  const done = await runCli([
    'check',
    '--interval',
    '1',
    ...scenarios.flatMap((s) => ['--scenario', s]),
    '--save-har',
    har,
    '--save-canaries',
    canaries,
    '--',
    process.execPath,
    fixture(name),
  ]);
  const text = await readFile(har, 'utf8');
  const values = (
    JSON.parse(await readFile(canaries, 'utf8')) as { canaries: { value: string }[] }
  ).canaries.map((c) => c.value);
  return { done, har, text, parsed: JSON.parse(text) as Har, values };
}

/** Every form of a value the canary search knows, and then some. */
function formsOf(value: string): string[] {
  const bytes = Buffer.from(value);
  return [
    value,
    encodeURIComponent(value),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('hex'),
    JSON.stringify(value).slice(1, -1),
  ].filter((form) => form.length >= 8);
}

describe.concurrent('check --save-har', () => {
  it('one page per scenario; credentials in a query, a gzip body and a path become stand-ins that analyze follows', async () => {
    const { done, har, text, parsed, values } = await saveHar('telemetry', ['approve', 'deny']);
    expect(done.code, done.stderr).toBe(1);
    expect(parsed.log.version).toBe('1.2');
    expect(parsed.log.creator.name).toBe('devicebound');
    expect(parsed.log.pages.map((p) => p.id).sort()).toEqual([
      'telemetry/approve',
      'telemetry/deny',
    ]);
    expect(new Set(parsed.log.entries.map((e) => e.pageref))).toEqual(
      new Set(['telemetry/approve', 'telemetry/deny']),
    );
    const intercepted = parsed.log.entries.filter((e) => e.response.status === 503);
    expect(intercepted.map((e) => new URL(e.request.url).host).sort()).toEqual([
      'crash.example.org',
      'metrics.example.net',
      'telemetry.example.com',
    ]);
    for (const entry of intercepted) {
      expect(entry.comment).toMatch(/intercepted by devicebound's egress proxy: never forwarded/);
      expect(`${entry.request.url} ${entry.request.postData?.text ?? ''}`).toMatch(
        /devicebound-redacted-device_code-[0-9a-f]{24}/,
      );
    }
    expect(values.length).toBeGreaterThan(3);
    for (const value of values) for (const form of formsOf(value)) expect(text).not.toContain(form);

    const analyzed = await runCli(['analyze', har, '--format', 'json']);
    const report = JSON.parse(analyzed.stdout) as {
      findings: { task: string; check: string; message: string }[];
    };
    const telemetry = report.findings.filter((f) => f.check === 'secret-in-telemetry');
    expect(telemetry.map((f) => f.task)).toEqual(['devicebound-cli@127.0.0.1 [telemetry/approve]']);
    expect(telemetry[0]?.message).toMatch(/3 requests|crash\.example\.org/);
  }, 90_000);

  it('a credential in base64 or hex cannot be replaced: that body and header are withheld', async () => {
    const { done, text, parsed, values } = await saveHar('telemetry-encoded', ['approve']);
    expect(done.code, done.stderr).not.toBe(2);
    const [entry] = parsed.log.entries.filter((e) => e.response.status === 503);
    expect(entry?.request.postData?.text).toMatch(/^\[withheld by devicebound: the request body/);
    expect(entry?.comment).toMatch(/withheld: request header x-session, the request body/);
    for (const value of values) for (const form of formsOf(value)) expect(text).not.toContain(form);
  }, 60_000);
});
