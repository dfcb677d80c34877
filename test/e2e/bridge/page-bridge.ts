/**
 * The page half of the test bridge: `window.sealdrop`, installed with `page.addInitScript` before any page script
 * runs, so the renderer finds it exactly where the preload would have put it.
 *
 * Stands in for: preload/index.ts. What is the same: the shape — one namespace per channel domain and one member per
 * channel, named by `apiNameOf` from src/ipc/contract.ts (the Node side computes the table from the contract and
 * passes it in, so a new channel appears here without an edit); every invoke passes the page's single argument
 * through untouched (main validates it); every `on…` subscription gets the payload only and returns an unsubscribe
 * function; each session's MessagePort reaches the page as a window message { type: SESSION_PORT_MESSAGE, transferId }
 * posted to the page's own origin, before the `transfer:session` handlers run (as the preload's permanent listener
 * does). What differs:
 *   - transport: calls go to Node through Playwright bindings, and events come back through `page.evaluate` calls
 *     to a control object (`window.__sealdropTestBridge`), both as JSON with bytes tagged (wire-codec.ts);
 *   - the port: the page creates the MessageChannel itself (main cannot hand it a real port); the renderer gets
 *     port2, a real DOM MessagePort, through the same window message as in Electron. Toward the renderer, Node's
 *     messages are posted on port1 and arrive as real port messages. Toward main, messages leave when the renderer
 *     posts them: the bridge sets its own `postMessage` on that one port object (the one in the window message's
 *     `ports`, which every listener sees) and hands the message to Node right away. That is what Electron does — a
 *     port entangled with main sends on postMessage — whereas going through port1 would add a task hop in the page
 *     that lets a later IPC call (the session's `finished` report) overtake the frames posted before it. Closing
 *     port2 is the real close; port1's 'close' event tells Node;
 *   - `transfer.send`: the one behavioural difference. The preload maps each File to its path with
 *     `webUtils.getPathForFile`, which Chromium does not have; here each File is sent by *name*, and the Node side
 *     looks the name up in a table the test registers (desktop-bridge.ts `registerFile`). An unregistered name is
 *     refused with BAD_INPUT without calling main, as the preload refuses a File that has no path;
 *   - it lives in the page's main world rather than an isolated world, so page script could see the bindings. The
 *     renderer under test does not look for them.
 *
 * The function below is self-contained (no imports, no outside names): it is injected as source text together with
 * `wireCodec`, and runs under the app's real CSP (init scripts are injected by the browser, not parsed from the page).
 */

import { EVENT_CHANNELS, INVOKE_CHANNELS, apiNameOf } from '../../../src/ipc/contract';
import { API_GLOBAL, SESSION_PORT_MESSAGE } from '../../../src/ipc/api';
import { wireCodec, type WireCodec } from './wire-codec';

/** Names of the Playwright bindings the page calls (desktop-bridge.ts exposes them). */
export const BINDINGS = {
  invoke: '__sealdropInvoke',
  send: '__sealdropSend',
  portMessage: '__sealdropPortMessage',
  portClosed: '__sealdropPortClosed',
} as const;

/** The control object the Node side reaches with `page.evaluate`. */
export const CONTROL_GLOBAL = '__sealdropTestBridge';

export interface PageBridgeConfig {
  readonly global: string;
  readonly control: string;
  readonly sessionPortMessage: string;
  readonly bindings: typeof BINDINGS;
  /** namespace → member → channel and kind, from the contract. */
  readonly api: Record<string, Record<string, { readonly channel: string; readonly kind: 'invoke' | 'event' }>>;
}

/** What `page.evaluate` may call on `window.__sealdropTestBridge`. */
export interface PageBridgeControl {
  dispatch(channel: string, payload: unknown): void;
  startSession(channelId: number, info: unknown): void;
  portMessage(channelId: number, message: unknown): void;
  closePort(channelId: number): void;
}

export function pageBridgeConfig(): PageBridgeConfig {
  const api: Record<string, Record<string, { channel: string; kind: 'invoke' | 'event' }>> = {};
  const add = (channel: string, kind: 'invoke' | 'event') => {
    const { namespace, member } = apiNameOf(channel as Parameters<typeof apiNameOf>[0]);
    (api[namespace] ??= {})[member] = { channel, kind };
  };
  for (const channel of INVOKE_CHANNELS) add(channel, 'invoke');
  for (const channel of EVENT_CHANNELS) add(channel, 'event');
  return { global: API_GLOBAL, control: CONTROL_GLOBAL, sessionPortMessage: SESSION_PORT_MESSAGE, bindings: BINDINGS, api };
}

/** The init script: the codec and the installer, as one piece of source text. */
export function pageBridgeScript(config: PageBridgeConfig = pageBridgeConfig()): string {
  return `(${installPageBridge.toString()})(${JSON.stringify(config)}, ${wireCodec.toString()});`;
}

type Binding = (...args: unknown[]) => Promise<unknown>;
type Envelope = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

function installPageBridge(config: PageBridgeConfig, makeCodec: () => WireCodec): void {
  const scope = globalThis as unknown as Record<string, unknown>;
  const { encode, decode } = makeCodec();
  const binding = (name: string): Binding => {
    const found = scope[name];
    if (typeof found !== 'function') throw new Error(`test bridge: binding ${name} is missing`);
    return found as Binding;
  };
  const invoke = binding(config.bindings.invoke);
  const send = binding(config.bindings.send);
  const portMessage = binding(config.bindings.portMessage);
  const portClosed = binding(config.bindings.portClosed);

  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const dispatch = (channel: string, payload: unknown): void => {
    for (const listener of [...(listeners.get(channel) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        reportError(error);
      }
    }
  };
  const subscribe = (channel: string) => (handler: unknown) => {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    const listener = (payload: unknown) => (handler as (payload: unknown) => void)(payload);
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };
  // The preload's `call`: exactly one argument, passed through (undefined when the page gave none).
  const call = (channel: string) => (request?: unknown) =>
    invoke(channel, request === undefined ? null : encode(request), request !== undefined).then(decode);
  const badInput = (message: string): Promise<Envelope> => Promise.resolve({ ok: false, error: { code: 'BAD_INPUT', message } });

  const transferSend = (request: { files?: unknown; picked?: unknown; to?: unknown }): Promise<unknown> => {
    let names: string[];
    try {
      names = Array.from(request.files as ArrayLike<unknown>, (file) => {
        if (!(file instanceof File)) throw new TypeError('not a File');
        return file.name;
      });
    } catch {
      return badInput('request.files: expected File objects');
    }
    return send(encode({ names, picked: request.picked, to: request.to })).then(decode);
  };

  const api: Record<string, Record<string, unknown>> = {};
  for (const [namespace, members] of Object.entries(config.api)) {
    const target: Record<string, unknown> = {};
    for (const [member, { channel, kind }] of Object.entries(members)) {
      target[member] = kind === 'event' ? subscribe(channel) : channel === 'transfer:send' ? transferSend : call(channel);
    }
    api[namespace] = Object.freeze(target);
  }
  Object.defineProperty(globalThis, config.global, { value: Object.freeze(api), enumerable: true });

  const ports = new Map<number, MessagePort>();
  /** transferId → channel id of the port posted to the window and not yet seen by the listener below. */
  const posted = new Map<string, number>();
  // Registered before any page script, so it runs before the renderer's own listener for the same event.
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const data = event.data as { type?: unknown; transferId?: unknown } | null;
    if (event.source !== window || data?.type !== config.sessionPortMessage || typeof data.transferId !== 'string') return;
    const channelId = posted.get(data.transferId);
    const [port] = event.ports;
    if (channelId === undefined || port === undefined) return;
    posted.delete(data.transferId);
    Object.defineProperty(port, 'postMessage', {
      value: (message: unknown) => {
        portMessage(channelId, encode(message)).catch(() => undefined);
      },
    });
  });
  const control = {
    dispatch: (channel: string, payload: unknown) => dispatch(channel, decode(payload)),
    startSession: (channelId: number, encodedInfo: unknown) => {
      const info = decode(encodedInfo) as { transferId: string };
      const channel = new MessageChannel();
      const local = channel.port1;
      ports.set(channelId, local);
      local.addEventListener('close', () => {
        ports.delete(channelId);
        portClosed(channelId).catch(() => undefined);
      });
      local.start();
      posted.set(info.transferId, channelId);
      window.postMessage({ type: config.sessionPortMessage, transferId: info.transferId }, window.location.origin, [channel.port2]);
      dispatch('transfer:session', info);
    },
    portMessage: (channelId: number, message: unknown) => ports.get(channelId)?.postMessage(decode(message)),
    closePort: (channelId: number) => {
      ports.get(channelId)?.close();
      ports.delete(channelId);
    },
  };
  Object.defineProperty(globalThis, config.control, { value: Object.freeze(control) });
}
