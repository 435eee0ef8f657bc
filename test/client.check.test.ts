// The example CLI built on devicebound/client, judged by `devicebound check` itself in all six
// scenarios: it must stay inside the boundary (zero findings). The example imports the library
// by its package name (`devicebound/client`, a self-reference through the exports map), so it
// needs the built dist/ — `npm test` builds first.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

const EXAMPLE = fileURLToPath(new URL('../examples/device-login.mjs', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/client/index.js', import.meta.url));
const built = existsSync(BUILT);
if (!built) {
  console.warn(
    `test/client.check.test.ts: skipped, ${BUILT} is missing — run \`npm run build\` first (npm test does)`,
  );
}

interface JsonReport {
  findings: { check: string; scenario: string; message: string }[];
  scenarios: { scenario: string; exitCode: number | null; timedOut: boolean }[];
  summary: { passed: boolean; findings: number; inconclusive: boolean };
}

const work = await mkdtemp(join(tmpdir(), 'devicebound-client-check-'));
afterAll(() => rm(work, { recursive: true, force: true }));

describe.skipIf(!built)('examples/device-login.mjs under devicebound check', () => {
  it('has zero findings in every scenario, and exits 1 exactly when it did not sign in', async () => {
    const output = join(work, 'report.json');
    const done = await runCli([
      'check',
      '--interval',
      '1',
      '--format',
      'json',
      '--output',
      output,
      '--',
      process.execPath,
      EXAMPLE,
    ]);
    const report = JSON.parse(await readFile(output, 'utf8')) as JsonReport;
    expect(report.findings).toEqual([]);
    expect(report.summary).toMatchObject({ passed: true, findings: 0, inconclusive: false });
    expect(report.scenarios.map((s) => [s.scenario, s.exitCode, s.timedOut])).toEqual([
      ['approve', 0, false],
      ['deny', 1, false],
      ['expire', 1, false],
      ['slow-down', 0, false],
      ['server-error', 0, false],
      ['session', 0, false],
      // The token answer cut short is a 200 without a JSON object: the library stops there with
      // an error that names neither the body nor a credential (device-code-grant.ts).
      ['fault', 1, false],
    ]);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
  }, 60_000);
});

describe('the example', () => {
  it('stays copy-pasteable: under 60 lines, and uses only the public package name', async () => {
    const source = await readFile(EXAMPLE, 'utf8');
    expect(source.trimEnd().split('\n').length).toBeLessThan(60);
    expect(source).toMatch(/from 'devicebound\/client'/);
    expect(source).not.toMatch(/\.\.\/(src|dist)\//);
  });
});
