import { defineConfig } from '@playwright/test';

/**
 * Browser tests in Debian's Chromium (no browser download: the machines reach only the npm and Debian registries):
 * the protocol core in a page (core-in-chromium.spec.ts), and the built renderer on the desktop's real main-process
 * services through a test bridge (desktop-*.spec.ts, test/e2e/bridge/). Tests serve their own files; there is no
 * webServer here. The global setup builds the CLI bundle and, when it is stale, the renderer.
 */
export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results',
  globalSetup: './test/e2e/global-setup.ts',
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'reports/playwright.json' }]],
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
