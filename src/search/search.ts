/**
 * The canary search: finds every needle of every canary in buffers, output streams, files and
 * folder trees, and reports hits that carry fingerprints and previews, never values.
 *
 * Trees are walked with lstat semantics (directory entry types; a symbolic link is never
 * followed, so links and link loops cannot send the walk anywhere), FIFOs, sockets and devices
 * are never opened, and whatever cannot be read becomes a note instead of an exception.
 *
 * Work is synchronous I/O in short slices (the event loop gets a turn every ~20 ms). When there
 * is a lot to search, worker threads join the main thread (cores − 1 of them, at most 3): all
 * claim files from one shared counter, largest first when sizes are known. They start at once
 * for 1,000 files or more or when the known sizes add up to 32 MiB, else when the main thread
 * has searched for 100 ms and files are left, so a small search never pays for their start-up.
 */
import { type Dirent, lstatSync, readdirSync, type Stats } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { CanaryHit, RootName } from '../evidence/model.ts';
import {
  DEFAULT_MAX_FILE_BYTES,
  DEFAULT_WINDOW_BYTES,
  describeType,
  type FileScan,
  Pacer,
  reasonOf,
  scanFile,
  windowBuffer,
} from './file-scan.ts';
import type { NeedleSet } from './needles.ts';
import { acquireWorkers, type PoolMember } from './pool.ts';

export { stopWorkers } from './pool.ts';

/** A hit before it has a location: in a buffer or a file. */
export type BufferHit = Omit<CanaryHit, 'location'>;

/** Something the search could not do (unreadable file, special file, cap). Never a value. */
export interface SearchNote {
  /** `null` for a note about the search itself (a worker that failed). */
  root: RootName | null;
  /** Relative to the root, `/`-separated; `''` for the root itself. */
  path: string;
  reason: string;
}

export interface FileSearchOptions {
  /** Bytes searched per file at most; the rest is skipped and the file reported truncated. */
  maxFileBytes?: number | undefined;
  /** Bytes read per window (tests make it small). Default 8 MiB. */
  windowBytes?: number | undefined;
}

export interface FileSearchResult {
  hits: BufferHit[];
  size: number;
  /** Permission bits (st_mode & 0o7777). */
  mode: number;
  bytesSearched: number;
  truncated: boolean;
}

export interface FileTarget {
  root: RootName;
  /** Relative to the root, `/`-separated. */
  path: string;
  absolute: string;
  /** Expected size, if known: used to decide on workers and to search large files first. */
  size?: number | undefined;
}

export interface ParallelOptions extends FileSearchOptions {
  /** Worker threads to add to the main thread; default: cores − 1, at most 3. 0: none. */
  workers?: number | undefined;
  /**
   * Workers start at once when the files' known sizes add up to this many bytes (default
   * 32 MiB) or there are `parallelMinFiles` files (default 1,000); otherwise they start when
   * the main thread has searched for `parallelAfterMs` (default 100 ms) and files are left.
   * Sizes are known from `FileTarget.size`, or in `searchTree` when a filter is given (the walk
   * then lstats every entry).
   */
  parallelMinBytes?: number | undefined;
  parallelMinFiles?: number | undefined;
  parallelAfterMs?: number | undefined;
  /**
   * The main thread searches files too while workers run (default). `false` leaves them all to
   * the workers, keeping the main thread's event loop free (ignored when no worker starts).
   */
  mainThread?: boolean | undefined;
}

export interface TreeSearchOptions extends ParallelOptions {
  /**
   * Which entries to search, by path relative to the root and lstat. Called for directories too:
   * `false` skips the directory and everything under it.
   */
  filter?: ((relPath: string, stat: Stats, root: RootName) => boolean) | undefined;
}

export interface SearchRoot {
  name: RootName;
  dir: string;
}

export interface TreeSearchResult {
  hits: CanaryHit[];
  notes: SearchNote[];
  filesSearched: number;
  bytesSearched: number;
  /** Entries passed over on purpose (not errors): symbolic links, special files, filtered out. */
  skipped: { symlinks: number; special: number; filtered: number };
  /** Worker threads that took part (0: the main thread alone). */
  workers: number;
}

const SLICE_MS = 20;
const DEFAULT_PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
const DEFAULT_PARALLEL_MIN_FILES = 1000;
const DEFAULT_PARALLEL_AFTER_MS = 100;
let jobs = 0;
let needleSets = 0;
const needleSetKeys = new WeakMap<NeedleSet, string>();
/** A key per needle set, so a warm worker reuses its matcher. */
function keyOf(needles: NeedleSet): string {
  let key = needleSetKeys.get(needles);
  if (key === undefined) {
    key = `needles-${++needleSets}`;
    needleSetKeys.set(needles, key);
  }
  return key;
}

/** Every occurrence of every needle in `buffer`, by offset. */
export function searchBuffer(buffer: Uint8Array, needles: NeedleSet): BufferHit[] {
  const matches: number[] = [];
  needles.matcher.scan(buffer, 0, buffer.length, (pattern, start) => {
    matches.push(pattern, start);
  });
  return toHits(matches, needles);
}

/** Hits in a program's output, with the 1-based line each starts on. */
export function searchStream(
  buffer: Uint8Array,
  needles: NeedleSet,
  stream: 'stdout' | 'stderr',
): CanaryHit[] {
  const bytes = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  let line = 1;
  let counted = 0;
  return searchBuffer(buffer, needles).map((hit) => {
    for (
      let nl = bytes.indexOf(10, counted);
      nl !== -1 && nl < hit.offset;
      nl = bytes.indexOf(10, nl + 1)
    ) {
      line++;
      counted = nl + 1;
    }
    if (counted < hit.offset) counted = hit.offset;
    return { ...hit, location: { type: 'stream', stream, line, at: undefined } };
  });
}

/**
 * Searches one regular file in windows (never whole), without following a symbolic link.
 * Throws the fs error, or `NotRegularFileError` for a FIFO, socket or device (not read).
 */
export async function searchFile(
  path: string,
  needles: NeedleSet,
  options: FileSearchOptions = {},
): Promise<FileSearchResult> {
  const matcher = needles.matcher;
  const buffer = windowBuffer(matcher, options.windowBytes ?? DEFAULT_WINDOW_BYTES);
  const scan = await scanFile(
    path,
    matcher,
    buffer,
    options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    new Pacer(SLICE_MS),
  );
  return {
    hits: toHits(scan.matches, needles),
    size: scan.size,
    mode: scan.mode,
    bytesSearched: scan.bytesSearched,
    truncated: scan.truncated,
  };
}

/**
 * Walks each root (lstat semantics: symbolic links are counted, never followed; FIFOs, sockets
 * and devices are noted, never opened) and searches every regular file. A root nested in
 * another (e.g. XDG_CONFIG_HOME inside HOME) is searched once, under its own name.
 */
export async function searchTree(
  roots: readonly SearchRoot[],
  needles: NeedleSet,
  options: TreeSearchOptions = {},
): Promise<TreeSearchResult> {
  const pacer = new Pacer(SLICE_MS);
  const walked = await walk(roots, options.filter, pacer);
  const result = await searchFilesWith(walked.files, needles, options, pacer);
  return {
    ...result,
    notes: sortNotes([...walked.notes, ...result.notes], roots),
    skipped: walked.skipped,
  };
}

/** Searches a list of files (e.g. the ones a run created or changed), like `searchTree` does. */
export async function searchFiles(
  files: readonly FileTarget[],
  needles: NeedleSet,
  options: ParallelOptions = {},
): Promise<TreeSearchResult> {
  const result = await searchFilesWith(files, needles, options, new Pacer(SLICE_MS));
  return { ...result, skipped: { symlinks: 0, special: 0, filtered: 0 } };
}

interface Walked {
  files: FileTarget[];
  notes: SearchNote[];
  skipped: TreeSearchResult['skipped'];
}

async function walk(
  roots: readonly SearchRoot[],
  filter: TreeSearchOptions['filter'],
  pacer: Pacer,
): Promise<Walked> {
  const files: FileTarget[] = [];
  const notes: SearchNote[] = [];
  const skipped = { symlinks: 0, special: 0, filtered: 0 };
  const rootDirs = new Set(roots.map((root) => resolve(root.dir)));
  const done = new Set<string>();
  for (const root of roots) {
    const dir = resolve(root.dir);
    if (done.has(dir)) continue;
    done.add(dir);
    const note = (path: string, reason: string) => notes.push({ root: root.name, path, reason });
    let stats: Stats;
    try {
      stats = lstatSync(dir);
    } catch (error) {
      note('', `root not searched: ${reasonOf(error)}`);
      continue;
    }
    if (!stats.isDirectory()) {
      note('', `root not searched: it is a ${describeType(stats)}, not a directory`);
      continue;
    }
    const pending: string[] = [''];
    for (let rel = pending.pop(); rel !== undefined; rel = pending.pop()) {
      const abs = rel === '' ? dir : join(dir, rel);
      let entries: Dirent[];
      try {
        entries = readdirSync(abs, { withFileTypes: true });
      } catch (error) {
        note(rel, `folder not searched: ${reasonOf(error)}`);
        continue;
      }
      for (const entry of entries) {
        const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
        const childAbs = join(abs, entry.name);
        if (entry.isSymbolicLink()) {
          skipped.symlinks++;
          continue;
        }
        const known = entry.isDirectory() || entry.isFile();
        let stats: Stats | undefined;
        if (filter || !known) {
          try {
            stats = lstatSync(childAbs);
          } catch (error) {
            note(childRel, `not searched: ${reasonOf(error)}`);
            continue;
          }
        }
        const isDirectory = known ? entry.isDirectory() : (stats?.isDirectory() ?? false);
        const isFile = known ? entry.isFile() : (stats?.isFile() ?? false);
        if (stats?.isSymbolicLink()) {
          skipped.symlinks++;
          continue;
        }
        if (filter && stats && !filter(childRel, stats, root.name)) {
          skipped.filtered++;
          continue;
        }
        if (isDirectory) {
          // Searched as a root of its own.
          if (!rootDirs.has(childAbs)) pending.push(childRel);
        } else if (isFile) {
          files.push({ root: root.name, path: childRel, absolute: childAbs, size: stats?.size });
        } else {
          skipped.special++;
          note(childRel, `${stats ? describeType(stats) : 'special file'}, not opened`);
        }
      }
      const pause = pacer.tick();
      if (pause) await pause;
    }
  }
  const rank = new Map(roots.map((root, i) => [root.name, i]));
  files.sort(
    (a, b) => (rank.get(a.root) ?? 0) - (rank.get(b.root) ?? 0) || compare(a.path, b.path),
  );
  return { files, notes, skipped };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

type Outcome = FileScan | { error: string };

async function searchFilesWith(
  files: readonly FileTarget[],
  needles: NeedleSet,
  options: ParallelOptions,
  pacer: Pacer,
): Promise<Omit<TreeSearchResult, 'skipped'>> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const windowBytes = options.windowBytes ?? DEFAULT_WINDOW_BYTES;
  const matcher = needles.matcher;
  const buffer = windowBuffer(matcher, windowBytes);
  const outcomes: (Outcome | undefined)[] = new Array(files.length);

  const scanOne = async (index: number): Promise<Outcome> => {
    try {
      return await scanFile(
        (files[index] as FileTarget).absolute,
        matcher,
        buffer,
        maxFileBytes,
        pacer,
      );
    } catch (error) {
      return { error: reasonOf(error) };
    }
  };

  // Largest first (when sizes are known), so no core is left with one big file at the end.
  const order = Int32Array.from(files.keys());
  const sizeOf = (i: number) => files[i]?.size ?? 0;
  order.sort((a, b) => sizeOf(b) - sizeOf(a) || a - b);
  const knownBytes = files.reduce((sum, file) => sum + Math.min(file.size ?? 0, maxFileBytes), 0);
  const workerCount =
    files.length > 1 && needles.size > 0
      ? (options.workers ?? Math.min(Math.max(availableParallelism() - 1, 0), 3))
      : 0;
  const mainSearches = workerCount === 0 || options.mainThread !== false;

  const state = new Int32Array(new SharedArrayBuffer(4 * (1 + workerCount)));
  const job = ++jobs;
  let members: PoolMember[] = [];
  const finished: Promise<void>[] = [];
  const failures: string[] = [];
  const spawn = () => {
    members = acquireWorkers(workerCount);
    const patterns = needles.needles.map((n) => ({
      bytes: new Uint8Array(n.bytes),
      caseInsensitive: n.caseInsensitive,
      except: n.except && new Uint8Array(n.except),
    }));
    const paths = files.map((f) => f.absolute);
    for (const [slot, member] of members.entries()) {
      finished[slot] = new Promise<void>((resolve) => {
        member.post(
          {
            type: 'job',
            job,
            patternsKey: keyOf(needles),
            patterns,
            paths,
            order,
            state,
            slot,
            windowBytes,
            maxFileBytes,
          },
          {
            onResults: (results) => {
              for (const { index, ...outcome } of results) outcomes[index] = outcome;
            },
            done: resolve,
            fail: (reason) => {
              failures.push(reason);
              resolve();
            },
          },
        );
      });
    }
  };
  // Workers join at once for work known to be large (bytes or many files); otherwise only once
  // the main thread has been at it for a while with files left (a small search never pays for
  // their start-up).
  if (
    workerCount > 0 &&
    (!mainSearches ||
      knownBytes >= (options.parallelMinBytes ?? DEFAULT_PARALLEL_MIN_BYTES) ||
      files.length >= (options.parallelMinFiles ?? DEFAULT_PARALLEL_MIN_FILES))
  ) {
    spawn();
  }
  const parallelAfter = performance.now() + (options.parallelAfterMs ?? DEFAULT_PARALLEL_AFTER_MS);

  const notes: SearchNote[] = [];
  let workersUsed = 0;
  try {
    while (mainSearches) {
      const position = Atomics.add(state, 0, 1);
      if (position >= order.length) break;
      const index = order[position] as number;
      outcomes[index] = await scanOne(index);
      if (workerCount > 0 && members.length === 0 && order.length - (position + 1) >= 2) {
        if (performance.now() >= parallelAfter) spawn();
      }
      const pause = pacer.tick();
      if (pause) await pause;
    }
    // When the main thread searched, every file is claimed now: a worker that has not started
    // this job yet (still starting, or busy with another search) will find nothing to do.
    const waits: Promise<void>[] = [];
    for (const [slot, member] of members.entries()) {
      if (mainSearches && Atomics.load(state, 1 + slot) === 0) member.forget(job);
      else waits.push(finished[slot] ?? Promise.resolve());
    }
    await Promise.all(waits);
    workersUsed = members.filter((_, slot) => Atomics.load(state, 1 + slot) === 1).length;
    for (const reason of failures) {
      notes.push({
        root: null,
        path: '',
        reason: `a search worker failed (${reason}); its files were searched again`,
      });
    }
    // Files a failed worker claimed but did not report.
    for (const index of order) outcomes[index] ??= await scanOne(index);
  } finally {
    for (const member of members) member.forget(job);
  }

  const hits: CanaryHit[] = [];
  let filesSearched = 0;
  let bytesSearched = 0;
  for (const [index, file] of files.entries()) {
    const outcome = outcomes[index];
    if (outcome === undefined) continue;
    if ('error' in outcome) {
      notes.push({ root: file.root, path: file.path, reason: `not searched: ${outcome.error}` });
      continue;
    }
    filesSearched++;
    bytesSearched += outcome.bytesSearched;
    if (outcome.truncated) {
      notes.push({
        root: file.root,
        path: file.path,
        reason: `only the first ${outcome.bytesSearched} of ${outcome.size} bytes were searched`,
      });
    }
    const location = {
      type: 'file' as const,
      root: file.root,
      path: file.path,
      mode: outcome.mode,
      size: outcome.size,
    };
    for (const hit of toHits(outcome.matches, needles)) hits.push({ ...hit, location });
  }
  return { hits, notes, filesSearched, bytesSearched, workers: workersUsed };
}

function toHits(matches: readonly number[], needles: NeedleSet): BufferHit[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < matches.length; i += 2)
    pairs.push([matches[i] as number, matches[i + 1] as number]);
  pairs.sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  return pairs.map(([id, offset]) => {
    const needle = needles.needles[id];
    if (!needle) throw new Error(`matcher reported an unknown needle ${id}`);
    return {
      canary: needle.canary.fingerprint,
      kind: needle.canary.kind,
      preview: needle.canary.preview,
      encoding: needle.encoding,
      offset,
    };
  });
}

function sortNotes(notes: SearchNote[], roots: readonly SearchRoot[]): SearchNote[] {
  const rank = new Map<RootName | null, number>(roots.map((root, i) => [root.name, i]));
  return notes.sort(
    (a, b) => (rank.get(a.root) ?? -1) - (rank.get(b.root) ?? -1) || compare(a.path, b.path),
  );
}
