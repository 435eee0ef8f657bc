// What recording the processes a program starts (secret-in-argv) costs the program.
//
// (1) The well-behaved fixture (test/fixtures/clis/good.mjs) in the approve scenario at
//     interval 1 s, through `runCheck`, with `processTrace: 'strace'` and `'off'` alternating
//     in this one process. The figure is the program's own wall time (its invocation's start to
//     its exit, as the evidence records it), median of each side, and their ratio.
// (2) For context, a program that starts 200 short children (`/bin/true` from a shell loop),
//     run directly with and without the strace wrapper: the cost per exec, where strace stops
//     the tracee (with --seccomp-bpf it stops at execve only).
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policyFromFlags } from '../src/policy/from-flags.ts';
import { runCheck } from '../src/runner/index.ts';
import { chooseTraceMethod, processRecorder } from '../src/runner/process-trace.ts';
import { runProgram } from '../src/runner/program.ts';
import { type Benchmark, type Figure, formatNumber, log } from './lib/report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE = join(ROOT, 'test', 'fixtures', 'clis', 'good.mjs');
const REPEATS = Number(process.env.BENCH_REPEATS ?? 7);
const GOAL = 0.15;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** The program's own wall time in one approve scenario, ms. */
async function programMs(mode: 'strace' | 'off', cwd: string): Promise<number> {
  const policy = await policyFromFlags(
    { command: [process.execPath, FIXTURE], scenario: ['approve'], interval: 1 },
    cwd,
  );
  const evidence = await runCheck(policy, { processTrace: mode });
  const invocation = evidence.runs[0]?.invocations[0];
  if (invocation?.exitCode !== 0) throw new Error(`good.mjs failed under ${mode}`);
  if (mode === 'strace' && invocation.processes?.method !== 'strace') {
    throw new Error('strace was asked for but not used');
  }
  return invocation.endedAt - invocation.startedAt;
}

/** 200 short children from a shell loop, with or without the strace wrapper, ms. */
async function loopMs(traced: boolean, folder: string): Promise<number> {
  const method = await chooseTraceMethod(traced ? 'strace' : 'off');
  const recorder = processRecorder(method, {
    traceFile: join(folder, 'loop.strace'),
    clock: () => performance.now(),
  });
  const started = performance.now();
  const result = await runProgram({
    command: recorder.command([
      '/bin/sh',
      '-c',
      'i=0; while [ $i -lt 200 ]; do /bin/true; i=$((i+1)); done',
    ]),
    cwd: folder,
    env: { PATH: '/usr/bin:/bin' },
    stdin: undefined,
    timeoutMs: 60_000,
    clock: () => performance.now(),
  });
  const elapsed = performance.now() - started;
  const recorded = await recorder.finish();
  if (result.exitCode !== 0) throw new Error('the exec loop failed');
  if (traced && recorded.execs.length < 201) {
    throw new Error(`strace recorded ${recorded.execs.length} of 201 execs`);
  }
  return elapsed;
}

export const benchmark: Benchmark = {
  name: 'process-trace-overhead',
  title: 'secret-in-argv: what strace costs the program under test',
  async run() {
    const method = await chooseTraceMethod('auto');
    if (method.method !== 'strace') {
      return {
        figures: [],
        notes: [`skipped: ${method.reason}; install strace (Debian package strace) to measure`],
      };
    }
    const dir = await mkdtemp(join(tmpdir(), 'devicebound-bench-trace-'));
    try {
      const cwd = join(dir, 'cwd');
      await mkdir(cwd);
      await programMs('off', cwd); // warm-up
      const traced: number[] = [];
      const plain: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        const order = i % 2 === 0 ? (['strace', 'off'] as const) : (['off', 'strace'] as const);
        for (const mode of order)
          (mode === 'strace' ? traced : plain).push(await programMs(mode, cwd));
        log(`process-trace-overhead: pair ${i + 1}/${REPEATS}`);
      }
      const ratio = median(traced) / median(plain) - 1;
      const loopTraced: number[] = [];
      const loopPlain: number[] = [];
      for (let i = 0; i < REPEATS; i++) {
        loopPlain.push(await loopMs(false, dir));
        loopTraced.push(await loopMs(true, dir));
      }
      const figures: Figure[] = [
        {
          label:
            'good.mjs, approve, interval 1 s: program wall time without | with strace (medians)',
          value: `${formatNumber(median(plain))} | ${formatNumber(median(traced))} ms`,
        },
        {
          label: 'good.mjs: strace overhead on the program’s own wall time',
          value: `${formatNumber(ratio * 100, 1)} %`,
          goal: { text: `≤ ${GOAL * 100} %`, met: ratio <= GOAL },
        },
        {
          label: '200 execs from a shell loop: without | with strace (medians)',
          value: `${formatNumber(median(loopPlain))} | ${formatNumber(median(loopTraced))} ms`,
        },
        {
          label: '200 execs: strace cost per exec',
          value: `${formatNumber((median(loopTraced) - median(loopPlain)) / 200, 2)} ms`,
        },
      ];
      return {
        figures,
        notes: [
          `${REPEATS} alternating pairs (order swapped each round) after one warm-up; the program's wall time is its invocation's start to exit in the evidence`,
          `strace flags: ${method.flags.join(' ')}`,
          'good.mjs spends most of its time waiting for the polling interval: that is the program the goal names; the exec loop shows the cost where a program does little but start children',
        ],
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
