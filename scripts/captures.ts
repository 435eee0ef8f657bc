// `npm run captures`: (re)builds the capture corpus in test/fixtures/captures from runs of the
// lab. Each case runs `devicebound check --save-har` on a CLI fixture or a real client (gh,
// az, MSAL Python, oidc-agent, through the egress proxy in their providers' dialects) and
// writes, beside the HAR, its ground truth: what the lab itself found in that same run for
// the checks traffic can decide, and `refresh-issued` wherever the lab sent a refresh token
// (the policy forbids refresh). `test/captures.test.ts` then holds `analyze` to it.
//
// The truth comes from the lab's verdict on the run, never from `analyze`: where the two
// disagree, one of them is wrong, and the disagreement is printed here for a person to settle
// before the corpus is committed.
//
//   node scripts/captures.ts [--only good,gh]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TRAFFIC_CHECKS } from '../src/checks/index.ts';
import type { Evidence, ScenarioRun } from '../src/evidence/model.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'src/cli/run.ts');
const OUT = join(ROOT, 'test/fixtures/captures');
const FIXTURES = join(ROOT, 'test/fixtures/clis');

interface Case {
  name: string;
  /** What it shows, for the truth file. */
  about: string;
  /** `check` flags besides --save-har and the reports. */
  check: string[];
  /** The program, after `--` (none for a preset). */
  command?: string[];
  /** `analyze` flags the truth holds for (the same policy the check ran under). */
  analyze?: string[];
}

const fixture = (name: string, scenarios: string[], about: string, extra: string[] = []): Case => ({
  name,
  about,
  check: ['--interval', '1', ...scenarios.flatMap((s) => ['--scenario', s]), ...extra],
  command: ['node', join(FIXTURES, `${name}.mjs`)],
});

const preset = (name: string, scenarios: string[], about: string): Case => ({
  name: `real-${name}`,
  about,
  check: ['--preset', name, ...scenarios.flatMap((s) => ['--scenario', s])],
});

const CASES: Case[] = [
  fixture(
    'good',
    ['approve', 'deny', 'expire', 'slow-down', 'server-error', 'session', 'fault'],
    'a correct client in every scenario',
  ),
  fixture('bad-poll-interval', ['approve', 'slow-down'], 'polls at 0.6 × the interval'),
  fixture('bad-poll-slow-down', ['slow-down'], 'ignores slow_down'),
  // Its sibling bad-slow-down-abort exits at slow_down: a HAR that ends there cannot show that
  // no poll would have come (analyze decides it when the capture goes on past the due time).
  fixture('bad-slow-down-restart', ['slow-down'], 'starts a new device authorization at slow_down'),
  fixture(
    'bad-poll-after-terminal',
    ['approve', 'deny', 'expire'],
    'polls once more after the end',
  ),
  fixture('bad-auto-restart', ['deny', 'expire'], 'starts a new device authorization by itself'),
  fixture('bad-error-backoff', ['server-error', 'fault'], 'retries 200 ms after a 5xx'),
  fixture('bad-excess-scope', ['approve'], 'asks for openid offline_access admin'),
  fixture(
    'bad-secret-in-telemetry',
    ['approve'],
    'posts the device code, gzip-compressed, to an allowed telemetry host',
    ['--allow-egress', 'telemetry.example.com'],
  ),
  fixture('bad-silent-refresh', ['session'], 'uses a cached refresh token on its second run'),
  fixture('bad-background-poller', ['approve'], 'a detached child polls on after success'),
  preset('gh', ['approve', 'deny', 'slow-down'], 'GitHub CLI (Debian gh), GitHub dialect'),
  preset('az', ['approve', 'slow-down'], 'Azure CLI (Debian azure-cli), Microsoft dialect'),
  preset(
    'msal-python',
    ['approve', 'fault'],
    'MSAL Python (Debian python3-msal), Microsoft dialect',
  ),
  preset('oidc-agent', ['approve'], "oidc-agent (Debian), the lab's own TLS issuer"),
];

/**
 * The lab's verdicts a capture of the same run must repeat: the traffic checks, except
 * `session-reuse`. The lab knows when a program run ended and the next began; a capture only
 * sees a new sitting after an hour of silence, and the lab's runs are seconds apart.
 */
const FROM_LAB: readonly string[] = TRAFFIC_CHECKS.filter((id) => id !== 'session-reuse');

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',').map((s) => s.trim());

/** The session `analyze` names for a run: client_id @ identity host [task/scenario]. */
function sessionOf(run: ScenarioRun): string {
  const first = run.events.find(
    (event) => event.type === 'request' && event.endpoint === 'device_authorization',
  );
  const host =
    (first?.type === 'request' && first.host?.replace(/:\d+$/, '')) ||
    new URL(run.lab.issuer).hostname;
  return `${run.lab.clientId}@${host} [${run.task}/${run.scenario}]`;
}

let disagreements = 0;
for (const item of CASES.filter((c) => !only || only.includes(c.name))) {
  const work = mkdtempSync(join(tmpdir(), 'devicebound-captures-'));
  try {
    const har = join(OUT, `${item.name}.har`);
    const evidenceFile = join(work, 'evidence.json');
    const reportFile = join(work, 'report.json');
    const shown = [...item.check, ...(item.command ? ['--', ...item.command] : [])]
      .map((arg) => arg.replace(ROOT, ''))
      .join(' ');
    process.stderr.write(`${item.name}: devicebound check ${shown}\n`);
    try {
      execFileSync(
        process.execPath,
        [
          CLI,
          'check',
          ...item.check,
          '--save-har',
          har,
          '--save-evidence',
          evidenceFile,
          '--format',
          'json',
          '--output',
          reportFile,
          ...(item.command ? ['--', ...item.command] : []),
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      );
    } catch (error) {
      if ((error as { status?: number }).status !== 1) throw error;
    }
    const evidence = JSON.parse(readFileSync(evidenceFile, 'utf8')) as Evidence;
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      findings: { check: string; task: string; scenario: string }[];
    };
    const expected = new Set<string>();
    for (const run of evidence.runs) {
      if (!run.events.some((e) => e.type === 'request' && e.endpoint === 'device_authorization'))
        continue;
      const session = sessionOf(run);
      for (const finding of report.findings) {
        if (finding.task !== run.task || finding.scenario !== run.scenario) continue;
        if (FROM_LAB.includes(finding.check)) expected.add(`${session}: ${finding.check}`);
      }
      // A refresh token the program was sent: not one in the part of an answer the `fault`
      // scenario cut off (the lab issued it; it never reached the wire).
      const delivered = run.events.some(
        (e) =>
          e.type === 'request' &&
          e.injected !== 'truncated' &&
          e.issued.some((ref) => ref.kind === 'refresh_token'),
      );
      if (delivered) expected.add(`${session}: refresh-issued`);
    }
    const truth = {
      about: item.about,
      made: `devicebound check --save-har ${item.name}.har ${shown}`,
      analyze: item.analyze ?? [],
      expected: [...expected].sort(),
    };
    writeFileSync(join(OUT, `${item.name}.truth.json`), `${JSON.stringify(truth, null, 2)}\n`);

    // What analyze says, for a person to compare before committing.
    let analyzed: { findings: { check: string; task: string }[] } = { findings: [] };
    try {
      analyzed = JSON.parse(
        execFileSync(
          process.execPath,
          [CLI, 'analyze', har, ...truth.analyze, '--format', 'json'],
          {
            encoding: 'utf8',
          },
        ),
      );
    } catch (error) {
      const out = (error as { stdout?: string }).stdout;
      if (out) analyzed = JSON.parse(out);
    }
    const fired = new Set(analyzed.findings.map((f) => `${f.task}: ${f.check}`));
    const missed = [...expected].filter((x) => !fired.has(x));
    const extra = [...fired].filter((x) => !expected.has(x));
    if (missed.length + extra.length > 0) {
      disagreements++;
      process.stderr.write(
        `  DISAGREES: missed ${JSON.stringify(missed)}, extra ${JSON.stringify(extra)}\n`,
      );
    } else process.stderr.write(`  agrees: ${expected.size} expected findings\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
process.exitCode = disagreements > 0 ? 1 : 0;
