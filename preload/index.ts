/**
 * The preload: `window.sealdrop`, one named function per channel of the IPC contract and nothing generic
 * (src/ipc/api.ts describes the shape; src/ipc/contract.ts the channels). It runs in the sandboxed renderer's
 * isolated world and holds no logic and no secrets; main validates every payload and checks the sending frame.
 *
 * Two things happen here and nowhere else, both because only the isolated world can do them:
 * - `transfer.send` maps dropped File objects to paths with `webUtils.getPathForFile`, so page script never
 *   supplies a path string (a File it constructs itself has no path and is refused);
 * - the MessagePort of each `transfer:session` event is transferred to the page with `window.postMessage`
 *   (ports cannot cross the contextBridge). The IPC event object itself is never handed to page script: it
 *   carries `sender`, the raw ipcRenderer.
 */

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { API_GLOBAL, SESSION_PORT_MESSAGE, type On, type SealdropApi, type SendFilesRequest, type SessionPortMessage } from '../src/ipc/api';
import type { EventChannel, EventPayload, InvokeChannel, InvokeResponse, IpcResult, TransferSessionInfo } from '../src/ipc/contract';

/** The function for one invoke channel: passes the page's single argument through untouched; main validates it. */
function call<C extends InvokeChannel>(channel: C) {
  return (request?: unknown): Promise<IpcResult<InvokeResponse<C>>> =>
    ipcRenderer.invoke(channel, request) as Promise<IpcResult<InvokeResponse<C>>>;
}

/** The subscription for one event channel; the handler gets the payload only. */
function subscribe<E extends EventChannel>(channel: E): On<E> {
  return (handler) => {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    const listener = (_event: IpcRendererEvent, payload: EventPayload<E>) => handler(payload);
    ipcRenderer.on(channel, listener);
    return () => {
      ipcRenderer.removeListener(channel, listener);
    };
  };
}

function badInput(message: string): Promise<IpcResult<never>> {
  return Promise.resolve({ ok: false, error: { code: 'BAD_INPUT', message } });
}

function send(request: SendFilesRequest): Promise<IpcResult<InvokeResponse<'transfer:send'>>> {
  let paths: string[];
  try {
    paths = Array.from(request.files, (file) => webUtils.getPathForFile(file));
  } catch {
    return badInput('request.files: expected File objects');
  }
  if (paths.some((path) => path === '')) return badInput('request.files: every file must be a file on disk');
  return ipcRenderer.invoke('transfer:send', { paths, picked: request.picked, to: request.to }) as Promise<
    IpcResult<InvokeResponse<'transfer:send'>>
  >;
}

// One permanent listener moves each session's port to the page, exactly once (a port can be transferred once).
ipcRenderer.on('transfer:session', (event: IpcRendererEvent, payload: TransferSessionInfo) => {
  const [port] = event.ports;
  if (port === undefined) return;
  const message: SessionPortMessage = { type: SESSION_PORT_MESSAGE, transferId: payload.transferId };
  window.postMessage(message, window.location.origin, [port]);
});

const api: SealdropApi = {
  identity: {
    get: call('identity:get'),
    sign: call('identity:sign'),
    rotate: call('identity:rotate'),
    pairingLink: call('identity:pairing-link'),
  },
  contacts: {
    list: call('contacts:list'),
    verify: call('contacts:verify'),
    forget: call('contacts:forget'),
    acceptKeyChange: call('contacts:accept-key-change'),
    safetyNumber: call('contacts:safety-number'),
    pair: call('contacts:pair'),
    onChanged: subscribe('contacts:changed'),
  },
  settings: {
    get: call('settings:get'),
    set: call('settings:set'),
    chooseDownloadDir: call('settings:choose-download-dir'),
  },
  transfer: {
    pickFiles: call('transfer:pick-files'),
    send,
    receive: call('transfer:receive'),
    accept: call('transfer:accept'),
    decline: call('transfer:decline'),
    cancel: call('transfer:cancel'),
    openFolder: call('transfer:open-folder'),
    report: call('transfer:report'),
    onOffer: subscribe('transfer:offer'),
    onSession: subscribe('transfer:session'),
    onProgress: subscribe('transfer:progress'),
    onDone: subscribe('transfer:done'),
    onError: subscribe('transfer:error'),
  },
  disk: {
    read: call('disk:read'),
    progress: call('disk:progress'),
    writeChunk: call('disk:write-chunk'),
    createDirectory: call('disk:create-directory'),
    commit: call('disk:commit'),
    discard: call('disk:discard'),
  },
  camera: {
    startScan: call('camera:start-scan'),
    stopScan: call('camera:stop-scan'),
  },
  tray: {
    onReceivingChanged: subscribe('tray:receiving-changed'),
  },
  notification: {
    onOffer: subscribe('notification:offer'),
  },
};

contextBridge.exposeInMainWorld(API_GLOBAL, api);
