/**
 * Searching one file in windows, shared by the main thread and the search workers.
 *
 * The file is opened with O_NOFOLLOW (a symbolic link is never followed, even one swapped in
 * after the walk) and O_NONBLOCK (a FIFO swapped in cannot block the open), then checked with
 * fstat to be a regular file before a byte is read. It is read into one reusable buffer, a
 * window at a time; the last `maxLength - 1` bytes of each window are kept in front of the next,
 * so an occurrence straddling a window boundary is found once, and a large file is never held
 * whole.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import type { Matcher } from './matcher.ts';

export const OPEN_FLAGS =
  constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export const DEFAULT_WINDOW_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

export interface FileScan {
  /** Size from fstat when the file was opened. */
  size: number;
  /** Permission bits (st_mode & 0o7777). */
  mode: number;
  bytesSearched: number;
  /** The file was larger than the cap; only its first `bytesSearched` bytes were searched. */
  truncated: boolean;
  /** Flat pairs: pattern index, byte offset in the file. */
  matches: number[];
}

/** Thrown for a path that is not a regular file (it is not read). */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
}

/** Gives the event loop a turn about every `sliceMs` of synchronous work. */
export class Pacer {
  readonly sliceMs: number;
  #since = performance.now();

  constructor(sliceMs: number) {
    this.sliceMs = sliceMs;
  }

  /** A promise to await when the slice is used up, else `undefined` (no microtask). */
  tick(): Promise<void> | undefined {
    if (performance.now() - this.#since < this.sliceMs) return undefined;
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.#since = performance.now();
    });
  }
}

/** A read buffer sized for a matcher: one window plus the overlap. */
export function windowBuffer(matcher: Matcher, windowBytes: number): Buffer {
  if (!Number.isInteger(windowBytes) || windowBytes < 1)
    throw new RangeError('windowBytes must be a positive integer');
  return Buffer.allocUnsafe(windowBytes + Math.max(matcher.maxLength - 1, 0));
}

/**
 * Searches the regular file at `path` (not following a symbolic link) for the matcher's
 * patterns, reading at most `maxFileBytes`. Throws the fs error (ENOENT, EACCES, ELOOP for a
 * symbolic link, …) or `NotRegularFileError`.
 */
export async function scanFile(
  path: string,
  matcher: Matcher,
  buffer: Buffer,
  maxFileBytes: number,
  pacer?: Pacer,
): Promise<FileScan> {
  const fd = openSync(path, OPEN_FLAGS);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotRegularFileError(`${describeType(stats)}, not read`);
    const limit = Math.min(stats.size, maxFileBytes);
    const overlap = Math.max(matcher.maxLength - 1, 0);
    if (buffer.length <= overlap) throw new RangeError('buffer smaller than the longest needle');
    const matches: number[] = [];
    let base = 0; // file offset of buffer[0]
    let kept = 0; // bytes carried over from the previous window, at the buffer's start
    let read = 0;
    while (read < limit) {
      const n = readSync(fd, buffer, kept, Math.min(buffer.length - kept, limit - read), read);
      if (n === 0) break;
      read += n;
      const end = kept + n;
      const offset = base;
      matcher.scan(buffer, kept, end, (pattern, start) => {
        matches.push(pattern, offset + start);
      });
      if (read >= limit) break;
      const carry = Math.min(overlap, end);
      buffer.copyWithin(0, end - carry, end);
      base += end - carry;
      kept = carry;
      const pause = pacer?.tick();
      if (pause) await pause;
    }
    return {
      size: stats.size,
      mode: stats.mode & 0o7777,
      bytesSearched: read,
      truncated: stats.size > limit,
      matches,
    };
  } finally {
    closeSync(fd);
  }
}

export function describeType(stats: Stats): string {
  if (stats.isFIFO()) return 'named pipe (FIFO)';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'character device';
  if (stats.isBlockDevice()) return 'block device';
  if (stats.isSymbolicLink()) return 'symbolic link';
  if (stats.isDirectory()) return 'directory';
  return 'special file';
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'does not exist',
  ELOOP: 'is a symbolic link (not followed)',
  EIO: 'I/O error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ENOTDIR: 'is no longer a directory',
  ENAMETOOLONG: 'name too long',
};

/** A short reason for a note; never includes file contents. */
export function reasonOf(error: unknown): string {
  if (error instanceof NotRegularFileError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return `${REASONS[code] ?? 'cannot read'} (${code})`;
  return error instanceof Error ? error.message : String(error);
}
