import { fake, join } from './fake.ts';
import { looksRandom, type Rule } from './types.ts';

/** npm access tokens (granular and legacy automation/publish): `npm_` + 36 alphanumerics. */
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
