// Harness overhead of `devicebound check`, and what running the scenarios concurrently buys.
//
// (1) Per scenario: wall time of the built CLI (`bin/devicebound.js check`) on the well-behaved
//     fixture with interval 1 s, minus the program's own run time. That difference includes the
//     grace period the design mandates after every exit (two intervals, so a background poller
//     is caught) and, in `session`, the wait for the first run's tokens to expire; both are
//     printed, and the overhead is given with and without them.
// (2) The whole scenario suite (fault included) against the longest single scenario, measured in the same run.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Evidence } from '../src/evidence/model.ts';
import { SCENARIOS } from '../src/evidence/names.ts';
import { type Benchmark, type Figure, formatNumber, log } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'devicebound.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'clis', 'good.mjs');
const REPEATS = 3;

interface Measured {
  wallMs: number;
  programMs: number;
  /** Grace periods after exit and the session scenario's wait for expiry. */
  mandatedMs: number;
}

async function measure(scenarios: string[], dir: string): Promise<Measured> {
  const evidenceFile = join(dir, `evidence-${scenarios.length}-${Date.now()}.json`);
  const args = [
    CLI,
    'check',
    '--interval',
    '1',
    '--format',
    'json',
    '--output',
    join(dir, 'report.json'),
  ];
  for (const scenario of scenarios) args.push('--scenario', scenario);
  args.push('--save-evidence', evidenceFile, '--', process.execPath, FIXTURE);
  const started = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    // In an empty folder: what copying a real working directory adds is bench/working-copy.ts's.
    const child = spawn(process.execPath, args, { stdio: 'ignore', cwd: join(dir, 'cwd') });
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const wallMs = performance.now() - started;
  if (code !== 0) throw new Error(`check exited ${code} for ${scenarios.join(', ')}`);
  const evidence = JSON.parse(await readFile(evidenceFile, 'utf8')) as Evidence;
  let programMs = 0;
  let mandatedMs = 0;
  let longest = 0;
  for (const run of evidence.runs) {
    const first = run.invocations[0];
    const last = run.invocations.at(-1);
    if (!first || !last) continue;
    const program = run.invocations.reduce((sum, inv) => sum + (inv.endedAt - inv.startedAt), 0);
    const span = last.graceEndedAt - first.startedAt;
    // Concurrent scenarios overlap: the suite's program time is its longest scenario's.
    if (span > longest) {
      longest = span;
      programMs = program;
      mandatedMs = span - program;
    }
  }
  return { wallMs, programMs, mandatedMs };
}

const best = (runs: Measured[]) =>
  runs.reduce((a, b) =>
    b.wallMs - b.programMs - b.mandatedMs < a.wallMs - a.programMs - a.mandatedMs ? b : a,
  );

export const benchmark: Benchmark = {
  name: 'check-overhead',
  title:
    'devicebound check: harness overhead per scenario and concurrency of the full scenario suite',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'devicebound-bench-check-'));
    await mkdir(join(dir, 'cwd'));
    try {
      const figures: Figure[] = [];
      const single: Record<string, Measured> = {};
      for (const scenario of SCENARIOS) {
        log(`check-overhead: ${scenario} ×${REPEATS}`);
        const runs: Measured[] = [];
        for (let i = 0; i < REPEATS; i++) runs.push(await measure([scenario], dir));
        single[scenario] = best(runs);
      }
      let worst = 0;
      for (const scenario of SCENARIOS) {
        const m = single[scenario] as Measured;
        const overhead = m.wallMs - m.programMs - m.mandatedMs;
        worst = Math.max(worst, overhead);
        figures.push({
          label: `${scenario}: wall / program / grace+waits`,
          value: `${formatNumber(m.wallMs)} / ${formatNumber(m.programMs)} / ${formatNumber(m.mandatedMs)} ms`,
        });
        figures.push({
          label: `${scenario}: overhead beyond the mandated waits`,
          value: `${formatNumber(overhead)} ms`,
          goal: { text: '< 150 ms', met: overhead < 150 },
        });
      }
      log(`check-overhead: all ${SCENARIOS.length} scenarios ×${REPEATS}`);
      const suites: Measured[] = [];
      for (let i = 0; i < REPEATS; i++) suites.push(await measure([...SCENARIOS], dir));
      const suite = suites.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
      const longest = Math.max(...Object.values(single).map((m) => m.wallMs));
      const ratio = suite.wallMs / longest;
      figures.push({
        label: 'longest single scenario (wall)',
        value: `${formatNumber(longest)} ms`,
      });
      figures.push({
        label: `${SCENARIOS.length}-scenario suite (wall)`,
        value: `${formatNumber(suite.wallMs)} ms`,
      });
      figures.push({
        label: 'suite / longest single scenario',
        value: `${formatNumber(ratio, 2)}x`,
        goal: { text: '≤ 1.3x', met: ratio <= 1.3 },
      });
      return {
        figures,
        notes: [
          `built CLI (bin/devicebound.js) on test/fixtures/clis/good.mjs, --interval 1; best of ${REPEATS} runs each`,
          "program = the fixture running; grace+waits = the mandated listening after exit (2 intervals, at least 1.5 s) and, in session, the wait for run 1's tokens to expire",
          `worst overhead beyond the mandated waits: ${formatNumber(worst)} ms (CLI start-up, lab and sandbox set-up, the canary search, the report)`,
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
