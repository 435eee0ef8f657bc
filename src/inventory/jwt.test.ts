import { describe, expect, it } from 'vitest';
import { decodeJwtClaims } from './jwt.ts';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('decodeJwtClaims', () => {
  it('reads exp, iss and aud without verifying the signature', () => {
    // A signature of garbage: claims are read for reporting only, never trusted.
    const token = `${part({ alg: 'RS256' })}.${part({ exp: 1_700_000_000, iss: 'https://issuer.example', aud: ['a', 'b'] })}.c2ln`;
    expect(decodeJwtClaims(token)).toEqual({
      expiresAt: new Date(1_700_000_000_000),
      issuer: 'https://issuer.example',
      audience: ['a', 'b'],
    });
  });

  it('takes a string audience as a list of one', () => {
    const token = `${part({ alg: 'none' })}.${part({ aud: 'api' })}.`;
    expect(decodeJwtClaims(token)?.audience).toEqual(['api']);
  });

  it.each([
    // Opaque tokens (GitHub, AWS SSO, Azure refresh tokens) are not JWTs.
    ['gho_0123456789abcdefghijklmnopqrstuvwxyz'],
    // Three dots-separated parts that are not JSON.
    ['abc.def.ghi'],
    // A header without alg is not a JWS header.
    [`${part({ typ: 'JWT' })}.${part({ exp: 1 })}.x`],
    // A JWE has five parts.
    ['a.b.c.d.e'],
  ])('is undefined for %s', (token) => {
    expect(decodeJwtClaims(token)).toBeUndefined();
  });
});
