/**
 * Scans a byte stream of any kind (text, binary, invalid UTF-8, NUL bytes) for credentials,
 * chunk by chunk, never holding more than one chunk plus one line (capped) in memory.
 *
 * Text is searched as latin1 (one character per byte, so every byte sequence is valid and
 * indexes are byte offsets); ASCII tokens inside UTF-16LE strings of binary data (crash dumps,
 * Windows logs) are searched too. Lines are counted across chunks; columns are 1-based and count
 * characters as a UTF-8 decoder shows the line (an invalid byte is one U+FFFD). A line longer than
 * `maxLineBytes` is searched in overlapping windows, and said so.
 */

import { isAscii } from 'node:buffer';
import type { CanaryEncoding } from '../evidence/model.ts';
import type { CanaryKind } from '../evidence/names.ts';
import type { Fingerprint } from '../evidence/secret.ts';
import { fingerprint, preview } from '../evidence/secret.ts';
import type { BaseFinding, Severity } from '../findings/index.ts';
import { type JwtClaims, jwtClaims } from '../jwt.ts';
import type { NeedleSet } from '../search/needles.ts';
import { countNewlines } from '../search/newlines.ts';
import { engineFor } from './detect.ts';
import { RULES } from './rules/index.ts';
import type { Rule } from './rules/types.ts';

/** One credential found, already redacted: the value itself is gone. */
export interface Detection extends BaseFinding {
  rule: string;
  severity: Severity;
  line: number;
  column: number;
  fingerprint: Fingerprint;
  preview: string;
  /** How the value was written, when not plain text. */
  encoding?: CanaryEncoding;
  /** For a canary: what the lab issued it as. */
  kind?: CanaryKind;
  jwt?: JwtClaims;
}

/** What to look for: the rules, or the exact values of a canary list. */
export type Detector =
  | { type: 'rules'; rules: readonly Rule[] }
  | { type: 'canaries'; needles: NeedleSet };

export const RULES_DETECTOR: Detector = { type: 'rules', rules: RULES };

export interface ContentOptions {
  maxLineBytes: number;
  /** Bytes kept between windows of a long line: longer tokens across a window edge are missed. */
  overlapBytes: number;
  maxFindings: number;
  now?: number;
}

export const DEFAULT_CONTENT_OPTIONS: ContentOptions = {
  maxLineBytes: 1024 * 1024,
  overlapBytes: 16 * 1024,
  maxFindings: 1000,
};

/** A finding in a block: byte offsets inside it. */
interface BlockHit extends Omit<Detection, 'line' | 'column'> {
  start: number;
}

const EMPTY = Buffer.alloc(0);

export class ContentScanner {
  readonly detections: Detection[] = [];
  /** Notes for the skipped list: long lines, too many findings. */
  readonly notes: string[] = [];
  bytes = 0;
  readonly #detector: Detector;
  readonly #options: ContentOptions;
  #carry: Buffer = EMPTY;
  /** Line number of the carry's first byte. */
  #line = 1;
  /** Code points of the carry's line that come before the carry (long lines). */
  #columnBase = 0;
  #longLineNoted = false;
  #full = false;

  constructor(detector: Detector = RULES_DETECTOR, options: Partial<ContentOptions> = {}) {
    this.#detector = detector;
    this.#options = { ...DEFAULT_CONTENT_OPTIONS, ...options };
    const overlap = detector.type === 'canaries' ? detector.needles.maxLength : 0;
    if (this.#options.overlapBytes < overlap) this.#options.overlapBytes = overlap;
  }

  /**
   * Scans `chunk`. Whole lines are scanned where they lie, without a copy; only the unfinished
   * line at the end is copied (the caller may reuse `chunk` once this returns).
   */
  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    let rest = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#carry.length) {
      const newline = rest.indexOf(10);
      if (newline === -1) {
        this.#extendLine(rest);
        return;
      }
      this.#lines(Buffer.concat([this.#carry, rest.subarray(0, newline + 1)]));
      this.#carry = EMPTY;
      rest = rest.subarray(newline + 1);
    }
    const lastNewline = rest.lastIndexOf(10);
    if (lastNewline === -1) {
      this.#extendLine(rest);
      return;
    }
    this.#lines(rest.subarray(0, lastNewline + 1));
    this.#carry = Buffer.from(rest.subarray(lastNewline + 1));
  }

  /** Whole lines (the block ends with a newline). */
  #lines(block: Buffer): void {
    this.#scanBlock(block, block.length);
    this.#line += countNewlines(block);
    this.#columnBase = 0;
  }

  /** More of the unfinished line (`part` holds no newline). */
  #extendLine(part: Buffer): void {
    const data = this.#carry.length ? Buffer.concat([this.#carry, part]) : part;
    const { maxLineBytes, overlapBytes } = this.#options;
    if (data.length <= maxLineBytes + overlapBytes) {
      this.#carry = data === part ? Buffer.from(part) : data;
      return;
    }
    // A long line: search what we have, report what will not be seen again.
    if (!this.#longLineNoted) {
      this.#longLineNoted = true;
      this.notes.push(
        `line ${this.#line} is longer than ${maxLineBytes} bytes: searched in overlapping windows (a token longer than ${overlapBytes} bytes across a window edge may be missed)`,
      );
    }
    const limit = data.length - overlapBytes;
    this.#scanBlock(data, limit);
    this.#columnBase += codePoints(data, 0, limit);
    this.#carry = Buffer.from(data.subarray(limit));
  }

  end(): void {
    if (this.#carry.length) this.#scanBlock(this.#carry, this.#carry.length);
    this.#carry = EMPTY;
  }

  /** Searches `block`; reports hits that start before `limit`. */
  #scanBlock(block: Buffer, limit: number): void {
    if (this.#full) return;
    const hits = this.#find(block).filter((hit) => hit.start < limit);
    if (!hits.length) return;
    hits.sort((a, b) => a.start - b.start);
    // Lines by native newline search between hits; columns from the hit's line start.
    let line = this.#line;
    let lineStart = 0;
    let at = 0;
    for (const { start, ...hit } of hits) {
      for (
        let nl = block.indexOf(10, at);
        nl !== -1 && nl < start;
        nl = block.indexOf(10, nl + 1)
      ) {
        line++;
        lineStart = nl + 1;
      }
      at = start;
      if (this.detections.length >= this.#options.maxFindings) {
        this.#full = true;
        this.notes.push(
          `more than ${this.#options.maxFindings} findings: the rest of this file is not reported`,
        );
        return;
      }
      const base = lineStart === 0 ? this.#columnBase : 0;
      this.detections.push({
        ...hit,
        line,
        column: base + codePoints(block, lineStart, start) + 1,
      });
    }
  }

  #find(block: Buffer): BlockHit[] {
    const detector = this.#detector;
    if (detector.type === 'canaries') {
      const hits: BlockHit[] = [];
      detector.needles.matcher.scan(block, 0, block.length, (pattern, start) => {
        const needle = detector.needles.needles[pattern];
        if (!needle) return;
        hits.push({
          rule: 'canary',
          severity: needle.canary.kind === 'user_code' ? 'low' : 'high',
          fingerprint: needle.canary.fingerprint,
          preview: needle.canary.preview,
          encoding: needle.encoding,
          kind: needle.canary.kind,
          start,
        });
      });
      return hits;
    }
    const now = this.#options.now ?? Date.now();
    return engineFor(detector.rules)
      .find(block)
      .map((match) => ({
        ...toHit(match.rule, match.value, match.start, now),
        ...(match.utf16 && { encoding: 'utf16le' as const }),
      }));
  }
}

function toHit(rule: Rule, value: string, start: number, now: number): BlockHit {
  const claims = rule.id === 'jwt' ? jwtClaims(value, now) : undefined;
  return {
    rule: rule.id,
    severity: rule.severity,
    fingerprint: fingerprint(value),
    preview: preview(value),
    ...(claims && { jwt: claims }),
    start,
  };
}

const utf8 = new TextDecoder('utf-8');

/**
 * Characters in `block[from, to)` as a UTF-8 decoder (an editor) shows them: each invalid byte
 * (a stray continuation byte, an overlong form) is one U+FFFD.
 */
function codePoints(block: Buffer, from: number, to: number): number {
  if (to <= from) return 0;
  const bytes = block.subarray(from, to);
  if (isAscii(bytes)) return bytes.length;
  const text = utf8.decode(bytes);
  let count = text.length;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) count--;
  }
  return count;
}
