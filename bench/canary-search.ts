// The canary search over a sandbox of 10,000 files / 200 MB with 20 canaries planted in every
// encoding: `searchTree` against ripgrep searching the same needles, and recall.
//
// Runs alone with `node bench/run.ts canary-search`.
// BENCH_SEARCH_FILES and BENCH_SEARCH_MB shrink the sandbox while iterating.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNeedles, type CanaryInput, type NeedleSet } from '../src/search/needles.ts';
import { searchTree, stopWorkers, type TreeSearchResult } from '../src/search/search.ts';
import { makeCanaries, type Sandbox, writeSandbox } from './canary-search-sandbox.ts';
import {
  type Benchmark,
  type BenchResult,
  type Figure,
  formatNumber,
  log,
  megabytes,
  positiveInteger,
} from './lib/report.ts';

const FILES = positiveInteger('BENCH_SEARCH_FILES', 10_000);
const TOTAL_BYTES = positiveInteger('BENCH_SEARCH_MB', 200) * 1024 * 1024;
const CANARIES_PER_KIND = 4; // × 5 kinds = 20 canaries
const RUNS = 3;
const GOAL_SECONDS = 1;

export const benchmark: Benchmark = {
  name: 'canary-search',
  title: `searchTree over ${formatNumber(FILES)} files / ${megabytes(TOTAL_BYTES)} with ${CANARIES_PER_KIND * 5} canaries planted in every encoding, against ripgrep on the same needles (best of ${RUNS} after a warm-up)`,
  run,
};

export async function run(): Promise<BenchResult> {
  const base = mkdtempSync(join(tmpdir(), 'devicebound-bench-search-'));
  const cleanUp = () => rmSync(base, { recursive: true, force: true });
  // bench/run.ts exits on SIGINT: the sandbox goes with it.
  process.on('exit', cleanUp);
  try {
    log(`canary-search: writing the sandbox in ${base}`);
    const canaries = await makeCanaries(CANARIES_PER_KIND);
    const needles = buildNeedles(canaries);
    const started = performance.now();
    const sandbox = writeSandbox(
      base,
      { files: FILES, totalBytes: TOTAL_BYTES, canariesPerKind: CANARIES_PER_KIND },
      canaries,
      needles,
    );
    log(
      `canary-search: ${formatNumber(sandbox.files)} files, ${megabytes(sandbox.bytes)}, ${sandbox.plants.length} plants written in ${formatNumber((performance.now() - started) / 1000, 1)} s`,
    );
    const patterns = rgPatterns(needles);
    const patternFile = join(base, 'needles.txt');
    const exactFile = join(base, 'needles-exact.txt');
    const lines = (list: Buffer[]) => Buffer.concat(list.flatMap((l) => [l, Buffer.from('\n')]));
    writeFileSync(patternFile, lines(patterns.lines));
    writeFileSync(exactFile, lines(patterns.exact));

    // One warm-up each, then the three contenders in turn, RUNS times.
    log('canary-search: warm-up');
    const first = await timeSearch(sandbox, canaries);
    const rgFirst = await timeRg(patternFile, sandbox);
    await timeRg(exactFile, sandbox);
    const ours: Timing[] = [];
    const theirs: Timing[] = [];
    const exact: Timing[] = [];
    let last = first;
    let rgLast = rgFirst;
    for (let i = 0; i < RUNS; i++) {
      log(`canary-search: run ${i + 1} of ${RUNS}`);
      last = await timeSearch(sandbox, canaries);
      ours.push(last);
      rgLast = await timeRg(patternFile, sandbox);
      if (rgLast) theirs.push(rgLast);
      const rgExact = await timeRg(exactFile, sandbox);
      if (rgExact) exact.push(rgExact);
    }

    const recall = checkRecall(sandbox, last.result);
    const best = least(ours, 'seconds');
    const rgBest = least(theirs, 'seconds');
    const exactBest = least(exact, 'seconds');
    const mbps = (seconds: number | undefined) =>
      seconds === undefined ? '-' : `${formatNumber(sandbox.bytes / 1024 / 1024 / seconds)} MB/s`;
    const secs = (seconds: number | undefined) =>
      seconds === undefined ? 'rg not available' : `${formatNumber(seconds, 3)} s`;
    const figures: Figure[] = [
      {
        label: 'sandbox',
        value: `${formatNumber(sandbox.files)} files, ${megabytes(sandbox.bytes)}`,
      },
      {
        label: 'canaries / needles / planted occurrences',
        value: `${canaries.length} / ${needles.size} / ${sandbox.plants.length}`,
      },
      {
        label: 'searchTree time (best of 3)',
        value: secs(best),
        goal: { text: `< ${GOAL_SECONDS} s`, met: (best ?? Infinity) < GOAL_SECONDS },
      },
      { label: 'searchTree throughput', value: mbps(best) },
      { label: 'rg time, same needles (best of 3)', value: secs(rgBest) },
      { label: 'rg throughput, same needles', value: mbps(rgBest) },
      {
        label: 'time ratio searchTree / rg',
        value:
          best === undefined || rgBest === undefined ? '-' : `${formatNumber(best / rgBest, 2)}x`,
      },
      {
        label: 'CPU time (least of 3): searchTree / rg',
        value: `${secs(least(ours, 'cpu'))} / ${secs(least(theirs, 'cpu'))}`,
      },
      {
        label: 'rg time, exact needles only (best of 3)',
        value: `${secs(exactBest)} (${mbps(exactBest)})`,
      },
      {
        label: 'recall: planted (canary, encoding) found',
        value: `${recall.found} / ${sandbox.plants.length}`,
        goal: { text: '100%', met: recall.found === sandbox.plants.length },
      },
      {
        label: 'hits not explained by a plant',
        value: formatNumber(recall.unexplained),
        goal: { text: '0', met: recall.unexplained === 0 },
      },
      {
        label: 'matches: searchTree hits / rg matches',
        value: `${formatNumber(last.result.hits.length)} / ${rgLast ? formatNumber(rgLast.matches) : '-'}`,
      },
      { label: 'worker threads that searched', value: String(last.result.workers) },
    ];
    const series = (list: Timing[]) =>
      list.length ? list.map((t) => formatNumber(t.seconds, 3)).join(', ') : '-';
    const notes = [
      `searchTree runs: ${series(ours)} s (warm-up ${formatNumber(first.seconds, 3)} s, which also starts the worker thread(s)); each run builds its needles from the canaries and walks the 3 roots; worker threads stay warm between runs, as they do between a runner's searches`,
      `rg runs, same needles: ${series(theirs)} s (warm-up ${rgFirst ? formatNumber(rgFirst.seconds, 3) : '-'} s); exact needles only: ${series(exact)} s; rg ${rgFirst?.version ?? '(not found)'} ${RG_ARGS.join(' ')} -f <needles file> <the 3 roots>`,
      `rg, same needles, was fed ${formatNumber(patterns.lines.length)} fixed-string lines: every exact needle as bytes (UTF-16LE ones with their NUL bytes included), and each case-insensitive user-code needle spelled out in every case (${formatNumber(patterns.lines.length - patterns.exact.length)} lines; -F has no per-pattern case folding); "exact needles only" is the ${formatNumber(patterns.exact.length)} exact lines, without the user-code variants (it cannot find those plants); rg reports non-overlapping matches`,
      `planted forms: raw, JSON (with and without \\/), URL (encodeURIComponent, form), hex lower/upper, base64 and base64url at each alignment inside a blob, a base64 JSON token response, UTF-16LE in binary files, user codes in lower case, without dash, mixed case; a form identical to a more specific one is expected under that encoding (raw wins)`,
      `files: ~50% log-like text, 30% JSON with base64 fields, 20% random binary, in 3 roots; the largest (${megabytes(sandbox.largestFile)}) is ${sandbox.largestFile > 8 * 1024 * 1024 ? 'larger' : 'smaller'} than the 8 MiB read window`,
      `CPU time counts every thread (user + system): this process's for searchTree, rg's (from sh's times) for rg; on a busy machine it moves less than wall time`,
      `page cache warm (the sandbox was just written); MB = 2^20 bytes; load average at the end ${loadavg()
        .map((l) => formatNumber(l, 2))
        .join(' ')} on a shared machine`,
      ...recall.missing.slice(0, 5).map((m) => `MISSED: ${m}`),
    ];
    return { figures, notes };
  } finally {
    await stopWorkers();
    cleanUp();
    process.off('exit', cleanUp);
  }
}

interface Timing {
  seconds: number;
  /** CPU seconds, user + system, every thread. */
  cpu: number;
}

function least(list: Timing[], field: keyof Timing): number | undefined {
  return list.length ? Math.min(...list.map((t) => t[field])) : undefined;
}

async function timeSearch(
  sandbox: Sandbox,
  canaries: readonly CanaryInput[],
): Promise<{ seconds: number; cpu: number; result: TreeSearchResult }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await searchTree(sandbox.roots, buildNeedles(canaries));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  // All threads of this process: the main thread and the search workers.
  return { seconds, cpu: (used.user + used.system) / 1e6, result };
}

const RG_ARGS = [
  '--no-config',
  '--fixed-strings',
  '--text',
  '--no-ignore',
  '--hidden',
  '--count-matches',
  '--no-messages',
];

async function timeRg(
  patternFile: string,
  sandbox: Sandbox,
): Promise<{ seconds: number; cpu: number; matches: number; version: string } | undefined> {
  const dirs = sandbox.roots.map((r) => r.dir);
  const version = await rg(['--version']).catch(() => undefined);
  if (version === undefined) return undefined;
  const started = performance.now();
  const { stdout, cpu } = await rg([...RG_ARGS, '-f', patternFile, ...dirs]);
  const seconds = (performance.now() - started) / 1000;
  let matches = 0;
  for (const line of stdout.split('\n')) {
    const count = Number(line.slice(line.lastIndexOf(':') + 1));
    if (line && Number.isFinite(count)) matches += count;
  }
  return {
    seconds,
    cpu,
    matches,
    version: version.stdout.split('\n')[0]?.replace(/^ripgrep /, '') ?? '',
  };
}

/** Runs rg through sh, whose `times` gives rg's CPU time (user + system, all its threads). */
function rg(args: string[]): Promise<{ stdout: string; cpu: number }> {
  const script = 'rg "$@"; status=$?; times >&2; exit $status';
  return new Promise((resolve, reject) => {
    execFile(
      'sh',
      ['-c', script, 'sh', ...args],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        // Exit 1: no match at all.
        if (error && error.code !== 1) {
          reject(error);
          return;
        }
        // The last line of `times`: the children's user and system time.
        const last = stderr.trim().split('\n').at(-1) ?? '';
        const cpu = [...last.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
          (sum, [, minutes, secs]) => sum + Number(minutes) * 60 + Number(secs),
          0,
        );
        resolve({ stdout, cpu });
      },
    );
  });
}

/** Needles as rg fixed-string lines; case-insensitive ones spelled out in every case. */
function rgPatterns(needles: NeedleSet): { lines: Buffer[]; exact: Buffer[] } {
  const lines = new Map<string, Buffer>();
  const exact: Buffer[] = [];
  for (const needle of needles.needles) {
    if (needle.bytes.includes(10))
      throw new Error('a needle holds a newline: rg -f cannot take it');
    if (!needle.caseInsensitive) {
      lines.set(needle.bytes.toString('latin1'), needle.bytes);
      exact.push(needle.bytes);
      continue;
    }
    const text = needle.bytes.toString('latin1');
    const letters = [...text].map((c, i) => (/[a-z]/i.test(c) ? i : -1)).filter((i) => i >= 0);
    for (let mask = 0; mask < 1 << letters.length; mask++) {
      const chars = [...text];
      letters.forEach((at, bit) => {
        if (mask & (1 << bit)) chars[at] = (chars[at] as string).toUpperCase();
      });
      const spelled = chars.join('');
      if (!lines.has(spelled)) lines.set(spelled, Buffer.from(spelled, 'latin1'));
    }
  }
  return { lines: [...lines.values()], exact };
}

function checkRecall(
  sandbox: Sandbox,
  result: TreeSearchResult,
): { found: number; unexplained: number; missing: string[] } {
  const key = (root: string, path: string, offset: number, canary: string, encoding: string) =>
    `${root}\0${path}\0${offset}\0${canary}\0${encoding}`;
  const hits = new Set<string>();
  for (const hit of result.hits) {
    if (hit.location.type !== 'file') continue;
    hits.add(key(hit.location.root, hit.location.path, hit.offset, hit.canary, hit.encoding));
  }
  let found = 0;
  const missing: string[] = [];
  const explained = new Set<string>();
  for (const plant of sandbox.plants) {
    const k = key(
      plant.root,
      plant.path,
      plant.offset,
      plant.canary.secret.fingerprint,
      plant.encoding,
    );
    explained.add(k);
    if (hits.has(k)) found++;
    else
      missing.push(
        `${plant.canary.kind} as ${plant.form} (${plant.encoding}) in ${plant.root}/${plant.path} at ${plant.offset}`,
      );
  }
  let unexplained = 0;
  for (const k of hits) if (!explained.has(k)) unexplained++;
  return { found, unexplained, missing };
}
