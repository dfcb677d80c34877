import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'test/slow/**', 'node_modules/**'],
    environment: 'node',
    testTimeout: 60_000,
    globalSetup: ['test/cli/global-setup.ts'],
    hookTimeout: 60_000,
  },
});
