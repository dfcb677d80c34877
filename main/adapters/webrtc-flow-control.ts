/**
 * The Transport over a WebRTC peer's DataChannel: one-at-a-time delivery (src/transport/frame-delivery.ts), the
 * credit window and the send buffer's high-water mark. The peer connection, DTLS checks, signalling and teardown are
 * webrtc-transport.ts; this module talks to that through `DataChannelLink` only.
 *
 * Why credit: node-datachannel pushes every message into JS as it arrives; SCTP cannot be paused from here. To keep
 * the port's promise ("a slow receiver slows the sender"), both ends of a WebRTC path run a credit window on the same
 * ordered channel. Both ends are always this adapter (decision 3: WebRTC runs in main), so they always agree on it:
 *
 *   binary message      one frame
 *   text "credit:<n>"   n bytes of window back, sent once the receiving handler has finished with them (in
 *                       batches of CREDIT_BATCH_BYTES); n is 1–10 digits, no leading zero
 *   text "close"        the path ends behind the frames before it (the close handshake: webrtc-transport.ts)
 *
 * Every message costs its length + MESSAGE_COST_BYTES, so a flood of empty frames is bounded too. A sender holds at
 * most WINDOW_BYTES of uncredited frames (plus one frame) and waits while libdatachannel's send buffer is above
 * HIGH_WATER_BYTES. Trust assumptions: the peer may be hostile. A receiver therefore queues at most
 * WINDOW_BYTES + MAX_FRAME_BYTES, and ends the path with UNEXPECTED_MESSAGE if the peer sends more than its window,
 * or credits more than it was sent, or sends any other text.
 */

import { SealdropError, type ErrorCode } from '../../src/errors';
import type { Clock } from '../../src/ports/clock';
import type { Logger } from '../../src/ports/logger';
import type {
  LocalTransportBinding,
  PathKind,
  Transport,
  TransportCloseReason,
  TransportHandlers,
} from '../../src/ports/transport';
import { FrameDelivery } from '../../src/transport/frame-delivery';

/** Largest frame we ever send or expect, whatever the peer advertises (libdatachannel's default limit). */
export const MAX_FRAME_BYTES = 256 * 1024;
/** `send` waits while libdatachannel holds more than this in its send buffer. */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** Uncredited bytes a sender may have outstanding. */
export const WINDOW_BYTES = 4 * 1024 * 1024;
/** Per-message accounting overhead, so zero-length messages also consume window. */
export const MESSAGE_COST_BYTES = 64;
/** The text message that ends the path (see the header). */
export const CLOSE_MESSAGE = 'close';
const CREDIT_BATCH_BYTES = WINDOW_BYTES / 4;
/** A missed bufferedAmountLow event must not stall a transfer: waiting senders re-check this often. */
const ROOM_POLL_MS = 200;

const messageCost = (length: number) => length + MESSAGE_COST_BYTES;

/** What the transport needs from the peer that owns the DataChannel (WebRtcPeer). */
export interface DataChannelLink {
  /** Hand one frame (binary) or control message (text) to libdatachannel; false if it refused. */
  write(message: Uint8Array | string): boolean;
  /** Bytes libdatachannel holds in its send buffer. */
  bufferedAmount(): number;
  /** End the path with a coded reason; the peer tears down and calls `finish`. */
  fail(code: ErrorCode, message: string): void;
  /** The peer's `close` arrived. */
  onRemoteClose(): void;
  /** Close the path from this side (the close handshake). */
  close(): void;
}

/**
 * The Transport over the peer's DataChannel: receive queue with one-at-a-time delivery, the credit window and the
 * send buffer high-water mark. Created with the peer; `activate` fills in what is known once the channel opened.
 */
export class DataChannelTransport implements Transport {
  path: PathKind = 'webrtc';
  binding: LocalTransportBinding = { kind: 'none' };
  maxFrameBytes = 0;
  private readonly delivery: FrameDelivery;
  /** Sender side: bytes (message costs) sent and not yet credited by the peer. */
  private unacked = 0;
  /** Receiver side: bytes received and not yet credited back; and of those, bytes already handled. */
  private held = 0;
  private consumed = 0;
  private sendChain: Promise<void> = Promise.resolve();
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly peer: DataChannelLink,
    private readonly clock: Clock,
    log: Logger,
  ) {
    this.delivery = new FrameDelivery(
      {
        failed: () => log.warn('webrtc.handler.rejected'),
        handled: (frame) => this.creditBack(frame),
      },
      { awaitSyncResults: true },
    );
  }

  activate(path: PathKind, binding: LocalTransportBinding, maxFrameBytes: number): void {
    this.path = path;
    this.binding = binding;
    this.maxFrameBytes = maxFrameBytes;
  }

  send(frame: Uint8Array): Promise<void> {
    // One send at a time, so the window is checked before every frame and overshoots by at most one frame.
    const run = this.sendChain.then(() => this.sendOne(frame));
    this.sendChain = run.catch(() => undefined);
    return run;
  }

  /** Closed from this side, or ended from the far side (the handler may not have been told yet). */
  private get over(): boolean {
    return this.delivery.stopped || this.delivery.ending !== null;
  }

  private async sendOne(frame: Uint8Array): Promise<void> {
    if (this.over) throw new SealdropError('TRANSPORT_CLOSED', 'transport closed');
    if (frame.length > this.maxFrameBytes) throw new SealdropError('FRAME_TOO_LARGE', 'frame exceeds the path limit');
    await this.waitForRoom();
    if (!this.peer.write(frame)) {
      this.peer.fail('TRANSPORT_CLOSED', 'libdatachannel refused a frame');
      throw new SealdropError('TRANSPORT_CLOSED', 'transport closed');
    }
    this.unacked += messageCost(frame.length);
    await this.waitForRoom();
  }

  private hasRoom(): boolean {
    return this.unacked < WINDOW_BYTES && this.peer.bufferedAmount() <= HIGH_WATER_BYTES;
  }

  private async waitForRoom(): Promise<void> {
    while (!this.over && !this.hasRoom()) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.clock.clearTimer(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = this.clock.setTimer(ROOM_POLL_MS, done);
        this.waiters.add(done);
      });
    }
    if (this.over) throw new SealdropError('TRANSPORT_CLOSED', 'transport closed');
  }

  wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** A message from the channel (node-datachannel callback context: must not throw). */
  receive(message: string | Buffer | ArrayBuffer): void {
    // The peer's `close` matters even after we closed: it is the answer that lets us tear down.
    if (message === CLOSE_MESSAGE) return this.peer.onRemoteClose();
    if (this.over) return;
    if (typeof message === 'string') return this.onControl(message);
    // Copy into a plain Uint8Array: Buffer's `slice` is a view, which the core does not expect.
    const frame = message instanceof ArrayBuffer ? new Uint8Array(message.slice(0)) : new Uint8Array(message);
    this.held += messageCost(frame.length);
    if (this.held > WINDOW_BYTES + messageCost(MAX_FRAME_BYTES)) {
      // What is queued came from a peer that broke the rules: drop it, report the close after the current frame.
      this.delivery.clear();
      return this.peer.fail('UNEXPECTED_MESSAGE', 'peer exceeded its flow-control window');
    }
    this.delivery.push(frame);
    void this.delivery.pump();
  }

  private onControl(text: string): void {
    const match = /^credit:([1-9][0-9]{0,9})$/.exec(text);
    const credit = match ? Number(match[1]) : NaN;
    if (!(credit <= this.unacked)) return this.peer.fail('UNEXPECTED_MESSAGE', 'malformed or excess credit');
    this.unacked -= credit;
    this.wake();
  }

  /** The handler is done with `frame`: return its window to the peer, a batch at a time. */
  private creditBack(frame: Uint8Array): void {
    this.consumed += messageCost(frame.length);
    if (this.consumed >= CREDIT_BATCH_BYTES && !this.over) {
      this.held -= this.consumed;
      // A failed credit means the channel is gone; its close event reports that.
      this.peer.write(`credit:${this.consumed}`);
      this.consumed = 0;
    }
  }

  listen(handlers: TransportHandlers): void {
    this.delivery.listen(handlers);
  }

  /** The path ended (peer closed, failure, violation): deliver what already arrived, then `close` once. */
  finish(reason: TransportCloseReason): void {
    if (this.over) return;
    this.delivery.end(reason);
    this.wake();
    void this.delivery.pump();
  }

  /** Closed from this side: no more delivery, pending sends fail, the local handler is not called. */
  closeLocal(): void {
    this.delivery.stop();
    this.wake();
  }

  close(): void {
    this.peer.close();
  }
}
