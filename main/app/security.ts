/**
 * Every window is locked down here, in one place (STYLE.md 10; Electron security checklist; ADR 0004 §1).
 *
 * This module imports nothing from 'electron' at runtime: the Electron objects it configures (protocol, session,
 * webContents, the BrowserWindow class) are passed in, so tests drive it with fakes that record calls. Types come
 * from `import type` only.
 *
 * What it enforces, and why:
 * - Renderer preferences: sandbox, context isolation, no Node anywhere (frames, workers), web security on, no
 *   webview, no navigation on drag and drop (a dropped file must become a send, never a page load).
 * - The renderer is served from `app://sealdrop/` out of the built renderer folder (never file://, checklist 18):
 *   a standard, secure scheme (a secure context, so getUserMedia works for the QR scan), without bypassCSP and
 *   without corsEnabled (which would let other origins read our files). Paths cannot leave the folder.
 * - Content-Security-Policy on every response (below).
 * - Navigation, redirects and frames are confined to the app's own URL; window.open is denied; <webview> cannot
 *   attach.
 * - Permissions: everything denied, except the camera (video only, no microphone) for the app's main frame while
 *   the user's QR scan is active, and write-only sanitized clipboard (copying a link).
 * - IPC senders: only the main frame of a page on the app's URL counts (checklist 17); see isTrustedSender.
 *
 * CSP decision (style-src): MUI styles through Emotion, which inserts <style> elements at run time — even in its
 * production "speedy" mode it appends an empty <style> and fills it through CSSOM insertRule, and Chromium checks
 * that element against style-src ("Refused to apply inline style", emotion-js/emotion#1993, #2996). So Emotion needs
 * either 'unsafe-inline' or a nonce. We use a nonce: the HTML document is served by our own protocol handler, which
 * can mint a fresh value per response. Vite writes `CSP_NONCE_PLACEHOLDER` into the built index.html
 * (`html.cspNonce` in electron.vite.config.ts, which also emits `<meta property="csp-nonce" nonce=…>`); the handler
 * replaces it with 128 random bits and puts the same value in the document's style-src. The renderer reads it from
 * that meta element (`element.nonce`) and passes it to Emotion's `createCache({ key, nonce })`. Styles set through
 * the CSSOM (React's `style` prop, Popper's positioning) are not subject to CSP; only style="" attributes parsed
 * from markup would be, and none are needed, so there is no 'unsafe-inline' anywhere. What the nonce buys: injected
 * markup cannot restyle the app — e.g. hide a key-change warning or make a fingerprint prompt look verified.
 * script-src stays exactly 'self' (no nonce, no 'unsafe-eval', no 'unsafe-inline').
 */

import type {
  BrowserWindow,
  BrowserWindowConstructorOptions,
  IpcMainInvokeEvent,
  Protocol,
  Session,
  WebContents,
  WebPreferences,
} from 'electron';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';

// ------------------------------------------------------------------------------------------------ the app's URL

export const APP_SCHEME = 'app';
export const APP_HOST = 'sealdrop';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Privileges of the app scheme: standard (real origin, relative URLs) and secure (a secure context). Nothing else. */
export const APP_SCHEME_PRIVILEGES = Object.freeze({ standard: true, secure: true });

/**
 * Register `app:` as a privileged scheme. Electron requires this before the app's 'ready' event; `bypassCSP`,
 * `corsEnabled`, `supportFetchAPI` and service workers stay off.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
}

/** True for app://sealdrop/… with no credentials or port. */
export function isPackagedAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/**
 * The URL test for this run: the app scheme, plus — in development only, when electron-vite serves the renderer —
 * the dev server's origin, which must be on the loopback interface.
 * @throws Error for a dev server URL that is not http://localhost or http://127.0.0.1.
 */
export function createAppUrlPolicy(options: { readonly devServerUrl?: string | undefined } = {}): (url: string) => boolean {
  if (options.devServerUrl === undefined) return isPackagedAppUrl;
  const dev = new URL(options.devServerUrl);
  if (dev.protocol !== 'http:' || (dev.hostname !== 'localhost' && dev.hostname !== '127.0.0.1')) {
    throw new Error('the renderer dev server must be http on localhost');
  }
  const devOrigin = dev.origin;
  return (url) => {
    if (isPackagedAppUrl(url)) return true;
    try {
      return new URL(url).origin === devOrigin;
    } catch {
      return false;
    }
  };
}

// ------------------------------------------------------------------------------------------------ webPreferences

/** The preferences of every renderer this app creates. `devTools` defaults to off (packaged builds). */
export function secureWebPreferences(preloadPath: string, options: { readonly devTools?: boolean } = {}): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    disableDialogs: true,
    plugins: false,
    enableWebSQL: false,
    autoplayPolicy: 'user-gesture-required',
    devTools: options.devTools ?? false,
    // Not a security flag: the renderer runs transfer sessions while the window is hidden in the tray, and a
    // throttled hidden page would stall them.
    backgroundThrottling: false,
  };
}

// ------------------------------------------------------------------------------------------------ CSP

/** The text Vite writes where a per-response nonce belongs (electron.vite.config.ts `html.cspNonce`). */
export const CSP_NONCE_PLACEHOLDER = 'SEALDROP_CSP_NONCE';

const CSP_DIRECTIVES: readonly (readonly [string, readonly string[]])[] = [
  ['default-src', ["'none'"]],
  ['script-src', ["'self'"]],
  ['style-src', ["'self'"]],
  ['img-src', ["'self'", 'data:', 'blob:']],
  ['font-src', ["'self'"]],
  // The renderer never talks to the network: main moves every byte (ADR 0004).
  ['connect-src', ["'none'"]],
  // The QR scanner's camera preview.
  ['media-src', ["'self'", 'blob:']],
  ['worker-src', ["'self'"]],
  ['object-src', ["'none'"]],
  ['base-uri', ["'none'"]],
  ['form-action', ["'none'"]],
  ['frame-ancestors', ["'none'"]],
];

function serialisePolicy(styleNonce?: string): string {
  return CSP_DIRECTIVES.map(([name, sources]) => {
    const all = name === 'style-src' && styleNonce !== undefined ? [...sources, `'nonce-${styleNonce}'`] : sources;
    return `${name} ${all.join(' ')}`;
  }).join('; ');
}

/** The policy of every response that is not an HTML document: no inline styles at all. */
export const CONTENT_SECURITY_POLICY = serialisePolicy();

/** The policy of an HTML document whose Emotion <style> elements carry `nonce`. */
export function documentContentSecurityPolicy(nonce: string): string {
  if (!/^[A-Za-z0-9+/]{16,}={0,2}$/.test(nonce)) throw new Error('a CSP nonce is base64');
  return serialisePolicy(nonce);
}

/** Headers on every app:// response besides Content-Type and the CSP. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), display-capture=(), usb=(), serial=(), hid=(), payment=()',
  'Cache-Control': 'no-store',
});

// ------------------------------------------------------------------------------------------------ app:// protocol

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The MIME type served for `filePath`; unknown extensions are opaque bytes (and nosniff keeps them so). */
export function mimeTypeOf(filePath: string): string {
  return MIME_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `rootDir` that `url` names, or null when it names none: another scheme or host, an encoded
 * separator or NUL, a '.' / '..' / dot-file segment, a drive letter, or anything resolving outside `rootDir`.
 * The WHATWG URL parser has already collapsed '..' and '%2e%2e' segments; the checks below hold even if it had not.
 */
export function resolveAppPath(rootDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!isPackagedAppUrl(url) || parsed.port !== '') return null;
  if (/%(2f|5c|00)/i.test(parsed.pathname)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment.startsWith('.') || segment.includes(':'))) return null;
  if (segments.length === 0) segments.push('index.html');
  const root = path.resolve(rootDir);
  const full = path.resolve(root, ...segments);
  const relative = path.relative(root, full);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return full;
}

export interface AppProtocolOptions {
  /** The built renderer folder (out/renderer). */
  readonly rootDir: string;
  /** CSPRNG for nonces; node:crypto by default. */
  readonly randomBytes?: (length: number) => Uint8Array;
}

/** The parts of a protocol request the handler reads (Electron passes a full GlobalRequest). */
export interface AppRequest {
  readonly url: string;
  readonly method: string;
}

function respond(status: number, body: Uint8Array | string | null, contentType: string, csp: string): Response {
  const headers = new Headers({ ...SECURITY_HEADERS, 'Content-Security-Policy': csp, 'Content-Type': contentType });
  const payload = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return new Response(payload === null ? null : new Uint8Array(payload), { status, headers });
}

function notFound(): Response {
  return respond(404, 'Not found', 'text/plain; charset=utf-8', CONTENT_SECURITY_POLICY);
}

/**
 * The app:// request handler, separate from `registerAppProtocol` so a test (or the Chromium test bridge) can serve
 * the renderer exactly as the app does.
 */
export function createAppRequestHandler(options: AppProtocolOptions): (request: AppRequest) => Promise<Response> {
  const root = path.resolve(options.rootDir);
  const random = options.randomBytes ?? ((length: number) => new Uint8Array(nodeRandomBytes(length)));
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return respond(405, 'Method not allowed', 'text/plain; charset=utf-8', CONTENT_SECURITY_POLICY);
    }
    const filePath = resolveAppPath(root, request.url);
    if (filePath === null) return notFound();
    let bytes: Uint8Array;
    try {
      // lstat, not stat: a symbolic link inside the folder could point anywhere, so it is not served.
      const info = await lstat(filePath);
      if (!info.isFile()) return notFound();
      bytes = await readFile(filePath);
    } catch {
      return notFound();
    }
    const type = mimeTypeOf(filePath);
    let csp = CONTENT_SECURITY_POLICY;
    if (type.startsWith('text/html')) {
      const nonce = Buffer.from(random(16)).toString('base64');
      csp = documentContentSecurityPolicy(nonce);
      bytes = new TextEncoder().encode(new TextDecoder().decode(bytes).replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
    }
    return respond(200, request.method === 'HEAD' ? null : bytes, type, csp);
  };
}

/** Serve app://sealdrop/ from `rootDir`. Call after 'ready', on the session the windows use. */
export function registerAppProtocol(protocol: Pick<Protocol, 'handle'>, options: AppProtocolOptions): void {
  const handler = createAppRequestHandler(options);
  protocol.handle(APP_SCHEME, (request) => handler(request));
}

// ------------------------------------------------------------------------------------------------ navigation

export interface HardenOptions {
  readonly isAppUrl: (url: string) => boolean;
}

/**
 * Confine a webContents: main-frame navigation and redirects only to the app's URL, no subframe navigation at all,
 * every window.open denied, no <webview>. Apply to every webContents (app 'web-contents-created'), not just ours.
 */
export function hardenWebContents(contents: WebContents, options: HardenOptions): void {
  const { isAppUrl } = options;
  contents.on('will-navigate', (details) => {
    if (!isAppUrl(details.url)) details.preventDefault();
  });
  contents.on('will-redirect', (details) => {
    if (!isAppUrl(details.url)) details.preventDefault();
  });
  contents.on('will-frame-navigate', (details) => {
    if (!details.isMainFrame || !isAppUrl(details.url)) details.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

// ------------------------------------------------------------------------------------------------ permissions

export interface PermissionPolicyOptions {
  /** True only while a QR scan the user started is active (camera:start-scan … camera:stop-scan). */
  readonly cameraAllowed: () => boolean;
  readonly isAppUrl?: (url: string) => boolean;
}

type RequestHandler = Parameters<Session['setPermissionRequestHandler']>[0] & {};
type CheckHandler = Parameters<Session['setPermissionCheckHandler']>[0] & {};
type RequestDetails = Parameters<RequestHandler>[3];
type CheckDetails = Parameters<CheckHandler>[3];

/** Permissions granted without the camera window: writing (never reading) sanitized text to the clipboard. */
const ALWAYS_ALLOWED_FROM_APP: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** The decision of the permission request handler, exported for tests. */
export function allowPermissionRequest(
  permission: string,
  details: RequestDetails,
  contentsUrl: string,
  options: PermissionPolicyOptions,
): boolean {
  const isAppUrl = options.isAppUrl ?? isPackagedAppUrl;
  if (!details.isMainFrame || !isAppUrl(details.requestingUrl) || !isAppUrl(contentsUrl)) return false;
  if (ALWAYS_ALLOWED_FROM_APP.has(permission)) return true;
  if (permission !== 'media') return false;
  const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
  return mediaTypes?.length === 1 && mediaTypes[0] === 'video' && options.cameraAllowed();
}

/** The decision of the permission check handler, exported for tests. */
export function allowPermissionCheck(
  permission: string,
  requestingOrigin: string,
  details: CheckDetails,
  options: PermissionPolicyOptions,
): boolean {
  const isAppUrl = options.isAppUrl ?? isPackagedAppUrl;
  if (!details.isMainFrame || !isAppUrl(`${requestingOrigin}/`)) return false;
  if (details.requestingUrl !== undefined && !isAppUrl(details.requestingUrl)) return false;
  if (ALWAYS_ALLOWED_FROM_APP.has(permission)) return true;
  return permission === 'media' && details.mediaType === 'video' && options.cameraAllowed();
}

/** Install the permission policy on `session`: deny everything but the camera window (and clipboard writes). */
export function permissionPolicy(
  session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>,
  options: PermissionPolicyOptions,
): void {
  session.setPermissionRequestHandler((contents, permission, callback, details) => {
    callback(allowPermissionRequest(permission, details, contents.getURL(), options));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    allowPermissionCheck(permission, requestingOrigin, details, options),
  );
  // WebHID, WebUSB, Web Serial: never.
  session.setDevicePermissionHandler(() => false);
}

// ------------------------------------------------------------------------------------------------ IPC senders

/**
 * True when an IPC message comes from the top frame of a page on the app's URL. A subframe (there should be none:
 * CSP and will-frame-navigate forbid them) or any other origin is not the app, whatever it sends.
 */
export function isTrustedSender(
  event: Pick<IpcMainInvokeEvent, 'senderFrame'>,
  isAppUrl: (url: string) => boolean = isPackagedAppUrl,
): boolean {
  const frame = event.senderFrame;
  if (frame === null || frame.detached || frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

// ------------------------------------------------------------------------------------------------ the window

export interface MainWindowDeps {
  readonly BrowserWindow: new (options: BrowserWindowConstructorOptions) => BrowserWindow;
  readonly preloadPath: string;
  /** APP_ENTRY_URL, or the dev server's URL in development. */
  readonly url: string;
  readonly isAppUrl: (url: string) => boolean;
  readonly devTools?: boolean;
  readonly icon?: string;
  readonly onLoadError?: (error: unknown) => void;
}

/**
 * The main window, with `secureWebPreferences` and `hardenWebContents`; shown once it has painted.
 * @throws Error when `url` is not the app's own.
 */
export function createMainWindow(deps: MainWindowDeps): BrowserWindow {
  if (!deps.isAppUrl(deps.url)) throw new Error('the main window loads the app URL only');
  const window = new deps.BrowserWindow({
    width: 1040,
    height: 720,
    minWidth: 640,
    minHeight: 480,
    show: false,
    title: 'Sealdrop',
    autoHideMenuBar: true,
    ...(deps.icon === undefined ? {} : { icon: deps.icon }),
    webPreferences: secureWebPreferences(deps.preloadPath, deps.devTools === undefined ? {} : { devTools: deps.devTools }),
  });
  hardenWebContents(window.webContents, { isAppUrl: deps.isAppUrl });
  window.once('ready-to-show', () => window.show());
  window.loadURL(deps.url).catch((error: unknown) => deps.onLoadError?.(error));
  return window;
}
