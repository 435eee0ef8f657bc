// No reporter ever prints a raw secret (DESIGN.md, Reporters). A real run of a program that
// leaks its tokens: `--verbose` passes the program's own output through, which is the one
// place the raw values appear; every format rendered from the saved evidence must hold none.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli.ts';
import { reportFrom } from '../../test/fixtures/report/report.ts';
import { parseEvidence } from '../evidence/load.ts';
import { FORMATS, render } from './index.ts';
import { joinPieces } from './kit/index.ts';
import type { Report } from './model.ts';

const fixture = fileURLToPath(
  new URL('../../test/fixtures/clis/bad-secret-in-output.mjs', import.meta.url),
);

let work: string;
let report: Report;
const leaked: Record<string, string> = {};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'devicebound-no-secrets-'));
  const evidence = join(work, 'evidence.json');
  const done = await runCli([
    'check',
    '--interval',
    '1',
    '--scenario',
    'approve',
    '--verbose',
    '--format',
    'json',
    '--output',
    join(work, 'report.json'),
    '--save-evidence',
    evidence,
    '--',
    process.execPath,
    fixture,
  ]);
  expect(done.code).toBe(1);
  leaked.accessToken = /access_token: (\S+)/.exec(done.stdout)?.[1] ?? '';
  leaked.deviceCode = /device_code=(\S+)/.exec(done.stderr)?.[1] ?? '';
  // The user code on the prompt is expected there, but no report may repeat it.
  leaked.userCode = /enter the code (\S+)/.exec(done.stderr)?.[1] ?? '';
  leaked.userCodeWithoutDash = leaked.userCode.replace('-', '');
  report = reportFrom(parseEvidence(await readFile(evidence, 'utf8'), evidence));
}, 60_000);
afterAll(() => rm(work, { recursive: true, force: true }));

describe('no reporter prints a raw secret', () => {
  it('the run leaked an access token and a device code, and found them', () => {
    expect(leaked.accessToken).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(leaked.deviceCode?.length).toBeGreaterThanOrEqual(40);
    expect(leaked.userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(report.findings.map((f) => f.check)).toEqual(['secret-in-output']);
  });

  it.each(FORMATS)('%s', (format) => {
    for (const color of [false, true]) {
      const output = joinPieces(render(format, report, { color }));
      expect(output.length).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(leaked)) {
        expect(output, name).not.toContain(value);
        expect(output, `${name}, first 40 characters`).not.toContain(value.slice(0, 40));
      }
    }
  });
});
