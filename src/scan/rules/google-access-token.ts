import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * Google OAuth 2.0 access tokens: `ya29.` followed by a long URL-safe run.
 *
 * Sources: Google documents no format (its samples, `1/fFAGRNJru1FTz70BzhT3Zg`, are not the
 * real shape) and only a size limit. `ya29.` comes from other scanners' rules and real-shaped
 * samples (noseyparker `google.yml` np.google.4: `ya29\.[0-9A-Za-z_-]{20,1024}`; trufflehog
 * `googleoauth2_access_token.go`). 30+ characters after the prefix: real ones are 70 to 200+.
 */
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
