/**
 * The webPreferences of every window, flag by flag, and the window factory that applies them. Electron is not
 * loaded: createMainWindow gets a fake BrowserWindow class that records what it was given.
 */

import type { BrowserWindow, BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { APP_ENTRY_URL, createAppUrlPolicy, createMainWindow, isPackagedAppUrl, secureWebPreferences } from '../../main/app/security';

describe('secureWebPreferences', () => {
  const prefs = secureWebPreferences('/opt/sealdrop/out/preload/index.cjs');

  it.each<[keyof WebPreferences, unknown]>([
    ['sandbox', true],
    ['contextIsolation', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['webviewTag', false],
    ['navigateOnDragDrop', false],
    ['spellcheck', false],
    ['safeDialogs', true],
    ['disableDialogs', true],
    ['plugins', false],
    ['enableWebSQL', false],
    ['devTools', false],
    ['preload', '/opt/sealdrop/out/preload/index.cjs'],
  ])('%s is %s', (flag, value) => {
    expect(prefs[flag]).toBe(value);
  });

  it('sets nothing that loosens the renderer', () => {
    for (const loosening of ['enableBlinkFeatures', 'additionalArguments', 'partition', 'session', 'offscreen'] as const) {
      expect(prefs).not.toHaveProperty(loosening);
    }
    // Every key is accounted for: a new one must be added to the list above or to this one on purpose.
    expect(Object.keys(prefs).sort()).toEqual(
      [
        'allowRunningInsecureContent', 'autoplayPolicy', 'backgroundThrottling', 'contextIsolation', 'devTools', 'disableDialogs',
        'enableWebSQL', 'experimentalFeatures', 'navigateOnDragDrop', 'nodeIntegration', 'nodeIntegrationInSubFrames',
        'nodeIntegrationInWorker', 'plugins', 'preload', 'safeDialogs', 'sandbox', 'spellcheck', 'webSecurity', 'webviewTag',
      ].sort(),
    );
  });

  it('enables devtools only when asked (development)', () => {
    expect(secureWebPreferences('/p', { devTools: true }).devTools).toBe(true);
    expect(secureWebPreferences('/p', {}).devTools).toBe(false);
  });

  it('returns a fresh object each time', () => {
    expect(secureWebPreferences('/p')).not.toBe(secureWebPreferences('/p'));
  });
});

describe('the app URL policy', () => {
  it('accepts app://sealdrop/ only', () => {
    expect(isPackagedAppUrl('app://sealdrop/index.html')).toBe(true);
    expect(isPackagedAppUrl('app://sealdrop/')).toBe(true);
    for (const url of [
      'app://evil/index.html', 'app://sealdrop.evil/x', 'app://user@sealdrop/x', 'app://sealdrop:8080/x', 'file:///etc/passwd',
      'https://sealdrop/index.html', 'http://localhost:5173/', 'sealdrop://x', 'javascript:alert(1)', 'not a url',
    ]) {
      expect(isPackagedAppUrl(url), url).toBe(false);
    }
  });

  it('adds the dev server origin only when given, and only on localhost', () => {
    const dev = createAppUrlPolicy({ devServerUrl: 'http://localhost:5173/' });
    expect(dev('http://localhost:5173/index.html')).toBe(true);
    expect(dev('app://sealdrop/index.html')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(dev('http://127.0.0.1:5173/')).toBe(false);
    expect(createAppUrlPolicy()('http://localhost:5173/')).toBe(false);
    expect(() => createAppUrlPolicy({ devServerUrl: 'http://192.168.1.2:5173/' })).toThrow();
    expect(() => createAppUrlPolicy({ devServerUrl: 'https://example.org/' })).toThrow();
  });
});

describe('createMainWindow', () => {
  function fakeBrowserWindow() {
    const created: { options: BrowserWindowConstructorOptions; window: Record<string, unknown> }[] = [];
    const contentsListeners: string[] = [];
    class FakeWindow {
      readonly webContents = {
        on: vi.fn((event: string) => {
          contentsListeners.push(event);
          return this.webContents;
        }),
        setWindowOpenHandler: vi.fn(),
      };
      readonly once = vi.fn();
      readonly show = vi.fn();
      readonly loadURL = vi.fn(() => Promise.resolve());
      constructor(options: BrowserWindowConstructorOptions) {
        created.push({ options, window: this as unknown as Record<string, unknown> });
      }
    }
    return { FakeWindow: FakeWindow as unknown as new (options: BrowserWindowConstructorOptions) => BrowserWindow, created, contentsListeners };
  }

  it('creates the window with the secure preferences, hardens it and loads the app URL', () => {
    const { FakeWindow, created, contentsListeners } = fakeBrowserWindow();
    const window = createMainWindow({ BrowserWindow: FakeWindow, preloadPath: '/pre.cjs', url: APP_ENTRY_URL, isAppUrl: isPackagedAppUrl });
    expect(created).toHaveLength(1);
    const { options } = created[0]!;
    expect(options.webPreferences).toEqual(secureWebPreferences('/pre.cjs'));
    expect(options.show).toBe(false);
    expect(contentsListeners).toEqual(expect.arrayContaining(['will-navigate', 'will-redirect', 'will-frame-navigate', 'will-attach-webview']));
    const webContents = (window as unknown as { webContents: { setWindowOpenHandler: ReturnType<typeof vi.fn> } }).webContents;
    expect(webContents.setWindowOpenHandler).toHaveBeenCalledTimes(1);
    expect((window as unknown as { loadURL: ReturnType<typeof vi.fn> }).loadURL).toHaveBeenCalledWith('app://sealdrop/index.html');
  });

  it('refuses to load anything but the app', () => {
    const { FakeWindow, created } = fakeBrowserWindow();
    expect(() => createMainWindow({ BrowserWindow: FakeWindow, preloadPath: '/p', url: 'https://example.org/', isAppUrl: isPackagedAppUrl })).toThrow();
    expect(() => createMainWindow({ BrowserWindow: FakeWindow, preloadPath: '/p', url: 'file:///tmp/index.html', isAppUrl: isPackagedAppUrl })).toThrow();
    expect(created).toHaveLength(0);
  });

  it('reports a failed load instead of leaving an unhandled rejection', async () => {
    const { FakeWindow } = fakeBrowserWindow();
    const onLoadError = vi.fn();
    const window = createMainWindow({ BrowserWindow: FakeWindow, preloadPath: '/p', url: APP_ENTRY_URL, isAppUrl: isPackagedAppUrl, onLoadError });
    void window;
    const FailingWindow = class extends (FakeWindow as unknown as new (o: BrowserWindowConstructorOptions) => { loadURL: () => Promise<void> }) {
      override loadURL = vi.fn(() => Promise.reject(new Error('ERR_FILE_NOT_FOUND')));
    } as unknown as new (options: BrowserWindowConstructorOptions) => BrowserWindow;
    createMainWindow({ BrowserWindow: FailingWindow, preloadPath: '/p', url: APP_ENTRY_URL, isAppUrl: isPackagedAppUrl, onLoadError });
    await vi.waitFor(() => expect(onLoadError).toHaveBeenCalledTimes(1));
  });
});
