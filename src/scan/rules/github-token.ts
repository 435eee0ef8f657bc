import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/** GitHub's prefixed tokens: OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_),
 * refresh (ghr_) and classic personal access tokens (ghp_): prefix + 36 alphanumerics. */
export const githubToken: Rule = {
  id: 'github-token',
  description: 'Detects GitHub OAuth, app, refresh and classic personal access tokens',
  severity: 'high',
  keywords: ['gho_', 'ghu_', 'ghs_', 'ghr_', 'ghp_'],
  pattern: /(?<![A-Za-z0-9_])(?<secret>gh[opusr]_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/dg,
  verify: (secret) => looksRandom(secret.slice(4)),
  samples: {
    positive: [
      {
        text: `GH_TOKEN=${join('gh', 'o_', fake(36))}`,
        why: 'an OAuth token from the device flow in an env line',
      },
      {
        text: `"refresh_token": "${join('gh', 'r_', fake(36, 5))}"`,
        why: 'a GitHub App refresh token in JSON',
      },
      {
        text: `oauth_token: ${join('gh', 'u_', fake(36, 2))}`,
        why: 'a user-to-server token in a hosts.yml',
      },
    ],
    negative: [
      {
        text: `token ${join('gh', 'o_', 'x'.repeat(36))}`,
        why: 'all one character: a placeholder',
      },
      { text: `token ${join('gh', 'p_', fake(35))}`, why: 'one character short: not the format' },
      {
        text: 'Classic tokens begin with ghp_ and OAuth ones with gho_.',
        why: 'documentation naming the prefixes',
      },
      { text: `id=${join('xgh', 'o_', fake(36))}`, why: 'part of a longer identifier' },
    ],
  },
};
