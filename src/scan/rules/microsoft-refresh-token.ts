import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * Microsoft Entra ID (Azure AD) refresh tokens as MSAL caches and logs them: opaque, hundreds of
 * URL-safe characters, starting `0.A` (or `1.A` for newer ones).
 */
export const microsoftRefreshToken: Rule = {
  id: 'microsoft-refresh-token',
  description: 'Detects Microsoft Entra ID refresh tokens (0.A… / 1.A…)',
  severity: 'critical',
  // `0.A` is only 3 bytes, and a 3-byte keyword would halve the speed of every scan (the
  // keyword matcher jumps at most the shortest keyword's length − 1): `0.A` and `1.A` followed by
  // each character a token may hold.
  keywords: [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'].flatMap(
    (next) => [`0.A${next}`, `1.A${next}`],
  ),
  pattern:
    /(?<![A-Za-z0-9_.-])(?<secret>[01]\.A[A-Za-z0-9_-]{200,}(?:\.[A-Za-z0-9_-]{8,}){0,4})(?![A-Za-z0-9_.-])/dg,
  verify: (secret) => looksRandom(secret.slice(3), 3.5),
  samples: {
    positive: [
      {
        text: `"secret": "${join('0.', 'AV', fake(400))}"`,
        why: 'an MSAL token cache entry of type RefreshToken',
      },
      {
        text: `refresh_token=${join('1.', 'AX', fake(300, 2))}.${fake(20)}`,
        why: 'a newer 1.A refresh token in a form body',
      },
    ],
    negative: [
      { text: 'version 1.A of the protocol', why: 'a version number' },
      { text: `${join('0.', 'A', 'B'.repeat(300))}`, why: 'long but not random' },
    ],
  },
};
