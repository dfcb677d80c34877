/**
 * Playwright fixtures for the desktop scenarios (test/e2e/desktop-*.spec.ts): the renderer served as the app serves
 * it, a relay, the desktop's real main-process services bridged to the page, and CLI devices to talk to.
 *
 *   worker:  rendererOrigin  renderer-server.ts on 127.0.0.1 (built renderer, real CSP and nonce)
 *            relayUrl        relay/server.ts `startRelay` on 127.0.0.1, port 0 — the only relay anything uses
 *   test:    desktop         desktop-bridge.ts for this test's page; settings relayUrl = the relay, theme light.
 *                            Not loaded yet: a test may prepare state first, then `await desktop.open()`.
 *            cli             cli-peers.ts, cleaned up after the test
 *
 * Uncaught errors in the page, and anything the app's CSP refused, fail the test. Main's log lines and the page's
 * console go into the report.
 * Network: loopback only (the relay and the renderer bind 127.0.0.1; transfers may also use this host's own
 * interface addresses that the sender advertises for its direct path, which never leave the machine).
 */

import { test as base, expect } from '@playwright/test';
import { startRelay } from '../../../relay/server';
import { cliPeers, type CliPeers } from './cli-peers';
import { startDesktopBridge, type DesktopBridge } from './desktop-bridge';
import { serveRenderer } from './renderer-server';

export const DESKTOP_NAME = 'desk';

export const test = base.extend<{ desktop: DesktopBridge; cli: CliPeers }, { rendererOrigin: string; relayUrl: string }>({
  // The app's main window opens at 1040 × 720 (main/app/security.ts createMainWindow).
  viewport: { width: 1040, height: 720 },
  // Sizes and dates are formatted with Intl; the assertions are written in US English.
  locale: 'en-US',

  rendererOrigin: [
    async ({}, use) => {
      const server = await serveRenderer();
      await use(server.origin);
      await server.close();
    },
    { scope: 'worker' },
  ],

  relayUrl: [
    async ({}, use) => {
      const relay = await startRelay({ host: '127.0.0.1', port: 0, logger: () => undefined });
      const url = relay.urls().find((candidate) => candidate.includes('127.0.0.1'));
      if (!url) throw new Error(`the relay has no loopback address: ${relay.urls().join(' ')}`);
      await use(url);
      await relay.close();
    },
    { scope: 'worker' },
  ],

  cli: async ({}, use) => {
    const peers = cliPeers();
    await use(peers);
    await peers.cleanup();
  },

  desktop: async ({ page, rendererOrigin, relayUrl }, use, testInfo) => {
    const pageErrors: string[] = [];
    const consoleLines: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    await page.emulateMedia({ colorScheme: 'light' });
    const desktop = await startDesktopBridge({
      page,
      origin: rendererOrigin,
      deviceName: DESKTOP_NAME,
      settings: { relayUrl, theme: 'light' },
    });
    try {
      await use(desktop);
    } finally {
      await testInfo.attach('main-log.txt', { body: desktop.log.join('\n') || '(empty)', contentType: 'text/plain' });
      await testInfo.attach('page-console.txt', { body: consoleLines.join('\n') || '(empty)', contentType: 'text/plain' });
      await desktop.close();
    }
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
    // The app's CSP stays in force (no bypass): anything it refused would be logged here by Chromium.
    expect(consoleLines.filter((line) => line.includes('Content Security Policy')), 'CSP violations').toEqual([]);
  },
});

export { expect };
