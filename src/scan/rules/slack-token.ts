import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * Slack tokens: bot (xoxb-), user (xoxp-), legacy (xoxa-, xoxs-, xoxr-, xoxo-), rotating tokens
 * (xoxe.xoxb-, xoxe.xoxp-) and their refresh tokens (xoxe-). App-level tokens (xapp-) are not
 * OAuth grants and are left to general secret scanners.
 *
 * Sources: the token types from Slack's "Tokens" page (https://docs.slack.dev/authentication/tokens)
 * and token rotation (https://docs.slack.dev/authentication/using-token-rotation; the rotated
 * pair `xoxe.xoxp-…` / `xoxe-…` from `tooling.tokens.rotate`). Slack publishes only short
 * illustrative values (`xoxe-1-abcdefg`, `xoxp-12345-67890-1928471-abcdefg`), not real lengths;
 * the lengths here follow other scanners' real-shaped samples (gitleaks `slack.go`: bot
 * `xoxb-<10–13 digits>-<10–13 digits>-<24>`, user `xoxp-<n>-<n>-<n>-<32 hex>`, rotating
 * `xoxe.xox[bp]-1-` + ~165, refresh `xoxe-1-` + ~146). No checksum is documented.
 */
export const slackToken: Rule = {
  id: 'slack-token',
  description: 'Detects Slack bot, user, rotating and refresh tokens (xox…)',
  severity: 'high',
  keywords: ['xoxa-', 'xoxb-', 'xoxo-', 'xoxp-', 'xoxr-', 'xoxs-', 'xoxe-', 'xoxe.'],
  pattern:
    /(?<![A-Za-z0-9_-])(?<secret>xox(?:e\.xox[bp]|[abposre])-[0-9A-Za-z-]{20,})(?![A-Za-z0-9_-])/dg,
  verify: (secret) => /\d/.test(secret) && looksRandom(secret.slice(5)),
  samples: {
    positive: [
      {
        text: `SLACK_BOT_TOKEN=${join('xo', 'xb-', '1234567890-0987654321-', fake(24))}`,
        why: 'a bot token in an env file',
      },
      {
        text: `"refresh_token":"${join('xo', 'xe-1-', fake(140, 6))}"`,
        why: 'a rotating-token refresh token',
      },
      { text: `token=${join('xo', 'xe.xoxp-1-', fake(150, 1))}`, why: 'a rotating user token' },
    ],
    negative: [
      { text: 'token=xoxb-your-token-here-please', why: 'a placeholder' },
      { text: 'xoxb- tokens belong to bots', why: 'the prefix in prose' },
    ],
  },
};
