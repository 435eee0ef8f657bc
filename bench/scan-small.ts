// The scan people run most: a 10 MB support bundle (log-like text with every rule's samples
// planted, a zip and a tar.gz). Whole commands, start-up included, median of BENCH_SMALL_RUNS
// (default 7) each, in this one run: devicebound scan (the built CLI), ripgrep with the same
// rules, secretlint (recommended preset). Where devicebound's time goes is measured too:
// Node's own start-up (`node -e 0`) and devicebound's (`scan` of an empty folder). The same
// bytes are then scanned again as files of 8 KiB (what many bundles are), against rg the same
// way, to show the cost of each file. A baseline that is not installed is "not available".
// Needs `npm run build`.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
/** The same bundle again as many small files, as support bundles often are. */
const SMALL_FILE_BYTES = 8 * 1024;
const FILES_PER_FOLDER = 100;
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
    const many = splitIntoSmallFiles(corpus, join(base, 'many'));
    const asMany = `as ${formatNumber(many.files)} small files`;
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
        label: `devicebound scan, ${asMany}`,
        command: process.execPath,
        args: [CLI, 'scan', '--format', 'json', '--output', report, many.dir],
        available: true,
      },
      {
        label: `rg, ${asMany}`,
        command: 'rg',
        args: [...rgArgs, '--line-number', '-f', patternFile, many.dir],
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
      ...(rg
        ? [
            {
              label: `same, ${asMany}`,
              value: `${formatNumber(
                (medians.get(`devicebound scan, ${asMany}`)?.seconds ?? Number.NaN) /
                  (medians.get(`rg, ${asMany}`)?.seconds ?? Number.NaN),
                2,
              )}x`,
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

/**
 * The bundle's plain files cut at line ends into files of about `SMALL_FILE_BYTES`, a hundred a
 * folder, with its zip and tar.gz beside them: the same bytes, the per-file cost in front.
 */
function splitIntoSmallFiles(
  corpus: { dir: string; plainFiles: string[]; archives: string[] },
  dir: string,
): { dir: string; files: number } {
  let files = 0;
  const write = (bytes: Buffer) => {
    const folder = join(
      dir,
      `part-${String(Math.floor(files / FILES_PER_FOLDER)).padStart(3, '0')}`,
    );
    if (files % FILES_PER_FOLDER === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `app-${String(files).padStart(5, '0')}.log`), bytes);
    files++;
  };
  for (const file of corpus.plainFiles) {
    const text = readFileSync(join(corpus.dir, file));
    for (let start = 0; start < text.length; ) {
      const cut = text.indexOf(10, Math.min(start + SMALL_FILE_BYTES, text.length - 1));
      const end = cut < 0 ? text.length : cut + 1;
      write(text.subarray(start, end));
      start = end;
    }
  }
  for (const archive of corpus.archives)
    copyFileSync(join(corpus.dir, archive), join(dir, archive));
  return { dir, files };
}
