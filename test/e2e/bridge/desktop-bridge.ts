/**
 * The Node half of the test bridge: the desktop app's REAL main-process services (main/desktop/create-desktop.ts),
 * wired to a Chromium page instead of an Electron window. Everything except Electron runs as in the app.
 *
 * Real: createDesktop and everything under it — identity in a key file (main/adapters/key-file.ts, as headless
 * installs use) inside a temporary userData folder, the trust store and settings files there, the transfer service
 * with the CLI's own orchestration (relay rooms, TCP / WebRTC / relay paths, resume), sessions run by the renderer's
 * session runner over a real DOM MessagePort, and every invoke through `createChannelHandler` from main/app/ipc.ts,
 * so the contract's validators and the envelope/error mapping run on every call.
 *
 * Stands in for Electron:
 *   - `ipcMain.handle` + `ipcRenderer.invoke`  → Playwright bindings (page-bridge.ts), JSON with tagged bytes;
 *     the sender check is `isTrustedSender: () => true` (the page is the test's own, on the test server's origin);
 *   - `webContents.send` (main/app/ipc.ts `createRendererEvents`) → `page.evaluate` of the page's dispatch function,
 *     dropped (false) unless the page currently shows the renderer's origin, like the real `emit`;
 *   - `MessageChannelMain` → a PortEndpoint here, paired with a DOM MessageChannel the page creates: port2 is handed
 *     to the renderer exactly as the preload does (SESSION_PORT_MESSAGE); what main posts arrives on it through
 *     port1, and what the renderer posts on it comes here at once (page-bridge.ts says why);
 *   - native dialogs, shell.openPath, app.setLoginItemSettings → fakes the test controls and whose calls it reads
 *     (`pickNext`, `chooseNext`, `calls`); the camera window (main/app/index.ts keeps it in the shell) → a recorder;
 *   - the tray shell: OS notifications → `notifications` (each with `answer(action)`, as a click on it), whether
 *     the window is shown → `setWindowVisible` (the page stays loaded while "closed to the tray", as the hidden
 *     BrowserWindow does), showing the window → counted in `calls.showWindow`;
 *   - `webUtils.getPathForFile` → the File-name table of `registerFile` (see page-bridge.ts: the one difference).
 *
 * Everything the page is told goes through ONE ordered queue of `page.evaluate` calls, so events and port frames
 * reach it in the order main produced them, as Electron's IPC and MessagePort delivery would.
 */

import type { IpcMainInvokeEvent } from 'electron';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createChannelHandler, type Services } from '../../../main/app/ipc';
import { fileKeyStore } from '../../../main/adapters/key-file';
import { wallClock } from '../../../main/adapters/wall-clock';
import { createDesktop, type Desktop, type DesktopDeps } from '../../../main/desktop/create-desktop';
import type { SessionChannels } from '../../../main/desktop/renderer-sessions';
import type { ServiceEvents } from '../../../main/services/events';
import type { NotificationAction, NotificationPayload } from '../../../main/services/notifications';
import { IDENTITY_ACCOUNT } from '../../../src/identity/identity-store';
import { identityFromSeed } from '../../../src/identity/identity';
import {
  isInvokeChannel,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type IpcResult,
  type SettingsPatch,
} from '../../../src/ipc/contract';
import type { Logger, LogFields } from '../../../src/ports/logger';
import { webCryptoRandom } from '../../../src/ports/random';
import type { PortEndpoint, PortMessage } from '../../../src/transport/port-transport';
import { BINDINGS, CONTROL_GLOBAL, pageBridgeScript, type PageBridgeControl } from './page-bridge';
import { wireCodec } from './wire-codec';

const { encode, decode } = wireCodec();

/** The webContents id main would see; dialogs are parented by it, nothing else reads it. */
const WEB_CONTENTS_ID = 1;

export interface DesktopBridgeOptions {
  readonly page: Page;
  /** The renderer's origin (renderer-server.ts); events reach the page only while it shows this origin. */
  readonly origin: string;
  readonly deviceName: string;
  /** Settings applied before the page loads (relayUrl, theme, …), through the real settings service. */
  readonly settings?: SettingsPatch;
  /** More createDesktop dependencies, for features that take them (tray notifications, window visibility). */
  readonly deps?: Partial<DesktopDeps>;
}

export interface RecordedCalls {
  readonly pickPaths: ('files' | 'folder')[];
  readonly confirmDropped: string[][];
  readonly chooseDirectory: number;
  readonly openPath: string[];
  readonly loginItem: boolean[];
  readonly camera: ('start' | 'stop')[];
  readonly showWindow: number;
}

/** An OS notification main showed; `answer` is the user pressing one of its buttons or clicking it. */
export interface ShownNotification extends NotificationPayload {
  answer(action: NotificationAction): void;
}

export interface DesktopBridge {
  readonly desktop: Desktop;
  /** What IPC routes to: the desktop's services plus the shell's camera window (a recorder here). */
  readonly services: Services;
  readonly userData: string;
  /** The download folder the settings start with (created; empty). */
  readonly defaultDownloadDir: string;
  readonly calls: RecordedCalls;
  /** Main-process log lines (event names and fields only, as the app logs them). */
  readonly log: string[];
  /** Every OS notification main has shown, oldest first. */
  readonly notifications: ShownNotification[];
  /** Show or hide the window as the tray does (main reads it to decide about unasked offers). */
  setWindowVisible(visible: boolean): void;
  /** Tell the bridge that a dropped File named `name` is the file or folder at `path` (webUtils.getPathForFile). */
  registerFile(name: string, path: string): void;
  /** What the next native file dialog returns. */
  pickNext(paths: readonly string[]): void;
  /** What the next native folder dialog returns (null: cancelled). */
  chooseNext(path: string | null): void;
  /** Call a channel exactly as the renderer would, through the real handler (validation included). */
  invoke<C extends InvokeChannel>(channel: C, request?: InvokeRequest<C>): Promise<IpcResult<InvokeResponse<C>>>;
  /** Send an event to the page as main's `webContents.send` would. */
  emit<E extends Exclude<EventChannel, 'transfer:session'>>(channel: E, payload: EventPayload<E>): boolean;
  /** This device's Ed25519 public key, read from its key file (not from the services under test). */
  publicKey(): Promise<Uint8Array>;
  /** Load the renderer in the page. */
  open(): Promise<void>;
  /** The Content-Security-Policy header the renderer's document was served with (after `open`). */
  documentPolicy(): string | null;
  /** Stop every transfer and remove the temporary folders. */
  close(): Promise<void>;
}

function recordingLogger(lines: string[]): Logger {
  const line = (level: string) => (event: string, fields?: LogFields) => {
    lines.push(`${level} ${event} ${fields ? JSON.stringify(fields) : ''}`.trimEnd());
  };
  return { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
}

/**
 * Build the desktop services for `page` and install the page half of the bridge. Call before `open()`; the page must
 * not have loaded the renderer yet (bindings and the init script apply to the next navigation).
 */
export async function startDesktopBridge(options: DesktopBridgeOptions): Promise<DesktopBridge> {
  const { page, origin } = options;
  const userData = mkdtempSync(join(tmpdir(), `sealdrop-desktop-${options.deviceName}-`));
  const defaultDownloadDir = join(userData, 'Downloads');
  mkdirSync(defaultDownloadDir);
  const keyFile = join(userData, 'identity.key');
  const log: string[] = [];
  const logger = recordingLogger(log);
  const calls = { pickPaths: [], confirmDropped: [], chooseDirectory: 0, openPath: [], loginItem: [], camera: [], showWindow: 0 } as {
    -readonly [K in keyof RecordedCalls]: RecordedCalls[K];
  };
  const notifications: ShownNotification[] = [];
  let windowVisible = true;
  const files = new Map<string, string>();
  let nextPick: readonly string[] = [];
  let nextDirectory: string | null = null;

  // ------------------------------------------------------------------------------------ toward the page, in order

  let queue: Promise<unknown> = Promise.resolve();
  const showsApp = () => !page.isClosed() && page.url().startsWith(`${origin}/`);
  const toPage = <M extends keyof PageBridgeControl>(method: M, ...args: Parameters<PageBridgeControl[M]>): void => {
    queue = queue
      .then(() =>
        page.evaluate(
          ({ control, name, values }) => {
            const bridge = (globalThis as unknown as Record<string, Record<string, (...a: unknown[]) => void>>)[control]!;
            bridge[name]!(...values);
          },
          { control: CONTROL_GLOBAL, name: method, values: args as unknown[] },
        ),
      )
      .catch((error: unknown) => {
        if (!page.isClosed()) logger.error('bridge.to-page-failed', { message: error instanceof Error ? error.message : String(error) });
      });
  };

  const events: ServiceEvents = {
    emit(channel, payload) {
      if (!showsApp()) return false;
      toPage('dispatch', channel, encode(payload));
      return true;
    },
  };

  // ------------------------------------------------------------------------------------ session ports

  interface LocalEnd {
    listener: ((message: unknown) => void) | null;
    onClose: (() => void) | null;
    closed: boolean;
  }
  const ends = new Map<number, LocalEnd>();
  let nextChannel = 1;
  const channels: SessionChannels = {
    open() {
      const id = nextChannel++;
      const end: LocalEnd = { listener: null, onClose: null, closed: false };
      ends.set(id, end);
      let started = false;
      const early: PortMessage[] = [];
      const post = (message: PortMessage) => toPage('portMessage', id, encode(message));
      const local: PortEndpoint = {
        postMessage(message) {
          if (end.closed) return;
          if (started) post(message);
          else early.push(message);
        },
        onMessage(listener) {
          end.listener = listener;
        },
        onClose(listener) {
          end.onClose = listener;
        },
        close() {
          if (end.closed) return;
          end.closed = true;
          ends.delete(id);
          if (started) toPage('closePort', id);
        },
      };
      return {
        local,
        start(info) {
          if (!showsApp() || end.closed) return false;
          started = true;
          toPage('startSession', id, encode(info));
          for (const message of early.splice(0)) post(message);
          return true;
        },
      };
    },
  };

  // ------------------------------------------------------------------------------------ the desktop

  const desktop = await createDesktop({
    userData,
    defaultDownloadDir,
    deviceName: options.deviceName,
    keyStore: fileKeyStore(keyFile),
    random: webCryptoRandom,
    clock: wallClock,
    logger,
    events,
    channels,
    // The native "Send these items?" dialog; the tests answer Send and see what it listed.
    confirmDropped: (paths) => {
      calls.confirmDropped.push([...paths]);
      return Promise.resolve(true);
    },
    pickPaths: (kind) => {
      calls.pickPaths.push(kind);
      const paths = nextPick;
      nextPick = [];
      return Promise.resolve(paths);
    },
    chooseDirectory: () => {
      calls.chooseDirectory++;
      const chosen = nextDirectory;
      nextDirectory = null;
      return Promise.resolve(chosen);
    },
    openPath: (path) => {
      calls.openPath.push(path);
      return Promise.resolve();
    },
    setLoginItemSettings: ({ openAtLogin }) => {
      calls.loginItem.push(openAtLogin);
    },
    showNotification: (payload, onAction) => {
      notifications.push({ ...payload, answer: onAction });
    },
    windowVisible: () => windowVisible,
    showWindow: () => {
      calls.showWindow++;
      windowVisible = true;
    },
    ...options.deps,
  });
  if (options.settings) await desktop.settings.set(options.settings);

  const services: Services = {
    ...desktop.services,
    camera: {
      startScan: () => {
        calls.camera.push('start');
        return { until: Date.now() + 2 * 60_000 };
      },
      stopScan: () => {
        calls.camera.push('stop');
      },
    },
  };

  // ------------------------------------------------------------------------------------ from the page

  const fakeEvent = { sender: { id: WEB_CONTENTS_ID } } as unknown as IpcMainInvokeEvent;
  const handlers = new Map<InvokeChannel, ReturnType<typeof createChannelHandler>>();
  const handlerOf = (channel: InvokeChannel) => {
    let handler = handlers.get(channel);
    if (!handler) {
      handler = createChannelHandler(channel, services, { isTrustedSender: () => true, logger });
      handlers.set(channel, handler);
    }
    return handler;
  };
  const invokeRaw = async (channel: InvokeChannel, args: unknown[]) => {
    const result = await handlerOf(channel)(fakeEvent, ...args);
    // Main answers refusals with envelopes and logs nothing; the report shows them, for the post-mortem.
    if (!result.ok) logger.warn('bridge.invoke-refused', { channel, code: result.error.code, message: result.error.message });
    return result;
  };


  await page.exposeBinding(BINDINGS.invoke, async (_source, channel: unknown, payload: unknown, hasPayload: unknown) => {
    // ipcRenderer.invoke on an unknown channel finds no handler and rejects; so does this.
    if (!isInvokeChannel(channel)) throw new Error(`No handler registered for '${String(channel)}'`);
    return encode(await invokeRaw(channel, [hasPayload === true ? decode(payload) : undefined]));
  });

  await page.exposeBinding(BINDINGS.send, async (_source, payload: unknown) => {
    const { names, picked, to } = decode(payload) as { names: string[]; picked: unknown; to: unknown };
    // webUtils.getPathForFile: '' for a File that is not a file on disk (here: not registered by the test).
    const paths = names.map((name) => files.get(name) ?? '');
    if (paths.some((path) => path === '')) {
      return encode({ ok: false, error: { code: 'BAD_INPUT', message: 'request.files: every file must be a file on disk' } });
    }
    return encode(await invokeRaw('transfer:send', [{ paths, picked, to }]));
  });

  await page.exposeBinding(BINDINGS.portMessage, (_source, id: unknown, message: unknown) => {
    const end = ends.get(id as number);
    if (end && !end.closed) end.listener?.(decode(message));
  });

  await page.exposeBinding(BINDINGS.portClosed, (_source, id: unknown) => {
    const end = ends.get(id as number);
    if (!end || end.closed) return;
    end.closed = true;
    ends.delete(id as number);
    end.onClose?.();
  });

  await page.addInitScript({ content: pageBridgeScript() });
  let policy: string | null = null;

  return {
    desktop,
    services,
    userData,
    defaultDownloadDir,
    calls,
    log,
    notifications,
    setWindowVisible: (visible) => void (windowVisible = visible),
    registerFile: (name, path) => void files.set(name, path),
    pickNext: (paths) => void (nextPick = paths),
    chooseNext: (path) => void (nextDirectory = path),
    invoke: (channel, request) => handlerOf(channel)(fakeEvent, request),
    emit: (channel, payload) => events.emit(channel, payload) as boolean,
    async publicKey() {
      const seed = await fileKeyStore(keyFile).load(IDENTITY_ACCOUNT);
      if (seed === null) throw new Error('the desktop has no identity yet');
      return (await identityFromSeed(seed)).publicKey;
    },
    async open() {
      const response = await page.goto(`${origin}/index.html`);
      policy = (await response?.headerValue('content-security-policy')) ?? null;
    },
    documentPolicy: () => policy,
    async close() {
      await desktop.close();
      for (const end of ends.values()) end.closed = true;
      ends.clear();
      await queue;
      rmSync(userData, { recursive: true, force: true });
    },
  };
}
