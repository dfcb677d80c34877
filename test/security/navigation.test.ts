/**
 * Navigation, redirects, subframes, window.open and <webview>, on a fake webContents that records what
 * hardenWebContents registers: every path out of the app is denied; staying on app://sealdrop/ is not.
 */

import type { WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createAppUrlPolicy, hardenWebContents, isPackagedAppUrl } from '../../main/app/security';

type Handler = (...args: unknown[]) => unknown;

function fakeContents() {
  const listeners = new Map<string, Handler[]>();
  let windowOpenHandler: Handler | null = null;
  const contents = {
    on: vi.fn((event: string, listener: Handler) => {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return contents;
    }),
    setWindowOpenHandler: vi.fn((handler: Handler) => {
      windowOpenHandler = handler;
    }),
  };
  return {
    contents: contents as unknown as WebContents,
    /** Emit a navigation-like event; returns whether the handler prevented it. */
    navigate(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string, isMainFrame = true): boolean {
      const handlers = listeners.get(event) ?? [];
      expect(handlers, `${event} has a listener`).toHaveLength(1);
      let prevented = false;
      const details = { url, isMainFrame, isSameDocument: false, frame: null, preventDefault: () => (prevented = true) };
      handlers[0]!(details, url, false, isMainFrame, 1, 1);
      return prevented;
    },
    attachWebview(): boolean {
      let prevented = false;
      const webPreferences = { nodeIntegration: true };
      listeners.get('will-attach-webview')![0]!({ preventDefault: () => (prevented = true) }, webPreferences, { src: 'https://evil.example' });
      return prevented;
    },
    windowOpen(url: string): unknown {
      expect(windowOpenHandler).not.toBeNull();
      return windowOpenHandler!({ url, frameName: '', features: '', disposition: 'new-window', referrer: { url: '', policy: 'default' } });
    },
  };
}

const OUTSIDE = [
  'https://evil.example/',
  'http://localhost:5173/',
  'file:///etc/passwd',
  'app://evil/index.html',
  'app://sealdrop.evil.example/',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  'sealdrop://AQE',
];

describe('hardenWebContents', () => {
  it.each(['will-navigate', 'will-redirect', 'will-frame-navigate'] as const)('%s: leaving the app is prevented', (event) => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, { isAppUrl: isPackagedAppUrl });
    for (const url of OUTSIDE) expect(fake.navigate(event, url), url).toBe(true);
  });

  it.each(['will-navigate', 'will-redirect', 'will-frame-navigate'] as const)('%s: the app itself may load', (event) => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, { isAppUrl: isPackagedAppUrl });
    expect(fake.navigate(event, 'app://sealdrop/index.html')).toBe(false);
  });

  it('no subframe may navigate anywhere, not even to the app', () => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, { isAppUrl: isPackagedAppUrl });
    expect(fake.navigate('will-frame-navigate', 'app://sealdrop/index.html', false)).toBe(true);
  });

  it('denies every window.open', () => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, { isAppUrl: isPackagedAppUrl });
    for (const url of [...OUTSIDE, 'app://sealdrop/index.html', 'about:blank', '']) expect(fake.windowOpen(url)).toEqual({ action: 'deny' });
  });

  it('prevents every <webview> from attaching', () => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, { isAppUrl: isPackagedAppUrl });
    expect(fake.attachWebview()).toBe(true);
  });

  it('in development, allows the dev server and nothing else besides the app', () => {
    const fake = fakeContents();
    hardenWebContents(fake.contents, { isAppUrl: createAppUrlPolicy({ devServerUrl: 'http://localhost:5173' }) });
    expect(fake.navigate('will-navigate', 'http://localhost:5173/')).toBe(false);
    expect(fake.navigate('will-navigate', 'http://localhost:5174/')).toBe(true);
    expect(fake.navigate('will-navigate', 'https://evil.example/')).toBe(true);
  });
});
