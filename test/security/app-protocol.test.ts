/**
 * The app:// protocol, served from a real temporary folder through a fake `protocol` that records the handler:
 * files inside the renderer folder are served with the right MIME type; nothing outside it is reachable (`..`,
 * encoded `%2e%2e` and `%2f`, absolute paths, drive letters, symbolic links, dot files, other hosts) — those and
 * nonexistent files are 404; every response, 404 included, carries the CSP; the HTML gets a fresh style nonce.
 */

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  APP_SCHEME_PRIVILEGES,
  CONTENT_SECURITY_POLICY,
  CSP_NONCE_PLACEHOLDER,
  registerAppProtocol,
  registerAppScheme,
  resolveAppPath,
} from '../../main/app/security';

const SECRET = 'TOP-SECRET-CONTENT-OUTSIDE-THE-RENDERER';
// Created at load time: the test table below names paths inside it.
const base = mkdtempSync(path.join(tmpdir(), 'sealdrop-protocol-'));
const root = path.join(base, 'renderer');
let handler: (request: { url: string; method: string }) => Promise<Response>;

beforeAll(() => {
  mkdirSync(path.join(root, 'assets'), { recursive: true });
  mkdirSync(path.join(root, 'dir'));
  writeFileSync(path.join(base, 'secret.txt'), SECRET);
  mkdirSync(path.join(base, 'etc'));
  writeFileSync(path.join(base, 'etc', 'passwd'), SECRET);
  writeFileSync(
    path.join(root, 'index.html'),
    `<!doctype html><meta property="csp-nonce" nonce="${CSP_NONCE_PLACEHOLDER}"><script type="module" nonce="${CSP_NONCE_PLACEHOLDER}" src="./assets/app.js"></script>`,
  );
  writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log("app")');
  writeFileSync(path.join(root, 'assets', 'app.css'), 'body{}');
  writeFileSync(path.join(root, 'assets', 'icon.svg'), '<svg/>');
  writeFileSync(path.join(root, 'assets', 'font.woff2'), 'w');
  writeFileSync(path.join(root, 'assets', 'blob.bin'), 'b');
  writeFileSync(path.join(root, '.env'), SECRET);
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));

  const protocol = { handle: vi.fn() };
  registerAppProtocol(protocol, { rootDir: root });
  expect(protocol.handle).toHaveBeenCalledTimes(1);
  expect(protocol.handle.mock.calls[0]![0]).toBe('app');
  handler = protocol.handle.mock.calls[0]![1] as typeof handler;
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handler({ url, method });

function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'self';/);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('registerAppScheme', () => {
  it('registers app: as standard and secure, and nothing more (no bypassCSP, no CORS, no fetch, no service workers)', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() };
    registerAppScheme(protocol);
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    expect(APP_SCHEME_PRIVILEGES).not.toHaveProperty('bypassCSP');
    expect(Object.isFrozen(APP_SCHEME_PRIVILEGES)).toBe(true);
  });
});

describe('serving the renderer', () => {
  it.each([
    ['app://sealdrop/', 'text/html; charset=utf-8'],
    ['app://sealdrop/index.html', 'text/html; charset=utf-8'],
    ['app://sealdrop/assets/app.js', 'text/javascript; charset=utf-8'],
    ['app://sealdrop/assets/app.css', 'text/css; charset=utf-8'],
    ['app://sealdrop/assets/icon.svg', 'image/svg+xml'],
    ['app://sealdrop/assets/font.woff2', 'font/woff2'],
    ['app://sealdrop/assets/blob.bin', 'application/octet-stream'],
    ['app://sealdrop/assets/app.js?v=1#frag', 'text/javascript; charset=utf-8'],
  ])('%s → 200 %s', async (url, type) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expectSecurityHeaders(response);
  });

  it('puts a fresh nonce into the document and its style-src, and nowhere into script-src', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const response = await get('app://sealdrop/index.html');
      const html = await response.text();
      const csp = response.headers.get('content-security-policy')!;
      expect(html).not.toContain(CSP_NONCE_PLACEHOLDER);
      const nonce = /nonce="([^"]+)"/.exec(html)![1]!;
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
      expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
      expect(csp).toContain("script-src 'self';");
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(3);
  });

  it('serves scripts and styles under the nonce-free policy', async () => {
    expect((await get('app://sealdrop/assets/app.js')).headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get('app://sealdrop/assets/app.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const response = await get('app://sealdrop/assets/app.js', method);
      expect(response.status).toBe(405);
      expectSecurityHeaders(response);
    }
  });
});

describe('nothing outside the renderer folder is reachable', () => {
  it.each([
    'app://sealdrop/../../etc/passwd',
    'app://sealdrop/../secret.txt',
    'app://sealdrop/assets/../../secret.txt',
    'app://sealdrop/%2e%2e/secret.txt',
    'app://sealdrop/%2E%2E/%2e%2e/etc/passwd',
    'app://sealdrop/.%2e/secret.txt',
    'app://sealdrop/..%2fsecret.txt',
    'app://sealdrop/%2e%2e%2fsecret.txt',
    'app://sealdrop/..%5csecret.txt',
    'app://sealdrop/assets%2f..%2f..%2fsecret.txt',
    'app://sealdrop/%252e%252e/secret.txt',
    'app://sealdrop//etc/passwd',
    `app://sealdrop/${encodeURIComponent(path.join(base, 'secret.txt'))}`,
    `app://sealdrop${path.join(base, 'secret.txt')}`,
    'app://sealdrop/C:/Windows/win.ini',
    'app://sealdrop/C:%5CWindows%5Cwin.ini',
    'app://sealdrop/link.txt',
    'app://sealdrop/.env',
    'app://sealdrop/assets/%00.js',
    'app://sealdrop/dir',
    'app://sealdrop/dir/',
    'app://sealdrop/nonexistent.js',
    'app://sealdrop/assets/nope.css',
    'app://evil/index.html',
    'app://user@sealdrop/index.html',
    'file:///etc/passwd',
    'app://sealdrop/%E0%A4%A',
  ])('%s → 404', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expectSecurityHeaders(response);
    expect(await response.text()).not.toContain(SECRET);
  });

  it('resolveAppPath never returns a path outside the root', () => {
    for (const url of ['app://sealdrop/../../etc/passwd', 'app://sealdrop/%2e%2e/secret.txt', 'app://sealdrop/..%2fsecret.txt']) {
      const resolved = resolveAppPath(root, url);
      if (resolved !== null) expect(path.relative(root, resolved).startsWith('..')).toBe(false);
    }
    expect(resolveAppPath(root, 'app://sealdrop/')).toBe(path.join(root, 'index.html'));
  });
});
