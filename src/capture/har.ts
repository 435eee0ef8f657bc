/**
 * Reads the entries of a HAR 1.2 file (Chromium and Firefox devtools, mitmproxy `hardump`,
 * Charles, Fiddler) one at a time, however large the file.
 *
 * A byte scanner walks the file in chunks, tracking strings, escapes and nesting, and finds the
 * elements of `log.entries`; each element alone goes through `JSON.parse`. Nothing else of the
 * file is ever built, and only one entry is in memory at a time (at most `maxEntryBytes`; a
 * larger one is skipped with a note naming it). The streaming JSON libraries compared for this
 * (`@streamparser/json`, `stream-json`) built the same entries at 20 and 55 MB/s with 300+ MB
 * resident; this reads at several hundred MB/s in about 100 MB (see the analyze benchmark).
 */
import { open } from 'node:fs/promises';
import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from 'node:zlib';
import { UsageError } from '../errors.ts';
import type { HttpExchange } from './observe.ts';

const CHUNK_BYTES = 1024 * 1024;
/** An entry larger than this is skipped (a 2 GB body cannot be searched in memory). */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
/** A decoded body larger than this is not decoded. */
const MAX_DECODED_BYTES = 32 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const NEWLINE = 0x0a;

export interface HarEntry {
  /** 0-based position in `log.entries`. */
  index: number;
  /** Line of the file the entry starts on, for messages. */
  line: number;
  exchange: HttpExchange | undefined;
  /** Why the entry could not be read, when `exchange` is undefined. */
  problem?: string;
}

export interface HarReadOptions {
  maxEntryBytes?: number;
}

/**
 * Yields every entry of `log.entries` in file order. A file that is not JSON, or has no
 * `log.entries` array, is a usage error naming the file (and line); a single entry that is
 * malformed is yielded with a `problem` instead, so one bad entry does not hide the rest.
 */
export async function* harEntries(
  file: string,
  options: HarReadOptions = {},
): AsyncGenerator<HarEntry> {
  const maxEntryBytes = options.maxEntryBytes ?? MAX_ENTRY_BYTES;
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read: ${error.code ?? error.message}`, { file });
  });
  try {
    // Container stack: 'o' object, 'a' array. `keys[d]` is the last key read at depth d.
    const stack: number[] = [];
    const keys: string[] = [];
    let inString = false;
    let escaped = false;
    let keyBytes: number[] | undefined; // collecting a key (only outside entries)
    let expectKey = false;
    let entriesDepth = -1; // stack depth of the entries array, once found
    let sawEntries = false;
    let index = 0;
    let line = 1;
    let entryParts: Buffer[] | undefined;
    let entrySize = 0;
    let entryLine = 0;
    let entryTooLarge = false;
    let entryStart = -1; // offset in the current chunk where the entry began
    let scalarReported = false; // a non-object element of log.entries was reported
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);

    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      const inEntry = () => entriesDepth >= 0 && stack.length > entriesDepth;
      if (entryParts !== undefined) entryStart = 0;
      const finished: HarEntry[] = [];
      let nextBackslash = -1;
      for (let i = 0; i < bytesRead; i++) {
        const byte = chunk[i] as number;
        if (byte === NEWLINE) line++;
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) {
            inString = false;
            if (keyBytes) {
              keys[stack.length] = Buffer.from(keyBytes).toString('utf8');
              keyBytes = undefined;
            }
          } else if (keyBytes && keyBytes.length < 64) keyBytes.push(byte);
          else if (!keyBytes && inEntry()) {
            // Skip ahead to the next quote or backslash (natively: bodies are long strings; a
            // JSON string holds no raw newline, so no line is skipped).
            if (nextBackslash <= i) {
              nextBackslash = chunk.indexOf(BACKSLASH, i + 1);
              if (nextBackslash < 0) nextBackslash = bytesRead;
            }
            const quote = chunk.indexOf(QUOTE, i + 1);
            i = Math.min(quote < 0 ? bytesRead : quote, nextBackslash) - 1;
          }
          continue;
        }
        switch (byte) {
          case QUOTE:
            inString = true;
            if (expectKey && !inEntry()) keyBytes = [];
            expectKey = false;
            if (entriesDepth >= 0 && stack.length === entriesDepth && !scalarReported) {
              finished.push({ index, line, exchange: undefined, problem: 'not an object' });
              index++;
              scalarReported = true;
            }
            break;
          case OPEN_OBJECT:
          case OPEN_ARRAY: {
            if (entriesDepth >= 0 && stack.length === entriesDepth) {
              // An element of log.entries begins.
              entryParts = [];
              entrySize = 0;
              entryLine = line;
              entryTooLarge = false;
              entryStart = i;
            }
            stack.push(byte);
            expectKey = byte === OPEN_OBJECT;
            if (
              byte === OPEN_ARRAY &&
              stack.length === 3 &&
              keys[2] === 'entries' &&
              keys[1] === 'log' &&
              stack[0] === OPEN_OBJECT &&
              stack[1] === OPEN_OBJECT
            ) {
              entriesDepth = stack.length;
              sawEntries = true;
            } else if (
              byte !== OPEN_ARRAY &&
              stack.length === 3 &&
              keys[2] === 'entries' &&
              keys[1] === 'log'
            ) {
              throw new UsageError('log.entries must be an array', {
                file,
                line,
                field: 'log.entries',
              });
            }
            break;
          }
          case CLOSE_OBJECT:
          case CLOSE_ARRAY: {
            const open = stack.pop();
            if (open === undefined || (open === OPEN_OBJECT) !== (byte === CLOSE_OBJECT)) {
              throw new UsageError('not valid JSON (a bracket does not match)', { file, line });
            }
            if (entriesDepth >= 0 && stack.length === entriesDepth && entryParts) {
              // The element ended at this byte.
              const part = chunk.subarray(Math.max(entryStart, 0), i + 1);
              entrySize += part.length;
              if (!entryTooLarge && entrySize <= maxEntryBytes) entryParts.push(Buffer.from(part));
              finished.push(
                entryOf(
                  entryParts,
                  entryTooLarge || entrySize > maxEntryBytes,
                  index,
                  entryLine,
                  maxEntryBytes,
                ),
              );
              index++;
              entryParts = undefined;
              entryStart = -1;
            }
            if (entriesDepth >= 0 && stack.length < entriesDepth) entriesDepth = -1;
            expectKey = false;
            break;
          }
          case COMMA:
            expectKey = stack.at(-1) === OPEN_OBJECT;
            scalarReported = false;
            break;
          case COLON:
            expectKey = false;
            break;
          default:
            // A number, true, false or null where an entry object should be.
            if (
              entriesDepth >= 0 &&
              stack.length === entriesDepth &&
              byte > 0x20 &&
              !scalarReported
            ) {
              finished.push({ index, line, exchange: undefined, problem: 'not an object' });
              index++;
              scalarReported = true;
            }
        }
      }
      // An entry still open at the chunk's end: keep its bytes (unless too large already).
      if (entryParts !== undefined) {
        const part = chunk.subarray(Math.max(entryStart, 0));
        entrySize += part.length;
        if (entrySize > maxEntryBytes) {
          entryTooLarge = true;
          entryParts.length = 0;
        } else entryParts.push(Buffer.from(part));
      }
      for (const entry of finished) yield entry;
    }
    if (stack.length > 0 || inString) {
      throw new UsageError(
        entryParts !== undefined
          ? `the file ends inside log.entries[${index}] (truncated)`
          : 'the file ends before its JSON does (truncated)',
        { file, line },
      );
    }
    if (!sawEntries) {
      throw new UsageError('not a HAR file: no log.entries array', { file, field: 'log.entries' });
    }
  } finally {
    await handle.close();
  }
}

function entryOf(
  parts: Buffer[],
  tooLarge: boolean,
  index: number,
  line: number,
  maxEntryBytes: number,
): HarEntry {
  if (tooLarge) {
    return {
      index,
      line,
      exchange: undefined,
      problem: `larger than ${Math.round(maxEntryBytes / 1024 / 1024)} MiB; skipped`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    return { index, line, exchange: undefined, problem: 'not valid JSON' };
  }
  try {
    return { index, line, exchange: exchangeOf(value, index) };
  } catch (error) {
    return { index, line, exchange: undefined, problem: (error as Error).message };
  }
}

/** A HAR entry as an exchange; throws naming the field that is missing or of the wrong type. */
function exchangeOf(entry: unknown, index: number): HttpExchange {
  const object = (value: unknown, field: string): Record<string, unknown> => {
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw new Error(`${field}: expected an object`);
    return value as Record<string, unknown>;
  };
  const string = (value: unknown, field: string): string => {
    if (typeof value !== 'string') throw new Error(`${field}: expected a string`);
    return value;
  };
  const root = object(entry, 'entry');
  const request = object(root.request, 'request');
  const response = root.response === undefined ? {} : object(root.response, 'response');
  const startedAt = Date.parse(string(root.startedDateTime, 'startedDateTime'));
  if (!Number.isFinite(startedAt)) throw new Error('startedDateTime: expected an ISO 8601 time');
  const headers = (value: unknown, field: string): [string, string][] => {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new Error(`${field}: expected an array`);
    return value.map((header, i) => {
      const pair = object(header, `${field}[${i}]`);
      return [
        string(pair.name, `${field}[${i}].name`).toLowerCase(),
        typeof pair.value === 'string' ? pair.value : String(pair.value ?? ''),
      ];
    });
  };
  const requestHeaders = headers(request.headers, 'request.headers');
  const responseHeaders = headers(response.headers, 'response.headers');
  const postData =
    request.postData === undefined ? undefined : object(request.postData, 'request.postData');
  let requestBody = typeof postData?.text === 'string' ? postData.text : undefined;
  if (requestBody === undefined && Array.isArray(postData?.params)) {
    requestBody = new URLSearchParams(
      (postData.params as { name?: unknown; value?: unknown }[]).map((p): [string, string] => [
        String(p.name ?? ''),
        String(p.value ?? ''),
      ]),
    ).toString();
  }
  const content =
    response.content === undefined ? undefined : object(response.content, 'response.content');
  const status = typeof response.status === 'number' ? response.status : 0;
  return {
    index,
    startedAt,
    method: string(request.method, 'request.method'),
    url: string(request.url, 'request.url'),
    requestHeaders,
    requestBody,
    status,
    responseHeaders,
    responseBody: bodyOf(content, responseHeaders),
  };
}

/** The response body as text: base64 undone (`content.encoding`), then any content-coding. */
function bodyOf(
  content: Record<string, unknown> | undefined,
  headers: readonly (readonly [string, string])[],
): string | undefined {
  if (!content || typeof content.text !== 'string') return undefined;
  if (content.encoding !== 'base64') return content.text;
  // A credential answer is JSON, a form or text: images, fonts, media and other binary bodies
  // are not decoded (a base64 decode of them is most of a HAR's bytes and says nothing).
  const mime = typeof content.mimeType === 'string' ? content.mimeType.toLowerCase() : '';
  if (/^(image|font|audio|video)\/|^application\/(octet-stream|wasm|pdf|zip)/.test(mime)) {
    return undefined;
  }
  let bytes = Buffer.from(content.text, 'base64');
  const coding = headers
    .find(([name]) => name === 'content-encoding')?.[1]
    ?.trim()
    .toLowerCase();
  const limit = { maxOutputLength: MAX_DECODED_BYTES };
  try {
    if ((coding === 'gzip' || coding === 'x-gzip') && bytes[0] === 0x1f && bytes[1] === 0x8b)
      bytes = gunzipSync(bytes, limit);
    else if (coding === 'deflate') bytes = inflateSync(bytes, limit);
    else if (coding === 'br') bytes = brotliDecompressSync(bytes, limit);
    else if (coding === 'zstd') bytes = zstdDecompressSync(bytes, limit);
  } catch {
    // Already decoded by the tool that wrote the HAR, or broken: searched as it is.
  }
  return bytes.toString('utf8');
}
