/**
 * An in-memory linked pair of transports with a programmable adversary in the middle.
 *
 * Every frame passes through `tamper(frame, info)`, which returns the frames to deliver in its place: [] drops it,
 * [f, f] duplicates it, a modified copy corrupts it, and holding frames back (returning them later) reorders or
 * delays them. That is exactly the power of a malicious relay over an established path, so the hostile suites use
 * this to play the relay. Delivery is asynchronous (a macrotask per frame), in order, like a real socket.
 *
 * Backpressure: `send` resolves only while fewer than `highWaterMark` frames are in flight in that direction, and a
 * frame stays in flight until the receiving handler has finished with it (its promise settled), one at a time —
 * the same end-to-end behaviour a TCP connection with a paused reader gives.
 */

import { fail } from '../errors';
import type { LocalTransportBinding, PathKind, Transport, TransportCloseReason, TransportHandlers } from '../ports/transport';

export type Direction = 'a-to-b' | 'b-to-a';

export interface FrameInfo {
  readonly direction: Direction;
  /** Position of this frame among all frames sent in this direction, from 0. */
  readonly index: number;
}

export type Tamper = (frame: Uint8Array, info: FrameInfo) => Uint8Array[];

export interface LinkedOptions {
  readonly path?: PathKind;
  readonly tamper?: Tamper;
  readonly bindingA?: LocalTransportBinding;
  readonly bindingB?: LocalTransportBinding;
  readonly highWaterMark?: number;
  readonly maxFrameBytes?: number;
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

export class MemoryTransport implements Transport {
  peer!: MemoryTransport;
  private handlers: TransportHandlers | null = null;
  private readonly inbox: Uint8Array[] = [];
  private pumping = false;
  private pendingClose: TransportCloseReason | null = null;
  private closed = false;
  private inFlight = 0;
  private sent = 0;
  private waiters: (() => void)[] = [];
  /** Frames this side sent, as they left it (before tampering) — for replay and splice attacks. */
  readonly recorded: Uint8Array[] = [];

  constructor(
    readonly path: PathKind,
    readonly binding: LocalTransportBinding,
    readonly maxFrameBytes: number,
    private readonly direction: Direction,
    private readonly tamper: Tamper,
    private readonly highWaterMark: number,
  ) {}

  async send(frame: Uint8Array): Promise<void> {
    if (this.closed) fail('TRANSPORT_CLOSED', 'transport closed');
    if (frame.length > this.maxFrameBytes) fail('FRAME_TOO_LARGE', 'frame exceeds the path limit');
    const copy = frame.slice();
    this.recorded.push(copy);
    const outputs = this.tamper(copy, { direction: this.direction, index: this.sent++ });
    for (const output of outputs) {
      this.inFlight++;
      void tick().then(() => this.peer.deliver(output, () => {
        this.inFlight--;
        this.wake();
      }));
    }
    while (this.inFlight >= this.highWaterMark && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  /** Put a frame on the wire toward the peer as if it came from this side (injection by the adversary). */
  inject(frame: Uint8Array): void {
    void tick().then(() => this.peer.deliver(frame.slice(), () => undefined));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private readonly consumed: (() => void)[] = [];

  private deliver(frame: Uint8Array, consumed: () => void): void {
    if (this.closed) return consumed();
    this.inbox.push(frame);
    this.consumed.push(consumed);
    void this.pump();
  }

  /** Hand frames to the handler one at a time, waiting for each to be processed. */
  private async pump(): Promise<void> {
    if (this.pumping || !this.handlers) return;
    this.pumping = true;
    while (this.inbox.length > 0 && !this.closed) {
      const frame = this.inbox.shift()!;
      const consumed = this.consumed.shift()!;
      try {
        await this.handlers.frame(frame);
      } finally {
        consumed();
      }
    }
    this.pumping = false;
    if (this.pendingClose && this.inbox.length === 0) {
      const reason = this.pendingClose;
      this.pendingClose = null;
      this.closed = true;
      this.wake();
      this.handlers.close(reason);
    }
  }

  listen(handlers: TransportHandlers): void {
    if (this.handlers) fail('BAD_INPUT', 'listen called twice');
    this.handlers = handlers;
    void this.pump();
  }

  /** The peer closed: deliver what already arrived, then report the close (like a FIN after data). */
  private remoteClosed(reason: TransportCloseReason): void {
    if (this.closed || this.pendingClose) return;
    this.pendingClose = reason;
    void this.pump();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    // The close travels behind frames already in flight, as a TCP FIN does.
    void tick().then(tick).then(() => this.peer.remoteClosed({ code: 'TRANSPORT_CLOSED' }));
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** Two transports joined back to back. */
export function linkedTransports(options: LinkedOptions = {}): [MemoryTransport, MemoryTransport] {
  const pass: Tamper = (frame) => [frame];
  const tamper = options.tamper ?? pass;
  const a = new MemoryTransport(
    options.path ?? 'memory',
    options.bindingA ?? { kind: 'none' },
    options.maxFrameBytes ?? 1 << 22,
    'a-to-b',
    tamper,
    options.highWaterMark ?? 16,
  );
  const b = new MemoryTransport(
    options.path ?? 'memory',
    options.bindingB ?? { kind: 'none' },
    options.maxFrameBytes ?? 1 << 22,
    'b-to-a',
    tamper,
    options.highWaterMark ?? 16,
  );
  a.peer = b;
  b.peer = a;
  return [a, b];
}
