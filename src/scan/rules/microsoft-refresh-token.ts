import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * Microsoft Entra ID (Azure AD) refresh tokens as MSAL caches and logs them. Microsoft
 * documents them as opaque (learn.microsoft.com, "Refresh tokens in the Microsoft identity
 * platform"; MSAL caches them as `credential_type: RefreshToken` with the value in `secret`)
 * and publishes no full example of the current shape. The shape below is measured from public
 * samples: Microsoft's own test recording in Azure/azure-sdk-for-js
 * (communicationidentityclient recording, 2021), an MSAL cache published in a training-lab
 * write-up (2025), and trufflehog's refresh-token detector tests
 * (pkg/detectors/azure_entra/refreshtoken):
 *
 * - `0.A` or `1.A` and a first segment of 51 (`0.A`) or 54 (`1.A`) base64url characters in
 *   all, which encodes the tenant and the client;
 * - sometimes a `.1`;
 * - `.AgAB` and a long segment (hundreds of characters: 467 to 1288 in the samples);
 * - sometimes one more segment (`.AQAB…`).
 *
 * Base64url throughout, no padding; `-` and `_` in every sample. `.AgAB` starts the second
 * segment in every sample: it is the rule's one keyword (5 bytes, so the keyword matcher keeps
 * its stride; the old `0.A`+character keywords were 128 of them).
 */
export const microsoftRefreshToken: Rule = {
  id: 'microsoft-refresh-token',
  description: 'Detects Microsoft Entra ID refresh tokens (0.A….AgAB… / 1.A….AgAB…)',
  severity: 'critical',
  keywords: ['.AgAB'],
  pattern:
    /(?<![A-Za-z0-9_.-])(?<secret>[01]\.A[A-Za-z0-9_-]{40,80}(?:\.[0-9])?\.AgAB[A-Za-z0-9_-]{200,}(?:\.[A-Za-z0-9_-]{16,}){0,2})(?![A-Za-z0-9_.-])/dg,
  verify: (secret) => {
    const segments = secret.split('.');
    const body = segments.find((segment) => segment.startsWith('AgAB')) ?? '';
    return looksRandom(segments[1] ?? '', 3.5) && looksRandom(body.slice(4), 4);
  },
  samples: {
    positive: [
      {
        text: `"secret": "${join('0.', 'A', fake(48, 1), '.AgAB', 'AAAAAAD', fake(960, 2))}"`,
        why: 'an MSAL token cache entry of type RefreshToken, the usual three segments',
      },
      {
        text: `refresh_token=${join('1.', 'A', fake(51, 3), '.AgAB', 'AwEAAAA', fake(460, 4))}&client_id=x`,
        why: 'a 1.A refresh token in a form body',
      },
      {
        text: `rt=${join('0.', 'A', fake(48, 5), '.1.AgAB', 'AAAAAAD', fake(800, 6), '.AQAB', fake(300, 7))}`,
        why: 'the four-segment form with a .1 before the body, as trufflehog tests it',
      },
    ],
    negative: [
      { text: 'version 1.A of the protocol', why: 'a version number' },
      {
        text: `rh: ${join('0.', 'A', fake(48, 1), '.')}`,
        why: "the first segment alone: the id_token's rh claim, not a refresh token",
      },
      {
        text: `${join('0.', 'A', fake(48, 1), '.AgAB', 'A'.repeat(400))}`,
        why: 'the right shape but one character: a placeholder',
      },
      {
        text: `${join('0.', 'A', fake(400, 1))}`,
        why: 'one long segment with no .AgAB body: not a shape Entra issues',
      },
    ],
  },
};
