/**
 * Walks the paths to scan. Symbolic links are followed, each folder at most once (by device and
 * inode), so a link loop ends; FIFOs, sockets and devices are never opened; folders and files
 * that cannot be read, files larger than the cap and files that change while being read are put
 * in the skipped list with the reason, and the walk goes on.
 */
import type { Stats } from 'node:fs';
import { lstat, open, opendir, realpath, stat } from 'node:fs/promises';
import { join, matchesGlob } from 'node:path';
import { describeType, OPEN_FLAGS, reasonOf } from '../search/file-scan.ts';
import { type ContentOptions, type Detector, RULES_DETECTOR } from './content.ts';
import { safeText } from './safe-text.ts';
import {
  ArchiveBombError,
  type Budget,
  type StreamContext,
  scanStream,
  scanZipFd,
  sniff,
  where,
} from './stream.ts';
import { DEFAULT_LIMITS, type ScanFinding, type ScanLimits, type Skipped } from './types.ts';

export interface WalkOptions {
  exclude?: readonly string[];
  limits?: Partial<ScanLimits>;
  detector?: Detector;
  content?: Partial<ContentOptions>;
}

export interface WalkResult {
  findings: ScanFinding[];
  skipped: Skipped[];
  filesScanned: number;
  bytesScanned: number;
}

const READ_BYTES = 1024 * 1024;

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
  readonly findings: ScanFinding[] = [];
  readonly skipped: Skipped[] = [];
  filesScanned = 0;
  bytesScanned = 0;
  readonly #exclude: readonly string[];
  readonly #context: StreamContext;
  readonly #seenFolders = new Set<string>();
  readonly #seenFiles = new Set<string>();

  constructor(options: WalkOptions = {}) {
    this.#exclude = options.exclude ?? [];
    const exclude = this.#exclude;
    this.#context = {
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      detector: options.detector ?? RULES_DETECTOR,
      content: options.content ?? {},
      isExcluded: (member) => excluded(member, exclude),
      findings: this.findings,
      skipped: this.skipped,
    };
  }

  result(): WalkResult {
    return {
      findings: this.findings,
      skipped: this.skipped,
      filesScanned: this.filesScanned,
      bytesScanned: this.bytesScanned,
    };
  }

  /** Scans a root the user named (it exists: the caller checked). */
  async scanRoot(root: string): Promise<void> {
    await this.#visit(root, root, '', true);
  }

  #skip(path: string, reason: string): void {
    this.skipped.push({ path: safeText(path, this.#context.detector), reason });
  }

  async #visit(display: string, absolute: string, rel: string, isRoot: boolean): Promise<void> {
    if (!isRoot && excluded(rel, this.#exclude)) return;
    let stats: Stats;
    let target = absolute;
    try {
      stats = await lstat(absolute);
      if (stats.isSymbolicLink()) {
        target = await realpath(absolute);
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
    await this.#file(display, target, stats);
  }

  async #folder(display: string, absolute: string, rel: string): Promise<void> {
    let names: string[];
    try {
      const dir = await opendir(absolute);
      names = [];
      for await (const entry of dir) names.push(entry.name);
    } catch (error) {
      this.#skip(display, `folder not read: ${reasonOf(error)}`);
      return;
    }
    names.sort();
    for (const name of names) {
      await this.#visit(
        join(display, name),
        join(absolute, name),
        rel ? `${rel}/${name}` : name,
        false,
      );
    }
  }

  async #file(display: string, absolute: string, expected: Stats): Promise<void> {
    const limits = this.#context.limits;
    if (expected.size > limits.maxFileBytes) {
      this.#skip(
        display,
        `larger than ${limits.maxFileBytes} bytes (--max-file-size): not scanned`,
      );
      return;
    }
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(absolute, OPEN_FLAGS);
    } catch (error) {
      this.#skip(display, `not read: ${reasonOf(error)}`);
      return;
    }
    const location = { path: display, members: [] as string[] };
    const budget: Budget = { expanded: 0, entries: 0 };
    try {
      const before = await handle.stat();
      if (!before.isFile()) {
        this.#skip(display, `${describeType(before)}: not opened`);
        return;
      }
      if (before.ino !== expected.ino || before.dev !== expected.dev) {
        this.#skip(display, 'replaced while being scanned: not read');
        return;
      }
      const head = Buffer.alloc(512);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      let read = 0;
      if (sniff(head.subarray(0, bytesRead)) === 'zip') {
        read = await scanZipFd(handle.fd, location, budget, this.#context);
      } else {
        const size = before.size;
        const chunks = (async function* () {
          let position = 0;
          for (;;) {
            const buffer = Buffer.allocUnsafe(READ_BYTES);
            const { bytesRead: n } = await handle.read(buffer, 0, buffer.length, position);
            if (n === 0) return;
            position += n;
            yield buffer.subarray(0, n);
            // A file that grows while read is read to its size at the start.
            if (position >= size && size > 0) return;
          }
        })();
        read = await scanStream(chunks, location, 0, budget, this.#context);
      }
      this.filesScanned++;
      this.bytesScanned += read;
      const after = await handle.stat();
      if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
        this.#skip(
          display,
          `changed while being read (size ${before.size} → ${after.size}): findings may be incomplete`,
        );
      }
    } catch (error) {
      if (error instanceof ArchiveBombError) {
        this.#skip(
          where(location),
          `archive bomb guard: ${error.message}; the rest of it is not scanned`,
        );
        this.filesScanned++;
      } else {
        this.#skip(display, `not read: ${reasonOf(error)}`);
      }
    } finally {
      await handle.close();
    }
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

/** Scans paths with one walker. */
export async function scanPaths(
  paths: readonly string[],
  options: WalkOptions = {},
): Promise<WalkResult> {
  const walker = new Walker(options);
  for (const path of paths) await walker.scanRoot(path);
  return walker.result();
}
