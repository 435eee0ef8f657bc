/**
 * Walks the paths to scan. Symbolic links are followed, each folder at most once (by device and
 * inode), so a link loop ends; FIFOs, sockets and devices are never opened; folders and files
 * that cannot be read, files larger than the cap and files that change while being read are put
 * in the skipped list with the reason, and the walk goes on.
 */
import type { Stats } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, matchesGlob } from 'node:path';
import { describeType, reasonOf } from '../search/file-scan.ts';
import { type ContentOptions, type Detector, RULES_DETECTOR } from './content.ts';
import { type FileJob, type FileResult, FileScanner } from './file.ts';
import { portableDetector, ScanWorker, type WorkerSetup } from './parallel.ts';
import { RULES } from './rules/index.ts';
import { safeText } from './safe-text.ts';
import { DEFAULT_LIMITS, type ScanFinding, type ScanLimits, type Skipped } from './types.ts';

export interface WalkOptions {
  exclude?: readonly string[];
  limits?: Partial<ScanLimits>;
  detector?: Detector;
  content?: Partial<ContentOptions>;
  /**
   * Files scanned at once: this thread and `jobs - 1` worker threads (default: the CPUs this
   * process may use; 1: this thread only). Workers start once the files found but not yet
   * scanned add up to `parallelFromBytes` (or fill the queue), and take files once loaded.
   */
  jobs?: number;
  /**
   * Default 128 MiB. A worker costs about 0.35 s of CPU to load and warm up; on the target
   * machine two threads lost to one on 128 MB of logs (0.72–0.81 s against 0.67 s) and won from
   * about 250 MB on.
   */
  parallelFromBytes?: number;
  /** Tests: wait for the workers to load when they start, so they surely take files. */
  waitForWorkers?: boolean;
}

export interface WalkResult {
  findings: ScanFinding[];
  skipped: Skipped[];
  filesScanned: number;
  bytesScanned: number;
  /** Files handed to worker threads. */
  filesInWorkers: number;
}

const PARALLEL_FROM_BYTES = 128 * 1024 * 1024;
/** Entries of a folder whose lstat is asked for before their turn. */
const STATS_AHEAD = 32;
/** The walk runs ahead of the scanners by at most this many files, or this many bytes. */
const QUEUE_FILES = 10_000;
const QUEUE_BYTES = 512 * 1024 * 1024;
/** Files handed to each worker at once (see `#workerLoop`). */
const FILES_IN_WORKER = 2;
const NOTHING: FileResult = { findings: [], skipped: [], files: 0, bytes: 0 };

/** A path as the file system takes it: a string, or bytes when it is not valid UTF-8. */
type FsPath = string | Buffer;

function isUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes);
}

/** Bytes as a string path when they are valid UTF-8 (most are), else as they are. */
function asPath(bytes: Buffer): FsPath {
  return isUtf8(bytes) ? bytes.toString('utf8') : bytes;
}

function childPath(parent: FsPath, name: Buffer): FsPath {
  if (typeof parent === 'string' && isUtf8(name)) return join(parent, name.toString('utf8'));
  const base = typeof parent === 'string' ? Buffer.from(parent, 'utf8') : parent;
  return Buffer.concat([base, base.at(-1) === 0x2f ? Buffer.alloc(0) : Buffer.from('/'), name]);
}

/** A name for reports: as it is when valid UTF-8, else with every non-ASCII byte as `\xNN`. */
function nameForDisplay(name: Buffer): string {
  if (isUtf8(name)) return name.toString('utf8');
  let out = '';
  for (const byte of name)
    out += byte < 0x80 ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`;
  return out;
}

/** True when `path` (relative, `/` separators) matches a glob; a glob without `/` also matches
 * any single name in the path (`node_modules`, `*.png`), as in .gitignore. */
export function excluded(path: string, globs: readonly string[]): boolean {
  if (!globs.length || !path) return false;
  const names = path.split('/');
  return globs.some(
    (glob) =>
      matchesGlob(path, glob) ||
      (!glob.includes('/') && names.some((name) => matchesGlob(name, glob))),
  );
}

/** A file waiting in the queue, and where its result goes. */
interface Queued {
  job: FileJob;
  slot: number;
}

/**
 * Walks, and feeds the files it finds to a bounded queue that scanners drain: this thread's own
 * `FileScanner` from the first file, and one loop per worker thread once the files seen are
 * worth them. A scanner takes the next file the moment it is free, whatever the others do.
 */
export class Walker {
  readonly #exclude: readonly string[];
  readonly #detector: Detector;
  readonly #scanner: FileScanner;
  readonly #jobs: number;
  readonly #parallelFromBytes: number;
  readonly #waitForWorkers: boolean;
  readonly #setup: WorkerSetup | undefined;
  readonly #seenFolders = new Set<string>();
  readonly #seenFiles = new Set<string>();
  /** What each file (or walk problem) gave, in walk order; filled as files finish. */
  readonly #results: FileResult[] = [];
  readonly #queue: Queued[] = [];
  /** Scanners waiting for a file; the walk waiting for room in the queue. */
  #hungry: ((next: Queued | undefined) => void)[] = [];
  #room: (() => void) | undefined;
  #walked = false;
  readonly #scanners: Promise<void>[] = [];
  readonly #workers: ScanWorker[] = [];
  #filesInWorkers = 0;
  /** Bytes of the files in the queue. */
  #queuedBytes = 0;

  constructor(options: WalkOptions = {}) {
    this.#exclude = options.exclude ?? [];
    const exclude = this.#exclude;
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const content = options.content ?? {};
    this.#detector = options.detector ?? RULES_DETECTOR;
    this.#scanner = new FileScanner({
      detector: this.#detector,
      limits,
      content,
      isExcluded: (member) => excluded(member, exclude),
    });
    this.#jobs = Math.max(1, Math.floor(options.jobs ?? availableParallelism()));
    this.#parallelFromBytes = options.parallelFromBytes ?? PARALLEL_FROM_BYTES;
    this.#waitForWorkers = options.waitForWorkers ?? false;
    const detector = portableDetector(this.#detector, RULES);
    this.#setup = detector && { detector, exclude, limits, content };
  }

  /** Waits for the files still queued or being scanned, ends the workers, gives all in walk order. */
  async finish(): Promise<WalkResult> {
    this.#walked = true;
    for (const feed of this.#hungry.splice(0)) feed(this.#queue.shift());
    try {
      await Promise.all(this.#scanners);
    } finally {
      await this.abort();
    }
    const result: WalkResult = {
      findings: [],
      skipped: [],
      filesScanned: 0,
      bytesScanned: 0,
      filesInWorkers: this.#filesInWorkers,
    };
    for (const part of this.#results) {
      for (const finding of part.findings) result.findings.push(finding);
      for (const skipped of part.skipped) result.skipped.push(skipped);
      result.filesScanned += part.files;
      result.bytesScanned += part.bytes;
    }
    return result;
  }

  /** Ends the workers without waiting for their files (an error or Ctrl-C on the way). */
  async abort(): Promise<void> {
    await Promise.all(this.#workers.splice(0).map((worker) => worker.terminate()));
  }

  /** Scans a root the user named (it exists: the caller checked). */
  async scanRoot(root: string): Promise<void> {
    await this.#visit(root, root, '');
  }

  #skip(path: string, reason: string): void {
    this.#results.push({
      ...NOTHING,
      skipped: [{ path: safeText(path, this.#detector), reason }],
    });
  }

  /** `linkStats`: its lstat, when already asked for. Excluded entries never come here. */
  async #visit(
    display: string,
    absolute: FsPath,
    rel: string,
    linkStats?: Promise<Stats>,
  ): Promise<void> {
    let stats: Stats;
    let target = absolute;
    try {
      stats = await (linkStats ?? lstat(absolute));
      if (stats.isSymbolicLink()) {
        target = asPath(await realpath(absolute, { encoding: 'buffer' }));
        stats = await stat(target);
      }
    } catch (error) {
      this.#skip(
        display,
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'broken symbolic link or vanished'
          : reasonOf(error),
      );
      return;
    }
    const key = `${stats.dev}:${stats.ino}`;
    if (stats.isDirectory()) {
      if (this.#seenFolders.has(key)) {
        if (target !== absolute)
          this.#skip(
            display,
            'symbolic link to a folder already scanned (a loop or a second path): not followed',
          );
        return;
      }
      this.#seenFolders.add(key);
      await this.#folder(display, target, rel);
      return;
    }
    if (!stats.isFile()) {
      this.#skip(display, `${describeType(stats)}: not opened`);
      return;
    }
    if (this.#seenFiles.has(key)) return;
    this.#seenFiles.add(key);
    await this.#file({
      display,
      absolute: target,
      dev: stats.dev,
      ino: stats.ino,
      size: stats.size,
    });
  }

  async #folder(display: string, absolute: FsPath, rel: string): Promise<void> {
    // Names as bytes: a Linux name need not be UTF-8, and a name decoded lossily opens nothing.
    let names: Buffer[];
    try {
      const dir = await opendir(absolute, { encoding: 'buffer' as BufferEncoding });
      names = [];
      for await (const entry of dir) names.push(entry.name as unknown as Buffer);
    } catch (error) {
      this.#skip(display, `folder not read: ${reasonOf(error)}`);
      return;
    }
    names.sort(Buffer.compare);
    const children = names.flatMap((name) => {
      const shown = nameForDisplay(name);
      const childRel = rel ? `${rel}/${shown}` : shown;
      if (excluded(childRel, this.#exclude)) return [];
      return [
        { display: join(display, shown), absolute: childPath(absolute, name), rel: childRel },
      ];
    });
    // The next entries' lstat calls are in flight while this one is visited (and its file
    // scanned on this thread): one after another, each waited for a turn of a busy event loop,
    // and a big folder's size, which decides when the worker threads start, was known late.
    const lookUp = (child: { absolute: FsPath }) => {
      const stats = lstat(child.absolute);
      // Read later, in order; a failure is handled there, not left unhandled meanwhile.
      stats.catch(() => undefined);
      return stats;
    };
    const pending = children.slice(0, STATS_AHEAD).map(lookUp);
    for (const [index, child] of children.entries()) {
      const next = children[index + STATS_AHEAD];
      if (next) pending.push(lookUp(next));
      await this.#visit(child.display, child.absolute, child.rel, pending.shift());
    }
  }

  /** Queues `job` for the next free scanner; waits while the queue is full. */
  async #file(job: FileJob): Promise<void> {
    const slot = this.#results.length;
    this.#results.push(NOTHING);
    if (!this.#scanners.length) this.#scanners.push(this.#drain((next) => this.#scanHere(next)));
    const queued = { job, slot };
    const feed = this.#hungry.shift();
    if (feed) {
      feed(queued);
      return;
    }
    this.#queue.push(queued);
    this.#queuedBytes += job.size;
    const full = () => this.#queue.length >= QUEUE_FILES || this.#queuedBytes >= QUEUE_BYTES;
    if (this.#queuedBytes >= this.#parallelFromBytes || full()) await this.#startWorkers();
    while (full())
      await new Promise<void>((resolve) => {
        this.#room = resolve;
      });
  }

  /** The next queued file; undefined once the walk is over and the queue empty. */
  #take(): Promise<Queued | undefined> {
    const next = this.#queue.shift();
    if (next) {
      this.#queuedBytes -= next.job.size;
      const room = this.#room;
      this.#room = undefined;
      room?.();
      return Promise.resolve(next);
    }
    if (this.#walked) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#hungry.push(resolve));
  }

  /** One scanner's loop: takes files until there are none. Never throws. */
  async #drain(scan: (job: FileJob) => Promise<FileResult>): Promise<void> {
    for (let next = await this.#take(); next; next = await this.#take()) {
      this.#results[next.slot] = await scan(next.job).catch((error: unknown) => ({
        ...NOTHING,
        skipped: [
          {
            path: safeText(next?.job.display ?? '', this.#detector),
            reason: safeText(reasonOf(error), this.#detector),
          },
        ],
      }));
    }
  }

  /** Starts the worker threads (once). */
  async #startWorkers(): Promise<void> {
    if (this.#workers.length || this.#scanners.length > 1 || this.#jobs < 2 || !this.#setup) return;
    const setup = this.#setup;
    const started = Array.from({ length: this.#jobs - 1 }, () => new ScanWorker(setup));
    this.#workers.push(...started);
    for (const worker of started) this.#scanners.push(this.#workerLoop(worker));
    if (this.#waitForWorkers) await Promise.all(started.map((worker) => worker.loaded));
  }

  /**
   * A worker's loop, once it has loaded; a file it fails on (it died) is scanned here. Each
   * worker has `FILES_IN_WORKER` files at once: it scans one while the next waits in its queue,
   * so that it never waits for this thread to hand it one (this thread reads a local file with
   * synchronous calls, and hears the worker only between them).
   */
  async #workerLoop(worker: ScanWorker): Promise<void> {
    if (!(await worker.loaded)) return;
    let alive = true;
    const scan = async (job: FileJob) => {
      if (!alive) return this.#scanHere(job);
      try {
        const result = await worker.scan(job);
        this.#filesInWorkers++;
        return result;
      } catch {
        alive = false;
        return this.#scanHere(job);
      }
    };
    await Promise.all(Array.from({ length: FILES_IN_WORKER }, () => this.#drain(scan)));
  }

  /** This thread's scanner does one file at a time: a dead worker's file waits its turn. */
  #here: Promise<unknown> = Promise.resolve();
  #scanHere(job: FileJob): Promise<FileResult> {
    const run = this.#here.then(() => this.#scanner.scan(job));
    this.#here = run.catch(() => undefined);
    return run;
  }
}

/** Checks that every path exists before anything is scanned: `[path, reason]` for those that do not. */
export async function missingPaths(paths: readonly string[]): Promise<[string, string][]> {
  const missing: [string, string][] = [];
  for (const path of paths) {
    try {
      await lstat(path);
    } catch (error) {
      missing.push([path, reasonOf(error)]);
    }
  }
  return missing;
}
