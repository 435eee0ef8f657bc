// The scan people run most: a 10 MB support bundle (log-like text with every rule's samples
// planted, a zip and a tar.gz). Whole commands, start-up included, median of BENCH_SMALL_RUNS
// (default 7) each, in this one run: devicebound scan (the built CLI), ripgrep with the same
// rules, secretlint (recommended preset). Where devicebound's time goes is measured too:
// Node's own start-up (`node -e 0`) and devicebound's (`scan` of an empty folder). A baseline
// that is not installed is "not available". Needs `npm run build`.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULES } from '../src/scan/rules/index.ts';
import { CLI, MIB, SECRETLINT } from './lib/paths.ts';
import {
  type Benchmark,
  type BenchResult,
  type Figure,
  formatNumber,
  log,
  megabytes,
  positiveInteger,
} from './lib/report.ts';
import { writeCorpus } from './scan-corpus.ts';
import { type Measured, measure, rgPatterns } from './scan-throughput.ts';

const SIZE_MB = positiveInteger('BENCH_SMALL_MB', 10);
const RUNS = positiveInteger('BENCH_SMALL_RUNS', 7);
/** Issue 15: at most 1.5 times ripgrep's wall time on the small bundle, start-up included. */
const GOAL_VS_RG = 1.5;

export const benchmark: Benchmark = {
  name: 'scan-small',
  title: `devicebound scan of a ${SIZE_MB} MB support bundle (with a zip and a tar.gz), start-up included, against rg (same rules) and secretlint, median of ${RUNS}`,
  run,
};

async function run(): Promise<BenchResult> {
  const base = mkdtempSync(join(tmpdir(), 'devicebound-bench-small-'));
  const cleanUp = () => rmSync(base, { recursive: true, force: true });
  process.on('exit', cleanUp);
  try {
    const corpus = writeCorpus(base, SIZE_MB * MIB);
    const patternFile = join(base, 'rg-patterns.txt');
    writeFileSync(patternFile, `${rgPatterns(RULES).join('\n')}\n`);
    const rc = join(base, 'secretlintrc.json');
    writeFileSync(
      rc,
      JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }),
    );
    const report = join(base, 'report.json');
    const empty = join(base, 'empty');
    mkdirSync(empty);
    const rgArgs = ['--no-config', '--text', '--no-ignore', '--hidden', '--no-messages'];
    const haveRg = (await measure('rg', ['--version']).catch(() => undefined))?.code === 0;
    const haveSecretlint = existsSync(SECRETLINT);

    const commands: { label: string; command: string; args: string[]; available: boolean }[] = [
      {
        label: 'node -e 0 (Node start-up)',
        command: process.execPath,
        args: ['-e', '0'],
        available: true,
      },
      {
        label: 'devicebound scan of an empty folder (start-up)',
        command: process.execPath,
        args: [CLI, 'scan', '--format', 'json', '--output', join(base, 'empty.json'), empty],
        available: true,
      },
      {
        label: 'devicebound scan',
        command: process.execPath,
        args: [CLI, 'scan', '--format', 'json', '--output', report, corpus.dir],
        available: true,
      },
      {
        label: 'rg, same rules',
        command: 'rg',
        args: [...rgArgs, '--line-number', '-f', patternFile, corpus.dir],
        available: haveRg,
      },
      {
        label: 'secretlint (recommended preset)',
        command: SECRETLINT,
        args: [
          '--secretlintrc',
          rc,
          '--format',
          'unix',
          '--no-color',
          ...corpus.plainFiles.map((f) => join(corpus.dir, f)),
        ],
        available: haveSecretlint,
      },
    ];
    const medians = new Map<string, Measured>();
    for (const entry of commands) {
      if (!entry.available) continue;
      log(`scan-small: ${entry.label} (warm-up, then ${RUNS} runs)`);
      await measure(entry.command, entry.args, base);
      const runs: Measured[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(entry.command, entry.args, base));
      runs.sort((a, b) => a.seconds - b.seconds);
      medians.set(entry.label, runs[Math.floor(runs.length / 2)] as Measured);
    }
    const ms = (m: Measured | undefined) =>
      m ? `${formatNumber(m.seconds * 1000)} ms (CPU ${formatNumber(m.cpu * 1000)} ms)` : '';
    const ours = medians.get('devicebound scan') as Measured;
    const rg = medians.get('rg, same rules');
    const node = medians.get('node -e 0 (Node start-up)') as Measured;
    const cli = medians.get('devicebound scan of an empty folder (start-up)') as Measured;
    const figures: Figure[] = [
      {
        label: 'bundle',
        value: `${corpus.plainFiles.length} files + zip + tar.gz, ${megabytes(corpus.bytes)}`,
      },
      ...commands.map((entry) => ({
        label: entry.label,
        value: entry.available
          ? ms(medians.get(entry.label))
          : `not available (${entry.command === 'rg' ? 'apt-get install ripgrep' : 'npm ci'})`,
      })),
      ...(rg
        ? [
            {
              label: 'time devicebound scan / rg',
              value: `${formatNumber(ours.seconds / rg.seconds, 2)}x`,
              goal: {
                text: `≤ ${GOAL_VS_RG}x`,
                met: ours.seconds / rg.seconds <= GOAL_VS_RG,
              },
            },
          ]
        : []),
      {
        label: 'devicebound scan: start-up share',
        value: `Node ${formatNumber((node.seconds / ours.seconds) * 100)} %, devicebound's start-up ${formatNumber(((cli.seconds - node.seconds) / ours.seconds) * 100)} %, the bundle itself ${formatNumber(((ours.seconds - cli.seconds) / ours.seconds) * 100)} %`,
      },
    ];
    return {
      figures,
      notes: [
        `wall time and CPU from /usr/bin/time, median of ${RUNS} after one warm-up; the page cache is warm; BENCH_SMALL_MB and BENCH_SMALL_RUNS set the size and runs`,
        "start-up share: Node's is `node -e 0`; devicebound's is `scan` of an empty folder minus that (the bin, the compile cache, the scan command's modules, the rule engine, the worker threads, an empty report); the bundle itself is the rest (reading, matching, the zip and tar.gz, the report)",
      ],
    };
  } finally {
    cleanUp();
    process.off('exit', cleanUp);
  }
}
