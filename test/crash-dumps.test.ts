// Crash reports are files like any other: `check` finds a token a crash reporter wrote where
// crash reporters write — ~/.cache/<app>/crash*, a Node.js diagnostic report in the working
// directory, a Python traceback log in ~/.cache/<app>/ — as `secret-at-rest`, names each file
// (relative to HOME or the working directory), and shows no raw token in its report. What this
// proves is that these places are searched; a faulthandler file holds no values, so it is
// searched and stays clean. Core dumps are never part of it: the runner turns them off.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';

const fixture = (file: string) =>
  fileURLToPath(new URL(`./fixtures/clis/${file}`, import.meta.url));
/** Debian's interpreter (CI installs python3 with python3-msal), not a pyenv shim on PATH. */
const PYTHON = ['/usr/bin/python3', '/bin/python3'].find((path) => existsSync(path));

const work = await mkdtemp(join(tmpdir(), 'devicebound-crash-dumps-'));
afterAll(() => rm(work, { recursive: true, force: true }));
const cwd = join(work, 'cwd');
await mkdir(cwd);
await writeFile(join(cwd, 'README'), 'the working directory of the checks below\n');

interface Location {
  type: string;
  root?: string;
  path?: string;
}
interface JsonReport {
  findings: {
    check: string;
    scenario: string;
    message: string;
    evidence: { summary: string; kind: string; location?: Location }[];
  }[];
  scenarios: { scenario: string; exitCode: number | null }[];
  evidence: {
    runs: {
      scenario: string;
      invocations: {
        index: number;
        files: { root: string; path: string }[];
        hits: { location: Location }[];
      }[];
    }[];
  };
}

const ALL = ['approve', 'deny', 'expire', 'slow-down', 'server-error', 'session', 'fault'];
/**
 * Scenarios in which the program signs in and its token works at the resource, so it gets as
 * far as its crash-prone step. In `fault` the resource answers 500, then 401: both fixtures
 * give up there (exit 1) before that step.
 */
const SIGNS_IN = ['approve', 'slow-down', 'server-error', 'session'];

/** `check` in every scenario at interval 1 s: exit code, output, report, raw canaries. */
async function check(command: string[]) {
  const id = Math.random().toString(36).slice(2);
  const output = join(work, `${id}.json`);
  const canaries = join(work, `${id}-canaries.json`);
  const done = await runCli(
    [
      'check',
      '--interval',
      '1',
      '--format',
      'json',
      '--output',
      output,
      '--save-canaries',
      canaries,
      '--',
      ...command,
    ],
    process.env,
    cwd,
  );
  const json = await readFile(output, 'utf8');
  const values = (
    JSON.parse(await readFile(canaries, 'utf8')) as { canaries: { value: string }[] }
  ).canaries.map((c) => c.value);
  return { ...done, json, report: JSON.parse(json) as JsonReport, canaries: values };
}

/** How the report shows where a file is: `~/…` in the sandbox HOME, `./…` in the working copy. */
function place(location: Location | undefined): string {
  if (location?.type !== 'file') return `(${location?.type})`;
  return location.root === 'HOME'
    ? `~/${location.path}`
    : location.root === 'cwd'
      ? `./${location.path}`
      : `$${location.root}/${location.path}`;
}

function firedPerScenario(report: JsonReport) {
  return Object.fromEntries(
    ALL.map((scenario) => [
      scenario,
      [...new Set(report.findings.filter((f) => f.scenario === scenario).map((f) => f.check))],
    ]),
  );
}

const onlySecretAtRest = Object.fromEntries(
  ALL.map((scenario) => [scenario, SIGNS_IN.includes(scenario) ? ['secret-at-rest'] : []]),
);

/** The report holds fingerprints and redacted previews only, never a canary's value. */
function expectNoRawCanary(texts: Record<string, string>, canaries: string[]) {
  expect(canaries.length).toBeGreaterThan(3);
  for (const [name, text] of Object.entries(texts)) {
    for (const value of canaries) {
      expect(text.includes(value), `${name} holds a raw canary`).toBe(false);
      expect(text.includes(value.slice(0, 40)), `${name} holds a canary's start`).toBe(false);
    }
  }
}

/** The only thing `check` says on stderr here: where --save-canaries put the raw values. */
const SAVED_NOTICE = /^devicebound: \d+ canary values saved to \S+ \(mode 0600; [^\n]*\)\n$/;

/** `report.<date>.<time>.<pid>.<tid>.<seq>.json`, Node's default diagnostic report name. */
const NODE_REPORT = /^\.\/report\.\d{8}\.\d{6}\.\d+\.\d+\.\d{3}\.json$/;

describe.concurrent('a token in a crash report is a secret at rest', () => {
  it('Node: ~/.cache/<app>/crash-<n>.json ($XDG_CACHE_HOME), ~/.cache/<app>/crashes/crash.log (os.homedir()) and a diagnostic report in the working directory', async () => {
    const { code, stderr, json, report, canaries } = await check([
      process.execPath,
      fixture('bad-crash-report.mjs'),
    ]);
    expect(stderr).toMatch(SAVED_NOTICE);
    expect(firedPerScenario(report)).toEqual(onlySecretAtRest);
    expect(report.scenarios.map((s) => [s.scenario, s.exitCode])).toEqual(
      ALL.map((scenario) => [scenario, SIGNS_IN.includes(scenario) ? 0 : 1]),
    );
    expect(code).toBe(1);

    for (const finding of report.findings) {
      const places = [...new Set(finding.evidence.map((item) => place(item.location)))];
      const reports = places.filter((p) => NODE_REPORT.test(p));
      // XDG_CACHE_HOME is the sandbox HOME's .cache: both spellings land in one folder, shown
      // from HOME. The session scenario's second run adds crash-2.json and its own report.
      const second = finding.scenario === 'session';
      expect(places.filter((p) => !NODE_REPORT.test(p)).sort()).toEqual([
        '~/.cache/crashcli/crash-1.json',
        ...(second ? ['~/.cache/crashcli/crash-2.json'] : []),
        '~/.cache/crashcli/crashes/crash.log',
      ]);
      expect(reports).toHaveLength(second ? 2 : 1);
      // The access token is in every one of them (the diagnostic report: in its environment).
      for (const p of places) {
        const items = finding.evidence.filter((item) => place(item.location) === p);
        expect(
          items.map((item) => item.kind),
          p,
        ).toContain('access_token');
      }
      // The message names each file (the first three when there are more).
      const named = second
        ? places.filter((p) => finding.message.includes(` in ${p} (mode `))
        : places;
      expect(named).toHaveLength(3);
      for (const p of named)
        expect(finding.message).toContain(`stored in plain text in ${p} (mode `);
      if (second) expect(finding.message).toContain(' and 2 more;');
      expect(finding.message).toMatch(/; the policy allows no credential in any file$/);
    }
    expectNoRawCanary({ json, stderr }, canaries);
  }, 90_000);

  it.skipIf(PYTHON === undefined)(
    'Python: a traceback in ~/.cache/<app>/crash.log is caught; the faulthandler file beside it is searched and holds no token',
    async () => {
      const { code, stderr, json, report, canaries } = await check([
        PYTHON ?? 'python3',
        fixture('bad-faulthandler.py'),
      ]);
      expect(stderr).toMatch(SAVED_NOTICE);
      expect(firedPerScenario(report)).toEqual(onlySecretAtRest);
      expect(report.scenarios.map((s) => [s.scenario, s.exitCode])).toEqual(
        ALL.map((scenario) => [scenario, SIGNS_IN.includes(scenario) ? 0 : 1]),
      );
      expect(code).toBe(1);

      for (const finding of report.findings) {
        expect(finding.message).toMatch(
          /^access token stored in plain text in ~\/\.cache\/pycli\/crash\.log \(mode \d{3}\); the policy allows no credential in any file$/,
        );
        expect(new Set(finding.evidence.map((item) => place(item.location)))).toEqual(
          new Set(['~/.cache/pycli/crash.log']),
        );
        expect(new Set(finding.evidence.map((item) => item.kind))).toEqual(
          new Set(['access_token']),
        );
        // The session scenario's second run appends its own traceback: two tokens.
        expect(finding.evidence).toHaveLength(finding.scenario === 'session' ? 2 : 1);
      }

      // faulthandler.log was written in every run that signed in, so it was searched, and
      // nothing was found in it: a faulthandler dump holds file, line and function names only.
      for (const run of report.evidence.runs) {
        for (const invocation of run.invocations) {
          const files = invocation.files.map((file) => place({ type: 'file', ...file })).sort();
          expect(files, `${run.scenario} run ${invocation.index}`).toEqual(
            SIGNS_IN.includes(run.scenario)
              ? ['~/.cache/pycli/crash.log', '~/.cache/pycli/faulthandler.log']
              : [],
          );
          expect(invocation.hits.map((hit) => place(hit.location))).not.toContain(
            '~/.cache/pycli/faulthandler.log',
          );
        }
      }
      expectNoRawCanary({ json, stderr }, canaries);
    },
    90_000,
  );
});

/**
 * Whether this machine writes a core file into the working directory when a process aborts
 * with the core limit raised: the control without which the test below could not fail.
 */
function coresLandHere(): boolean {
  const folder = join(work, 'core-control');
  spawnSync('mkdir', ['-p', folder]);
  spawnSync(
    '/bin/sh',
    [
      '-c',
      'ulimit -c unlimited 2>/dev/null && exec "$0" "$1"',
      process.execPath,
      fixture('crash-abort.mjs'),
    ],
    { cwd: folder, env: { ...process.env, CRASH_AT_ONCE: '1' }, stdio: 'ignore' },
  );
  return readdirSync(folder).some((name) => name.startsWith('core'));
}

describe('core dumps', () => {
  it.skipIf(!coresLandHere())(
    'are off for the program even when the caller allows them: a crash after sign-in leaves no core',
    () => {
      const output = join(work, 'core.json');
      const done = spawnSync(
        '/bin/sh',
        [
          '-c',
          'ulimit -c unlimited && exec "$@"',
          'sh',
          process.execPath,
          fileURLToPath(new URL('../src/cli/run.ts', import.meta.url)),
          ...['check', '--scenario', 'approve', '--interval', '1'],
          ...['--format', 'json', '--output', output, '--', process.execPath],
          fixture('crash-abort.mjs'),
        ],
        { cwd, encoding: 'utf8', timeout: 60_000 },
      );
      expect(done.stderr).toBe('');
      const report = JSON.parse(readFileSync(output, 'utf8')) as JsonReport;
      const [invocation] = report.evidence.runs[0]?.invocations ?? [];
      expect(invocation?.files.map((file) => file.path)).toEqual([]);
      expect(report.findings).toEqual([]);
      expect(done.status).toBe(0);
    },
    60_000,
  );
});
