/**
 * Scans one byte stream: a file's content, or an archive member's. Archives are recognised by
 * their first bytes (zip, gzip, tar), whatever their names, and opened while streaming, nested up
 * to `maxDepth` layers, under one budget per file on disk (expanded bytes, ratio, members) that
 * stops a bomb. Members are named `outer.zip!inner.tar.gz!logs/app.log`; a member whose name
 * is absolute or climbs out with `..` is not scanned but reported.
 */
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { createGunzip, createInflateRaw } from 'node:zlib';
import type * as TarStream from 'tar-stream';
import type * as yauzl from 'yauzl';
import { type ContentOptions, ContentScanner, type Detector } from './content.ts';
import { safeText } from './safe-text.ts';
import type { ScanFinding, ScanLimits, Skipped } from './types.ts';

export interface StreamContext {
  limits: ScanLimits;
  detector: Detector;
  content: Partial<ContentOptions>;
  isExcluded: (relativePath: string) => boolean;
  findings: ScanFinding[];
  skipped: Skipped[];
}

/** Where a stream comes from: a file on disk and the members inside it. */
export interface Location {
  path: string;
  members: string[];
}

/** Per file on disk, shared by every archive layer inside it. */
export interface Budget {
  expanded: number;
  entries: number;
}

/** An archive guard tripped: the rest of the file on disk is not scanned. */
export class ArchiveBombError extends Error {}

type Kind = 'zip' | 'gzip' | 'tar' | 'plain';

const SNIFF_BYTES = 512;
/**
 * Output chunks of 256 KiB from zlib instead of its default 16 KiB: each chunk is a round trip
 * through libuv's thread pool and an async step of the scan, which dominated small archives.
 */
const INFLATE_CHUNK = 256 * 1024;

/**
 * The archive readers, loaded when the first archive is met: together they were a quarter of
 * `scan`'s start-up (26 ms) for the many scans that meet none.
 */
let tarModule: Promise<typeof TarStream> | undefined;
let yauzlModule: Promise<typeof yauzl> | undefined;
const loadTar = () => {
  tarModule ??= import('tar-stream');
  return tarModule;
};
const loadYauzl = () => {
  yauzlModule ??= import('yauzl');
  return yauzlModule;
};

/** `zlib.crc32` came in Node.js 22.2; without it, zip members are not CRC-checked. */
const checkCrc = typeof zlib.crc32 === 'function';
const RATIO_GRACE = 1024 * 1024;

export function where(location: Location): string {
  return [location.path, ...location.members].join('!');
}

export function sniff(head: Uint8Array): Kind {
  if (
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    (head[2] === 3 || head[2] === 5) &&
    (head[3] === 4 || head[3] === 6)
  )
    return 'zip';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar')
    return 'tar';
  return 'plain';
}

/** True for a member name that is absolute or climbs out of the archive. */
export function isUnsafeMemberName(name: string): boolean {
  const normal = name.replace(/\\/g, '/');
  return (
    normal.startsWith('/') ||
    /^[A-Za-z]:/.test(normal) ||
    normal.split('/').some((segment) => segment === '..') ||
    normal.includes('\0')
  );
}

/**
 * Scans `source`. `pendingName` names the content of a gzip layer: it is added to the location
 * unless the content is a tar (whose members name themselves).
 */
export async function scanStream(
  source: AsyncIterable<Buffer>,
  location: Location,
  depth: number,
  budget: Budget,
  context: StreamContext,
  pendingName?: string,
): Promise<number> {
  const { head, rest } = await peek(source, SNIFF_BYTES);
  const kind = sniff(head);
  const here =
    pendingName !== undefined && kind !== 'tar'
      ? { ...location, members: [...location.members, pendingName] }
      : location;
  if (kind !== 'plain' && depth >= context.limits.maxDepth) {
    context.skipped.push({
      path: safeText(where(here), context.detector),
      reason: `${kind} archive nested more than ${context.limits.maxDepth} layers deep: not opened (--max-depth)`,
    });
    return 0;
  }
  try {
    switch (kind) {
      case 'plain':
        return await scanContent(rest, here, context);
      case 'gzip':
        return await scanGzip(rest, here, depth, budget, context);
      case 'tar':
        return await scanTar(rest, here, depth, budget, context);
      case 'zip':
        return await scanNestedZip(rest, here, depth, budget, context);
    }
  } catch (error) {
    if (error instanceof ArchiveBombError) throw error;
    context.skipped.push({
      path: safeText(where(here), context.detector),
      reason: `broken ${kind === 'plain' ? 'stream' : `${kind} archive`} (${safeText(messageOf(error), context.detector)}): the rest of it is not scanned`,
    });
    return 0;
  }
}

async function scanContent(
  source: AsyncIterable<Buffer>,
  location: Location,
  context: StreamContext,
): Promise<number> {
  const scanner = new ContentScanner(context.detector, context.content);
  try {
    for await (const chunk of source) scanner.push(chunk);
    scanner.end();
  } finally {
    record(scanner, location, context);
  }
  return scanner.bytes;
}

/** Scans the whole content of a small plain file, already read into `bytes`. */
export function scanPlainBytes(bytes: Buffer, location: Location, context: StreamContext): number {
  const scanner = new ContentScanner(context.detector, context.content);
  try {
    scanner.push(bytes);
    scanner.end();
  } finally {
    record(scanner, location, context);
  }
  return scanner.bytes;
}

/** In a synchronous read, the bytes after which the thread turns to its other work once. */
const YIELD_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Scans a plain file (its first bytes are no archive) up to `size`, the size it had when opened
 * (a file that grows while read is read that far; a size of 0, as /proc files say, reads to the
 * end). Two buffers, reused.
 *
 * On a local filesystem (`sync`) each buffer is read with a synchronous call: handing reads to
 * the thread pool cost more than the copy out of the page cache, and with a scanning thread per
 * core the pool's threads only took turns with them (a scan of 1 GB was 3 % faster and used 9 %
 * less CPU without them). Every `YIELD_EVERY_BYTES` the thread still turns to its event loop,
 * where a worker waits for its next file and Ctrl-C is heard. Elsewhere the next read runs in the
 * pool while the last buffer is searched, so that a network filesystem's round trips overlap.
 */
export async function scanPlainFile(
  handle: FileHandle,
  size: number,
  buffers: readonly [Buffer, Buffer],
  location: Location,
  context: StreamContext,
  options: { sync: boolean },
): Promise<number> {
  const scanner = new ContentScanner(context.detector, context.content);
  let [current, next] = buffers;
  let position = 0;
  let sinceYield = 0;
  const read = (buffer: Buffer) => {
    const want = size === 0 ? buffer.length : Math.min(buffer.length, size - position);
    if (want <= 0) return undefined;
    if (!options.sync) return handle.read(buffer, 0, want, position);
    return { bytesRead: readSync(handle.fd, buffer, 0, want, position) };
  };
  let reading: ReturnType<typeof read>;
  try {
    reading = read(current);
    while (reading) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      position += bytesRead;
      reading = read(next);
      scanner.push(current.subarray(0, bytesRead));
      [current, next] = [next, current];
      sinceYield += bytesRead;
      if (options.sync && sinceYield >= YIELD_EVERY_BYTES) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    scanner.end();
  } finally {
    // Never leave a read running into a buffer the caller will reuse.
    if (reading instanceof Promise) await reading.catch(() => undefined);
    record(scanner, location, context);
  }
  return scanner.bytes;
}

function record(scanner: ContentScanner, location: Location, context: StreamContext): void {
  const path = safeText(location.path, context.detector);
  const archivePath = location.members.length
    ? safeText(location.members.join('!'), context.detector)
    : undefined;
  for (const detection of scanner.detections) {
    context.findings.push({
      ...detection,
      path,
      ...(archivePath !== undefined && { archivePath }),
    });
  }
  for (const note of scanner.notes)
    context.skipped.push({ path: safeText(where(location), context.detector), reason: note });
}

async function scanGzip(
  source: AsyncIterable<Buffer>,
  location: Location,
  depth: number,
  budget: Budget,
  context: StreamContext,
): Promise<number> {
  let compressed = 0;
  const input = Readable.from(
    (async function* () {
      for await (const chunk of source) {
        compressed += chunk.length;
        yield chunk;
      }
    })(),
  );
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK });
  input.on('error', (error) => gunzip.destroy(error));
  input.pipe(gunzip);
  const limits = context.limits;
  const name = gunzippedName(location.members.at(-1) ?? location.path);
  const expanded = (async function* () {
    let total = 0;
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      total += chunk.length;
      charge(budget, chunk.length, limits, location);
      if (total > RATIO_GRACE && total > limits.maxRatio * Math.max(compressed, 1))
        throw new ArchiveBombError(
          `expands more than ${limits.maxRatio} times its compressed size (--max-ratio)`,
        );
      yield chunk;
    }
  })();
  try {
    return await scanStream(expanded, location, depth + 1, budget, context, name);
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}

function gunzippedName(path: string): string {
  const base = path.split(/[/\\]/).at(-1) ?? path;
  if (/\.tgz$/i.test(base)) return base.replace(/\.tgz$/i, '.tar');
  if (/\.gz$/i.test(base)) return base.replace(/\.gz$/i, '');
  return `${base}(gunzipped)`;
}

async function scanTar(
  source: AsyncIterable<Buffer>,
  location: Location,
  depth: number,
  budget: Budget,
  context: StreamContext,
): Promise<number> {
  const extract = (await loadTar()).extract();
  const input = Readable.from(source);
  input.on('error', (error) => extract.destroy(error));
  input.pipe(extract);
  let bytes = 0;
  try {
    for await (const entry of extract) {
      countEntry(budget, context.limits);
      const name = entry.header.name;
      const type = entry.header.type ?? 'file';
      const member = { ...location, members: [...location.members, name] };
      if (type === 'file' || type === 'contiguous-file') {
        if (isUnsafeMemberName(name)) unsafe(member, context);
        else if (!context.isExcluded(name))
          bytes += await scanStream(
            entry as unknown as AsyncIterable<Buffer>,
            member,
            depth + 1,
            budget,
            context,
          );
      }
      entry.resume();
    }
  } finally {
    input.destroy();
    extract.destroy();
  }
  return bytes;
}

const ZIP_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  decodeStrings: false,
  validateEntrySizes: true,
};

async function scanNestedZip(
  source: AsyncIterable<Buffer>,
  location: Location,
  depth: number,
  budget: Budget,
  context: StreamContext,
): Promise<number> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > context.limits.maxNestedZipBytes) {
      context.skipped.push({
        path: safeText(where(location), context.detector),
        reason: `nested zip larger than ${context.limits.maxNestedZipBytes} bytes: not opened`,
      });
      return 0;
    }
    chunks.push(chunk);
  }
  const zip = await (await loadYauzl()).fromBufferPromise(Buffer.concat(chunks), ZIP_OPTIONS);
  return scanZip(zip, location, depth, budget, context);
}

/** Opens the zip file whose descriptor is `fd` (already checked to be a regular file). */
export async function scanZipFd(
  fd: number,
  location: Location,
  budget: Budget,
  context: StreamContext,
): Promise<number> {
  // A zip on disk is the first layer, as a gzip or tar on disk is: `--max-depth 0` opens none.
  if (context.limits.maxDepth <= 0) {
    context.skipped.push({
      path: safeText(where(location), context.detector),
      reason: `zip archive nested more than ${context.limits.maxDepth} layers deep: not opened (--max-depth)`,
    });
    return 0;
  }
  try {
    const zip = await (await loadYauzl()).fromFdPromise(fd, ZIP_OPTIONS);
    // The caller owns the descriptor: closing this zip would close it.
    return await scanZip(zip, location, 0, budget, context, false);
  } catch (error) {
    if (error instanceof ArchiveBombError) throw error;
    context.skipped.push({
      path: safeText(where(location), context.detector),
      reason: `broken zip archive (${safeText(messageOf(error), context.detector)}): the rest of it is not scanned`,
    });
    return 0;
  }
}

/**
 * A member's bytes. Deflated members are inflated here rather than by yauzl, with the larger
 * output chunks (`INFLATE_CHUNK`), and their size is checked as yauzl's `validateEntrySizes`
 * would: a member that inflates to more or less than it declares is an error.
 */
async function openMember(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  if (entry.compressionMethod !== 8 || entry.isEncrypted()) return zip.openReadStreamPromise(entry);
  const raw = await zip.openReadStreamPromise(entry, { decompress: false });
  const declared = entry.uncompressedSize;
  const inflate = createInflateRaw({ chunkSize: INFLATE_CHUNK });
  raw.on('error', (error) => inflate.destroy(error));
  raw.pipe(inflate);
  const checked = (async function* () {
    let total = 0;
    try {
      for await (const chunk of inflate as AsyncIterable<Buffer>) {
        total += chunk.length;
        if (total > declared)
          throw new Error(
            `too many bytes in the stream. expected ${declared}. got at least ${total}`,
          );
        yield chunk;
      }
      if (total < declared)
        throw new Error(`not enough bytes in the stream. expected ${declared}. got only ${total}`);
    } finally {
      raw.destroy();
      inflate.destroy();
    }
  })();
  return Readable.from(checked, { objectMode: false });
}

async function scanZip(
  zip: yauzl.ZipFile,
  location: Location,
  depth: number,
  budget: Budget,
  context: StreamContext,
  close = true,
): Promise<number> {
  const limits = context.limits;
  let bytes = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      countEntry(budget, limits);
      const raw = entry.fileName as unknown as Buffer;
      const name =
        (entry.generalPurposeBitFlag & 0x800) !== 0 ? raw.toString('utf8') : raw.toString('latin1');
      const member = { ...location, members: [...location.members, name] };
      if (name.endsWith('/')) continue;
      if (isUnsafeMemberName(name)) {
        unsafe(member, context);
        continue;
      }
      if (context.isExcluded(name)) continue;
      if (entry.isEncrypted()) {
        context.skipped.push({
          path: safeText(where(member), context.detector),
          reason: 'encrypted zip member: not scanned',
        });
        continue;
      }
      const declared = entry.uncompressedSize;
      if (declared > RATIO_GRACE && declared > limits.maxRatio * Math.max(entry.compressedSize, 1))
        throw new ArchiveBombError(
          `${safeText(name, context.detector)} declares ${declared} bytes from ${entry.compressedSize} (more than ${limits.maxRatio} times, --max-ratio)`,
        );
      if (budget.expanded + declared > limits.maxExpandedBytes)
        throw new ArchiveBombError(
          `expands to more than ${limits.maxExpandedBytes} bytes (--max-expanded)`,
        );
      let stream: Readable;
      try {
        stream = await openMember(zip, entry);
      } catch (error) {
        context.skipped.push({
          path: safeText(where(member), context.detector),
          reason: `cannot read zip member (${safeText(messageOf(error), context.detector)})`,
        });
        continue;
      }
      let crc = 0;
      let complete = false;
      const counted = (async function* () {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          charge(budget, chunk.length, limits, member);
          if (checkCrc) crc = zlib.crc32(chunk, crc);
          yield chunk;
        }
        complete = true;
      })();
      try {
        bytes += await scanStream(counted, member, depth + 1, budget, context);
      } catch (error) {
        // A member that fails in its first bytes (bad deflate data, a lying size) is this
        // member's fault: the other members are still scanned.
        if (error instanceof ArchiveBombError) throw error;
        context.skipped.push({
          path: safeText(where(member), context.detector),
          reason: `broken zip member (${safeText(messageOf(error), context.detector)}): not scanned`,
        });
        continue;
      } finally {
        stream.destroy();
      }
      // yauzl checks sizes, not CRC-32: content that was changed in place is caught here.
      if (complete && checkCrc && crc !== entry.crc32)
        context.skipped.push({
          path: safeText(where(member), context.detector),
          reason:
            'broken zip member (CRC-32 mismatch): its content is not what the archive recorded; findings may be incomplete',
        });
    }
  } finally {
    if (close) zip.close();
  }
  return bytes;
}

function charge(budget: Budget, bytes: number, limits: ScanLimits, _location: Location): void {
  budget.expanded += bytes;
  if (budget.expanded > limits.maxExpandedBytes)
    throw new ArchiveBombError(
      `expands to more than ${limits.maxExpandedBytes} bytes (--max-expanded)`,
    );
}

function countEntry(budget: Budget, limits: ScanLimits): void {
  budget.entries++;
  if (budget.entries > limits.maxEntries)
    throw new ArchiveBombError(`holds more than ${limits.maxEntries} members (--max-entries)`);
}

function unsafe(member: Location, context: StreamContext): void {
  context.skipped.push({
    path: safeText(where(member), context.detector),
    reason: 'unsafe member name (absolute, or climbs out with ..): not scanned',
  });
}

async function peek(
  source: AsyncIterable<Buffer>,
  bytes: number,
): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  const rest = (async function* () {
    if (head.length) yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    }
  })();
  return { head, rest };
}

export function messageOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
