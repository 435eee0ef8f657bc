import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Real clients (gh, az, …) run with `npm run test:real` (vitest.real.config.ts) only.
    exclude: [...configDefaults.exclude, 'test/real/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
