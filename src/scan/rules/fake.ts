/**
 * Obviously fake, format-valid sample values for the rules' samples and tests. They are built
 * at run time (never written out whole in a source file), so a repository push-protection
 * scanner does not mistake the samples for live credentials.
 */
const ALPHABET = 'F4keT0kenForTestsOnly9zQ8wX7vB6';

/** `length` characters of the fake alphabet, starting at `seed`. */
export function fake(length: number, seed = 0): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(seed + i * 7) % ALPHABET.length];
  return out;
}

/** Joins parts: `join('gh', 'o_', fake(36))`. */
export function join(...parts: string[]): string {
  return parts.join('');
}

/** Base64url without padding. */
export function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** A fake, unsigned-looking JWT with the given claims (the signature is fake characters). */
export function fakeJwt(claims: Record<string, unknown>, signatureLength = 43): string {
  return [
    b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'test-only' })),
    b64url(JSON.stringify(claims)),
    fake(signatureLength, 3).replace(/[^A-Za-z0-9_-]/g, '_'),
  ].join('.');
}
