/**
 * A smoke test of the real desktop app through Playwright's `_electron`: the built app (`npm run build:desktop`,
 * run by global-setup.ts) starts, opens one window on app://, runs the renderer isolated with `window.sealdrop`
 * exposed and no Node in the page, and shows its first screen. (The webPreferences themselves are checked in test/security/.)
 *
 * It needs an Electron binary. `npm ci` downloads one from GitHub at install time (node_modules/electron/dist);
 * machines that reach only the npm registry (CI here) have none, and the test is skipped with that reason. It never
 * imports 'electron' itself (that would try the download): it finds the binary the way the electron package does,
 * through node_modules/electron/path.txt.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

const ROOT = new URL('../../', import.meta.url).pathname;
const ELECTRON_DIR = join(ROOT, 'node_modules', 'electron');

function electronBinary(): string | null {
  const pathFile = join(ELECTRON_DIR, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(ELECTRON_DIR, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();

test.describe('the real Electron app', () => {
  // Skipped only where no Electron binary is installed (CI here: electron's install script downloads it from
  // GitHub, which these machines cannot reach); everything behind Electron is tested by desktop-*.spec.ts instead.
  test.skip(
    binary === null,
    'no Electron binary here: node_modules/electron/dist is downloaded from GitHub at install time, which this machine cannot reach. ' +
      'This test runs wherever `npx electron --version` works.',
  );

  test('starts one isolated window on app:// with window.sealdrop and no Node', async () => {
    test.setTimeout(120_000);
    // Built by test/e2e/global-setup.ts (`npm run build:desktop`) whenever an Electron binary is present.
    expect(existsSync(join(ROOT, 'out', 'main', 'index.js')), 'out/main/index.js (npm run build:desktop)').toBe(true);
    const userData = mkdtempSync(join(tmpdir(), 'sealdrop-electron-'));
    const app = await electron.launch({
      executablePath: binary!,
      args: [join(ROOT, 'out', 'main', 'index.js'), `--user-data-dir=${userData}`],
      env: { ...process.env, ELECTRON_RENDERER_URL: '' },
    });
    try {
      const window = await app.firstWindow();
      await window.waitForLoadState('domcontentloaded');
      expect(window.url()).toMatch(/^app:\/\/sealdrop\//);
      expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      const namespaces = await window.evaluate(() => Object.keys((globalThis as unknown as { sealdrop: object }).sealdrop).sort());
      expect(namespaces).toEqual(['camera', 'contacts', 'disk', 'identity', 'notification', 'settings', 'transfer', 'tray']);
      // The window main created is the only one, and it is not allowed to open others (security.ts handlers).
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
      await expect(window.getByRole('heading', { level: 1 }).first()).toBeVisible();
      mkdirSync(join(ROOT, 'reports', 'screenshots'), { recursive: true });
      await window.screenshot({ path: join(ROOT, 'reports', 'screenshots', 'electron-app.png') });
    } finally {
      await app.close();
    }
  });
});
