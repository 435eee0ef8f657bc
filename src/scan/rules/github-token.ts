import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * GitHub's prefixed tokens: OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_),
 * refresh (ghr_) and classic personal access tokens (ghp_). Sources: GitHub Docs, "About
 * authentication to GitHub" (the prefixes); the GitHub changelog of 2021-03-31 (tokens of
 * `[A-Za-z0-9_]`, up to 255 characters; most are prefix + 36); GitHub Docs' own examples
 * (`gho_`/`ghu_` of 40 characters in "Authorizing OAuth apps", a `ghr_` of 80 in "Refreshing
 * user access tokens"); and since 2026-04-27 installation tokens `ghs_<app id>_<JWT>` of about
 * 520 characters with `.` and `-` ("Generating an installation access token").
 */
export const githubToken: Rule = {
  id: 'github-token',
  description: 'Detects GitHub OAuth, app, refresh and classic personal access tokens',
  severity: 'high',
  keywords: ['gho_', 'ghu_', 'ghs_', 'ghr_', 'ghp_'],
  pattern:
    /(?<![A-Za-z0-9_])(?<secret>gh[opur]_[A-Za-z0-9_]{36,251}|ghs_[A-Za-z0-9_]{16,251}(?:[.-][A-Za-z0-9_-]+){0,8})(?![A-Za-z0-9_])/dg,
  // 40 characters at least: the classic prefix + 36.
  verify: (secret) => secret.length >= 40 && looksRandom(secret.slice(4)),
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
      {
        text: `refresh_token=${join('gh', 'r_', fake(76, 3))}&expires_in=15811200`,
        why: 'a refresh token of 80 characters, the length GitHub Docs shows',
      },
      {
        text: `GITHUB_TOKEN=${join('gh', 's_', '123456_', 'eyJhbGciOiJSUzI1NiJ9', '.', fake(300, 4), '.', fake(170, 5))}`,
        why: 'an installation token of the 2026 form: app id and a JWT',
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
