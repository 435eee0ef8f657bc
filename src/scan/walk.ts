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
import { portableDetector, ScanPool } from './parallel.ts';
import { RULES } from './rules/index.ts';
import { safeText } from './safe-text.ts';
import { DEFAULT_LIMITS, type ScanFinding, type ScanLimits, type Skipped } from './types.ts';

export interface WalkOptions {
  exclude?: readonly string[];
  limits?: Partial<ScanLimits>;
  detector?: Detector;
  content?: Partial<ContentOptions>;
  /**
   * Files scanned at once, in worker threads (default: the CPUs this process may use). 1 scans
   * in the calling thread only. Workers start once the files seen add up to `parallelFromBytes`.
   */
  jobs?: number;
  /** Default 32 MiB: below that, starting workers costs more than they save. */
  parallelFromBytes?: number;
}

export interface WalkResult {
  findings: ScanFinding[];
  skipped: Skipped[];
  filesScanned: number;
  bytesScanned: number;
}

const PARALLEL_FROM_BYTES = 32 * 1024 * 1024;
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

export class Walker {
  readonly #exclude: readonly string[];
  readonly #detector: Detector;
  readonly #scanner: FileScanner;
  readonly #jobs: number;
  readonly #parallelFromBytes: number;
  readonly #setup: ConstructorParameters<typeof ScanPool>[1] | undefined;
  readonly #seenFolders = new Set<string>();
  readonly #seenFiles = new Set<string>();
  /** What each file (or walk problem) gave, in walk order; filled as files finish. */
  readonly #results: FileResult[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #pool: ScanPool | undefined;
  #bytesSeen = 0;

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
    const detector = portableDetector(this.#detector, RULES);
    this.#setup = detector && { detector, exclude, limits, content };
  }

  /** Waits for files still being scanned, ends the workers, and gives everything in walk order. */
  async finish(): Promise<WalkResult> {
    try {
      while (this.#inFlight.size) await Promise.all(this.#inFlight);
    } finally {
      await this.#pool?.close();
      this.#pool = undefined;
    }
    const result: WalkResult = { findings: [], skipped: [], filesScanned: 0, bytesScanned: 0 };
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
    await this.#pool?.close();
    this.#pool = undefined;
  }

  /** Scans a root the user named (it exists: the caller checked). */
  async scanRoot(root: string): Promise<void> {
    await this.#visit(root, root, '', true);
  }

  #skip(path: string, reason: string): void {
    this.#results.push({
      ...NOTHING,
      skipped: [{ path: safeText(path, this.#detector), reason }],
    });
  }

  async #visit(display: string, absolute: FsPath, rel: string, isRoot: boolean): Promise<void> {
    if (!isRoot && excluded(rel, this.#exclude)) return;
    let stats: Stats;
    let target = absolute;
    try {
      stats = await lstat(absolute);
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
    for (const name of names) {
      const shown = nameForDisplay(name);
      await this.#visit(
        join(display, shown),
        childPath(absolute, name),
        rel ? `${rel}/${shown}` : shown,
        false,
      );
    }
  }

  /** Scans `job` here, or hands it to a worker and goes on walking. */
  async #file(job: FileJob): Promise<void> {
    const slot = this.#results.length;
    this.#results.push(NOTHING);
    this.#bytesSeen += job.size;
    const pool = this.#poolFor();
    if (!pool) {
      this.#results[slot] = await this.#scanner.scan(job);
      return;
    }
    await pool.ready();
    const done = pool
      .scan(job)
      // A worker that died: scan its file here.
      .catch(() => this.#scanHere(job))
      .then((result) => {
        this.#results[slot] = result;
      })
      .finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
  }

  /** The calling thread's scanner does one file at a time: queue behind the one in progress. */
  #here: Promise<unknown> = Promise.resolve();
  #scanHere(job: FileJob): Promise<FileResult> {
    const run = this.#here.then(() => this.#scanner.scan(job));
    this.#here = run.catch(() => undefined);
    return run;
  }

  #poolFor(): ScanPool | undefined {
    if (this.#pool) return this.#pool;
    if (this.#jobs < 2 || !this.#setup || this.#bytesSeen < this.#parallelFromBytes) return;
    this.#pool = new ScanPool(this.#jobs, this.#setup);
    return this.#pool;
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
