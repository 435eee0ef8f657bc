/**
 * Scans one regular file the walk found: opened without following links or blocking (a file
 * swapped for a FIFO after the walk saw it is not read), checked to be the file the walk saw,
 * read once (plain text through one reused buffer; archives opened while streaming), and checked
 * again after: a file that changed while read is reported. Runs in the walking thread or in a
 * worker (./parallel.ts): its input and output are plain data.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { isLocalFilesystem } from '../local-fs.ts';
import { describeType, OPEN_FLAGS, reasonOf } from '../search/file-scan.ts';
import type { ContentOptions, Detector } from './content.ts';
import { safeText } from './safe-text.ts';
import {
  ArchiveBombError,
  type Budget,
  type StreamContext,
  scanPlainBytes,
  scanPlainFile,
  scanStream,
  scanZipFd,
  sniff,
  where,
} from './stream.ts';
import type { ScanFinding, ScanLimits, Skipped } from './types.ts';

/** A file to scan, as the walk saw it. */
export interface FileJob {
  /** The path as reported (under the root the user named). */
  display: string;
  /** The path to open (links resolved): bytes when it is not valid UTF-8. */
  absolute: string | Uint8Array;
  dev: number;
  ino: number;
  size: number;
}

export interface FileResult {
  findings: ScanFinding[];
  skipped: Skipped[];
  /** 1 when the file was scanned (even in part), else 0. */
  files: number;
  /** Bytes scanned, archive members expanded. */
  bytes: number;
}

export interface FileScannerOptions {
  detector: Detector;
  limits: ScanLimits;
  content: Partial<ContentOptions>;
  isExcluded: (member: string) => boolean;
}

/**
 * Reads of 256 KiB: the copy out of the page cache stays in the CPU's cache, where the search
 * then finds it (four times less system time than 1 MiB reads on this code's target machine).
 */
const READ_BYTES = 256 * 1024;
const SNIFF_BYTES = 512;
/**
 * Plain files up to this size are opened, read whole and closed with synchronous calls: a
 * support bundle is hundreds of small files, and each of the six asynchronous calls a file
 * takes otherwise waits for a round trip through the thread pool (4,000 files of 8 KiB: about
 * 0.4 ms a file, most of it waiting). A read this small blocks the thread for microseconds.
 */
const SMALL_FILE_BYTES = READ_BYTES;

export class FileScanner {
  readonly #options: FileScannerOptions;
  /** Plain files are read through these two buffers: one file at a time per scanner. */
  readonly #buffers: [Buffer, Buffer] = [
    Buffer.allocUnsafe(READ_BYTES),
    Buffer.allocUnsafe(READ_BYTES),
  ];
  #busy = false;

  constructor(options: FileScannerOptions) {
    this.#options = options;
  }

  async scan(job: FileJob): Promise<FileResult> {
    if (this.#busy) throw new Error('FileScanner scans one file at a time');
    this.#busy = true;
    try {
      return await this.#scan(job);
    } finally {
      this.#busy = false;
    }
  }

  async #scan(job: FileJob): Promise<FileResult> {
    const { detector, limits } = this.#options;
    const result: FileResult = { findings: [], skipped: [], files: 0, bytes: 0 };
    const skip = (path: string, reason: string) =>
      result.skipped.push({ path: safeText(path, detector), reason });
    const { display } = job;
    if (job.size > limits.maxFileBytes) {
      skip(display, `larger than ${limits.maxFileBytes} bytes (--max-file-size): not scanned`);
      return result;
    }
    const path =
      typeof job.absolute === 'string'
        ? job.absolute
        : // Bytes come back from a worker's message as a Uint8Array.
          Buffer.from(job.absolute.buffer, job.absolute.byteOffset, job.absolute.byteLength);
    if (job.size > 0 && job.size <= SMALL_FILE_BYTES && this.#scanSmall(job, path, result)) {
      return result;
    }
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, OPEN_FLAGS);
    } catch (error) {
      skip(display, `not read: ${reasonOf(error)}`);
      return result;
    }
    const context: StreamContext = {
      ...this.#options,
      findings: result.findings,
      skipped: result.skipped,
    };
    const location = { path: display, members: [] as string[] };
    const budget: Budget = { expanded: 0, entries: 0 };
    try {
      const before = await handle.stat();
      const refused = notTheFileListed(before, job);
      if (refused) {
        skip(display, refused);
        return result;
      }
      const [head] = this.#buffers;
      const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
      const kind = sniff(head.subarray(0, bytesRead));
      if (kind === 'zip') {
        result.bytes = await scanZipFd(handle.fd, location, budget, context);
      } else if (kind === 'plain') {
        result.bytes = await scanPlainFile(handle, before.size, this.#buffers, location, context, {
          sync: isLocalFilesystem(path),
        });
      } else {
        result.bytes = await scanStream(
          readChunks(handle, before.size),
          location,
          0,
          budget,
          context,
        );
      }
      result.files = 1;
      const changed = changedWhileRead(before, await handle.stat());
      if (changed) skip(display, changed);
    } catch (error) {
      if (error instanceof ArchiveBombError) {
        skip(
          where(location),
          `archive bomb guard: ${error.message}; the rest of it is not scanned`,
        );
        result.files = 1;
      } else {
        skip(display, `not read: ${reasonOf(error)}`);
      }
    } finally {
      await handle.close();
    }
    return result;
  }

  /**
   * A small plain file, whole, with synchronous calls; the same checks and the same words as
   * the asynchronous way. False, having changed nothing, for a file that is not small and plain
   * once opened (an archive, a file that grew): the asynchronous way then scans it.
   */
  #scanSmall(job: FileJob, path: string | Buffer, result: FileResult): boolean {
    const { detector } = this.#options;
    const skip = (reason: string) =>
      result.skipped.push({ path: safeText(job.display, detector), reason });
    let fd: number;
    try {
      fd = openSync(path, OPEN_FLAGS);
    } catch (error) {
      skip(`not read: ${reasonOf(error)}`);
      return true;
    }
    try {
      const before = fstatSync(fd);
      const refused = notTheFileListed(before, job);
      if (refused) {
        skip(refused);
        return true;
      }
      if (before.size === 0 || before.size > SMALL_FILE_BYTES) return false;
      const [buffer] = this.#buffers;
      let length = 0;
      while (length < before.size) {
        const read = readSync(fd, buffer, length, before.size - length, length);
        if (read === 0) break;
        length += read;
      }
      const content = buffer.subarray(0, length);
      if (sniff(content.subarray(0, SNIFF_BYTES)) !== 'plain') return false;
      const location = { path: job.display, members: [] as string[] };
      result.bytes = scanPlainBytes(content, location, {
        ...this.#options,
        findings: result.findings,
        skipped: result.skipped,
      });
      result.files = 1;
      const changed = changedWhileRead(before, fstatSync(fd));
      if (changed) skip(changed);
      return true;
    } catch (error) {
      skip(`not read: ${reasonOf(error)}`);
      return true;
    } finally {
      closeSync(fd);
    }
  }
}

/** Why an opened file is not scanned: not a regular file, or not the one the walk listed. */
function notTheFileListed(opened: Stats, job: FileJob): string | undefined {
  if (!opened.isFile()) return `${describeType(opened)}: not opened`;
  if (opened.ino !== job.ino || opened.dev !== job.dev)
    return 'replaced while being scanned: not read';
  return undefined;
}

/** What to say of a file whose size or time moved between the stats before and after reading. */
function changedWhileRead(before: Stats, after: Stats): string | undefined {
  if (after.size === before.size && after.mtimeMs === before.mtimeMs) return undefined;
  return `changed while being read (size ${before.size} → ${after.size}): findings may be incomplete`;
}

/**
 * The file's bytes up to `size` (a file that grows while read is read that far), in fresh
 * buffers: archive readers keep chunks after they are handed over.
 */
async function* readChunks(
  handle: Awaited<ReturnType<typeof open>>,
  size: number,
): AsyncGenerator<Buffer> {
  // A size of 0 may be a file the kernel sizes as it is read (/proc): read it to its end.
  for (let position = 0; position < size || size === 0; ) {
    const want = size === 0 ? READ_BYTES : Math.min(READ_BYTES, size - position);
    const buffer = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(buffer, 0, want, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}
