/**
 * The desktop app without Electron and without a browser, for Node tests: the REAL main-process services
 * (main/desktop/create-desktop.ts — identity in a key file, trust store, settings, transfers, pairing) and the REAL
 * renderer session runner (renderer/session/session-runner.ts), joined the way the app joins them:
 *
 *   renderer runner ── client calls ──▶ createChannelHandler (the real validators and routes) ──▶ services
 *                   ◀── transfer:session + a MessagePort (Node MessageChannel) ── channels.open()
 *
 * Stand-ins, and only these: Node MessageChannel ports instead of Electron's MessageChannelMain/DOM ports, a key
 * file instead of the OS keychain, recorded fakes for dialogs, notifications and the login item. The Chromium tests
 * (test/e2e/desktop-*.spec.ts) add the real page on top.
 */

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { SealdropError, isErrorCode } from '../../src/errors';
import {
  INVOKE_CHANNELS,
  type EventChannel,
  type EventPayload,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type IpcResult,
  type TransferSessionInfo,
} from '../../src/ipc/contract';
import { webCryptoRandom } from '../../src/ports/random';
import { fileKeyStore } from '../../main/adapters/key-file';
import { wallClock } from '../../main/adapters/wall-clock';
import { createChannelHandler, type Services } from '../../main/app/ipc';
import { createDesktop, type Desktop } from '../../main/desktop/create-desktop';
import type { SessionChannels } from '../../main/desktop/renderer-sessions';
import type { NotificationAction, NotificationPayload } from '../../main/services/notifications';
import type { RendererApi } from '../../renderer/api-types';
import { startSessionRunner, type SessionPortEvent } from '../../renderer/session/session-runner';
import { SESSION_PORT_MESSAGE } from '../../src/ipc/api';
import { nodePortPair } from './node-port';
import type { PortEndpoint } from '../../src/transport/port-transport';

export interface ShownNotification {
  readonly payload: NotificationPayload;
  readonly onAction: (action: NotificationAction) => void;
}

type Recorded = { [E in EventChannel]: { channel: E; payload: EventPayload<E> } }[EventChannel];

export interface DesktopHarness {
  readonly desktop: Desktop;
  readonly services: Services;
  readonly userData: string;
  readonly downloads: string;
  /** Every event main sent to the renderer, in order. */
  readonly events: Recorded[];
  /** Call a channel as the renderer would (validated and routed like IPC); rejects with the envelope's code. */
  call<C extends InvokeChannel>(channel: C, request?: InvokeRequest<C>): Promise<InvokeResponse<C>>;
  /** Resolves with the first recorded event on `channel` that `match` accepts (including past ones). */
  next<E extends EventChannel>(channel: E, match?: (payload: EventPayload<E>) => boolean, timeoutMs?: number): Promise<EventPayload<E>>;
  /** Every OS notification shown, with the function that answers it as the user would. */
  readonly notifications: ShownNotification[];
  /** Whether the main window counts as shown (false: closed to the tray). */
  readonly window: { visible: boolean };
  /** Every dropped-paths confirmation main asked for, and what the user answers to the next ones. */
  readonly confirmations: string[][];
  readonly confirm: { answer: boolean };
  /** Paths the next `transfer:pick-files` dialog returns. */
  pickNext(paths: readonly string[]): void;
  close(): Promise<void>;
}

const CONTEXT = { webContentsId: 1 };

export async function desktopHarness(name = 'desktop'): Promise<DesktopHarness> {
  const root = mkdtempSync(join(tmpdir(), `sealdrop-${name}-`));
  const userData = join(root, 'userData');
  const downloads = join(root, 'Downloads');
  mkdirSync(userData, { recursive: true });
  mkdirSync(downloads, { recursive: true });

  const events: Recorded[] = [];
  const waiters = new Set<() => void>();
  const record = (entry: Recorded) => {
    events.push(entry);
    for (const wake of [...waiters]) wake();
  };
  const sessionHandlers = new Set<(info: TransferSessionInfo) => void>();
  const messageListeners = new Set<(event: SessionPortEvent) => void>();
  const page = {
    addEventListener: (_type: 'message', listener: (event: SessionPortEvent) => void) => void messageListeners.add(listener),
    removeEventListener: (_type: 'message', listener: (event: SessionPortEvent) => void) => void messageListeners.delete(listener),
  };

  const channels: SessionChannels = {
    open() {
      const [local, remote] = nodePortPair();
      return {
        local,
        start(info) {
          record({ channel: 'transfer:session', payload: info });
          // As the preload does: the port travels as a window message, the parameters as the event.
          const message = { data: { type: SESSION_PORT_MESSAGE, transferId: info.transferId }, ports: [remote as unknown as MessagePort], source: page, origin: 'app://sealdrop' };
          for (const listener of messageListeners) listener(message);
          for (const handler of sessionHandlers) handler(info);
          return true;
        },
      };
    },
  };

  let picks: readonly string[] = [];
  const notifications: ShownNotification[] = [];
  const windowState = { visible: true };
  const confirmations: string[][] = [];
  const confirmState = { answer: true };
  const desktop = await createDesktop({
    userData,
    defaultDownloadDir: downloads,
    deviceName: name,
    keyStore: fileKeyStore(join(userData, 'identity.key')),
    random: webCryptoRandom,
    clock: wallClock,
    events: { emit: (channel, payload) => (record({ channel, payload } as Recorded), true) },
    channels,
    pickPaths: () => Promise.resolve(picks),
    confirmDropped: (paths) => (confirmations.push([...paths]), Promise.resolve(confirmState.answer)),
    chooseDirectory: () => Promise.resolve(downloads),
    openPath: () => Promise.resolve(),
    setLoginItemSettings: () => undefined,
    showNotification: (payload, onAction) => void notifications.push({ payload, onAction }),
    windowVisible: () => windowState.visible,
  });
  const services: Services = {
    ...desktop.services,
    camera: { startScan: () => ({ until: Date.now() + 1000 }), stopScan: () => undefined },
  };
  const handlers = new Map<InvokeChannel, (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<IpcResult<unknown>>>();
  for (const channel of INVOKE_CHANNELS) handlers.set(channel, createChannelHandler(channel, services, { isTrustedSender: () => true }));

  const call = async <C extends InvokeChannel>(channel: C, request?: InvokeRequest<C>): Promise<InvokeResponse<C>> => {
    const event = { sender: { id: CONTEXT.webContentsId } } as unknown as IpcMainInvokeEvent;
    const result = (await handlers.get(channel)!(event, ...(request === undefined ? [] : [request]))) as IpcResult<InvokeResponse<C>>;
    if (result.ok) return result.value;
    throw new SealdropError(isErrorCode(result.error.code) ? result.error.code : 'INTERNAL', result.error.message);
  };

  const client: RendererApi['client'] = {
    onSession: (handler) => {
      sessionHandlers.add(handler);
      return () => void sessionHandlers.delete(handler);
    },
    sign: (request) => call('identity:sign', request),
    report: (report) => call('transfer:report', report),
    manifest: () => undefined,
    disk: {
      read: (r) => call('disk:read', r),
      progress: (r) => call('disk:progress', r),
      writeChunk: (r) => call('disk:write-chunk', r),
      createDirectory: (r) => call('disk:create-directory', r),
      commit: (r) => call('disk:commit', r),
      discard: (r) => call('disk:discard', r),
    },
  };
  const stopRunner = startSessionRunner({
    client,
    messages: page,
    isOwnMessage: (event) => event.source === page,
    endpointOf: (port) => port as unknown as PortEndpoint,
  });

  return {
    desktop,
    services,
    userData,
    downloads,
    events,
    notifications,
    window: windowState,
    confirmations,
    confirm: confirmState,
    call,
    async next(channel, match = () => true, timeoutMs = 60_000) {
      const find = () => events.find((e) => e.channel === channel && match(e.payload as never))?.payload as EventPayload<typeof channel> | undefined;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = find();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no ${channel} event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const wake = () => (waiters.delete(wake), resolve());
          waiters.add(wake);
          setTimeout(wake, 200);
        });
      }
    },
    pickNext(paths) {
      picks = paths;
    },
    async close() {
      stopRunner();
      await desktop.close();
    },
  };
}
