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
import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { decodeContent } from '../content-coding.ts';
import { UsageError } from '../errors.ts';
import type { HttpExchange } from './observe.ts';

const CHUNK_BYTES = 1024 * 1024;
/** An entry larger than this is skipped (a 2 GB body cannot be searched in memory). */
export const MAX_ENTRY_BYTES = 64 * 1024 * 1024;
/** A string of an entry longer than this (as written) is left in the file, not parsed. */
export const INLINE_STRING_BYTES = 64 * 1024;
/** A deferred request body up to this size is read back and searched; a longer one is not. */
export const MAX_DEFERRED_BODY_BYTES = 8 * 1024 * 1024;

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
  /** An entry longer than this, long strings left out, is skipped. */
  maxEntryBytes?: number;
  /** Strings longer than this stay in the file (tests make it small). */
  inlineStringBytes?: number;
}

/**
 * Yields every entry of `log.entries` in file order. A file that is not JSON, or has no
 * `log.entries` array, is a usage error naming the file (and line); a single entry that is
 * malformed is yielded with a `problem` instead, so one bad entry does not hide the rest.
 *
 * Inside an entry, a string longer than `INLINE_STRING_BYTES` (a page, a script, an image, a
 * 2 GB `text`) is not copied: it is skipped at `indexOf` speed and stands in the parsed entry
 * as a placeholder, to be read back from the file only where a field is needed (a request body
 * up to `MAX_DEFERRED_BODY_BYTES`, searched for a flow's credentials). Device-flow answers are
 * small; they are never deferred.
 */
export async function* harEntries(
  file: string,
  options: HarReadOptions = {},
): AsyncGenerator<HarEntry> {
  const maxEntryBytes = options.maxEntryBytes ?? MAX_ENTRY_BYTES;
  const inline = options.inlineStringBytes ?? INLINE_STRING_BYTES;
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read: ${error.code ?? error.message}`, { file });
  });
  try {
    const reader = new EntryScanner(file, handle.fd, maxEntryBytes, inline);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      for (const entry of reader.feed(buffer.subarray(0, bytesRead))) yield entry;
    }
    reader.end();
  } finally {
    await handle.close();
  }
}

/** A string of an entry left in the file, by its place there (quotes included). */
interface Deferred {
  offset: number;
  length: number;
}

const PLACEHOLDER = 'devicebound-deferred-';

/** A string being read: where it began (file offset), and what of it is kept so far. */
interface StringState {
  start: number;
  head: Buffer[];
  headLength: number;
  /** Too long: left in the file. */
  deferred: boolean;
  /** The chunk ended on a backslash: the next byte is escaped. */
  escaped: boolean;
  /** Outside `log.entries` (a key or a value of the HAR's own structure). */
  outside: boolean;
}

/** The entry being read. */
interface EntryState {
  depth: number;
  parts: Buffer[];
  size: number;
  line: number;
  tooLarge: boolean;
  deferred: Deferred[];
}

/**
 * The byte scanner: outside `log.entries` it follows the whole structure (keys included, to
 * find `log.entries`); inside, strings are found with `indexOf` and brackets counted.
 */
class EntryScanner {
  readonly #file: string;
  readonly #fd: number;
  readonly #maxEntryBytes: number;
  readonly #inline: number;
  /** Bytes before the current chunk. */
  #base = 0;
  #line = 1;
  // Outside entries.
  readonly #stack: number[] = [];
  readonly #keys: string[] = [];
  #expectKey = false;
  #keyBytes: number[] | undefined;
  #entriesDepth = -1;
  #sawEntries = false;
  #scalarReported = false;
  // A string being read: where it began (file offset), how it is being kept.
  #string: StringState | undefined;
  // The entry being read.
  #entry: EntryState | undefined;
  #index = 0;

  constructor(file: string, fd: number, maxEntryBytes: number, inline: number) {
    this.#file = file;
    this.#fd = fd;
    this.#maxEntryBytes = maxEntryBytes;
    this.#inline = inline;
  }

  /** An entry of `log.entries` that is a string, number or literal: noted once, as one entry. */
  #reportScalar(done: HarEntry[]): void {
    if (this.#scalarReported) return;
    done.push({
      index: this.#index++,
      line: this.#line,
      exchange: undefined,
      problem: 'not an object',
    });
    this.#scalarReported = true;
  }

  feed(chunk: Buffer): HarEntry[] {
    const done: HarEntry[] = [];
    let i = 0;
    let segment = 0; // start of entry bytes in this chunk not yet kept
    const keep = (from: number, to: number) => {
      const entry = this.#entry;
      if (!entry || to <= from) return;
      entry.size += to - from;
      if (entry.size > this.#maxEntryBytes) {
        entry.tooLarge = true;
        entry.parts.length = 0;
      }
      if (!entry.tooLarge) entry.parts.push(Buffer.from(chunk.subarray(from, to)));
    };
    const length = chunk.length;
    while (i < length) {
      if (this.#string) {
        const from = i;
        const end = this.#stringEnd(chunk, i);
        if (end < 0) {
          if (this.#string.outside) this.#holdKey(chunk.subarray(from));
          i = length;
          break;
        }
        i = end + 1;
        if (this.#string.outside) this.#closeOutsideString(chunk.subarray(from, end));
        else segment = this.#closeString(segment, end, keep);
        continue;
      }
      const byte = chunk[i] as number;
      if (byte === NEWLINE) this.#line++;
      if (this.#entry) {
        if (byte === QUOTE) {
          keep(segment, i);
          segment = i;
          this.#string = {
            start: this.#base + i,
            head: [],
            headLength: 0,
            deferred: false,
            escaped: false,
            outside: false,
          };
          i++;
          continue;
        }
        if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) this.#entry.depth++;
        else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
          this.#entry.depth--;
          if (this.#entry.depth === 0) {
            keep(segment, i + 1);
            done.push(this.#finishEntry());
            segment = i + 1;
          }
        }
        i++;
        continue;
      }
      this.#outside(byte, i, done);
      if (this.#entry) segment = i; // an entry began at this byte
      i++;
    }
    // What of the entry this chunk still holds: kept, or (inside a string) held back.
    if (this.#entry) {
      if (this.#string && !this.#string.outside) {
        if (!this.#string.deferred) {
          const from = Math.max(segment, this.#string.start - this.#base);
          this.#string.head.push(Buffer.from(chunk.subarray(from)));
          this.#string.headLength += length - from;
          if (this.#string.headLength > this.#inline) this.#defer();
        }
      } else keep(segment, length);
    }
    this.#base += length;
    return done;
  }

  end(): void {
    if (this.#stack.length > 0 || this.#string || this.#entry) {
      throw new UsageError(
        this.#entry
          ? `the file ends inside log.entries[${this.#index}] (truncated)`
          : 'the file ends before its JSON does (truncated)',
        { file: this.#file, line: this.#line },
      );
    }
    if (!this.#sawEntries) {
      throw new UsageError('not a HAR file: no log.entries array', {
        file: this.#file,
        field: 'log.entries',
      });
    }
  }

  /** The index of the closing quote of the string being read, or -1 past this chunk. */
  #stringEnd(chunk: Buffer, from: number): number {
    const string = this.#string as StringState;
    let j = from;
    if (string.escaped) {
      string.escaped = false;
      j++;
    }
    // Each search runs once per position it passes: a string of many escapes stays linear.
    let quote = chunk.indexOf(QUOTE, j);
    let backslash = chunk.indexOf(BACKSLASH, j);
    for (;;) {
      if (backslash >= 0 && (quote < 0 || backslash < quote)) {
        j = backslash + 2;
        if (j > chunk.length) {
          string.escaped = true;
          return -1;
        }
        if (quote >= 0 && quote < j) quote = chunk.indexOf(QUOTE, j);
        backslash = chunk.indexOf(BACKSLASH, j);
        continue;
      }
      return quote;
    }
  }

  /** A string of an entry ended at `end`: kept whole, or left in the file (a placeholder). */
  #closeString(segment: number, end: number, keep: (from: number, to: number) => void): number {
    const string = this.#string as StringState;
    const entry = this.#entry as EntryState;
    this.#string = undefined;
    const startInChunk = string.start - this.#base;
    const total = this.#base + end + 1 - string.start;
    if (!string.deferred && total <= this.#inline) {
      for (const part of string.head) {
        entry.size += part.length;
        if (!entry.tooLarge) entry.parts.push(part);
      }
      keep(Math.max(segment, startInChunk), end + 1);
      return end + 1;
    }
    entry.deferred.push({ offset: string.start, length: total });
    const placeholder = Buffer.from(`"${PLACEHOLDER}${entry.deferred.length - 1}"`);
    entry.size += placeholder.length;
    if (!entry.tooLarge) entry.parts.push(placeholder);
    return end + 1;
  }

  #defer(): void {
    const string = this.#string as StringState;
    string.deferred = true;
    string.head = [];
    string.headLength = 0;
  }

  /** Bytes of an outside string that go on past this chunk (only a key's are kept). */
  #holdKey(bytes: Buffer): void {
    if (this.#keyBytes && this.#keyBytes.length < 256)
      this.#keyBytes.push(...bytes.subarray(0, 256));
  }

  /** An outside string ended: a key is remembered at its depth. */
  #closeOutsideString(bytes: Buffer): void {
    this.#string = undefined;
    if (!this.#keyBytes) return;
    const key = Buffer.concat([Buffer.from(this.#keyBytes), bytes]).toString('utf8');
    this.#keyBytes = undefined;
    this.#keys[this.#stack.length] = key;
  }

  /** One byte of the structure outside entries. */
  #outside(byte: number, i: number, done: HarEntry[]): void {
    const stack = this.#stack;
    const atEntries = this.#entriesDepth >= 0 && stack.length === this.#entriesDepth;
    if (byte > 0x20 && this.#awaitingValue) {
      this.#awaitingValue = false;
      if (
        stack.length === 2 &&
        this.#keys[2] === 'entries' &&
        this.#keys[1] === 'log' &&
        byte !== OPEN_ARRAY
      ) {
        throw new UsageError('log.entries must be an array', {
          file: this.#file,
          line: this.#line,
          field: 'log.entries',
        });
      }
    }
    switch (byte) {
      case QUOTE:
        if (atEntries) this.#reportScalar(done);
        this.#keyBytes = this.#expectKey ? [] : undefined;
        this.#expectKey = false;
        this.#string = {
          start: this.#base + i,
          head: [],
          headLength: 0,
          deferred: true,
          escaped: false,
          outside: true,
        };
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (atEntries) {
          this.#entry = {
            depth: 1,
            parts: [],
            size: 0,
            line: this.#line,
            tooLarge: false,
            deferred: [],
          };
          return;
        }
        stack.push(byte);
        this.#expectKey = byte === OPEN_OBJECT;
        if (
          byte === OPEN_ARRAY &&
          stack.length === 3 &&
          this.#keys[2] === 'entries' &&
          this.#keys[1] === 'log' &&
          stack[0] === OPEN_OBJECT &&
          stack[1] === OPEN_OBJECT
        ) {
          this.#entriesDepth = stack.length;
          this.#sawEntries = true;
        }
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY: {
        const open = stack.pop();
        if (open === undefined || (open === OPEN_OBJECT) !== (byte === CLOSE_OBJECT)) {
          throw new UsageError('not valid JSON (a bracket does not match)', {
            file: this.#file,
            line: this.#line,
          });
        }
        if (this.#entriesDepth >= 0 && stack.length < this.#entriesDepth) this.#entriesDepth = -1;
        this.#expectKey = false;
        break;
      }
      case COMMA:
        this.#expectKey = stack.at(-1) === OPEN_OBJECT;
        this.#scalarReported = false;
        break;
      case COLON:
        this.#expectKey = false;
        this.#awaitingValue = true;
        break;
      default:
        if (atEntries && byte > 0x20) this.#reportScalar(done);
    }
  }

  #awaitingValue = false;

  #finishEntry(): HarEntry {
    const entry = this.#entry as EntryState;
    this.#entry = undefined;
    const index = this.#index++;
    if (entry.tooLarge) {
      return {
        index,
        line: entry.line,
        exchange: undefined,
        problem: `larger than ${Math.round(this.#maxEntryBytes / 1024 / 1024)} MiB; skipped`,
      };
    }
    let value: unknown;
    try {
      value = JSON.parse(Buffer.concat(entry.parts).toString('utf8'));
    } catch {
      return { index, line: entry.line, exchange: undefined, problem: 'not valid JSON' };
    }
    try {
      return {
        index,
        line: entry.line,
        exchange: exchangeOf(value, index, (text) => this.#load(text, entry.deferred)),
      };
    } catch (error) {
      return { index, line: entry.line, exchange: undefined, problem: (error as Error).message };
    }
  }

  /** A deferred string read back from the file, when it is not longer than `max`. */
  #load(text: string, deferred: Deferred[]): { value: string } | { skipped: number } | undefined {
    if (!text.startsWith(PLACEHOLDER)) return undefined;
    const found = deferred[Number(text.slice(PLACEHOLDER.length))];
    if (!found) return undefined;
    if (found.length > MAX_DEFERRED_BODY_BYTES) return { skipped: found.length };
    const bytes = Buffer.allocUnsafe(found.length);
    readSync(this.#fd, bytes, 0, found.length, found.offset);
    return { value: JSON.parse(bytes.toString('utf8')) as string };
  }
}

/** Reads a deferred string back: its text, how long it was when too long, or undefined. */
type Loader = (text: string) => { value: string } | { skipped: number } | undefined;

/** A HAR entry as an exchange; throws naming the field that is missing or of the wrong type. */
function exchangeOf(entry: unknown, index: number, load: Loader): HttpExchange {
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
  if (requestBody !== undefined) {
    // A long request body (an upload, a telemetry batch) is read back to be searched.
    const loaded = load(requestBody);
    if (loaded) requestBody = 'value' in loaded ? loaded.value : undefined;
  }
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
    ...(typeof root.pageref === 'string' && root.pageref !== '' && { page: root.pageref }),
    startedAt,
    method: string(request.method, 'request.method'),
    url: urlOf(string(request.url, 'request.url'), load),
    requestHeaders,
    requestBody,
    status,
    responseHeaders,
    // A long answer is never a device-flow answer: it stays in the file.
    responseBody:
      typeof content?.text === 'string' && content.text.startsWith(PLACEHOLDER)
        ? undefined
        : bodyOf(content, responseHeaders),
  };
}

/** The URL, read back from the file when it was long enough to be left there. */
function urlOf(url: string, load: Loader): string {
  const loaded = load(url);
  if (!loaded) return url;
  if ('value' in loaded) return loaded.value;
  throw new Error(`request.url: longer than ${MAX_DEFERRED_BODY_BYTES / 1024 / 1024} MiB`);
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
  const coding = headers.find(([name]) => name === 'content-encoding')?.[1];
  // Already decoded by the tool that wrote the HAR, or broken: read as it is.
  const bytes = Buffer.from(content.text, 'base64');
  return decodeContent(bytes, coding).body.toString('utf8');
}
