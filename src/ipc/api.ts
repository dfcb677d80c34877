/**
 * `window.sealdrop`: the API the preload exposes to the renderer, typed from the one contract (contract.ts).
 *
 * Shape: one namespace per channel domain, one method per invoke channel (`identity:sign` → identity.sign), one
 * `on…` subscription per event channel (`contacts:changed` → contacts.onChanged) returning an unsubscribe function.
 * Nothing generic: there is no `invoke(channel, …)`. The preload holds no logic beyond two transformations, both
 * for security: `transfer.send` turns dropped `File` objects into paths with `webUtils.getPathForFile` (so page
 * script never supplies a path string), and `transfer.onSession` forwards the session's MessagePort to the page.
 *
 * MessagePorts cannot cross the contextBridge (they are transferable, not cloneable), so the port of a
 * `transfer:session` event reaches the page as a `window` "message" event posted by the preload, beside the
 * `onSession` callback that carries the session parameters:
 *
 *     window.addEventListener('message', (event) => {
 *       if (event.source !== window || event.origin !== location.origin || !isSessionPortMessage(event.data)) return;
 *       const [port] = event.ports;  // ciphertext frames of event.data.transferId
 *     });
 *
 * The two may arrive in either order; match them on `transferId`. Install that listener at startup: a port posted
 * before it exists is lost. Only the page's own scripts run in the window (CSP script-src 'self', no frames), so a
 * message with `source === window` and the app's origin comes from the preload or from our own bundle.
 *
 * Every call resolves to an `IpcResult` envelope (errors keep their stable code across the bridge); `unwrapResult`
 * turns it back into a value or a SealdropError.
 */

import { SealdropError, isErrorCode } from '../errors';
import type { EventChannel, EventPayload, InvokeChannel, InvokeRequest, InvokeResponse, IpcResult, SendRequest } from './contract';

export type Unsubscribe = () => void;

/** The method for an invoke channel: no argument when the channel takes no payload. */
export type Call<C extends InvokeChannel> = [InvokeRequest<C>] extends [void]
  ? () => Promise<IpcResult<InvokeResponse<C>>>
  : (request: InvokeRequest<C>) => Promise<IpcResult<InvokeResponse<C>>>;

/** The subscription for an event channel. */
export type On<E extends EventChannel> = (handler: (payload: EventPayload<E>) => void) => Unsubscribe;

/** What page script passes to `transfer.send`: File objects (from a drop or an <input>) instead of paths. */
export interface SendFilesRequest extends Omit<SendRequest, 'paths'> {
  readonly files: readonly File[];
}

export interface SealdropApi {
  readonly identity: {
    readonly get: Call<'identity:get'>;
    readonly sign: Call<'identity:sign'>;
    readonly rotate: Call<'identity:rotate'>;
    readonly pairingLink: Call<'identity:pairing-link'>;
  };
  readonly contacts: {
    readonly list: Call<'contacts:list'>;
    readonly verify: Call<'contacts:verify'>;
    readonly forget: Call<'contacts:forget'>;
    readonly acceptKeyChange: Call<'contacts:accept-key-change'>;
    readonly safetyNumber: Call<'contacts:safety-number'>;
    readonly pair: Call<'contacts:pair'>;
    readonly onChanged: On<'contacts:changed'>;
  };
  readonly settings: {
    readonly get: Call<'settings:get'>;
    readonly set: Call<'settings:set'>;
    readonly chooseDownloadDir: Call<'settings:choose-download-dir'>;
  };
  readonly transfer: {
    readonly pickFiles: Call<'transfer:pick-files'>;
    /** Rejects BAD_INPUT (without calling main) when a File has no path on disk. */
    readonly send: (request: SendFilesRequest) => Promise<IpcResult<InvokeResponse<'transfer:send'>>>;
    readonly receive: Call<'transfer:receive'>;
    readonly accept: Call<'transfer:accept'>;
    readonly decline: Call<'transfer:decline'>;
    readonly cancel: Call<'transfer:cancel'>;
    readonly openFolder: Call<'transfer:open-folder'>;
    readonly report: Call<'transfer:report'>;
    readonly onOffer: On<'transfer:offer'>;
    /** The session parameters; its MessagePort arrives as a window message (see the file header). */
    readonly onSession: On<'transfer:session'>;
    readonly onProgress: On<'transfer:progress'>;
    readonly onDone: On<'transfer:done'>;
    readonly onError: On<'transfer:error'>;
  };
  readonly disk: {
    readonly read: Call<'disk:read'>;
    readonly progress: Call<'disk:progress'>;
    readonly writeChunk: Call<'disk:write-chunk'>;
    readonly createDirectory: Call<'disk:create-directory'>;
    readonly commit: Call<'disk:commit'>;
    readonly discard: Call<'disk:discard'>;
  };
  readonly camera: {
    readonly startScan: Call<'camera:start-scan'>;
    readonly stopScan: Call<'camera:stop-scan'>;
  };
  readonly tray: {
    readonly onReceivingChanged: On<'tray:receiving-changed'>;
  };
  readonly notification: {
    readonly onOffer: On<'notification:offer'>;
  };
}

/** The global the preload defines. */
export const API_GLOBAL = 'sealdrop';

/** `data.type` of the window message that carries a session's MessagePort. */
export const SESSION_PORT_MESSAGE = 'sealdrop:transfer-session-port';

export interface SessionPortMessage {
  readonly type: typeof SESSION_PORT_MESSAGE;
  readonly transferId: string;
}

export function isSessionPortMessage(data: unknown): data is SessionPortMessage {
  if (typeof data !== 'object' || data === null) return false;
  const message = data as Record<string, unknown>;
  return message.type === SESSION_PORT_MESSAGE && typeof message.transferId === 'string';
}

/**
 * The value of a successful call.
 * @throws SealdropError with the call's code when it failed (INTERNAL if the envelope itself is malformed).
 */
export function unwrapResult<T>(result: IpcResult<T>): T {
  if (result.ok) return result.value;
  const code = isErrorCode(result.error.code) ? result.error.code : 'INTERNAL';
  throw new SealdropError(code, result.error.message);
}
