import { E } from './http.ts';

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Validates a space-delimited scope (RFC 6749 §3.3) and returns it normalised. */
export function parseScope(raw: string | undefined): string {
  if (raw === undefined) return '';
  const tokens = raw.split(' ').filter((token) => token !== '');
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token))
      throw E.invalidScope('scope contains a character RFC 6749 §3.3 forbids');
  }
  return [...new Set(tokens)].join(' ');
}
