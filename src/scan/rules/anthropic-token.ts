import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * Anthropic tokens: OAuth access (sk-ant-oat01-) and refresh (sk-ant-ort01-) tokens that Claude
 * Code holds after signing in, and API/admin keys (sk-ant-api03-, sk-ant-admin01-).
 *
 * Sources: Anthropic publishes no format and no full example. API keys are `sk-ant-api03-` + 93
 * characters of `[A-Za-z0-9_-]` + `AA`, 108 in all, in other scanners' rules (gitleaks
 * `anthropic.go`, trufflehog `anthropic.go`, which also has `sk-ant-admin01-`; noseyparker
 * `anthropic.yml`). `sk-ant-oat01-` is what `claude setup-token` prints (third-party setup
 * guides); `sk-ant-ort01-` and the lengths of both OAuth forms are observed, not documented, so
 * the pattern asks for 80+ characters after any of the four prefixes.
 */
export const anthropicToken: Rule = {
  id: 'anthropic-token',
  description: 'Detects Anthropic OAuth access/refresh tokens and API keys (sk-ant-…)',
  severity: 'critical',
  keywords: ['sk-ant-'],
  pattern:
    /(?<![A-Za-z0-9_-])(?<secret>sk-ant-(?:oat|ort|api|admin)\d{2}-[A-Za-z0-9_-]{80,})(?![A-Za-z0-9_-])/dg,
  verify: (secret) => looksRandom(secret.slice(13)),
  samples: {
    positive: [
      {
        text: `"accessToken":"${join('sk-', 'ant-oat01-', fake(95))}"`,
        why: 'an OAuth access token in a credentials file',
      },
      {
        text: `"refreshToken":"${join('sk-', 'ant-ort01-', fake(95, 2))}"`,
        why: 'an OAuth refresh token',
      },
      {
        text: `ANTHROPIC_API_KEY=${join('sk-', 'ant-api03-', fake(93, 4), 'AA')}`,
        why: 'an API key in an env file',
      },
    ],
    negative: [
      { text: 'ANTHROPIC_API_KEY=sk-ant-api03-...', why: 'an elided example' },
      { text: `key=${join('sk-', 'ant-oat01-', fake(20))}`, why: 'too short for the format' },
    ],
  },
};
