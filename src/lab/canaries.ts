import { randomBytes, randomInt } from 'node:crypto';
import type { CanaryKind } from '../evidence/names.ts';
import type { Fingerprint, Secret } from '../evidence/secret.ts';

/** A credential the lab issued: a fresh random value that should never be seen again anywhere. */
export interface Canary {
  kind: CanaryKind;
  secret: Secret;
  /** Lab time (monotonic ms) it was issued. */
  issuedAt: number;
  /** The device authorization it stems from. */
  deviceCode: Fingerprint | undefined;
}

/** Every canary one lab issued, by fingerprint. `toJSON` never includes a value. */
export class CanaryRegistry {
  readonly #byFingerprint = new Map<Fingerprint, Canary>();

  add(canary: Canary): Canary {
    this.#byFingerprint.set(canary.secret.fingerprint, canary);
    return canary;
  }

  get(fingerprint: Fingerprint): Canary | undefined {
    return this.#byFingerprint.get(fingerprint);
  }

  list(): Canary[] {
    return [...this.#byFingerprint.values()];
  }

  /** `text` with every issued value replaced by its redacted preview (for recorded URLs). */
  redact(text: string): string {
    let out = text;
    for (const { secret } of this.#byFingerprint.values()) {
      const value = secret.reveal();
      if (value.length >= 6 && out.includes(value)) out = out.split(value).join(secret.preview);
    }
    return out;
  }

  get size(): number {
    return this.#byFingerprint.size;
  }

  toJSON(): unknown[] {
    return this.list().map(({ kind, secret, issuedAt, deviceCode }) => ({
      kind,
      ...secret.toJSON(),
      issuedAt,
      deviceCode,
    }));
  }
}

/** RFC 8628 §6.1: base-20, no vowels (no words), no look-alike characters. */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/**
 * `length` characters from the base-20 alphabet, shown in two halves (`XXXX-XXXX`): 8 give
 * 34.5 bits (RFC 8628 §6.1). A lab configured weak (`serve --user-code-length 6`) gives fewer.
 */
export function newUserCode(length = 8): string {
  let code = '';
  for (let i = 0; i < length; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  const half = Math.ceil(length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/** The user-code lengths a lab can be configured with. */
export const USER_CODE_LENGTHS = { min: 4, max: 12 } as const;

/** Case-insensitive, dashes and spaces ignored (RFC 8628 §6.1). `null` when it cannot be one. */
export function normalizeUserCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length < USER_CODE_LENGTHS.min || code.length > USER_CODE_LENGTHS.max) return null;
  for (const char of code) if (!USER_CODE_ALPHABET.includes(char)) return null;
  return code;
}

/** 256 bits, URL-safe: the shape most servers give device codes. */
export function newDeviceCode(): string {
  return randomBytes(32).toString('base64url');
}

/** An opaque refresh token with a recognisable prefix, like many providers use. */
export function newRefreshToken(): string {
  return `dbrt_${randomBytes(32).toString('base64url')}`;
}

export function newJti(): string {
  return randomBytes(16).toString('base64url');
}
