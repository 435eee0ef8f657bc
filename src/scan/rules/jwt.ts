import { decodeJwt } from '../../jwt.ts';
import { b64url, fake, fakeJwt } from './fake.ts';
import type { Rule } from './types.ts';

/** JSON Web Tokens (JWS compact form): access and ID tokens of most OAuth servers. */
export const jwt: Rule = {
  id: 'jwt',
  description: 'Detects JSON Web Tokens (signed access and ID tokens)',
  severity: 'high',
  // The payload's `.eyJ`: 4 bytes (a 3-byte `eyJ` would halve the keyword matcher's speed).
  keywords: ['.eyJ'],
  pattern:
    /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)/dg,
  verify: (secret) => decodeJwt(secret) !== undefined,
  samples: {
    positive: [
      {
        text: `id_token=${fakeJwt({ iss: 'https://issuer.test', aud: 'cli', exp: 2000000000 })}`,
        why: 'an ID token in a form body',
      },
      {
        text: `"access_token": "${fakeJwt({ iss: 'https://lab.test', sub: 'u1', exp: 1 })}"`,
        why: 'an expired access token is still a leak',
      },
    ],
    negative: [
      {
        text: `x=${b64url('{"alg":"none"}')}.${b64url('not json at all')}.${fake(10)}`,
        why: 'the payload is not JSON',
      },
      { text: `x=eyJhbGciOiJIUzI1NiJ9`, why: 'a header alone' },
    ],
  },
};
