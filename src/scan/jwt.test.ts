import { describe, expect, it } from 'vitest';
import { jwtClaims } from './jwt.ts';
import { fakeJwt } from './rules/fake.ts';

describe('jwtClaims', () => {
  const now = Date.UTC(2030, 0, 1);

  it('gives issuer, audience, expiry and validity, nothing else', () => {
    const token = fakeJwt({
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

  it('says expired, not yet valid, or no expiry', () => {
    expect(jwtClaims(fakeJwt({ exp: now / 1000 - 1 }), now)?.valid).toBe(false);
    expect(jwtClaims(fakeJwt({ exp: now / 1000 + 60, nbf: now / 1000 + 30 }), now)?.valid).toBe(
      false,
    );
    expect(jwtClaims(fakeJwt({ iss: 'x' }), now)).toMatchObject({
      exp: null,
      valid: null,
      aud: null,
    });
  });

  it('refuses what is not a JWT', () => {
    expect(jwtClaims('a.b.c')).toBeUndefined();
    expect(
      jwtClaims(`${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.x`),
    ).toBeUndefined();
  });
});
