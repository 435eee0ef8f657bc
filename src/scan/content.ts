/**
 * Scans a byte stream of any kind (text, binary, invalid UTF-8, NUL bytes) for credentials,
 * chunk by chunk, never holding more than one chunk plus one line (capped) in memory.
 *
 * Text is searched as latin1 (one character per byte, so every byte sequence is valid and
 * indexes are byte offsets); ASCII tokens inside UTF-16LE strings of binary data (crash dumps,
 * Windows logs) are searched too. Lines are counted across chunks; columns are 1-based Unicode
 * code points (UTF-8 continuation bytes are not counted). A line longer than `maxLineBytes` is
 * searched in overlapping windows, and said so.
 */

import type { CanaryEncoding } from '../evidence/model.ts';
import type { Fingerprint } from '../evidence/secret.ts';
import { fingerprint, preview } from '../evidence/secret.ts';
import type { CanaryKind } from '../lab/canaries.ts';
import type { Severity } from '../policy/types.ts';
import type { NeedleSet } from '../search/needles.ts';
import { findSecrets } from './detect.ts';
import { type JwtClaims, jwtClaims } from './jwt.ts';
import { RULES } from './rules/index.ts';
import type { Rule } from './rules/types.ts';

/** One credential found, already redacted: the value itself is gone. */
export interface Detection {
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

const MIN_UTF16_RUN = 8;

export class ContentScanner {
  readonly detections: Detection[] = [];
  /** Notes for the skipped list: long lines, too many findings. */
  readonly notes: string[] = [];
  bytes = 0;
  readonly #detector: Detector;
  readonly #options: ContentOptions;
  #carry: Buffer = Buffer.alloc(0);
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

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    const data = this.#carry.length
      ? Buffer.concat([this.#carry, chunk])
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const lastNewline = data.lastIndexOf(10);
    if (lastNewline === -1) {
      const { maxLineBytes, overlapBytes } = this.#options;
      if (data.length <= maxLineBytes + overlapBytes) {
        this.#carry = Buffer.from(data);
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
      return;
    }
    const block = data.subarray(0, lastNewline + 1);
    this.#carry = Buffer.from(data.subarray(lastNewline + 1));
    this.#scanBlock(block, block.length);
    this.#line += countNewlines(block);
    this.#columnBase = 0;
  }

  end(): void {
    if (this.#carry.length) this.#scanBlock(this.#carry, this.#carry.length);
    this.#carry = Buffer.alloc(0);
  }

  /** Searches `block`; reports hits that start before `limit`. */
  #scanBlock(block: Buffer, limit: number): void {
    if (this.#full) return;
    const hits = this.#find(block).filter((hit) => hit.start < limit);
    if (!hits.length) return;
    hits.sort((a, b) => a.start - b.start);
    let line = this.#line;
    let column = this.#columnBase;
    let at = 0;
    for (const { start, ...hit } of hits) {
      for (; at < start; at++) {
        const byte = block[at] as number;
        if (byte === 10) {
          line++;
          column = 0;
        } else if ((byte & 0xc0) !== 0x80) column++;
      }
      if (this.detections.length >= this.#options.maxFindings) {
        this.#full = true;
        this.notes.push(
          `more than ${this.#options.maxFindings} findings: the rest of this file is not reported`,
        );
        return;
      }
      this.detections.push({ ...hit, line, column: column + 1 });
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
    const hits: BlockHit[] = findSecrets(block.toString('latin1'), detector.rules).map((match) =>
      toHit(match.rule, match.value, match.start, now),
    );
    if (block.includes(0)) {
      for (const run of utf16Runs(block)) {
        for (const match of findSecrets(run.text, detector.rules)) {
          hits.push({
            ...toHit(match.rule, match.value, run.start + 2 * match.start, now),
            encoding: 'utf16le',
          });
        }
      }
    }
    return hits;
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

/** Runs of printable ASCII stored as UTF-16LE (a byte, then 0), at either byte alignment. */
export function utf16Runs(block: Buffer): { start: number; text: string }[] {
  const runs: { start: number; text: string }[] = [];
  let i = 0;
  while (i + 1 < block.length) {
    if (!isPrintable(block[i] as number) || block[i + 1] !== 0) {
      i++;
      continue;
    }
    const start = i;
    let text = '';
    while (i + 1 < block.length && isPrintable(block[i] as number) && block[i + 1] === 0) {
      text += String.fromCharCode(block[i] as number);
      i += 2;
    }
    if (text.length >= MIN_UTF16_RUN) runs.push({ start, text });
  }
  return runs;
}

function isPrintable(byte: number): boolean {
  return (byte >= 0x20 && byte < 0x7f) || byte === 9;
}

function countNewlines(block: Buffer): number {
  let count = 0;
  for (let i = block.indexOf(10); i !== -1; i = block.indexOf(10, i + 1)) count++;
  return count;
}

function codePoints(block: Buffer, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) if (((block[i] as number) & 0xc0) !== 0x80) count++;
  return count;
}
