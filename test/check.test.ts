// `devicebound check` end to end: the real CLI as a child process, running the fixture CLIs
// (real programs) against real labs. Each defect must be caught by its check and by no other;
// the well-behaved client must pass every scenario.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type CheckId, checks } from '../src/checks/index.ts';
import { runCli, startCli } from './cli.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/clis/${name}.mjs`, import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'devicebound-check-test-'));
afterAll(() => rm(work, { recursive: true, force: true }));
/**
 * The folder `check` runs in below: every scenario gets a copy of it, so a small one keeps the
 * suite quick (bench/working-copy.ts measures what a real checkout costs).
 */
const cwd = join(work, 'cwd');
await mkdir(cwd);
await writeFile(join(cwd, 'README'), 'the working directory of the checks below\n');

interface JsonReport {
  findings: { check: string; severity: string; scenario: string; message: string }[];
  scenarios: {
    scenario: string;
    exitCode: number | null;
    timedOut: boolean;
    laterSignIns?: string[];
  }[];
  summary: { passed: boolean; findings: number; inconclusive: boolean };
  evidence: { runs: { notes: string[]; invocations: { leftovers: unknown[] }[] }[] };
}

/** Runs `check` on a fixture with interval 1 s and returns the exit code and JSON report. */
async function check(
  name: string,
  scenarios: string[],
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
) {
  const output = join(
    work,
    `${name}-${scenarios.join('+')}-${Math.random().toString(36).slice(2)}.json`,
  );
  // Interval 1 s unless the caller forces another (a later --interval wins).
  const interval = extra.includes('--interval') ? [] : ['--interval', '1'];
  const args = ['check', ...interval, '--format', 'json', '--output', output];
  for (const scenario of scenarios) args.push('--scenario', scenario);
  const done = await runCli([...args, ...extra, '--', process.execPath, fixture(name)], env, cwd);
  const report = JSON.parse(
    await readFile(output, 'utf8').catch(() => 'null'),
  ) as JsonReport | null;
  return { ...done, report };
}

const firedChecks = (report: JsonReport | null) =>
  [...new Set(report?.findings.map((f) => f.check))].sort();

const ALL = ['approve', 'deny', 'expire', 'slow-down', 'server-error', 'session', 'fault'] as const;
type Scenario = (typeof ALL)[number];
/** Scenarios in which the program signs in (and so can store, print or reuse a token). */
const SIGNS_IN: Scenario[] = ['approve', 'slow-down', 'server-error', 'session', 'fault'];
/**
 * Scenarios in which the token also works at the resource, so the steps after /whoami run (the
 * `afterSignIn` hook of lib.mjs). In `fault` the resource answers 500, then 401 on the good
 * token: lib.mjs gives up there (exit 1), as a CLI told its token is refused does.
 */
const USES_TOKEN: Scenario[] = ['approve', 'slow-down', 'server-error', 'session'];
/** Every scenario but `fault`: defects that come after /whoami in lib.mjs. */
const ALL_BUT_FAULT = ALL.filter((scenario) => scenario !== 'fault');
const only = (scenarios: readonly Scenario[], checks: string[]) =>
  Object.fromEntries(scenarios.map((scenario) => [scenario, checks]));

/**
 * Which checks must fire in which scenario, for every fixture (test/fixtures/clis/README.md);
 * every scenario not listed must have no finding at all.
 */
const EXPECTED: [string, Partial<Record<Scenario, string[]>>][] = [
  ['good', {}],
  ['good-slow', {}],
  // The unmodified openid-client v6: waits the interval, adds 5 s on slow_down, stops at
  // expires_in on its own, and gives up (exit 1) on a bare 503: nothing to report.
  ['openid-client', {}],
  ['bad-poll-interval', only(ALL, ['poll-interval'])],
  ['bad-poll-slow-down', { 'slow-down': ['poll-slow-down'] }],
  // Giving up at slow_down has one owner: not unclean-exit, not auto-restart.
  ['bad-slow-down-abort', { 'slow-down': ['slow-down-abort'] }],
  ['bad-slow-down-restart', { 'slow-down': ['slow-down-abort'] }],
  // Its extra poll after success comes after /whoami, which fails in fault.
  ['bad-poll-after-terminal', only(ALL_BUT_FAULT, ['poll-after-terminal'])],
  ['bad-auto-restart', only(['deny', 'expire'], ['auto-restart'])],
  // A token answer cut short (fault) is retried like a 5xx: 200 ms later.
  ['bad-error-backoff', only(['server-error', 'fault'], ['error-backoff'])],
  ['bad-unclean-exit', only(['deny', 'expire'], ['unclean-exit'])],
  ['bad-excess-scope', only(ALL, ['excess-scope'])],
  ['bad-secret-at-rest', only(SIGNS_IN, ['secret-at-rest'])],
  ['bad-secret-in-output', only(ALL, ['secret-in-output'])],
  // The cache that makes reuse possible is itself a secret at rest.
  [
    'bad-session-reuse',
    { ...only(SIGNS_IN, ['secret-at-rest']), session: ['secret-at-rest', 'session-reuse'] },
  ],
  // Refreshing with run 1's refresh token is also presenting an earlier run's credential.
  [
    'bad-silent-refresh',
    {
      ...only(SIGNS_IN, ['secret-at-rest']),
      session: ['secret-at-rest', 'session-reuse', 'silent-refresh'],
    },
  ],
  // It hands the device code to its poller in the environment: secret-in-argv at info.
  [
    'bad-background-poller',
    only(USES_TOKEN, ['poll-after-terminal', 'secret-in-argv', 'unclean-exit']),
  ],
  // Its telemetry host is allowed (--allow-egress): the credential in the gzip body is the defect.
  ['bad-secret-in-telemetry', only(USES_TOKEN, ['secret-in-telemetry'])],
  ['bad-unexpected-egress', only(ALL, ['unexpected-egress'])],
  // curl and /bin/true, each alive a few milliseconds, with the bearer header in argv.
  ['bad-secret-in-argv', only(USES_TOKEN, ['secret-in-argv'])],
  // The token in a child's environment only: the same check, at severity info.
  ['bad-secret-in-child-env', only(USES_TOKEN, ['secret-in-argv'])],
  // Prints a body that does not parse: only the cut-short token answer (fault) holds a token.
  ['bad-dump-body', { fault: ['secret-in-output'] }],
];

/** Checks whose finding a fixture's defect makes less severe than the check's own severity. */
const SEVERITY: Record<string, Partial<Record<CheckId, string>>> = {
  'bad-secret-in-child-env': { 'secret-in-argv': 'info' },
  'bad-background-poller': { 'secret-in-argv': 'info' },
};

describe.concurrent('every check fires when it must and stays silent when it must not', () => {
  it.each(EXPECTED)(
    '%s, every scenario',
    async (name, expected) => {
      const { code, report, stderr } = await check(name, [], FLAGS[name] ?? []);
      expect(stderr).toBe('');
      const fired = Object.fromEntries(
        ALL.map((scenario) => [
          scenario,
          [
            ...new Set(report?.findings.filter((f) => f.scenario === scenario).map((f) => f.check)),
          ].sort(),
        ]),
      );
      expect(fired).toEqual(
        Object.fromEntries(ALL.map((scenario) => [scenario, expected[scenario] ?? []])),
      );
      // Findings at or above `low` fail the run; an info finding (unexpected-egress) does not.
      const severityOf = (id: CheckId) => SEVERITY[name]?.[id] ?? checks[id].meta.severity;
      for (const finding of report?.findings ?? []) {
        expect(finding.severity, finding.check).toBe(severityOf(finding.check as CheckId));
      }
      const failing = Object.values(expected)
        .flat()
        .some((id) => severityOf(id as CheckId) !== 'info');
      expect(code).toBe(failing ? 1 : 0);
      // The session scenario tells how the second run signed in.
      const session = report?.scenarios.find((s) => s.scenario === 'session');
      expect(session?.laterSignIns).toEqual([SECOND_RUN[name] ?? 'new device authorization']);
      // Seven scenarios each, 20 fixtures at once on two cores: bad-poll-interval alone needs about
      // 25 s (its early polls earn slow_down, which stretches its interval), more on a busy machine.
    },
    90_000,
  );
});

/**
 * At interval 1 s a poll at 60 % of it is 400 ms early; on a loaded CI machine the lab can see
 * a gap grow by that much (the client waits after the answer arrives, and answers are slow),
 * so the slow-down scenario's single judged gap can pass. At 2 s the margin is 800 ms.
 */
/** Flags a fixture needs besides the defaults. */
const FLAGS: Record<string, string[]> = {
  'bad-poll-interval': ['--interval', '2'],
  'bad-secret-in-telemetry': ['--allow-egress', 'telemetry.example.com'],
};

const SECOND_RUN: Record<string, string> = {
  'bad-session-reuse': 'reused an earlier credential',
  'bad-silent-refresh': 'silent refresh',
};

describe.concurrent('giving up at slow_down is slow-down-abort’s alone', () => {
  it.each([
    // [why, fixture, --env, program exit code, what the program did instead of polling on]
    ['reports an error and exits 1', 'bad-slow-down-abort', [], 1, /exited with code 1 at /],
    // unclean-exit would report an exit 0 without a token, but this one is the abort's.
    [
      'reports an error and exits 0',
      'bad-slow-down-abort',
      ['--env', 'BADCLI_FAILURE_EXIT_CODE=0'],
      0,
      /exited 0 at [\d.]+ s without obtaining a token/,
    ],
    // auto-restart judges restarts after denial or expiry; this one follows a slow_down.
    [
      'starts a new device authorization',
      'bad-slow-down-restart',
      [],
      0,
      /started device authorization 2 at /,
    ],
  ] as const)('%s', async (_why, name, extra, exitCode, instead) => {
    const { code, report, stderr } = await check(name, ['slow-down'], [...extra]);
    expect(stderr).toBe('');
    expect(firedChecks(report)).toEqual(['slow-down-abort']);
    expect(report?.scenarios[0]?.exitCode).toBe(exitCode);
    const [finding] = report?.findings ?? [];
    expect(finding?.message).toMatch(/^gave up at slow_down: /);
    expect(finding?.message).toMatch(instead);
    expect(code).toBe(1);
  });
});

describe('the JSON report', () => {
  it('lists every scenario with its exit code, in the contract order', async () => {
    const { report } = await check('good', ['session', 'approve']);
    expect(report?.scenarios.map((s) => [s.scenario, s.exitCode])).toEqual([
      ['approve', 0],
      ['session', 0],
    ]);
    expect(report?.summary).toMatchObject({ passed: true, findings: 0, inconclusive: false });
  });
});

describe.concurrent('hostile programs get a clear finding or error, never a crash or a hang', () => {
  it('a program that hangs and ignores SIGTERM is killed at its timeout', async () => {
    const { code, report } = await check('hang', ['approve'], ['--timeout', '2s']);
    expect(report?.scenarios[0]?.timedOut).toBe(true);
    expect(firedChecks(report)).toContain('unclean-exit');
    expect(code).toBe(1);
    expect(await processesRunning('hang.mjs')).toEqual([]);
  });

  it('a program that floods its output is capped and still judged', async () => {
    const { code, report } = await check('flood', ['approve']);
    expect(report?.evidence.runs[0]?.notes.join('\n')).toMatch(/larger than 16 MiB/);
    expect(report?.findings).toEqual([]);
    expect(code).toBe(0);
  });

  it('symlink loops, FIFOs and a 40 MB binary file: the token inside is found, nothing hangs', async () => {
    const { report } = await check('hostile-files', ['approve']);
    expect(firedChecks(report)).toEqual(['secret-at-rest']);
    expect(report?.findings[0]?.message).toMatch(
      /device code stored as UTF-16 in ~\/\.config\/hostile\/core\.dump/,
    );
    expect(report?.evidence.runs[0]?.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/loop\/up: symbolic link, not followed/),
        expect.stringMatching(/pipe: FIFO, not opened/),
      ]),
    );
  });

  it('a program that exits at once without a request is inconclusive (exit 3)', async () => {
    const { code, report, stdout } = await check('exit-at-once', ['approve']);
    expect(report?.summary.inconclusive).toBe(true);
    expect(stdout).toBe('');
    expect(code).toBe(3);
  });

  it('a command that does not exist is a usage error (exit 2), before anything runs', async () => {
    const done = await runCli(['check', '--', 'devicebound-no-such-command']);
    expect(done.code).toBe(2);
    expect(done.stderr).toBe('devicebound: command not found: devicebound-no-such-command\n');
  });

  it('a bad policy file is refused with file, line and field (exit 2)', async () => {
    const policy = join(work, 'bad-policy.yaml');
    await writeFile(
      policy,
      'version: 1\ntasks:\n  login:\n    run: [node, x.mjs]\n    refresh: sometimes\n',
    );
    const done = await runCli(['check', '--policy', policy]);
    expect(done.code).toBe(2);
    expect(done.stderr).toBe(
      `devicebound: ${policy}:5: tasks.login.refresh: expected one of "forbidden", "allowed"\n`,
    );
  });

  it('saved evidence that is not JSON is refused (exit 2)', async () => {
    const file = join(work, 'not-evidence.json');
    await writeFile(file, '{"evidenceVersion": 1,\n  oops\n}');
    const done = await runCli(['check', '--evidence', file]);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(new RegExp(`^devicebound: ${file}:2: not valid JSON\\n$`));
  });

  it('saved evidence with a malformed event deep inside is refused (exit 2), naming the field', async () => {
    const saved = fileURLToPath(new URL('./fixtures/report/evidence.json', import.meta.url));
    const evidence = JSON.parse(await readFile(saved, 'utf8')) as {
      runs: { events: Record<string, unknown>[] }[];
    };
    const event = evidence.runs[0]?.events[3];
    if (event) event.t = 'soon';
    const file = join(work, 'malformed-evidence.json');
    await writeFile(file, JSON.stringify(evidence));
    const done = await runCli(['check', '--evidence', file]);
    expect(done.code).toBe(2);
    expect(done.stderr).toBe(
      `devicebound: ${file}: runs[0].events[3].t: expected a number, got a string\n`,
    );
  });
});

describe('every scenario runs in its own copy of the working directory', () => {
  it("a program writing there leaves the user's folder as it was, and each scenario sees and is judged on its own files only", async () => {
    const project = join(work, 'project');
    await mkdir(join(project, 'docs'), { recursive: true });
    await writeFile(join(project, 'README'), 'a project\n');
    await writeFile(join(project, 'docs', 'guide.md'), '# guide\n');
    const policy = join(project, 'devicebound.yaml');
    await writeFile(
      policy,
      `version: 1\ntasks:\n  login:\n    run: ${JSON.stringify([process.execPath, fixture('bad-secret-in-cwd')])}\n`,
    );
    const before = await listing(project);
    const output = join(work, 'own-cwd.json');
    const done = await runCli([
      'check',
      '--policy',
      policy,
      '--interval',
      '1',
      '--format',
      'json',
      '--output',
      output,
    ]);
    expect(done.stderr).toBe('');
    const report = JSON.parse(await readFile(output, 'utf8')) as JsonReport;
    // 42 would mean a program saw another scenario's files.
    expect(report.scenarios.map((s) => [s.scenario, s.exitCode])).toEqual(
      ALL.map((scenario) => [scenario, USES_TOKEN.includes(scenario) ? 0 : 1]),
    );
    expect(firedChecks(report)).toEqual(['secret-at-rest']);
    for (const finding of report.findings) {
      const named = [...finding.message.matchAll(/device-code-([a-z-]+)\.txt/g)].map((m) => m[1]);
      expect(named).toEqual([finding.scenario]);
    }
    expect(report.findings.map((f) => f.scenario).sort()).toEqual([...USES_TOKEN].sort());
    expect(await listing(project)).toEqual(before);
    expect(done.code).toBe(1);
  });
});

/** Every file and folder under `dir` with its size, mode, mtime and content. */
async function listing(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const lines = await Promise.all(
    entries.map(async (entry) => {
      const path = join(entry.parentPath, entry.name);
      const { size, mode, mtimeMs } = await stat(path);
      const content = entry.isFile() ? await readFile(path, 'utf8') : '';
      return `${path} ${size} ${mode} ${mtimeMs} ${content}`;
    }),
  );
  return lines.sort();
}

describe('evidence and output never hold a raw secret', () => {
  it('saves evidence, judges it again the same way, and no output contains the leaked token', async () => {
    const evidence = join(work, 'evidence.json');
    const json = join(work, 'report.json');
    const done = await runCli(
      [
        'check',
        '--interval',
        '1',
        '--scenario',
        'approve',
        '--verbose',
        '--format',
        'text',
        '--format',
        'json',
        '--output',
        '-',
        '--output',
        json,
        '--save-evidence',
        evidence,
        '--',
        process.execPath,
        fixture('bad-secret-in-output'),
      ],
      undefined,
      cwd,
    );
    expect(done.code).toBe(1);
    // --verbose passed the program's own output through: that is where the raw token is.
    const leaked = /access_token: (\S+)/.exec(done.stdout)?.[1] ?? '';
    expect(leaked).toMatch(/^eyJ/);
    const report = done.stdout.slice(done.stdout.indexOf('FAIL'));
    const saved = await readFile(evidence, 'utf8');
    for (const output of [report, await readFile(json, 'utf8'), saved, done.stderr]) {
      expect(output).not.toContain(leaked);
      expect(output).not.toContain(leaked.slice(0, 40));
    }

    const again = await runCli(['check', '--evidence', evidence, '--format', 'json']);
    expect(again.code).toBe(1);
    const first = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
    expect((JSON.parse(again.stdout) as JsonReport).findings).toEqual(first.findings);
  });
});

describe('Ctrl-C', () => {
  it('kills the program, closes the labs and removes the sandboxes', async () => {
    const sandboxParent = await mkdtemp(join(work, 'tmp-'));
    const running = startCli(
      ['check', '--interval', '1', '--', process.execPath, fixture('hang')],
      { ...process.env, TMPDIR: sandboxParent },
      undefined,
      cwd,
    );
    // Wait until every scenario's program is running.
    for (let i = 0; i < 100 && (await processesRunning('hang.mjs')).length < 6; i++)
      await sleep(100);
    expect((await processesRunning('hang.mjs')).length).toBeGreaterThanOrEqual(6);
    running.child.kill('SIGINT');
    const done = await running.finished;
    expect(done.code).toBe(130);
    expect(done.stderr).toMatch(/interrupted/);
    expect(await processesRunning('hang.mjs')).toEqual([]);
    expect(await readdir(sandboxParent)).toEqual([]);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** PIDs of live processes whose command line mentions `needle`. */
async function processesRunning(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (cmdline.includes(needle) && !/\) Z /.test(stat)) pids.push(Number(entry));
  }
  return pids;
}

describe('check --save-canaries, then scan --canaries', () => {
  it('saves the raw canaries (mode 0600) and scan finds them in the kept sandbox', async () => {
    const canaries = join(work, 'canaries.json');
    const sandboxParent = await mkdtemp(join(work, 'kept-'));
    const done = await runCli(
      [
        'check',
        '--interval',
        '1',
        '--scenario',
        'approve',
        '--save-canaries',
        canaries,
        '--keep-sandbox',
        '--',
        process.execPath,
        fixture('bad-secret-at-rest'),
      ],
      { ...process.env, TMPDIR: sandboxParent },
      cwd,
    );
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/5 canary values saved to .*canaries\.json \(mode 0600/);
    expect((await stat(canaries)).mode & 0o777).toBe(0o600);
    const kept = /sandboxes kept for inspection:\n\s+(\S+)/.exec(done.stderr)?.[1] ?? '';
    const scan = await runCli(['scan', '--canaries', canaries, '--format', 'json', kept]);
    expect(scan.code).toBe(1);
    const found = (JSON.parse(scan.stdout) as { findings: { path: string }[] }).findings;
    expect(found.length).toBe(3); // access, refresh and ID token in token.json
    expect(found.every((f) => f.path.endsWith('.config/badcli/token.json'))).toBe(true);
    const values = (
      JSON.parse(await readFile(canaries, 'utf8')) as { canaries: { value: string }[] }
    ).canaries;
    for (const { value } of values) expect(scan.stdout).not.toContain(value);
  });
});
