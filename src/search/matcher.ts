/**
 * A multi-pattern byte matcher: Wu–Manber with 2-byte blocks.
 *
 * Every pattern is keyed by its last `m` bytes, `m` being the shortest pattern's length (capped
 * at 32). A 65,536-entry shift table, indexed directly by the two bytes ending at the current
 * position, says how far the scan may jump before a key could end there; where it says 0, the
 * patterns whose key ends with those two bytes are verified byte by byte, backwards from the
 * end. On text and binary data with ~300 needles this reads about 1 GB/s on one core, three to
 * four times what an Aho–Corasick DFA over bytes does in JavaScript (both measured on this
 * code's target machine), because most positions are jumped over, not visited.
 *
 * Keying on the *end* of each pattern matters: JWTs issued by one lab share their first ~80
 * characters (header, issuer), but end in a random signature.
 *
 * Case-insensitive patterns (user codes typed back in another case) are stored lower-case; their
 * blocks are entered in the tables in every case combination, and verification folds ASCII
 * letters.
 */
import { JUMP_WINDOW, WasmJump } from './jump.ts';

export interface PatternSpec {
  bytes: Uint8Array;
  /** ASCII letters match in either case. */
  caseInsensitive: boolean;
  /** For case-insensitive patterns: an exact spelling that is not reported (another pattern's). */
  except?: Uint8Array | undefined;
  /**
   * Where the pattern's key ends (exclusive; default: the pattern's end). The matcher finds a
   * pattern by its key, the `keyLength` bytes before this: pick the piece ordinary data holds
   * least. A match is then reported when its key ends at `from` or later.
   */
  keyEnd?: number | undefined;
}

/** Called for every match: the pattern's index and the index of its first byte in the buffer. */
export type MatchCallback = (pattern: number, start: number) => void;

const MAX_KEY = 32;
const TABLE = 1 << 16;
/** Ranges at least this long are scanned with four cursors. */
const FOUR_CURSORS_FROM = 4096;
/** Positions the four-cursor loop collects before they are checked. */
const FOUND_BATCH = 1024;

export class Matcher {
  /** Key length: the shortest pattern, at most 32. */
  readonly keyLength: number;
  readonly minLength: number;
  readonly maxLength: number;
  readonly patternCount: number;
  readonly #shift: Uint8Array;
  /** 1 for the blocks found just before a key's last block. */
  readonly #before: Uint8Array;
  /** CSR buckets by the 2-byte block that ends a key: pattern indexes. */
  readonly #bucketStart: Uint32Array;
  readonly #bucketItems: Uint32Array;
  readonly #patterns: Uint8Array[];
  /** Per case-insensitive pattern: 0x20 where the byte is a letter, else 0. */
  readonly #fold: (Uint8Array | undefined)[];
  readonly #except: (Uint8Array | undefined)[];
  /** Per pattern: where its key ends. */
  readonly #keyEnd: Int32Array;
  /** The four-cursor loop's state: where each cursor is, where its quarter ends, what it found. */
  readonly #cursors = new Int32Array(4);
  readonly #ends = new Int32Array(4);
  readonly #found = new Int32Array(FOUND_BATCH);
  /** The jump loop in WebAssembly (./jump.ts): made at the first long range; null without. */
  #wasm: WasmJump | null | undefined;

  /** `wasm: false` keeps the JavaScript jump loop (tests compare the two). */
  constructor(patterns: readonly PatternSpec[], options: { wasm?: boolean } = {}) {
    if (options.wasm === false) this.#wasm = null;
    this.patternCount = patterns.length;
    const lengths = patterns.map((p) => p.bytes.length);
    this.minLength = lengths.length ? Math.min(...lengths) : 0;
    this.maxLength = lengths.length ? Math.max(...lengths) : 0;
    if (patterns.length && this.minLength < 2)
      throw new RangeError('patterns must be at least 2 bytes');
    const m = Math.min(this.minLength, MAX_KEY);
    this.keyLength = m;

    this.#patterns = patterns.map((p) => (p.caseInsensitive ? toLower(p.bytes) : p.bytes));
    this.#fold = patterns.map((p) => (p.caseInsensitive ? foldMask(p.bytes) : undefined));
    this.#except = patterns.map((p) => (p.caseInsensitive ? p.except : undefined));
    this.#keyEnd = Int32Array.from(patterns, (p) => {
      const keyEnd = p.keyEnd ?? p.bytes.length;
      if (keyEnd < m || keyEnd > p.bytes.length) throw new RangeError('keyEnd out of range');
      return keyEnd;
    });

    const shift = new Uint8Array(TABLE).fill(Math.max(m - 1, 0));
    const bucketCounts = new Uint32Array(TABLE + 1);
    const ends: number[][] = [];
    for (const [index, bytes] of this.#patterns.entries()) {
      const ci = this.#fold[index] !== undefined;
      const key = this.#key(index, bytes);
      for (let j = 1; j < m; j++) {
        const distance = m - 1 - j;
        for (const block of blocks(at(key, j - 1), at(key, j), ci)) {
          if (distance < at(shift, block)) shift[block] = distance;
        }
      }
      const last = blocks(at(key, m - 2), at(key, m - 1), ci);
      ends.push(last);
      for (const block of last) bucketCounts[block + 1] = at(bucketCounts, block + 1) + 1;
    }
    for (let i = 1; i <= TABLE; i++)
      bucketCounts[i] = at(bucketCounts, i) + at(bucketCounts, i - 1);
    const items = new Uint32Array(at(bucketCounts, TABLE));
    const fill = bucketCounts.slice(0, TABLE);
    for (const [index, last] of ends.entries()) {
      for (const block of last) {
        const slot = at(fill, block);
        items[slot] = index;
        fill[block] = slot + 1;
      }
    }
    // A second look before the buckets: the two bytes before a key's last two. (Keys shorter
    // than 4 bytes would have none: every block passes then.)
    const before = new Uint8Array(TABLE).fill(m < 4 ? 1 : 0);
    if (m >= 4) {
      for (const [index, bytes] of this.#patterns.entries()) {
        const key = this.#key(index, bytes);
        const ci = this.#fold[index] !== undefined;
        for (const block of blocks(at(key, m - 4), at(key, m - 3), ci)) before[block] = 1;
      }
    }
    this.#before = before;
    this.#shift = shift;
    this.#bucketStart = bucketCounts;
    this.#bucketItems = items;
  }

  #key(index: number, bytes: Uint8Array): Uint8Array {
    const keyEnd = this.#keyEnd[index] as number;
    return bytes.subarray(keyEnd - this.keyLength, keyEnd);
  }

  /**
   * Reports every occurrence that lies inside `buffer[0, end)` and whose last byte (its key's
   * last byte, for a pattern keyed inside) is at index `from` or later, in ascending order of
   * that byte. Verification may read before `from` (down to 0): a caller scanning a stream in
   * windows keeps the last `maxLength - 1` bytes of one window at the start of the next and
   * passes their count as `from`, so each occurrence is reported exactly once.
   */
  scan(buffer: Uint8Array, from: number, end: number, onMatch: MatchCallback): void {
    if (this.patternCount === 0) return;
    const limit = Math.min(end, buffer.length);
    const first = Math.max(from, this.keyLength - 1);
    if (first >= limit) return;
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (limit - first < FOUR_CURSORS_FROM) {
      this.#scanRange(view, buffer, first, limit, limit, onMatch);
      return;
    }
    // Four cursors, one per quarter, stepped together: each jump waits on a table lookup that
    // waits on the bytes it jumped to, and four independent chains keep the CPU busy where one
    // would wait (about 2x on this code's target machine). The jump loop only collects the
    // positions where a key may end; they are checked here, apart, so the loop stays small and
    // V8 optimizes it once. Later quarters' matches are held and reported after the first's, so
    // the order stays ascending.
    const quarter = (limit - first) >> 2;
    const ends = this.#ends;
    ends[0] = first + quarter;
    ends[1] = ends[0] + quarter;
    ends[2] = ends[1] + quarter;
    ends[3] = limit;
    const cursors = this.#cursors;
    cursors[0] = first;
    cursors[1] = ends[0];
    cursors[2] = ends[1];
    cursors[3] = ends[2];
    const held: number[][] = [[], [], []];
    const hold: MatchCallback[] = held.map((list) => (pattern, start) => list.push(pattern, start));
    const found = this.#found;
    const wasm = limit - first + 3 <= JUMP_WINDOW ? this.#wasmJump() : undefined;
    wasm?.load(buffer, first, limit);
    for (;;) {
      const count = wasm
        ? wasm.jumpFour(cursors, ends, found)
        : jumpFour(view, this.#shift, cursors, ends, found);
      for (let k = 0; k < count; k++) {
        const at = found[k] as number;
        const part =
          at < (ends[0] as number)
            ? 0
            : at < (ends[1] as number)
              ? 1
              : at < (ends[2] as number)
                ? 2
                : 3;
        this.#candidate(
          view,
          buffer,
          at,
          limit,
          part === 0 ? onMatch : (hold[part - 1] as MatchCallback),
        );
      }
      if (
        (cursors[0] as number) >= (ends[0] as number) ||
        (cursors[1] as number) >= (ends[1] as number) ||
        (cursors[2] as number) >= (ends[2] as number) ||
        (cursors[3] as number) >= limit
      )
        break;
    }
    for (let part = 0; part < 4; part++) {
      const at = cursors[part] as number;
      const stop = ends[part] as number;
      if (at < stop)
        this.#scanRange(
          view,
          buffer,
          at,
          stop,
          limit,
          part === 0 ? onMatch : (hold[part - 1] as MatchCallback),
        );
    }
    for (const list of held)
      for (let k = 0; k < list.length; k += 2) onMatch(list[k] as number, list[k + 1] as number);
  }

  #wasmJump(): WasmJump | undefined {
    if (this.#wasm === undefined) this.#wasm = WasmJump.create(this.#shift, this.#before) ?? null;
    return this.#wasm ?? undefined;
  }

  /** Which jump loop long ranges take: `webassembly`, or `javascript` where it cannot run. */
  get jumpLoop(): 'webassembly' | 'javascript' {
    return this.#wasmJump() ? 'webassembly' : 'javascript';
  }

  /**
   * One cursor over the key ends in `[from, limit)` (`from` is at least keyLength − 1); matches
   * must end before `end`.
   */
  #scanRange(
    view: DataView,
    buffer: Uint8Array,
    from: number,
    limit: number,
    end: number,
    onMatch: MatchCallback,
  ): void {
    const shift = this.#shift;
    let i = from;
    for (;;) {
      i = skip(view, shift, i, limit);
      if (i >= limit) return;
      this.#candidate(view, buffer, i, end, onMatch);
      i++;
    }
  }

  /** Position `i` may end a key (shift 0): checks the block before, then the bucket. */
  #candidate(
    view: DataView,
    buffer: Uint8Array,
    i: number,
    end: number,
    onMatch: MatchCallback,
  ): void {
    if (this.keyLength >= 4 && this.#before[view.getUint16(i - 3)] === 0) return;
    const block = view.getUint16(i - 1);
    const starts = this.#bucketStart;
    const items = this.#bucketItems;
    const stop = starts[block + 1] as number;
    for (let k = starts[block] as number; k < stop; k++) {
      const index = items[k] as number;
      const start = this.#verify(index, buffer, i, end);
      if (start >= 0) onMatch(index, start);
    }
  }

  /**
   * The start index when pattern `index`'s key ends at `keyLast` (its last 2 bytes already
   * match) and the whole pattern lies before `end`, or -1.
   */
  #verify(index: number, buffer: Uint8Array, keyLast: number, end: number): number {
    const pattern = this.#patterns[index] as Uint8Array;
    const length = pattern.length;
    const start = keyLast - (this.#keyEnd[index] as number) + 1;
    if (start < 0 || start + length > end) return -1;
    const fold = this.#fold[index];
    if (fold === undefined) {
      for (let j = length - 1; j >= 0; j--) {
        if (buffer[start + j] !== pattern[j]) return -1;
      }
      return start;
    }
    for (let j = length - 1; j >= 0; j--) {
      if (((buffer[start + j] as number) | (fold[j] as number)) !== pattern[j]) return -1;
    }
    const except = this.#except[index];
    if (except !== undefined && except.length === length) {
      let same = true;
      for (let j = 0; j < length; j++) {
        if (buffer[start + j] !== except[j]) {
          same = false;
          break;
        }
      }
      if (same) return -1;
    }
    return start;
  }
}

/**
 * Steps the four cursors until one reaches the end of its quarter or `found` is nearly full;
 * returns how many positions (where a key may end) it put in `found`.
 */
function jumpFour(
  view: DataView,
  shift: Uint8Array,
  cursors: Int32Array,
  ends: Int32Array,
  found: Int32Array,
): number {
  let a = cursors[0] as number;
  let b = cursors[1] as number;
  let c = cursors[2] as number;
  let d = cursors[3] as number;
  const endA = ends[0] as number;
  const endB = ends[1] as number;
  const endC = ends[2] as number;
  const endD = ends[3] as number;
  const room = found.length - 4;
  let count = 0;
  while (a < endA && b < endB && c < endC && d < endD && count < room) {
    const sa = shift[view.getUint16(a - 1)] as number;
    const sb = shift[view.getUint16(b - 1)] as number;
    const sc = shift[view.getUint16(c - 1)] as number;
    const sd = shift[view.getUint16(d - 1)] as number;
    if (sa === 0) found[count++] = a++;
    else a += sa;
    if (sb === 0) found[count++] = b++;
    else b += sb;
    if (sc === 0) found[count++] = c++;
    else c += sc;
    if (sd === 0) found[count++] = d++;
    else d += sd;
  }
  cursors[0] = a;
  cursors[1] = b;
  cursors[2] = c;
  cursors[3] = d;
  return count;
}

/**
 * The hot loop, kept small so V8 keeps it tight: from `i`, jumps by the shift table until a
 * position where a key may end (shift 0), or `limit`.
 */
function skip(view: DataView, shift: Uint8Array, from: number, limit: number): number {
  let i = from;
  while (i < limit) {
    // Big-endian: the byte before `i` is the high byte, as the tables are indexed.
    const distance = shift[view.getUint16(i - 1)] as number;
    if (distance === 0) return i;
    i += distance;
  }
  return i;
}

function at(array: ArrayLike<number>, index: number): number {
  return array[index] as number;
}

function isLetter(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

function toLower(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => (isLetter(b) ? b | 0x20 : b));
}

function foldMask(bytes: Uint8Array): Uint8Array {
  return bytes.map((b) => (isLetter(b) ? 0x20 : 0));
}

/** The table indexes of the block (a, b): one, or up to four case spellings. */
function blocks(a: number, b: number, caseInsensitive: boolean): number[] {
  const as = caseInsensitive && isLetter(a) ? [a | 0x20, a & ~0x20] : [a];
  const bs = caseInsensitive && isLetter(b) ? [b | 0x20, b & ~0x20] : [b];
  return as.flatMap((x) => bs.map((y) => (x << 8) | y));
}
