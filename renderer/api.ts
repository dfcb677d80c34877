/**
 * The renderer's one door to the main process: `window.sealdrop`, the preload API of src/ipc/api.ts.
 *
 * Nothing else in renderer/ reads `window.sealdrop`; components get the API from React context (`useApi`), so the
 * dev harness or a component test can hand in another `RendererApi`. This module:
 *   - unwraps the contract's IpcResult envelopes: calls resolve to values or reject with `ApiError` (stable code);
 *   - subscribes once, at startup, to the transfer and notification events and folds them into the transfer list
 *     and the pending offers (data/transfer-tracker.ts), so a screen that opens late still sees what happened;
 *   - makes unsubscribe callbacks safe to call twice (React development mode cleans effects up twice).
 */

import { createContext, useContext } from 'react';
import { isErrorCode } from '../src/errors';
import { API_GLOBAL, type SealdropApi as Bridge } from '../src/ipc/api';
import type { IpcResult } from '../src/ipc/contract';
import type { RendererApi, Unsubscribe } from './api-types';
import { TransferTracker } from './data/transfer-tracker';

export type * from './api-types';

/** A failed API call. `code` is one of src/errors.ts ERROR_CODES, or 'BRIDGE_UNAVAILABLE'. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Any thrown value as an ApiError: its own code when it has a known one, else INTERNAL. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new ApiError(isErrorCode(code) ? code : 'INTERNAL', message, { cause: error });
}

async function unwrap<T>(call: Promise<IpcResult<T>>): Promise<T> {
  let result: IpcResult<T>;
  try {
    result = await call;
  } catch (error) {
    // Only a refused sender or a broken bridge rejects; services answer with envelopes.
    throw toApiError(error);
  }
  if (result.ok) return result.value;
  throw new ApiError(isErrorCode(result.error.code) ? result.error.code : 'INTERNAL', result.error.message);
}

function onceOnly(unsubscribe: Unsubscribe): Unsubscribe {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    unsubscribe();
  };
}

const NAMESPACES = ['identity', 'contacts', 'settings', 'transfer', 'disk', 'camera', 'tray', 'notification'] as const;

/** `source.sealdrop`, checked for the namespaces this module uses. */
function findBridge(source: object): Bridge {
  const bridge: unknown = Reflect.get(source, API_GLOBAL);
  if (typeof bridge !== 'object' || bridge === null) {
    throw new ApiError('BRIDGE_UNAVAILABLE', `window.${API_GLOBAL} is missing: this page must run inside Sealdrop`);
  }
  for (const name of NAMESPACES) {
    const namespace: unknown = Reflect.get(bridge, name);
    if (typeof namespace !== 'object' || namespace === null) {
      throw new ApiError('BRIDGE_UNAVAILABLE', `window.${API_GLOBAL}.${name} is missing`);
    }
  }
  return bridge as Bridge;
}

/**
 * The API over `source.sealdrop` (the window by default). Call once per page: it subscribes to main's events for
 * the life of the page.
 * @throws ApiError BRIDGE_UNAVAILABLE when the preload did not expose it (the page was opened outside the app).
 */
export function connectApi(source: object = window, now: () => number = Date.now): RendererApi {
  const bridge = findBridge(source);
  const tracker = new TransferTracker(now);

  bridge.transfer.onOffer((offer) => tracker.offer(offer));
  bridge.transfer.onSession((session) => tracker.session(session));
  bridge.transfer.onProgress((event) => tracker.progress(event));
  bridge.transfer.onDone((event) => tracker.done(event));
  bridge.transfer.onError((event) => tracker.error(event));
  bridge.notification.onOffer(({ transferId, action }) => {
    if (action !== 'open') tracker.answered(transferId, action);
  });

  return {
    identity: {
      get: () => unwrap(bridge.identity.get()),
      pairingLink: () => unwrap(bridge.identity.pairingLink()),
    },
    contacts: {
      list: () => unwrap(bridge.contacts.list()),
      onChanged: (handler) => onceOnly(bridge.contacts.onChanged(({ contacts }) => handler(contacts))),
      safetyNumber: (id) => unwrap(bridge.contacts.safetyNumber({ id })),
      verify: (request) => unwrap(bridge.contacts.verify(request)),
      pair: (link) => unwrap(bridge.contacts.pair({ link })),
      forget: (id) => unwrap(bridge.contacts.forget({ id })),
    },
    settings: {
      get: () => unwrap(bridge.settings.get()),
      set: (patch) => unwrap(bridge.settings.set(patch)),
      chooseDownloadDir: () => unwrap(bridge.settings.chooseDownloadDir()),
    },
    transfer: {
      pickFiles: (kind) => unwrap(bridge.transfer.pickFiles({ kind })),
      send: async ({ items, to }) => {
        const files = items.flatMap((item) => (item.kind === 'dropped' ? [item.file] : []));
        const picked = items.flatMap((item) => (item.kind === 'picked' ? [item.item.id] : []));
        const started = await unwrap(bridge.transfer.send({ files, picked, to }));
        tracker.started({
          transferId: started.transferId,
          direction: 'send',
          names: items.map((item) => (item.kind === 'dropped' ? item.file.name : item.item.name)),
          link: started.link,
          contactId: to.kind === 'contact' ? to.contactId : null,
        });
        return started;
      },
      receive: async (link) => {
        const started = await unwrap(bridge.transfer.receive({ link }));
        tracker.started({ transferId: started.transferId, direction: 'receive', names: [], link: null, contactId: null });
        return started;
      },
      cancel: (transferId) => unwrap(bridge.transfer.cancel({ transferId })),
      openFolder: (transferId) => unwrap(bridge.transfer.openFolder({ transferId })),
      list: tracker.transfers,
      onChanged: (listener) => onceOnly(tracker.subscribe(listener)),
    },
    offers: {
      list: tracker.offers,
      onChanged: (listener) => onceOnly(tracker.subscribe(listener)),
      accept: async (transferId) => {
        await unwrap(bridge.transfer.accept({ transferId }));
        tracker.answered(transferId, 'accept');
      },
      decline: async (transferId) => {
        await unwrap(bridge.transfer.decline({ transferId }));
        tracker.answered(transferId, 'decline');
      },
      onOpenRequested: (handler) =>
        onceOnly(bridge.notification.onOffer(({ transferId, action }) => action === 'open' && handler(transferId))),
    },
    camera: {
      startScan: () => unwrap(bridge.camera.startScan()),
      stopScan: () => unwrap(bridge.camera.stopScan()),
    },
    tray: {
      onReceivingChanged: (handler) => onceOnly(bridge.tray.onReceivingChanged(({ receiving }) => handler(receiving))),
    },
    client: {
      onSession: (handler) => onceOnly(bridge.transfer.onSession(handler)),
      sign: (request) => unwrap(bridge.identity.sign(request)),
      report: async (report) => {
        tracker.report(report);
        return unwrap(bridge.transfer.report(report));
      },
      manifest: (transferId, entries) => tracker.manifest(transferId, entries),
      disk: {
        read: (request) => unwrap(bridge.disk.read(request)),
        progress: (request) => unwrap(bridge.disk.progress(request)),
        writeChunk: (request) => unwrap(bridge.disk.writeChunk(request)),
        createDirectory: (request) => unwrap(bridge.disk.createDirectory(request)),
        commit: (request) => unwrap(bridge.disk.commit(request)),
        discard: (request) => unwrap(bridge.disk.discard(request)),
      },
    },
  };
}

export const ApiContext = createContext<RendererApi | null>(null);

/** The API for this render tree. */
export function useApi(): RendererApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}
