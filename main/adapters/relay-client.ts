/**
 * The relay client: one WebSocket to a Sealdrop relay (src/signaling/relay-protocol.ts, docs/PROTOCOL.md §13),
 * carrying the room rendezvous, path signalling, the relay path itself and mailbox notifications
 * (docs/decisions/0003 §4).
 *
 * Trust assumptions: the relay is untrusted. It may drop, reorder, forge or replay anything it forwards; everything
 * that matters is authenticated end to end (handshake, sealed control records, STREAM). This module only keeps a
 * hostile relay from costing unbounded memory: incoming messages are limited to the relay's message size, held
 * frames are bounded by pausing the socket, and malformed relay messages end the connection.
 *
 * Payload channels inside SEND/DELIVER (a convention between the two clients; the relay does not look):
 *
 *   payload := u8 channel ‖ bytes
 *   0  signal   path negotiation (PATHS, WebRTC offers and candidates)
 *   1  frame    one relay-path frame (src/frames/frames.ts); one frame per message
 *   2  end      empty: "my relay-path session has ended; what I send on channel 1 from here on is a new session"
 *
 * Channels 1 and 2 — the relay path as a Transport, and why end markers pair up — are relay-frame-transport.ts;
 * this module dispatches their payloads to it and tells it about PEER messages and the WebSocket closing.
 *
 *   sender (room creator)                relay                        receiver
 *     JOIN(room) ──────────────────────▶  │  ◀────────────────────────── JOIN(room)
 *     ◀── JOINED(0) … PEER(1)             │            JOINED(1) ──────▶
 *     SEND(0 ‖ PATHS) ────────────────────┼─ DELIVER ────────────────────▶
 *     ◀──────────────────────── DELIVER ──┼──────────────────────── SEND(1 ‖ HELLO)
 *     …frames of the session on channel 1, then SEND(2) from each side when it ends
 *
 * Backpressure: a send resolves once `ws.bufferedAmount` is below 1 MiB (when above, it waits for its own message
 * to be flushed to the socket); while a frame handler's promise is pending — or frames waiting for a handler exceed
 * 1 MiB too — the WebSocket is paused (relay-frame-transport.ts decides when), so the relay's per-receiver queue
 * fills and the relay pauses the sender.
 */

import WebSocket from 'ws';
import { errorCodeOf, fail, SealdropError, type ErrorCode } from '../../src/errors';
import { fingerprintOf } from '../../src/identity/fingerprint';
import type { IdentitySigner } from '../../src/identity/identity';
import type { Transport } from '../../src/ports/transport';
import {
  CHANNEL,
  decodeRelayMessage,
  encodeClientMessage,
  RELAY_PATH,
  registrationHash,
  type ClientMessage,
  type RelayMessage,
} from '../../src/signaling/relay-protocol';
import { CHANNEL_END, RelayFramePath } from './relay-frame-transport';

/** The relay's default limit on one client message, type byte included (relay/limits.ts, maxMessageBytes). */
export const DEFAULT_RELAY_MAX_MESSAGE_BYTES = 4 * 1024 * 1024 + 64;
/** Send high-water mark (frames held on the receiving side have their own, in relay-frame-transport.ts). */
const HIGH_WATER_BYTES = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 10_000;
/** Close code this client uses when the relay breaks the protocol (RFC 6455 §7.4.1). */
const WS_PROTOCOL_ERROR = 1002;

export interface RelayConnectOptions {
  /** Connecting, and each request (JOIN, REGISTER, NOTIFY) waiting for its answer. Default 10 s. */
  readonly timeoutMs?: number;
  /** Extra trusted CA for wss:// (a self-hosted relay). */
  readonly ca?: string | Buffer;
  readonly rejectUnauthorized?: boolean;
  /** The relay's message limit, if it is not the default; frames are limited to this minus 2. */
  readonly maxMessageBytes?: number;
}

export interface RelayCloseInfo {
  /** The WebSocket close code: one of RELAY_CLOSE (4000–4007, 1001), 1000, or 1006 when the connection dropped. */
  readonly code: number;
  readonly reason: string;
}

export interface RelayConnection {
  readonly url: string;
  /** Join (or create) the two-member room `roomId` (16 bytes). Once per connection. */
  join(roomId: Uint8Array): Promise<{ othersPresent: boolean }>;
  /** Send a signalling message to the other member (channel 0). */
  sendSignal(bytes: Uint8Array): Promise<void>;
  /** Signalling messages from the other member. Returns an unsubscribe function. */
  onSignal(handler: (bytes: Uint8Array) => void): () => void;
  /** The other member joined (true) or left (false). */
  onPeer(handler: (present: boolean) => void): () => void;
  /**
   * The relay path as a Transport (channel 1). Only one may be open at a time (BAD_INPUT otherwise); it counts as
   * open until closed locally or ended by the peer. Returns an already-closed transport when the connection is gone.
   */
  openFrameTransport(): Transport;
  /** Register this identity's mailbox (REGISTER → CHALLENGE → PROVE → REGISTERED). */
  register(signer: IdentitySigner): Promise<void>;
  /** INCOMING notifications for a registered mailbox: a transfer waits in `roomId`. The sender is unauthenticated. */
  onIncoming(handler: (roomId: Uint8Array) => void): () => void;
  /** Ask the relay to notify the device registered for `fingerprint`; true if it was online. */
  notify(fingerprint: Uint8Array, roomId: Uint8Array): Promise<boolean>;
  /** Called once when the WebSocket closes (immediately, if it already has). */
  onClose(handler: (info: RelayCloseInfo) => void): () => void;
  close(): void;
}

type Listeners<T> = Set<(value: T) => void>;

function subscribe<T>(set: Listeners<T>, handler: (value: T) => void): () => void {
  set.add(handler);
  return () => set.delete(handler);
}

function closedError(message: string, cause?: unknown): SealdropError {
  return new SealdropError('TRANSPORT_CLOSED', message, cause === undefined ? undefined : { cause });
}

/** ws:// or wss:// with the protocol path; a bare origin (as links carry it) gets RELAY_PATH. */
function relayEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    return fail('LINK_BAD_RELAY', 'relay URL is not a URL', error);
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') fail('LINK_BAD_RELAY', 'relay URL must be ws:// or wss://');
  if (parsed.pathname === '' || parsed.pathname === '/') parsed.pathname = RELAY_PATH;
  return parsed.toString();
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  // A plain Uint8Array view: Buffer's slice() shares memory, and the core's readers copy with slice().
  if (Array.isArray(data)) {
    const joined = Buffer.concat(data);
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Connect to a relay. Rejects TRANSPORT_CLOSED when it cannot be reached in time (LINK_BAD_RELAY for a bad URL). */
export async function connectRelay(url: string, options: RelayConnectOptions = {}): Promise<RelayConnection> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_RELAY_MAX_MESSAGE_BYTES;
  const endpoint = relayEndpoint(url);
  const ws = new WebSocket(endpoint, {
    perMessageDeflate: false,
    maxPayload: maxMessageBytes,
    handshakeTimeout: timeoutMs,
    ...(options.ca !== undefined ? { ca: options.ca } : {}),
    ...(options.rejectUnauthorized !== undefined ? { rejectUnauthorized: options.rejectUnauthorized } : {}),
  });
  return new Promise<RelayConnection>((resolve, reject) => {
    const failed = (message: string, cause?: unknown) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      reject(closedError(message, cause));
    };
    const timer = setTimeout(() => failed('relay did not answer in time'), timeoutMs);
    ws.once('error', (error) => failed('relay unreachable', error));
    ws.once('close', (code) => failed(`relay closed the connection (${code})`));
    ws.once('open', () => {
      clearTimeout(timer);
      ws.removeAllListeners();
      resolve(new Connection(url, ws, timeoutMs, maxMessageBytes));
    });
  });
}

interface Pending<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

class Connection implements RelayConnection {
  private readonly signalHandlers: Listeners<Uint8Array> = new Set();
  private readonly peerHandlers: Listeners<boolean> = new Set();
  private readonly incomingHandlers: Listeners<Uint8Array> = new Set();
  private readonly closeHandlers: Listeners<RelayCloseInfo> = new Set();
  private closeInfo: RelayCloseInfo | null = null;

  private joining: Pending<{ othersPresent: boolean }> | null = null;
  private registering: { signer: IdentitySigner; fingerprint: Uint8Array; pending: Pending<void> } | null = null;
  private readonly notifying: Pending<boolean>[] = [];

  /** Channels 1 and 2: the relay path's sessions (relay-frame-transport.ts). */
  private readonly framePath: RelayFramePath;

  constructor(
    readonly url: string,
    private readonly ws: WebSocket,
    private readonly timeoutMs: number,
    maxMessageBytes: number,
  ) {
    this.framePath = new RelayFramePath({
      // SEND's type byte and the channel byte.
      maxFrameBytes: maxMessageBytes - 2,
      isClosed: () => this.closeInfo !== null,
      sendPayload: (channel, bytes) => this.sendPayload(channel, bytes),
      pauseReading: () => ws.pause(),
      resumeReading: () => ws.resume(),
    });
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', () => undefined); // always followed by 'close'
    ws.on('close', (code, reason) => this.onClosed(code, reason.toString('utf8')));
  }

  // ------------------------------------------------------------------ requests

  join(roomId: Uint8Array): Promise<{ othersPresent: boolean }> {
    if (this.joining) return Promise.reject(new SealdropError('BAD_INPUT', 'already joining'));
    return this.request<{ othersPresent: boolean }>(
      (pending) => (this.joining = pending),
      () => (this.joining = null),
      { type: 'join', roomId },
    );
  }

  async register(signer: IdentitySigner): Promise<void> {
    if (this.registering) fail('BAD_INPUT', 'already registering');
    const fingerprint = await fingerprintOf(signer.publicKey);
    return this.request<void>(
      (pending) => (this.registering = { signer, fingerprint, pending }),
      () => (this.registering = null),
      { type: 'register', fingerprint },
    );
  }

  notify(fingerprint: Uint8Array, roomId: Uint8Array): Promise<boolean> {
    let entry: Pending<boolean> | null = null;
    return this.request<boolean>(
      (pending) => this.notifying.push((entry = pending)),
      () => {
        const index = entry ? this.notifying.indexOf(entry) : -1;
        if (index >= 0) this.notifying.splice(index, 1);
      },
      { type: 'notify', fingerprint, roomId },
    );
  }

  /** Send `message` and wait for the answer that `track` registers, or the timeout, or the connection's end. */
  private request<T>(track: (pending: Pending<T>) => void, untrack: () => void, message: ClientMessage): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        untrack();
        reject(new SealdropError('TIMEOUT', `relay did not answer ${message.type}`));
      }, this.timeoutMs);
      const settle = <A extends unknown[]>(f: (...args: A) => void) => (...args: A) => {
        clearTimeout(timer);
        untrack();
        f(...args);
      };
      track({ resolve: settle(resolve), reject: settle(reject) });
      this.sendMessage(message).catch(settle(reject));
    });
  }

  async sendSignal(bytes: Uint8Array): Promise<void> {
    await this.sendPayload(CHANNEL.signal, bytes);
  }

  /** One SEND with `channel ‖ bytes`. */
  private sendPayload(channel: number, bytes: Uint8Array): Promise<void> {
    const payload = new Uint8Array(bytes.length + 1);
    payload[0] = channel;
    payload.set(bytes, 1);
    return this.sendMessage({ type: 'send', payload });
  }

  private async sendMessage(message: ClientMessage): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) fail('TRANSPORT_CLOSED', 'relay connection closed');
    const bytes = encodeClientMessage(message);
    const flushed = new Promise<void>((resolve, reject) => {
      this.ws.send(bytes, { binary: true }, (error) => (error ? reject(closedError('relay send failed', error)) : resolve()));
    });
    if (this.ws.bufferedAmount < HIGH_WATER_BYTES) {
      flushed.catch(() => undefined); // a failure now shows up as the connection closing
      return;
    }
    // Above the mark: wait until this message (and so everything before it) has reached the socket.
    await flushed;
  }

  // ------------------------------------------------------------------ subscriptions

  onSignal(handler: (bytes: Uint8Array) => void): () => void {
    return subscribe(this.signalHandlers, handler);
  }

  onPeer(handler: (present: boolean) => void): () => void {
    return subscribe(this.peerHandlers, handler);
  }

  onIncoming(handler: (roomId: Uint8Array) => void): () => void {
    return subscribe(this.incomingHandlers, handler);
  }

  onClose(handler: (info: RelayCloseInfo) => void): () => void {
    const info = this.closeInfo;
    if (info) {
      queueMicrotask(() => handler(info));
      return () => undefined;
    }
    return subscribe(this.closeHandlers, handler);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.CLOSING || this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000, 'bye');
    // A relay that never answers the close frame must not keep the socket: cut it after a grace period.
    const timer = setTimeout(() => this.ws.terminate(), 3000);
    timer.unref();
    this.ws.once('close', () => clearTimeout(timer));
  }

  // ------------------------------------------------------------------ the relay path

  openFrameTransport(): Transport {
    return this.framePath.open();
  }

  // ------------------------------------------------------------------ receiving

  private onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    let message: RelayMessage;
    try {
      if (!isBinary) fail('BAD_ENCODING', 'text message from the relay');
      message = decodeRelayMessage(toBytes(data));
    } catch (error) {
      this.protocolError(errorCodeOf(error) ?? 'BAD_ENCODING');
      return;
    }
    switch (message.type) {
      case 'joined':
        this.framePath.joined(message.othersPresent);
        this.joining?.resolve({ othersPresent: message.othersPresent });
        return;
      case 'peer':
        this.framePath.peerChanged(message.present);
        for (const handler of this.peerHandlers) handler(message.present);
        return;
      case 'deliver':
        return this.onDeliver(message.payload);
      case 'challenge':
        void this.prove(message.nonce);
        return;
      case 'registered':
        this.registering?.pending.resolve();
        return;
      case 'incoming':
        for (const handler of this.incomingHandlers) handler(message.roomId);
        return;
      case 'notified':
        this.notifying[0]?.resolve(message.delivered);
        return;
    }
  }

  private onDeliver(payload: Uint8Array): void {
    if (payload.length === 0) return; // no channel: nothing a client would send, so nothing to act on
    const channel = payload[0];
    const body = payload.subarray(1);
    if (channel === CHANNEL.signal) {
      for (const handler of this.signalHandlers) handler(body);
    } else if (channel === CHANNEL.frame) {
      this.framePath.frame(body);
    } else if (channel === CHANNEL_END) {
      this.framePath.peerEnded();
    }
    // Other channels: from a newer client; ignored.
  }

  private async prove(nonce: Uint8Array): Promise<void> {
    const registering = this.registering;
    if (!registering) return; // a CHALLENGE nobody asked for
    try {
      const hash = await registrationHash(nonce, registering.fingerprint);
      const signature = await registering.signer.signHash('relay registration', hash);
      await this.sendMessage({ type: 'prove', publicKey: registering.signer.publicKey, signature });
    } catch (error) {
      registering.pending.reject(error);
    }
  }

  private protocolError(code: ErrorCode): void {
    this.ws.close(WS_PROTOCOL_ERROR, code);
  }

  private onClosed(code: number, reason: string): void {
    if (this.closeInfo) return;
    const info = { code, reason };
    this.closeInfo = info;
    const error = closedError(`relay connection closed (${code})`);
    this.joining?.reject(error);
    this.registering?.pending.reject(error);
    for (const pending of [...this.notifying]) pending.reject(error);
    this.framePath.connectionClosed();
    for (const handler of [...this.closeHandlers]) handler(info);
    this.closeHandlers.clear();
  }
}
