import { describe, expect, it } from 'vitest';
import { accessTokenLifetime, decodeJwt, jwtClaims } from './jwt.ts';

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A token with a signature of garbage: claims are read for reporting only, never trusted. */
const jwt = (claims: object, header: object = { alg: 'RS256' }) =>
  `${part(header)}.${part(claims)}.c2ln`;

describe('jwtClaims', () => {
  const now = Date.UTC(2030, 0, 1);

  it('gives issuer, audience, expiry and validity, nothing else', () => {
    const token = jwt({
      iss: 'https://lab.test',
      aud: ['cli', 'api'],
      exp: now / 1000 + 60,
      sub: 'alice',
    });
    expect(jwtClaims(token, now)).toEqual({
      iss: 'https://lab.test',
      aud: ['cli', 'api'],
      exp: new Date(now + 60_000).toISOString(),
      valid: true,
    });
  });

  it('keeps a string audience a string', () => {
    expect(jwtClaims(`${part({ alg: 'none' })}.${part({ aud: 'api' })}.`, now)?.aud).toBe('api');
  });

  it('says expired, not yet valid, or no expiry', () => {
    expect(jwtClaims(jwt({ exp: now / 1000 - 1 }), now)?.valid).toBe(false);
    expect(jwtClaims(jwt({ exp: now / 1000 + 60, nbf: now / 1000 + 30 }), now)?.valid).toBe(false);
    expect(jwtClaims(jwt({ iss: 'x' }), now)).toMatchObject({ exp: null, valid: null, aud: null });
  });

  it('gives no date for an expiry no date can hold, and does not throw', () => {
    // A cache file may say anything: `new Date(1e20 * 1000).toISOString()` would throw.
    expect(jwtClaims(jwt({ exp: 1e20 }), now)).toMatchObject({ exp: null, valid: true });
  });

  it('cuts long claims and long audience lists', () => {
    const claims = jwtClaims(
      jwt({ iss: 'i'.repeat(500), aud: Array.from({ length: 20 }, (_, i) => `a${i}`) }),
      now,
    );
    expect(claims?.iss).toBe(`${'i'.repeat(200)}…`);
    expect(claims?.aud).toHaveLength(10);
  });

  it.each([
    // Opaque tokens (GitHub, AWS SSO, Azure refresh tokens) are not JWTs.
    ['gho_0123456789abcdefghijklmnopqrstuvwxyz'],
    // Three dot-separated parts that are not JSON.
    ['abc.def.ghi'],
    ['a.b.c'],
    // A header without alg is not a JWS header.
    [`${part({ typ: 'JWT' })}.${part({ exp: 1 })}.x`],
    // A JWE has five parts.
    ['a.b.c.d.e'],
  ])('is undefined for %s', (token) => {
    expect(jwtClaims(token)).toBeUndefined();
    expect(decodeJwt(token)).toBeUndefined();
  });
});

describe('accessTokenLifetime', () => {
  it('is expires_in, or the JWT exp − iat when that says longer', () => {
    expect(accessTokenLifetime(3600, 'opaque-token-value')).toBe(3600);
    expect(accessTokenLifetime(3600, jwt({ iat: 1000, exp: 1000 + 90 * 86400 }))).toBe(90 * 86400);
    expect(accessTokenLifetime(undefined, jwt({ iat: 1000, exp: 4600 }))).toBe(3600);
  });

  it('reads one second more than announced as rounding, and gives nothing when neither says', () => {
    expect(accessTokenLifetime(3600, jwt({ iat: 1000, exp: 4601 }))).toBe(3600);
    expect(accessTokenLifetime(3600, jwt({ iat: 1000, exp: 4602 }))).toBe(3602);
    expect(accessTokenLifetime(undefined, 'opaque-token-value')).toBeUndefined();
  });
});
