import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * AWS IAM Identity Center (SSO) OIDC tokens as the AWS CLI caches them in ~/.aws/sso/cache:
 * access tokens start `aoa`, refresh tokens `aor`, a long base64 body and usually a `:`
 * followed by a base64 signature.
 */
export const awsSsoToken: Rule = {
  id: 'aws-sso-token',
  description: 'Detects AWS IAM Identity Center (SSO) access and refresh tokens (aoa…/aor…)',
  severity: 'critical',
  keywords: ['aoaA', 'aorA'],
  pattern:
    /(?<![A-Za-z0-9+/_-])(?<secret>ao[ar]A[A-Za-z0-9+/_-]{100,}={0,2}(?::[A-Za-z0-9+/]{40,}={0,2})?)/dg,
  verify: (secret) => looksRandom(secret.slice(3), 3.5),
  samples: {
    positive: [
      {
        text: `"accessToken": "${join('ao', 'aAAAAA', fake(200))}:${join('MGUC', fake(90, 3))}"`,
        why: 'an SSO access token in the CLI cache',
      },
      {
        text: `"refreshToken": "${join('ao', 'rAAAAA', fake(300, 1))}"`,
        why: 'an SSO refresh token in the CLI cache',
      },
    ],
    negative: [
      { text: 'aoaAAAAA is how these tokens start', why: 'the prefix alone' },
      { text: `${join('ao', 'aA', 'A'.repeat(150))}`, why: 'long but one character' },
    ],
  },
};
