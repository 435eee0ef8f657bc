import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * Google OAuth 2.0 refresh tokens: `1//0` followed by a long URL-safe run.
 *
 * Sources: Google documents no format; its sample `1//xEoDL4iW3cxlI7yDbSRFYNG01kVKM2C-259HOF2aQbI`
 * is a placeholder, and is deliberately not matched. `1//0` and the length come from real
 * tokens shown by other scanners (noseyparker's test-account sample `1//03…`, 103 characters)
 * and gcloud's `application_default_credentials.json`.
 */
export const googleRefreshToken: Rule = {
  id: 'google-refresh-token',
  description: 'Detects Google OAuth 2.0 refresh tokens (1//0…)',
  severity: 'critical',
  keywords: ['1//0'],
  pattern: /(?<![A-Za-z0-9_:/-])(?<secret>1\/\/0[0-9A-Za-z_-]{40,})/dg,
  verify: (secret) => looksRandom(secret.slice(4)),
  samples: {
    positive: [
      {
        text: `"refresh_token": "${join('1/', '/0', fake(97))}"`,
        why: 'a gcloud refresh token in application_default_credentials.json',
      },
    ],
    negative: [
      {
        text: 'see http://1//0/index.html',
        why: 'a URL, not a token (preceded by a colon and slashes)',
      },
      { text: `x=${join('1/', '/0', fake(10))}`, why: 'too short' },
    ],
  },
};
