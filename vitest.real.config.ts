import { defineConfig } from 'vitest/config';

// `npm run test:real`: real clients (gh, az, MSAL Python, oidc-agent, the AWS CLI) through
// `devicebound check`. Kept out of `npm test` (vitest.config.ts excludes test/real): they need
// Debian packages and take a few minutes. One file at a time: the checks are timing-sensitive and
// each already runs six scenarios in parallel.
export default defineConfig({
  test: {
    include: ['test/real/**/*.real.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 30_000,
    fileParallelism: false,
  },
});
