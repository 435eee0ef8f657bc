// `devicebound scan` over a generated corpus (log-like text with every rule's samples planted,
// plus a zip and a tar.gz), against secretlint (recommended preset) and ripgrep (the rules'
// regexes) in the same run: MB/s, ratios, recall on the planted tokens, decoys, peak RSS.
//
// Runs alone with `node bench/run.ts scan-throughput`;
// needs `npm run build` first (it runs bin/devicebound.js). BENCH_SCAN_MB (default 1024) sets
// the corpus size; BENCH_SCAN_SECRETLINT_MB (default 100) what secretlint is given;
// BENCH_SCAN_PAIRS (default 5) the rounds of rg then devicebound the time ratio is the median of.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULES } from '../src/scan/rules/index.ts';
import type { Rule } from '../src/scan/rules/types.ts';
import { CLI, MIB, ROOT, SECRETLINT } from './lib/paths.ts';
import {
  type Benchmark,
  type BenchResult,
  type Figure,
  formatNumber,
  log,
  megabytes,
  positiveInteger,
} from './lib/report.ts';
import { type Plant, writeCorpus } from './scan-corpus.ts';

const TOTAL_MB = positiveInteger('BENCH_SCAN_MB', 1024);
const SECRETLINT_MB = positiveInteger('BENCH_SCAN_SECRETLINT_MB', 100);
const PAIRS = positiveInteger('BENCH_SCAN_PAIRS', 5);
const NOT_AVAILABLE_RG =
  'not available (install it: apt-get install ripgrep): its baseline is skipped';
const NOT_AVAILABLE_SECRETLINT =
  'not available (npm ci installs it as a dev dependency): its baseline is skipped';
const GOAL_VS_SECRETLINT = 10;
// Issue 15: at most ripgrep's time for the same rules (it was 4x, then measured at 1.16x).
const GOAL_VS_RG = 1;
const GOAL_RSS_MB = 300;

export const benchmark: Benchmark = {
  name: 'scan-throughput',
  title: `devicebound scan over a ${formatNumber(TOTAL_MB)} MB generated corpus (log-like text, every rule's samples planted, a zip and a tar.gz), against secretlint (recommended preset) and rg (the same rules): one run each for what they find and their memory, then ${PAIRS} paired rounds with rg for the time ratio`,
  run,
};

/** Where a tool saw something: `file\0member\0line`. */
type Key = string;
const key = (file: string, member: string, line: number): Key => `${file}\0${member}\0${line}`;

export interface Measured {
  seconds: number;
  /** Peak RSS in bytes (GNU time's maximum resident set size). */
  rss: number;
  cpu: number;
  stdout: string;
  stderr: string;
  code: number;
}

export async function run(): Promise<BenchResult> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'run.js')))
    throw new Error('dist/ is missing: run `npm run build` first (npm run bench does)');
  const base = mkdtempSync(join(tmpdir(), 'devicebound-bench-scan-'));
  const cleanUp = () => rmSync(base, { recursive: true, force: true });
  // bench/run.ts exits on SIGINT: the corpus goes with it.
  process.on('exit', cleanUp);
  try {
    log(`scan-throughput: writing the corpus in ${base}`);
    const started = performance.now();
    const corpus = writeCorpus(base, TOTAL_MB * MIB);
    log(
      `scan-throughput: ${corpus.plainFiles.length} files + ${corpus.archives.length} archives, ${megabytes(corpus.bytes)}, ${corpus.plants.length} plants, written in ${formatNumber((performance.now() - started) / 1000, 1)} s`,
    );
    const positives = corpus.plants.filter((p) => p.kind === 'positive');
    const decoys = corpus.plants.filter((p) => p.kind === 'decoy');
    const prefix = `${corpus.dir}/`;
    const rel = (path: string) => (path.startsWith(prefix) ? path.slice(prefix.length) : path);

    // rg first: it also brings the corpus into the page cache for everyone.
    const patterns = rgPatterns(RULES);
    const patternFile = join(base, 'rg-patterns.txt');
    writeFileSync(patternFile, `${patterns.join('\n')}\n`);
    const rgArgs = ['--no-config', '--text', '--no-ignore', '--hidden', '--no-messages'];
    // A baseline that is not installed is reported "not available"; the rest is measured.
    const rgProbe = await measure('rg', ['--version']).catch(() => undefined);
    const rgVersion = rgProbe?.code === 0 ? (rgProbe.stdout.split('\n')[0] ?? '?') : undefined;
    let rg: Measured | undefined;
    const rgSeen = new Set<Key>();
    if (rgVersion) {
      log('scan-throughput: rg (warm-up, then measured)');
      await measure('rg', [...rgArgs, '-c', '-f', patternFile, corpus.dir]);
      rg = await measure('rg', [
        ...rgArgs,
        '--line-number',
        '--no-heading',
        '--with-filename',
        '-f',
        patternFile,
        corpus.dir,
      ]);
      if (rg.code > 1) throw new Error(`rg failed (${rg.code}): ${rg.stderr.slice(0, 2000)}`);
      for (const line of rg.stdout.split('\n')) {
        const m = /^(.*?):(\d+):/.exec(line);
        if (m) rgSeen.add(key(rel(m[1] as string), '', Number(m[2])));
      }
    } else log(`scan-throughput: rg ${NOT_AVAILABLE_RG}`);

    log('scan-throughput: devicebound scan');
    const report = join(base, 'devicebound.json');
    const ours = await measure(process.execPath, [
      CLI,
      'scan',
      '--format',
      'json',
      '--output',
      report,
      corpus.dir,
    ]);
    if (ours.code > 1)
      throw new Error(`devicebound scan failed (${ours.code}): ${ours.stderr.slice(0, 2000)}`);
    // The time ratio to rg: one run of each says little on a shared machine, so rounds of rg
    // then devicebound, and the median of each round's ratio (a slow moment falls on both).
    const rounds: { ours: number; rg: number }[] = [];
    if (rgVersion) {
      for (let round = 1; round <= PAIRS; round++) {
        log(`scan-throughput: paired round ${round} of ${PAIRS} (rg, then devicebound)`);
        const theirs = await measure('rg', [
          ...rgArgs,
          '--line-number',
          '-f',
          patternFile,
          corpus.dir,
        ]);
        const again = await measure(process.execPath, [
          CLI,
          'scan',
          '--format',
          'json',
          '--output',
          join(base, 'devicebound-round.json'),
          corpus.dir,
        ]);
        rounds.push({ ours: again.seconds, rg: theirs.seconds });
      }
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    const paired = rounds.length
      ? {
          ratio: median(rounds.map((r) => r.ours / r.rg)),
          ours: median(rounds.map((r) => r.ours)),
          rg: median(rounds.map((r) => r.rg)),
        }
      : undefined;
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
      findings: { path: string; archivePath?: string; line: number; rule: string }[];
      skipped: { path: string; reason: string }[];
      summary: { bytesScanned: number; filesScanned: number };
    };
    const oursSeen = new Set<Key>();
    const oursRules = new Map<Key, Set<string>>();
    for (const f of parsed.findings) {
      const k = key(rel(f.path), f.archivePath ?? '', f.line);
      oursSeen.add(k);
      oursRules.set(k, (oursRules.get(k) ?? new Set()).add(f.rule));
    }

    // secretlint on a subset of the plain files (it reads each file whole and opens no archive).
    const subset: string[] = [];
    let subsetBytes = 0;
    for (const [i, file] of corpus.plainFiles.entries()) {
      if (subsetBytes >= SECRETLINT_MB * MIB) break;
      subset.push(file);
      subsetBytes += corpus.plainBytes[i] ?? 0;
    }
    const rc = join(base, 'secretlintrc.json');
    writeFileSync(
      rc,
      JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }),
    );
    const haveSecretlint = existsSync(SECRETLINT);
    let secretlint: Measured | undefined;
    let slStart: Measured | undefined;
    const tiny = join(base, 'tiny');
    mkdirSync(tiny);
    writeFileSync(join(tiny, 'one.log'), 'nothing to see\n');
    if (haveSecretlint) {
      log(`scan-throughput: secretlint on ${subset.length} files, ${megabytes(subsetBytes)}`);
      secretlint = await measure(
        SECRETLINT,
        [
          '--secretlintrc',
          rc,
          '--format',
          'unix',
          '--no-color',
          ...subset.map((f) => join(corpus.dir, f)),
        ],
        base,
      );
      if (secretlint.code > 1)
        throw new Error(
          `secretlint failed (${secretlint.code}): ${(secretlint.stderr || secretlint.stdout).slice(0, 2000)}`,
        );
      // Each tool's start-up, on one small file: the ratio is also given with both taken out,
      // so that giving secretlint a subset (its start-up weighs more in less data) favours no one.
      slStart = await measure(
        SECRETLINT,
        ['--secretlintrc', rc, '--format', 'unix', '--no-color', join(tiny, 'one.log')],
        base,
      );
    } else log(`scan-throughput: secretlint ${NOT_AVAILABLE_SECRETLINT}`);
    const oursStart = await measure(process.execPath, [CLI, 'scan', '--format', 'json', tiny]);
    const slSeen = new Set<Key>();
    for (const line of secretlint?.stdout.split('\n') ?? []) {
      const m = /^(.*?):(\d+):\d+: /.exec(line);
      if (m) slSeen.add(key(rel(m[1] as string), '', Number(m[2])));
    }

    // Recall and decoys, per tool, on what each was given.
    const inSubset = new Set(subset);
    const score = (seen: Set<Key>, given: (p: Plant) => boolean) => {
      const pos = positives.filter(given);
      const dec = decoys.filter(given);
      const found = pos.filter((p) => seen.has(key(p.file, p.member, p.line)));
      const planted = new Set(corpus.plants.map((p) => key(p.file, p.member, p.line)));
      return {
        found: found.length,
        of: pos.length,
        missedRules: [
          ...new Set(
            pos.filter((p) => !seen.has(key(p.file, p.member, p.line))).map((p) => p.rule),
          ),
        ],
        decoyHits: dec.filter((p) => seen.has(key(p.file, p.member, p.line))).length,
        decoys: dec.length,
        unplanted: [...seen].filter((k) => !planted.has(k)).length,
      };
    };
    const everything = () => true;
    const oursScore = score(oursSeen, everything);
    const rgScore = score(rgSeen, everything);
    const rgPlain = score(rgSeen, (p) => p.member === '');
    const slScore = score(slSeen, (p) => p.member === '' && inSubset.has(p.file));
    const wrongRule = positives.filter((p) => {
      const found = oursRules.get(key(p.file, p.member, p.line));
      return found !== undefined && !found.has(p.rule);
    });

    const mb = (bytes: number) => bytes / MIB;
    const oursMbps = mb(corpus.bytes) / ours.seconds;
    const rgMbps = rg ? mb(corpus.bytes) / rg.seconds : undefined;
    const slMbps = secretlint ? mb(subsetBytes) / secretlint.seconds : undefined;
    const vsSecretlint = slMbps ? oursMbps / slMbps : undefined;
    const steady = (bytes: number, run: Measured, start: Measured) =>
      mb(bytes) / Math.max(run.seconds - start.seconds, 0.001);
    const vsSecretlintSteady =
      secretlint && slStart
        ? steady(corpus.bytes, ours, oursStart) / steady(subsetBytes, secretlint, slStart)
        : undefined;
    const vsRg = rg ? ours.seconds / rg.seconds : undefined;
    const recall = (s: { found: number; of: number }) =>
      `${formatNumber(s.of ? s.found / s.of : 0, 3)} (${s.found} / ${s.of})`;
    const rss = (bytes: number) => megabytes(bytes);
    const figures: Figure[] = [
      {
        label: 'corpus',
        value: `${corpus.plainFiles.length} files + zip + tar.gz, ${megabytes(corpus.bytes)}`,
      },
      {
        label: 'planted: positive lines / decoy lines',
        value: `${positives.length} / ${decoys.length} (${RULES.length} rules)`,
      },
      {
        label: 'devicebound scan time',
        value: `${formatNumber(ours.seconds, 2)} s (CPU ${formatNumber(ours.cpu, 2)} s)`,
      },
      { label: 'devicebound scan throughput', value: `${formatNumber(oursMbps, 1)} MB/s` },
      ...(rg && rgMbps !== undefined && vsRg !== undefined
        ? [
            {
              label: 'rg time, same rules',
              value: `${formatNumber(rg.seconds, 2)} s (CPU ${formatNumber(rg.cpu, 2)} s)`,
            },
            { label: 'rg throughput', value: `${formatNumber(rgMbps, 1)} MB/s` },
          ]
        : [{ label: 'rg', value: NOT_AVAILABLE_RG }]),
      ...(secretlint && slMbps !== undefined && vsSecretlint !== undefined
        ? [
            {
              label: `secretlint time (${megabytes(subsetBytes)} subset)`,
              value: `${formatNumber(secretlint.seconds, 2)} s (CPU ${formatNumber(secretlint.cpu, 2)} s)`,
            },
            { label: 'secretlint throughput', value: `${formatNumber(slMbps, 1)} MB/s` },
            {
              label: 'throughput devicebound / secretlint',
              value: `${formatNumber(vsSecretlint, 1)}x`,
              goal: { text: `≥ ${GOAL_VS_SECRETLINT}x`, met: vsSecretlint >= GOAL_VS_SECRETLINT },
            },
            {
              label: 'same, start-up of each subtracted',
              value: `${formatNumber(vsSecretlintSteady ?? 0, 1)}x (start-up: devicebound ${formatNumber(oursStart.seconds, 2)} s, secretlint ${formatNumber(slStart?.seconds ?? 0, 2)} s, on one small file)`,
            },
          ]
        : [{ label: 'secretlint', value: NOT_AVAILABLE_SECRETLINT }]),
      ...(vsRg !== undefined && paired
        ? [
            {
              label: `time devicebound / rg, paired`,
              value: `${formatNumber(paired.ratio, 2)}x (median of ${rounds.length} rounds: devicebound ${formatNumber(paired.ours, 2)} s, rg ${formatNumber(paired.rg, 2)} s; the one run above: ${formatNumber(vsRg, 2)}x)`,
              goal: { text: `≤ ${GOAL_VS_RG}x`, met: paired.ratio <= GOAL_VS_RG },
            },
          ]
        : []),
      {
        label: 'devicebound recall (plain + archives)',
        value: recall(oursScore),
        goal: { text: '1.0', met: oursScore.found === oursScore.of },
      },
      {
        label: 'devicebound hits on decoy lines',
        value: `${oursScore.decoyHits} / ${oursScore.decoys}`,
        goal: { text: '0', met: oursScore.decoyHits === 0 },
      },
      {
        label: 'devicebound findings off planted lines',
        value: formatNumber(oursScore.unplanted),
      },
      ...(rg
        ? [
            {
              label: 'rg recall (plain + archives) / plain only',
              value: `${recall(rgScore)} / ${recall(rgPlain)}`,
            },
            {
              label: 'rg hits on decoy lines / off planted lines',
              value: `${rgScore.decoyHits} / ${rgScore.decoys}; ${formatNumber(rgScore.unplanted)}`,
            },
          ]
        : []),
      ...(secretlint
        ? [
            { label: 'secretlint recall (its subset)', value: recall(slScore) },
            {
              label: 'secretlint hits on decoy lines / off planted',
              value: `${slScore.decoyHits} / ${slScore.decoys}; ${formatNumber(slScore.unplanted)}`,
            },
          ]
        : []),
      {
        label: 'devicebound peak RSS',
        value: rss(ours.rss),
        goal: { text: `< ${GOAL_RSS_MB} MB`, met: ours.rss < GOAL_RSS_MB * MIB },
      },
      {
        label: 'peak RSS rg / secretlint',
        value: `${rg ? rss(rg.rss) : 'n/a'} / ${secretlint ? rss(secretlint.rss) : 'n/a'}`,
      },
    ];
    const notes = [
      `command: node bin/devicebound.js scan --format json --output <file> <corpus>; wall time and peak RSS from /usr/bin/time; MB = 2^20 bytes of the corpus on disk (devicebound itself reports ${megabytes(parsed.summary.bytesScanned)} scanned in ${parsed.summary.filesScanned} files, archives expanded)`,
      `rg: ${rgVersion ?? NOT_AVAILABLE_RG}, ${rgArgs.join(' ')} --line-number -f <${patterns.length} patterns, one per rule> <corpus>, after one warm-up (rg -c), which also warms the page cache; the rules' regexes translated: lookbehind (?<![X]) → (?:^|[^X]), lookahead (?![X]) → (?:[^X]|$), named groups → (?:, each wrapped in (?-u:…) (ASCII, as JS regexes without u), flag i → (?i-u:…); the rules' verifiers (entropy, placeholders, vowels) cannot be expressed, hence its decoy hits; rg opens no archive (its archive plants count as missed in "plain + archives")`,
      secretlint
        ? `secretlint ${secretlintVersion()}: @secretlint/secretlint-rule-preset-recommend, --format unix, given the first ${subset.length} plain files (${megabytes(subsetBytes)}; BENCH_SCAN_SECRETLINT_MB) (a subset, to bound the run time; set it above the corpus size to give it everything); it reads each file whole and opens no archive; its recall counts only plants in the files it was given; its preset has no rule for most device-flow tokens (user codes, device codes, refresh tokens, JWTs), so a low recall is expected`
        : `secretlint: ${NOT_AVAILABLE_SECRETLINT}`,
      `recall is by line: a planted line counts as found when the tool reports anything on it (file, archive member, line); planted lines where devicebound found only other rules than the planted one: ${wrongRule.length}${wrongRule.length ? ` (${[...new Set(wrongRule.map((p) => `${p.rule} → ${[...(oursRules.get(key(p.file, p.member, p.line)) ?? [])].join('+')}`))].slice(0, 5).join(', ')})` : ''}`,
      `devicebound scans ${availableParallelism()} files at once (--jobs default: the CPUs it may use): its main thread and ${availableParallelism() - 1} worker thread(s); skipped entries in its report: ${parsed.skipped.length}${parsed.skipped.length ? ` (${parsed.skipped[0]?.reason})` : ''}`,
      `page cache warm; one measured run per tool, then the paired rounds; load average at the end ${loadavg()
        .map((l) => formatNumber(l, 2))
        .join(' ')} on a shared machine`,
      ...(oursScore.missedRules.length
        ? [`devicebound MISSED plants of: ${oursScore.missedRules.join(', ')}`]
        : []),
      ...(secretlint && slScore.missedRules.length
        ? [`secretlint missed plants of: ${slScore.missedRules.join(', ')}`]
        : []),
    ];
    return { figures, notes };
  } finally {
    cleanUp();
    process.off('exit', cleanUp);
  }
}

function secretlintVersion(): string {
  try {
    const pkg = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', 'secretlint', 'package.json'), 'utf8'),
    ) as { version: string };
    return pkg.version;
  } catch {
    return '?';
  }
}

/** Runs a command under GNU time: wall seconds, peak RSS, CPU (user + system). */
export function measure(command: string, args: string[], cwd?: string): Promise<Measured> {
  const script = 'out="$1"; shift; exec /usr/bin/time -f "%e %M %U %S" -o "$out" "$@"';
  const timeFile = join(tmpdir(), `devicebound-bench-time-${process.pid}-${Math.random()}`);
  return new Promise((resolve, reject) => {
    execFile(
      'sh',
      ['-c', script, 'sh', timeFile, command, ...args],
      { maxBuffer: 512 * MIB, ...(cwd && { cwd }) },
      (error, stdout, stderr) => {
        let timing: string;
        try {
          timing = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1) ?? '';
          rmSync(timeFile, { force: true });
        } catch {
          reject(error ?? new Error(`no timing for ${command}`));
          return;
        }
        const [seconds, rssKb, user, system] = timing.split(' ').map(Number);
        resolve({
          seconds: seconds ?? Number.NaN,
          rss: (rssKb ?? 0) * 1024,
          cpu: (user ?? 0) + (system ?? 0),
          stdout,
          stderr,
          code: typeof error?.code === 'number' ? error.code : error ? 255 : 0,
        });
      },
    );
  });
}

/** Each rule's regex, as the Rust regex syntax rg speaks (no lookaround: approximated). */
export function rgPatterns(rules: readonly Rule[]): string[] {
  return rules.map((rule) => {
    const source = rule.pattern.source
      .replace(/\(\?<!(\[[^\]]*\])\)/g, (_, cls: string) => `(?:^|[^${cls.slice(1, -1)}])`)
      .replace(/\(\?!(\[[^\]]*\])\)/g, (_, cls: string) => `(?:[^${cls.slice(1, -1)}]|$)`)
      .replace(/\(\?<([A-Za-z]\w*)>/g, '(?:')
      .replace(/\\\//g, '/');
    // JS regexes without the u flag are ASCII: \b, \d and classes; so is rg's (?-u).
    return rule.pattern.flags.includes('i') ? `(?i-u:${source})` : `(?-u:${source})`;
  });
}
