/**
 * Needles: every byte sequence a canary can leave behind when a program writes it somewhere —
 * raw, base64 (standard and URL alphabet, at each of the three alignments inside a larger
 * blob), hex, URL-encoded, JSON-escaped, UTF-16LE, and for user codes the dash-less and
 * any-case forms.
 *
 * A needle's bytes are derived from a raw secret, so they are as secret as the value: `bytes` is
 * a getter over a private field, and JSON, `String()` and `util.inspect` show only the canary's
 * fingerprint and preview, the encoding and the length.
 */
import { inspect } from 'node:util';
import type { CanaryEncoding } from '../evidence/model.ts';
import type { CanaryKind } from '../evidence/names.ts';
import type { Fingerprint, Secret } from '../evidence/secret.ts';
import { Matcher } from './matcher.ts';

/** What the search needs of a canary: the lab's `Canary` has this shape. */
export interface CanaryInput {
  kind: CanaryKind;
  secret: Secret;
}

/** The public face of the canary a needle stems from: never the value. */
export interface NeedleCanary {
  kind: CanaryKind;
  fingerprint: Fingerprint;
  preview: string;
}

/** Needles shorter than this are not searched: too many chance matches. */
export const MIN_NEEDLE_BYTES = 8;

/**
 * When two forms give the same bytes, the first in this order names the needle ("raw wins"):
 * a JWT's JSON and URL encodings are the raw value, so its hits say `raw`.
 */
const PRECEDENCE: readonly CanaryEncoding[] = [
  'raw',
  'json',
  'url',
  'user-code-variant',
  'hex',
  'base64',
  'base64url',
  'utf16le',
];

export class Needle {
  /** Index in its `NeedleSet` (and the matcher's pattern number). */
  readonly id: number;
  readonly canary: NeedleCanary;
  readonly encoding: CanaryEncoding;
  /** Which form exactly, e.g. `base64 +1` (one unknown byte before the value), `hex upper`. */
  readonly form: string;
  /** Letters match in either case (user-code variants). `bytes` are then lower-case. */
  readonly caseInsensitive: boolean;
  readonly length: number;
  readonly #bytes: Buffer;
  readonly #except: Buffer | undefined;

  constructor(init: {
    id: number;
    canary: NeedleCanary;
    encoding: CanaryEncoding;
    form: string;
    bytes: Buffer;
    caseInsensitive: boolean;
    except: Buffer | undefined;
  }) {
    this.id = init.id;
    this.canary = init.canary;
    this.encoding = init.encoding;
    this.form = init.form;
    this.caseInsensitive = init.caseInsensitive;
    this.length = init.bytes.length;
    this.#bytes = init.bytes;
    this.#except = init.except;
  }

  /** The secret-derived bytes. Only the matcher and tests read them. */
  get bytes(): Buffer {
    return this.#bytes;
  }

  /** For a case-insensitive needle: the exact bytes another needle already reports (skipped). */
  get except(): Buffer | undefined {
    return this.#except;
  }

  toJSON(): { canary: NeedleCanary; encoding: CanaryEncoding; form: string; length: number } {
    return { canary: this.canary, encoding: this.encoding, form: this.form, length: this.length };
  }

  toString(): string {
    return `${this.canary.kind} ${this.canary.preview} as ${this.form} (${this.length} bytes)`;
  }

  [inspect.custom](): string {
    return `Needle(${this.toString()})`;
  }
}

/** Every needle of a set of canaries, and the matcher compiled from them (built once, lazily). */
export class NeedleSet {
  readonly needles: readonly Needle[];
  readonly canaries: readonly NeedleCanary[];
  readonly minLength: number;
  readonly maxLength: number;
  #matcher: Matcher | undefined;

  constructor(needles: readonly Needle[], canaries: readonly NeedleCanary[]) {
    this.needles = needles;
    this.canaries = canaries;
    this.minLength = needles.length ? Math.min(...needles.map((n) => n.length)) : 0;
    this.maxLength = needles.length ? Math.max(...needles.map((n) => n.length)) : 0;
  }

  get size(): number {
    return this.needles.length;
  }

  get matcher(): Matcher {
    this.#matcher ??= new Matcher(
      this.needles.map((n) => ({
        bytes: n.bytes,
        caseInsensitive: n.caseInsensitive,
        except: n.except,
      })),
    );
    return this.#matcher;
  }

  toJSON(): { canaries: number; needles: number; minLength: number; maxLength: number } {
    return {
      canaries: this.canaries.length,
      needles: this.needles.length,
      minLength: this.minLength,
      maxLength: this.maxLength,
    };
  }

  [inspect.custom](): string {
    return `NeedleSet(${this.canaries.length} canaries, ${this.needles.length} needles)`;
  }
}

interface Form {
  encoding: CanaryEncoding;
  form: string;
  bytes: Buffer;
  caseInsensitive: boolean;
  except?: Buffer;
}

/** Builds every needle of every canary (canaries with the same fingerprint count once). */
export function buildNeedles(canaries: readonly CanaryInput[]): NeedleSet {
  const seen = new Set<Fingerprint>();
  const refs: NeedleCanary[] = [];
  const candidates: { canary: NeedleCanary; form: Form; order: number }[] = [];
  for (const { kind, secret } of canaries) {
    if (seen.has(secret.fingerprint)) continue;
    seen.add(secret.fingerprint);
    const canary: NeedleCanary = { kind, fingerprint: secret.fingerprint, preview: secret.preview };
    refs.push(canary);
    for (const form of formsOf(kind, secret.reveal())) {
      if (form.bytes.length < MIN_NEEDLE_BYTES) continue;
      candidates.push({ canary, form, order: candidates.length });
    }
  }
  // Most specific encoding first, then the order the forms were made in; identical bytes keep
  // the first.
  candidates.sort(
    (a, b) =>
      PRECEDENCE.indexOf(a.form.encoding) - PRECEDENCE.indexOf(b.form.encoding) ||
      a.order - b.order,
  );
  const byBytes = new Set<string>();
  const needles: Needle[] = [];
  for (const { canary, form } of candidates) {
    const key = `${form.caseInsensitive ? 'i' : 'e'}${form.bytes.toString('latin1')}`;
    if (byBytes.has(key)) continue;
    byBytes.add(key);
    needles.push(
      new Needle({
        id: needles.length,
        canary,
        encoding: form.encoding,
        form: form.form,
        bytes: form.bytes,
        caseInsensitive: form.caseInsensitive,
        except: form.except,
      }),
    );
  }
  return new NeedleSet(needles, refs);
}

/** Every form of one value, most specific first; may contain duplicates and short ones. */
function formsOf(kind: CanaryKind, value: string): Form[] {
  const raw = Buffer.from(value, 'utf8');
  const exact = (encoding: CanaryEncoding, form: string, text: string | Buffer): Form => ({
    encoding,
    form,
    bytes: typeof text === 'string' ? Buffer.from(text, 'utf8') : text,
    caseInsensitive: false,
  });
  const forms: Form[] = [exact('raw', 'raw', raw)];

  const json = JSON.stringify(value).slice(1, -1);
  forms.push(exact('json', 'json', json));
  forms.push(exact('json', 'json with \\/', json.replaceAll('/', '\\/')));

  const uri = encodeURIComponent(value);
  const formEncoded = new URLSearchParams({ v: value }).toString().slice(2);
  forms.push(exact('url', 'url', uri));
  forms.push(exact('url', 'url form', formEncoded));
  forms.push(exact('url', 'url lower-case escapes', lowerEscapes(uri)));
  forms.push(exact('url', 'url form lower-case escapes', lowerEscapes(formEncoded)));

  if (kind === 'user_code') {
    // Typed back by people: any case, with or without the dash (RFC 8628 §6.1).
    const lower = value.toLowerCase();
    forms.push({
      encoding: 'user-code-variant',
      form: 'user code in another case',
      bytes: Buffer.from(lower, 'utf8'),
      caseInsensitive: true,
      // The value as issued is the raw needle; this one reports the other spellings only.
      except: raw,
    });
    forms.push({
      encoding: 'user-code-variant',
      form: 'user code without its dash, any case',
      bytes: Buffer.from(lower.replace(/[\s-]/g, ''), 'utf8'),
      caseInsensitive: true,
    });
  }

  const hex = raw.toString('hex');
  forms.push(exact('hex', 'hex lower', hex));
  forms.push(exact('hex', 'hex upper', hex.toUpperCase()));

  for (const alphabet of ['base64', 'base64url'] as const) {
    for (let k = 0; k < 3; k++)
      forms.push(exact(alphabet, `${alphabet} +${k}`, base64Run(raw, k, alphabet)));
  }

  forms.push(exact('utf16le', 'utf16le', Buffer.from(value, 'utf16le')));
  return forms;
}

function lowerEscapes(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (sequence) => sequence.toLowerCase());
}

/**
 * The base64 characters fully determined by `value` when it sits inside a larger encoded blob
 * preceded by `k` (0, 1 or 2, modulo 3) unknown bytes: encode k zero bytes + value without
 * padding and keep the characters from ceil(8k/6) to floor(8(k+len)/6).
 */
export function base64Run(value: Buffer, k: number, alphabet: 'base64' | 'base64url'): string {
  const encoded = Buffer.concat([Buffer.alloc(k), value])
    .toString(alphabet)
    .replace(/=+$/, '');
  return encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + value.length)) / 6));
}
