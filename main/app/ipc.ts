/**
 * IPC registration: every invoke channel of the contract (src/ipc/contract.ts) is handled here, and only here.
 *
 * Order of checks for each message, before any service code runs:
 *   1. the sender is the top frame of a page on the app's URL (`isTrustedSender`) — otherwise the call is refused
 *      with an error, not an envelope: a foreign frame is not our code and gets nothing it could branch on;
 *   2. exactly one payload, and it matches the channel's validator exactly (`validateRequest`) — otherwise the
 *      caller gets `{ ok: false, error: { code: 'BAD_INPUT' } }`;
 *   3. the service method for the channel, with the fresh validated copy.
 * Errors from services travel as envelopes with their stable code; anything that is not a SealdropError becomes
 * INTERNAL with a fixed message, so no stack, path or secret leaks into the renderer.
 *
 * Like security.ts this imports nothing from 'electron' at runtime; the services are an interface (implemented in
 * main/services/, wired in main/app/index.ts), so tests register fakes.
 */

import type { IpcMain, IpcMainInvokeEvent, MessagePortMain, WebContents } from 'electron';
import { SealdropError } from '../../src/errors';
import {
  INVOKE_CHANNELS,
  validateRequest,
  type ContactInfo,
  type ContactRef,
  type DiskEntryRequest,
  type DiskReadRequest,
  type DiskWriteRequest,
  type EventChannel,
  type EventPayload,
  type IdentityInfo,
  type InvokeChannel,
  type InvokeRequest,
  type InvokeResponse,
  type IpcResult,
  type LinkRequest,
  type OfferDecision,
  type PartProgressInfo,
  type PickedItem,
  type PickRequest,
  type SafetyNumberInfo,
  type SendRequest,
  type SettingsInfo,
  type SettingsPatch,
  type SignRequest,
  type TransferRef,
  type TransferReport,
  type TransferSessionInfo,
  type VerifyRequest,
} from '../../src/ipc/contract';
import { silentLogger, type Logger } from '../../src/ports/logger';

/** Who is calling: services that open dialogs parent them to this window's contents. */
export interface CallContext {
  readonly webContentsId: number;
}

type Awaitable<T> = T | Promise<T>;

/**
 * What main/services/ implements: one method per invoke channel, named as on `window.sealdrop` (contract.ts
 * `apiNameOf`). Requests arrive validated; a method throws SealdropError with a stable code to fail.
 */
export interface Services {
  readonly identity: {
    get(context: CallContext): Awaitable<IdentityInfo>;
    /** Signs only 'handshake initiator' / 'handshake responder' (the validator has already refused the rest). */
    sign(request: SignRequest, context: CallContext): Awaitable<Uint8Array>;
    rotate(context: CallContext): Awaitable<IdentityInfo>;
    pairingLink(context: CallContext): Awaitable<InvokeResponse<'identity:pairing-link'>>;
  };
  readonly contacts: {
    list(context: CallContext): Awaitable<readonly ContactInfo[]>;
    verify(request: VerifyRequest, context: CallContext): Awaitable<ContactInfo>;
    forget(request: ContactRef, context: CallContext): Awaitable<void>;
    acceptKeyChange(request: ContactRef, context: CallContext): Awaitable<ContactInfo>;
    safetyNumber(request: ContactRef, context: CallContext): Awaitable<SafetyNumberInfo>;
    pair(request: LinkRequest, context: CallContext): Awaitable<ContactInfo>;
  };
  readonly settings: {
    get(context: CallContext): Awaitable<SettingsInfo>;
    set(request: SettingsPatch, context: CallContext): Awaitable<SettingsInfo>;
    chooseDownloadDir(context: CallContext): Awaitable<SettingsInfo>;
  };
  readonly transfer: {
    pickFiles(request: PickRequest, context: CallContext): Awaitable<readonly PickedItem[]>;
    send(request: SendRequest, context: CallContext): Awaitable<InvokeResponse<'transfer:send'>>;
    receive(request: LinkRequest, context: CallContext): Awaitable<InvokeResponse<'transfer:receive'>>;
    accept(request: TransferRef, context: CallContext): Awaitable<void>;
    decline(request: TransferRef, context: CallContext): Awaitable<void>;
    cancel(request: TransferRef, context: CallContext): Awaitable<void>;
    openFolder(request: TransferRef, context: CallContext): Awaitable<void>;
    report(request: TransferReport, context: CallContext): Awaitable<{ readonly decision: OfferDecision | null }>;
  };
  readonly disk: {
    read(request: DiskReadRequest, context: CallContext): Awaitable<Uint8Array>;
    progress(request: DiskEntryRequest, context: CallContext): Awaitable<PartProgressInfo | null>;
    writeChunk(request: DiskWriteRequest, context: CallContext): Awaitable<void>;
    createDirectory(request: DiskEntryRequest, context: CallContext): Awaitable<void>;
    commit(request: DiskEntryRequest, context: CallContext): Awaitable<void>;
    discard(request: DiskEntryRequest, context: CallContext): Awaitable<void>;
  };
  readonly camera: {
    startScan(context: CallContext): Awaitable<InvokeResponse<'camera:start-scan'>>;
    stopScan(context: CallContext): Awaitable<void>;
  };
}

type Route<C extends InvokeChannel> = (
  services: Services,
  request: InvokeRequest<C>,
  context: CallContext,
) => Awaitable<InvokeResponse<C>>;

/** Channel → service method. The mapped type makes a missing or mistyped channel a compile error. */
const ROUTES: { readonly [C in InvokeChannel]: Route<C> } = {
  'identity:get': (s, _r, c) => s.identity.get(c),
  'identity:sign': (s, r, c) => s.identity.sign(r, c),
  'identity:rotate': (s, _r, c) => s.identity.rotate(c),
  'identity:pairing-link': (s, _r, c) => s.identity.pairingLink(c),
  'contacts:list': (s, _r, c) => s.contacts.list(c),
  'contacts:verify': (s, r, c) => s.contacts.verify(r, c),
  'contacts:forget': (s, r, c) => s.contacts.forget(r, c),
  'contacts:accept-key-change': (s, r, c) => s.contacts.acceptKeyChange(r, c),
  'contacts:safety-number': (s, r, c) => s.contacts.safetyNumber(r, c),
  'contacts:pair': (s, r, c) => s.contacts.pair(r, c),
  'settings:get': (s, _r, c) => s.settings.get(c),
  'settings:set': (s, r, c) => s.settings.set(r, c),
  'settings:choose-download-dir': (s, _r, c) => s.settings.chooseDownloadDir(c),
  'transfer:pick-files': (s, r, c) => s.transfer.pickFiles(r, c),
  'transfer:send': (s, r, c) => s.transfer.send(r, c),
  'transfer:receive': (s, r, c) => s.transfer.receive(r, c),
  'transfer:accept': (s, r, c) => s.transfer.accept(r, c),
  'transfer:decline': (s, r, c) => s.transfer.decline(r, c),
  'transfer:cancel': (s, r, c) => s.transfer.cancel(r, c),
  'transfer:open-folder': (s, r, c) => s.transfer.openFolder(r, c),
  'transfer:report': (s, r, c) => s.transfer.report(r, c),
  'disk:read': (s, r, c) => s.disk.read(r, c),
  'disk:progress': (s, r, c) => s.disk.progress(r, c),
  'disk:write-chunk': (s, r, c) => s.disk.writeChunk(r, c),
  'disk:create-directory': (s, r, c) => s.disk.createDirectory(r, c),
  'disk:commit': (s, r, c) => s.disk.commit(r, c),
  'disk:discard': (s, r, c) => s.disk.discard(r, c),
  'camera:start-scan': (s, _r, c) => s.camera.startScan(c),
  'camera:stop-scan': (s, _r, c) => s.camera.stopScan(c),
};

export interface IpcOptions {
  /** security.ts `isTrustedSender`, bound to this run's URL policy. */
  readonly isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
  readonly logger?: Logger;
}

function failure(error: unknown, channel: InvokeChannel, logger: Logger): IpcResult<never> {
  if (error instanceof SealdropError) return { ok: false, error: { code: error.code, message: error.message } };
  logger.error('ipc.handler-failed', { channel, error: error instanceof Error ? error.name : typeof error });
  return { ok: false, error: { code: 'INTERNAL', message: 'internal error' } };
}

/** The handler for one channel; exported for tests, which call it with fake events. */
export function createChannelHandler<C extends InvokeChannel>(
  channel: C,
  services: Services,
  options: IpcOptions,
): (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<IpcResult<InvokeResponse<C>>> {
  const logger = options.logger ?? silentLogger;
  const route = ROUTES[channel] as Route<C>;
  return async (event, ...args) => {
    if (!options.isTrustedSender(event)) {
      logger.warn('ipc.untrusted-sender', { channel });
      throw new Error('IPC refused: the sender is not the app');
    }
    try {
      if (args.length > 1) throw new SealdropError('BAD_INPUT', 'request: expected a single payload');
      const request = validateRequest(channel, args[0]);
      const value = await route(services, request, { webContentsId: event.sender.id });
      return { ok: true, value };
    } catch (error) {
      return failure(error, channel, logger);
    }
  };
}

/** Register every invoke channel; returns a function that removes them all again. */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  services: Services,
  options: IpcOptions,
): () => void {
  for (const channel of INVOKE_CHANNELS) ipcMain.handle(channel, createChannelHandler(channel, services, options));
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
  };
}

// ------------------------------------------------------------------------------------------------ events

export interface RendererEvents {
  /** Send an event to the window's main frame; false when there is no app page to send it to. */
  emit<E extends Exclude<EventChannel, 'transfer:session'>>(channel: E, payload: EventPayload<E>): boolean;
  /** Hand the renderer a session and the port of its ciphertext frames (transferred, not copied). */
  startSession(payload: TransferSessionInfo, port: MessagePortMain): boolean;
}

/**
 * Typed main → renderer events. Nothing is sent unless the window currently shows the app's own URL: session
 * parameters include link secrets, and must never reach another page even if navigation control failed.
 */
export function createRendererEvents(
  getContents: () => WebContents | null,
  isAppUrl: (url: string) => boolean,
): RendererEvents {
  const target = (): WebContents | null => {
    const contents = getContents();
    if (contents === null || contents.isDestroyed() || !isAppUrl(contents.getURL())) return null;
    return contents;
  };
  return {
    emit(channel, payload) {
      const contents = target();
      if (contents === null) return false;
      contents.send(channel, payload);
      return true;
    },
    startSession(payload, port) {
      const contents = target();
      if (contents === null) return false;
      contents.postMessage('transfer:session', payload, [port]);
      return true;
    },
  };
}
