/**
 * A detection rule in the gitleaks style: an id, a one-line description, a literal prefilter
 * (`keywords`), a regular expression whose named group `secret` is the credential, an optional
 * verifier that rejects look-alikes, and its own true- and false-positive samples, each with a
 * one-line reason. `rules.test.ts` fails when a sample is misjudged.
 */
import type { Severity } from '../../findings/index.ts';

export interface RuleSample {
  text: string;
  /** Why this sample is (or is not) a secret: one line. */
  why: string;
}

export interface Rule {
  /** Stable id, also the file name. */
  id: string;
  /** One line, starting with "Detects". */
  description: string;
  severity: Severity;
  /**
   * Literals of at least 4 bytes: the regex runs only on lines that hold one of them, so every
   * match must hold one. Matched in any case when the pattern has the `i` flag (then written in
   * lower case), else exactly as written.
   */
  keywords: readonly string[];
  /**
   * A quick look at the bytes right after a keyword found in ASCII text (`at` is the index after
   * it, `end` the end of the data), before the regex runs: false when no match can hold this
   * keyword here. For keywords common in ordinary text; it must never reject a real match
   * (`detect.test.ts` checks it against the bare regex on random text).
   */
  follows?: (bytes: Uint8Array, at: number, end: number) => boolean;
  /** Must have the `g` and `d` flags and a named group `secret`; `i` makes keywords match in any case. */
  pattern: RegExp;
  /** Rejects a candidate that only looks like a secret (a placeholder, a word, a path). */
  verify?: (secret: string, match: RegExpExecArray) => boolean;
  samples: { positive: readonly RuleSample[]; negative: readonly RuleSample[] };
}

/** One credential a rule found in a piece of text. `value` is secret: redact before keeping. */
export interface RuleMatch {
  rule: Rule;
  /** Index of the secret's first character in the text given to `findSecrets`. */
  start: number;
  end: number;
  value: string;
}

/** Placeholders people put where a token goes in docs and examples. */
const PLACEHOLDER =
  /^(?:x+|\*+|\.+|-+|_+|0+|<[^>]*>?|\{[^}]*\}?|\[[^\]]*\]?|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_]+%?)$|redacted|placeholder|example|your[_-]?|token[_-]?here|changeme|dummy|sample|\.\.\.|\*\*\*|xxxx|\[filtered\]|data\+omitted|omitted/i;

/** True for a value that is a placeholder, not a credential. */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A value that could be a random credential: not a placeholder, mixed enough. */
export function looksRandom(value: string, minEntropy = 3): boolean {
  return !isPlaceholder(value) && entropy(value) >= minEntropy;
}
