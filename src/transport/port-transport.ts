/**
 * A Transport over a message port, and the pipe that joins it to a network Transport.
 *
 * Where it sits (desktop app): the Electron main process holds the network path; the sandboxed renderer runs the
 * session (handshake, decryption). Ciphertext frames cross between them over a MessageChannelMain ↔ DOM MessagePort
 * pair. Main runs `pipeTransports(network, createPortTransport(mainPort))`; the renderer hands
 * `createPortTransport(domPort)` to the session as its Transport. Both ends are this module, so they always agree.
 *
 *   { t: 'frame',  data }            one frame (a compact Uint8Array: posting a view would clone its whole buffer)
 *   { t: 'credit', bytes }           window handed back once the receiving handler has finished with frames
 *   { t: 'close',  code, message }   the path ends behind the frames before it; code ∈ ERROR_CODES, message ≤ 200
 *
 * Backpressure both ways, as in the WebRTC adapter (main/adapters/webrtc-flow-control.ts): a port pushes every
 * message into JS as it arrives and cannot be paused, so each direction runs a credit window. A frame costs its length
 * + PORT_MESSAGE_COST_BYTES, so a flood of empty frames is bounded too. `send` resolves while less than `windowBytes`
 * is uncredited, so a sender holds at most the window plus one frame in flight; the receiver credits a frame back
 * only once its handler settled (src/transport/frame-delivery.ts), in batches of windowBytes / 4 or when the queue
 * runs empty. In the pipe, "handled" means "the other transport's send resolved", so a slow network slows the
 * renderer and a slow renderer pauses the network.
 *
 * Trust assumptions: the other end may be hostile (a compromised renderer, seen from main; the frames themselves are
 * authenticated end to end above this layer, so this module only bounds memory and never trusts a shape). Every
 * message is validated strictly, and the first bad one ends the path at once (queued frames are dropped, a close is
 * posted, the endpoint closed, the handler told after the frame in hand; pipeTransports closes the network at once):
 *   BAD_INPUT            not a plain message of a known `t` with exactly its fields; data not an ArrayBuffer-backed
 *                        Uint8Array; credit not a positive safe integer; close code unknown or message not a string
 *                        of ≤ MAX_CLOSE_MESSAGE_CHARS
 *   FRAME_TOO_LARGE      a frame (or the buffer behind it) over maxFrameBytes
 *   UNEXPECTED_MESSAGE   more credit than was outstanding; more than windowBytes + one frame sent beyond the credit
 * The message listener never throws. Nothing here touches a platform API: the endpoint is injected.
 */

import { errorCodeOf, fail, isErrorCode, SealdropError, type ErrorCode } from '../errors';
import { silentLogger, type Logger } from '../ports/logger';
import type { LocalTransportBinding, PathKind, Transport, TransportCloseReason, TransportHandlers } from '../ports/transport';
import { FrameDelivery } from './frame-delivery';

/**
 * The smallest surface of a message port; DOM MessagePort, Electron MessagePortMain and Node worker_threads
 * MessagePort each fit behind a few-line adapter.
 */
export interface PortEndpoint {
  postMessage(message: PortMessage): void;
  /** Set the one listener for incoming messages (and start delivery; for DOM/Electron ports: port.start()). */
  onMessage(listener: (message: unknown) => void): void;
  /** The other end went away (Electron's 'close' event). Optional. */
  onClose?(listener: () => void): void;
  close(): void;
}

export type PortMessage =
  | { readonly t: 'frame'; readonly data: Uint8Array }
  | { readonly t: 'credit'; readonly bytes: number }
  | { readonly t: 'close'; readonly code: ErrorCode; readonly message: string };

export interface PortTransportOptions {
  readonly path: PathKind;
  readonly binding: LocalTransportBinding;
  readonly maxFrameBytes: number;
  /** Bytes the sender may have in flight before credit comes back (default 4 MiB). Both ends must agree. */
  readonly windowBytes?: number;
  readonly logger?: Logger;
}

export interface PortTransport extends Transport {
  /** Close and tell the other end why (main forwards the network's close reason to the renderer). */
  closeWith(reason: TransportCloseReason): void;
}

export const DEFAULT_PORT_WINDOW_BYTES = 4 * 1024 * 1024;
/** Per-message accounting overhead, so zero-length frames also consume window. */
export const PORT_MESSAGE_COST_BYTES = 64;
/** Longest close message either side sends or accepts. */
export const MAX_CLOSE_MESSAGE_CHARS = 200;

const cost = (length: number) => length + PORT_MESSAGE_COST_BYTES;
const closedError = () => new SealdropError('TRANSPORT_CLOSED', 'transport closed');

export type ParsedPortMessage =
  | { readonly ok: true; readonly message: PortMessage }
  | { readonly ok: false; readonly reason: Required<TransportCloseReason> };

const FIELDS = { frame: ['t', 'data'], credit: ['t', 'bytes'], close: ['t', 'code', 'message'] } as const;

/** Validate one incoming message (see the header for the codes). Pure. */
export function parsePortMessage(value: unknown, maxFrameBytes: number): ParsedPortMessage {
  const reject = (code: ErrorCode, message: string) => ({ ok: false, reason: { code, message } }) as const;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject('BAD_INPUT', 'not a message');
  const m = value as Record<string, unknown>;
  const { t, data, bytes, code, message } = m;
  if (t !== 'frame' && t !== 'credit' && t !== 'close') return reject('BAD_INPUT', 'unknown message type');
  // Exactly these own fields: nothing extra rides along, nothing is missing.
  if (Object.keys(m).length !== FIELDS[t].length || !FIELDS[t].every((key) => Object.hasOwn(m, key))) {
    return reject('BAD_INPUT', `malformed ${t} message`);
  }
  if (t === 'credit') {
    if (typeof bytes === 'number' && Number.isSafeInteger(bytes) && bytes > 0) return { ok: true, message: { t, bytes } };
    return reject('BAD_INPUT', 'malformed credit');
  }
  if (t === 'close') {
    if (isErrorCode(code) && typeof message === 'string' && message.length <= MAX_CLOSE_MESSAGE_CHARS) {
      return { ok: true, message: { t, code, message } };
    }
    return reject('BAD_INPUT', 'malformed close');
  }
  // A SharedArrayBuffer could change under us after validation; honest ends never post one.
  if (!(data instanceof Uint8Array) || !(data.buffer instanceof ArrayBuffer)) return reject('BAD_INPUT', 'bad data');
  if (data.byteLength > maxFrameBytes || data.buffer.byteLength > maxFrameBytes) {
    return reject('FRAME_TOO_LARGE', 'frame exceeds the path limit');
  }
  return { ok: true, message: { t, data } };
}

/** A plain Uint8Array that owns its whole ArrayBuffer, so posting it clones exactly its bytes. */
function compact(bytes: Uint8Array): Uint8Array {
  const plain = Object.getPrototypeOf(bytes) === Uint8Array.prototype && bytes.buffer instanceof ArrayBuffer
    && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
  return plain ? bytes : new Uint8Array(bytes); // a copy, where Buffer#slice would be a view
}

class PortTransportImpl implements PortTransport {
  readonly path: PathKind;
  readonly binding: LocalTransportBinding;
  readonly maxFrameBytes: number;
  private readonly windowBytes: number;
  private readonly logger: Logger;
  private readonly delivery = new FrameDelivery(
    {
      failed: () => this.logger.warn('port.handler.rejected'),
      handled: (frame) => this.creditBack(frame),
      drained: () => this.flushCredit(),
    },
    { awaitSyncResults: true },
  );
  /** Sender side: cost posted and not yet credited by the other end. */
  private unacked = 0;
  /** Receiver side: cost received and not yet credited back; and of those, cost already handled. */
  private held = 0;
  private consumed = 0;
  private sendChain: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();
  private endpointShut = false;
  /** pipeTransports: a rule-breaking end is cut off at once, not after the network took the frame in hand. */
  onViolation: ((reason: TransportCloseReason) => void) | null = null;

  constructor(private readonly endpoint: PortEndpoint, options: PortTransportOptions) {
    const windowBytes = options.windowBytes ?? DEFAULT_PORT_WINDOW_BYTES;
    const positive = (n: number) => Number.isSafeInteger(n) && n > 0;
    if (!positive(options.maxFrameBytes) || !positive(windowBytes)) fail('BAD_INPUT', 'limits must be positive integers');
    ({ path: this.path, binding: this.binding, maxFrameBytes: this.maxFrameBytes } = options);
    this.windowBytes = windowBytes;
    this.logger = options.logger ?? silentLogger;
    endpoint.onMessage((message) => this.guard(() => this.receive(message)));
    endpoint.onClose?.(() => this.guard(() => this.end({ code: 'TRANSPORT_CLOSED', message: 'port closed' })));
  }

  /** Closed from this side, or ended from the other (the handler may not have been told yet). */
  private get over(): boolean {
    return this.delivery.stopped || this.delivery.ending !== null;
  }

  send(frame: Uint8Array): Promise<void> {
    // One send at a time, so the window is checked before every frame and overshoots by at most one frame.
    const run = this.sendChain.then(() => this.sendOne(frame));
    this.sendChain = run.catch(() => undefined);
    return run;
  }

  private async sendOne(frame: Uint8Array): Promise<void> {
    if (this.over) throw closedError();
    if (frame.length > this.maxFrameBytes) fail('FRAME_TOO_LARGE', 'frame exceeds the path limit');
    // The previous send returned only with unacked below the window, so this post keeps within the receiver's bound.
    if (!this.post({ t: 'frame', data: compact(frame) })) throw closedError();
    this.unacked += cost(frame.length);
    while (!this.over && this.unacked >= this.windowBytes) await new Promise<void>((wake) => this.waiters.add(wake));
    if (this.over) throw closedError();
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  listen(handlers: TransportHandlers): void {
    this.delivery.listen(handlers);
  }

  close(): void {
    this.closeWith({ code: 'TRANSPORT_CLOSED', message: 'closed' });
  }

  closeWith(reason: TransportCloseReason): void {
    if (this.delivery.stopped) return;
    this.delivery.stop();
    const code = isErrorCode(reason.code) ? reason.code : 'TRANSPORT_CLOSED';
    // A no-op if the other end already ended the path: the endpoint is shut and there is no one left to tell.
    this.shut({ t: 'close', code, message: (reason.message ?? '').slice(0, MAX_CLOSE_MESSAGE_CHARS) });
    this.wake();
  }

  /** One incoming message. Everything is ignored once the path is over. */
  private receive(value: unknown): void {
    if (this.over) return;
    const parsed = parsePortMessage(value, this.maxFrameBytes);
    if (!parsed.ok) return this.violate(parsed.reason);
    const message = parsed.message;
    if (message.t === 'close') return this.end({ code: message.code, message: message.message });
    if (message.t === 'credit') {
      if (message.bytes > this.unacked) return this.violate({ code: 'UNEXPECTED_MESSAGE', message: 'over-credit' });
      this.unacked -= message.bytes;
      return this.wake();
    }
    this.held += cost(message.data.byteLength);
    if (this.held > this.windowBytes + cost(this.maxFrameBytes)) {
      return this.violate({ code: 'UNEXPECTED_MESSAGE', message: 'peer exceeded its flow-control window' });
    }
    // A view (only a hostile end posts one) is copied so the handler gets the plain bytes the core expects.
    this.delivery.push(compact(message.data));
    void this.delivery.pump();
  }

  /** The handler is done with `frame`: return its window to the other end, a batch at a time. */
  private creditBack(frame: Uint8Array): void {
    this.consumed += cost(frame.byteLength);
    if (this.consumed >= this.windowBytes / 4) this.flushCredit();
  }

  private flushCredit(): void {
    if (this.consumed === 0 || this.over) return;
    this.held -= this.consumed;
    this.post({ t: 'credit', bytes: this.consumed });
    this.consumed = 0;
  }

  /** The other end broke the rules: drop what it queued, tell it why, and report the end after the current frame. */
  private violate(reason: Required<TransportCloseReason>): void {
    if (this.over) return;
    this.logger.warn('port.violation', { code: reason.code });
    this.delivery.clear();
    this.end(reason, { t: 'close', ...reason });
    this.onViolation?.(reason);
  }

  /** The path ended: tell the other end `last` (if any), deliver what already arrived, then `close` once. */
  private end(reason: TransportCloseReason, last: PortMessage | null = null): void {
    if (this.over) return;
    this.delivery.end(reason); // first, so a close event raised by shutting the endpoint finds the path over
    this.shut(last);
    this.wake();
    void this.delivery.pump();
  }

  /** Post one message; false (and the path ends) if the endpoint is shut or refused it. */
  private post(message: PortMessage): boolean {
    if (this.endpointShut) return false;
    try {
      this.endpoint.postMessage(message);
      return true;
    } catch {
      this.logger.warn('port.post.failed', { t: message.t });
      this.end({ code: 'TRANSPORT_CLOSED', message: 'port refused a message' });
      return false;
    }
  }

  /** Post a last message (if any) and close the endpoint, once. Never throws. */
  private shut(last: PortMessage | null): void {
    if (this.endpointShut) return;
    this.endpointShut = true;
    for (const step of [() => last && this.endpoint.postMessage(last), () => this.endpoint.close()]) {
      try {
        step();
      } catch {
        this.logger.warn('port.shut.failed'); // the platform closed it already; nothing else to release
      }
    }
  }

  /** Run listener work; an unexpected throw ends the path instead of escaping into the port's event loop. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      try {
        this.logger.error('port.listener.failed', { code: errorCodeOf(error) ?? null });
        this.violate({ code: 'INTERNAL', message: 'internal error' });
      } catch {
        // Nothing left to do safely; the listener must not throw.
      }
    }
  }
}

/**
 * A Transport over `endpoint` (see the header for the messages, flow control and validation). Starts listening on the
 * endpoint at once; frames that arrive before `listen` are held. Throws BAD_INPUT if a limit is not a positive integer.
 */
export function createPortTransport(endpoint: PortEndpoint, options: PortTransportOptions): PortTransport {
  return new PortTransportImpl(endpoint, options);
}

/**
 * Join two transports (main: the network path ↔ the renderer's port): frames each way with backpressure (a frame is
 * taken from one only when the other's send resolved), and when one ends the other is closed — for a PortTransport
 * with the same reason. Resolves with the reason of whichever ended first.
 */
export function pipeTransports(network: Transport, port: PortTransport): Promise<TransportCloseReason> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (reason: TransportCloseReason) => {
      if (done) return;
      done = true;
      // Closing the side that ended too releases it (close is idempotent); the port is told only if it is still open.
      port.closeWith(reason);
      network.close();
      resolve(reason);
    };
    // The returned promise holds the source's next frame until the destination took this one; it never rejects.
    const forward = (to: Transport) => async (frame: Uint8Array): Promise<void> => {
      try {
        await to.send(frame);
      } catch (error) {
        const code = errorCodeOf(error) ?? 'INTERNAL';
        // TRANSPORT_CLOSED: `to` has ended and reports why through its close handler; anything else ends the pipe here.
        if (code !== 'TRANSPORT_CLOSED') finish({ code, message: 'could not forward a frame' });
      }
    };
    // The port's handler reports a violation only after the frame in hand settled, which a stalled network may never
    // let happen; this one (ours) says so at once. Its queue is already dropped, so closing now loses nothing.
    if (port instanceof PortTransportImpl) port.onViolation = finish;
    network.listen({ frame: forward(port), close: finish });
    port.listen({ frame: forward(network), close: finish });
  });
}
