import { hash } from 'node:crypto';
import { inspect } from 'node:util';

/** A `sha256:` fingerprint of a secret: stable across runs and tools, never reversible for the
 * high-entropy canaries the lab issues. (User codes are short: their fingerprints only matter
 * while the code is alive, minutes at most.) */
export type Fingerprint = `sha256:${string}`;

export function fingerprint(value: string | Uint8Array): Fingerprint {
  // The one-shot hash: no Hash object per value, several times faster for the thousands of
  // short values inventory and scan fingerprint.
  return `sha256:${hash('sha256', value, 'hex')}`;
}

/**
 * A redacted preview that tells a person which secret this is without giving it away:
 * `eyJh…(412 chars)…Q9x` for long values, `W…(9 chars)` for short ones.
 */
export function preview(value: string): string {
  if (value.length >= 24) return `${value.slice(0, 4)}…(${value.length} chars)…${value.slice(-3)}`;
  if (value.length >= 8) return `${value.slice(0, 1)}…(${value.length} chars)`;
  return `…(${value.length} chars)`;
}

/**
 * A secret value that cannot leak by accident: JSON, `String()`, template literals and
 * `util.inspect` all show the preview and fingerprint. Only `reveal()` gives the value, and
 * only code that must compare or search raw bytes (the lab, the runner's canary search) calls it.
 */
export class Secret {
  readonly #value: string;
  readonly fingerprint: Fingerprint;
  readonly preview: string;

  constructor(value: string) {
    this.#value = value;
    this.fingerprint = fingerprint(value);
    this.preview = preview(value);
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): { preview: string; fingerprint: Fingerprint } {
    return { preview: this.preview, fingerprint: this.fingerprint };
  }

  toString(): string {
    return `${this.preview} ${this.fingerprint}`;
  }

  [inspect.custom](): string {
    return `Secret(${this.toString()})`;
  }
}
