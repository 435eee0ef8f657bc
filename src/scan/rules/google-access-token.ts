import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/** Google OAuth 2.0 access tokens: `ya29.` followed by a long URL-safe run. */
export const googleAccessToken: Rule = {
  id: 'google-access-token',
  description: 'Detects Google OAuth 2.0 access tokens (ya29.)',
  severity: 'high',
  keywords: ['ya29.'],
  pattern: /(?<![A-Za-z0-9_-])(?<secret>ya29\.[0-9A-Za-z_-]{30,})/dg,
  verify: (secret) => looksRandom(secret.slice(5)),
  samples: {
    positive: [
      {
        text: `Authorization: Bearer ${join('ya', '29.', fake(120))}`,
        why: 'a gcloud access token in a debug log',
      },
      {
        text: `{"token": "${join('ya', '29.a0', fake(90, 1))}"}`,
        why: 'an access token in a credentials JSON',
      },
    ],
    negative: [
      { text: `token=${join('ya', '29.', fake(12))}`, why: 'far too short for an access token' },
      { text: `token=${join('ya', '29.', 'x'.repeat(60))}`, why: 'a placeholder of one character' },
    ],
  },
};
