import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/**
 * npm access tokens (granular, and the legacy automation/publish ones): `npm_` + 36
 * alphanumerics, the last 6 a base-62 CRC32 of the rest (GitHub's format), per "Announcing npm's
 * new access token format" (https://github.blog/2021-09-23-announcing-npms-new-access-token-format/).
 * The checksum is not verified: npm documents it in prose only, not its exact input. Legacy
 * tokens (UUIDs) were removed in 2025; the format of `npm login`'s short session tokens is not
 * published. npm publishes no example token.
 */
export const npmToken: Rule = {
  id: 'npm-token',
  description: 'Detects npm access tokens (npm_)',
  severity: 'high',
  keywords: ['npm_'],
  pattern: /(?<![A-Za-z0-9_])(?<secret>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/dg,
  verify: (secret) => looksRandom(secret.slice(4)),
  samples: {
    positive: [
      {
        text: `//registry.npmjs.org/:_authToken=${join('np', 'm_', fake(36))}`,
        why: 'a token in an .npmrc',
      },
    ],
    negative: [
      {
        text: 'run npm_config_registry=https://example.test npm ci',
        why: 'an npm_config_ variable',
      },
      { text: `${join('np', 'm_', fake(36))}X`, why: 'a longer identifier' },
    ],
  },
};
