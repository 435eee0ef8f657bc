import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * AWS IAM Identity Center (SSO) OIDC tokens as the AWS CLI caches them in ~/.aws/sso/cache
 * (botocore `tokens.py`: `accessToken`, and with an sso-session `refreshToken`). AWS documents
 * no format (the API model marks them sensitive strings); the shape is read from the examples
 * AWS publishes in the SSO OIDC API reference and the SDK docs (`CreateToken`: an access token
 * `aoal-…:MGYCMQ…EXAMPLEACCESSTOKEN`, a refresh token `aorv…:MGUCMF…EXAMPLEREFRESHTOKEN`) and
 * from cache files shown truncated in public notes (`aoaAAAAA…`, `aorAAAAA…`):
 * `aoa` (access) or `aor` (refresh), a long base64url body, usually a `:` and a standard-base64
 * signature (`MGYCMQ`/`MGUCMF`: a DER ECDSA signature). Keyed on the bodies seen in caches
 * (`aoaA`, `aorA`) and on the signature's start (`:MGU`, `:MGY`), so either form is found.
 */
export const awsSsoToken: Rule = {
  id: 'aws-sso-token',
  description: 'Detects AWS IAM Identity Center (SSO) access and refresh tokens (aoa…/aor…)',
  severity: 'critical',
  keywords: ['aoaA', 'aorA', ':MGU', ':MGY'],
  pattern:
    /(?<![A-Za-z0-9+/_-])(?<secret>ao[ar](?:A[A-Za-z0-9+/_-]{100,}={0,2}(?::[A-Za-z0-9+/]{40,}={0,2})?|[A-Za-z0-9_-]{60,}:MG[UY][A-Za-z0-9+/]{40,}={0,2}))/dg,
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
      {
        text: `"accessToken": "${join('ao', 'al-', fake(90, 2), ':MGYC', fake(88, 4))}"`,
        why: 'the shape of the access token in AWS SSO OIDC CreateToken examples',
      },
    ],
    negative: [
      { text: 'aoaAAAAA is how these tokens start', why: 'the prefix alone' },
      { text: `${join('ao', 'aA', 'A'.repeat(150))}`, why: 'long but one character' },
      {
        text: `"refreshToken": "${join('ao', 'rv', fake(90, 2), ':MGUC', fake(60, 4), 'EXAMPLEREFRESHTOKEN')}"`,
        why: "AWS's documented example token: it says EXAMPLE",
      },
    ],
  },
};
