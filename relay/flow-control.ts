/**
 * End-to-end backpressure through the relay, and the relay-wide cap on queued bytes.
 *
 * The relay never reads faster than the slowest receiver can take. When a forwarded message leaves more than
 * `highWaterBytes` queued for its receiver (ws.bufferedAmount, which is the socket's writableLength plus anything
 * ws holds before the socket), the connection that sent it is paused (`ws.pause()`: its socket stops being read, so
 * TCP flow control pushes back to the sending client). It is resumed when the receiver has drained to half the
 * high-water mark, seen either on the receiver socket's 'drain' event or by a short poll. Relay memory per room is
 * therefore about one high-water mark plus the messages already parsed from one socket read, whatever the sender
 * does.
 *
 *   sender ──TCP──▶ relay ──queue(receiver)──TCP──▶ receiver
 *      ▲ paused while queue(receiver) > highWater; resumed at ≤ highWater / 2
 *
 * Replies to a connection (NOTIFIED, CHALLENGE, …) go through the same path with the connection as its own
 * source, so a client that floods requests without reading the answers pauses itself.
 *
 * Accounting: `total` is the sum of each endpoint's last observed queue. It is updated after every send, on
 * 'drain' and on each poll, so between observations it can only overstate (queues shrink on their own); before
 * refusing a message as OVERLOADED the relay re-reads every non-empty queue.
 */

import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';

export interface FlowEndpoint {
  readonly ws: WebSocket;
  /** The socket under `ws`, for its 'drain' event. */
  readonly socket: Duplex;
}

export type SendOutcome = 'sent' | 'overloaded' | 'closed';

interface FlowState<E> {
  /** bufferedAmount at the last observation. */
  buffered: number;
  /** The receiver whose queue holds this endpoint paused, or null. */
  pausedBy: E | null;
  /** Endpoints paused until this one drains. */
  readonly blocking: Set<E>;
  readonly onDrain: () => void;
}

export interface FlowControlOptions {
  readonly highWaterBytes: number;
  readonly maxBufferedBytes: number;
  /** How often paused senders are re-checked between 'drain' events. */
  readonly pollMs?: number;
}

export class FlowControl<E extends FlowEndpoint> {
  private readonly states = new Map<E, FlowState<E>>();
  /** Endpoints whose last observed queue was non-empty. */
  private readonly buffering = new Set<E>();
  /** Endpoints that currently hold at least one sender paused. */
  private readonly draining = new Set<E>();
  private readonly lowWaterBytes: number;
  private readonly pollMs: number;
  private total = 0;
  private peak = 0;
  private paused = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: FlowControlOptions) {
    this.lowWaterBytes = Math.floor(options.highWaterBytes / 2);
    this.pollMs = options.pollMs ?? 10;
  }

  /** Connections currently paused because a receiver (or their own reply queue) is full. */
  get pausedConnections(): number {
    return this.paused;
  }

  /** The largest relay-wide queue observed since start. */
  get peakBufferedBytes(): number {
    return this.peak;
  }

  /** Bytes queued by the relay across all connections, freshly read. */
  bufferedBytes(): number {
    this.refresh();
    return this.total;
  }

  add(endpoint: E): void {
    const state: FlowState<E> = {
      buffered: 0,
      pausedBy: null,
      blocking: new Set(),
      onDrain: () => this.check(endpoint),
    };
    this.states.set(endpoint, state);
    endpoint.socket.on('drain', state.onDrain);
  }

  /**
   * The endpoint is closing: it no longer holds anyone back and is no longer held back (it is resumed, so the
   * client's answer to the close frame can be read). Its queue stays counted
   * until `remove`, because those bytes stay in memory until its socket is gone.
   */
  release(endpoint: E): void {
    const state = this.states.get(endpoint);
    if (!state) return;
    if (state.pausedBy) {
      const holder = this.states.get(state.pausedBy);
      holder?.blocking.delete(endpoint);
      if (holder && holder.blocking.size === 0) this.draining.delete(state.pausedBy);
      state.pausedBy = null;
      this.paused--;
      endpoint.ws.resume();
    }
    this.resumeBlocked(endpoint, state);
  }

  /** The endpoint's socket is closed: forget it. */
  remove(endpoint: E): void {
    const state = this.states.get(endpoint);
    if (!state) return;
    this.release(endpoint);
    this.total -= state.buffered;
    this.buffering.delete(endpoint);
    this.states.delete(endpoint);
    endpoint.socket.removeListener('drain', state.onDrain);
  }

  /**
   * True when the relay stopped reading `endpoint` for the sake of a receiver that is itself still read, so the
   * endpoint's silence (no pongs) is the relay's doing, not idleness. The receiver's own idleness is judged
   * normally, and closing it releases the endpoint. Not exempt: an endpoint paused by itself, or by a receiver
   * that is paused too (two dead clients holding each other would otherwise never time out).
   */
  isHeldForOthers(endpoint: E): boolean {
    const pausedBy = this.states.get(endpoint)?.pausedBy ?? null;
    if (pausedBy === null || pausedBy === endpoint) return false;
    return (this.states.get(pausedBy)?.pausedBy ?? null) === null;
  }

  /**
   * Queue `bytes` for `to`. With a `from` (the connection whose message caused this send), the relay-wide cap is
   * enforced ('overloaded': nothing was sent, the caller closes `from`) and `from` is paused if `to` is over its
   * high-water mark. Without one (PEER announcements), the message is small and always sent.
   */
  send(to: E, bytes: Uint8Array, from: E | null): SendOutcome {
    const target = this.states.get(to);
    if (!target || to.ws.readyState !== WebSocket.OPEN) return 'closed';
    if (from && this.total + bytes.length > this.options.maxBufferedBytes) {
      this.refresh();
      if (this.total + bytes.length > this.options.maxBufferedBytes) return 'overloaded';
    }
    to.ws.send(bytes, { binary: true });
    this.observe(to, target);
    if (from && target.buffered > this.options.highWaterBytes) this.pause(from, to, target);
    return 'sent';
  }

  /** Stop the poll timer (server shutdown). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private observe(endpoint: E, state: FlowState<E>): void {
    const now = endpoint.ws.bufferedAmount;
    this.total += now - state.buffered;
    state.buffered = now;
    if (now > 0) this.buffering.add(endpoint);
    else this.buffering.delete(endpoint);
    if (this.total > this.peak) this.peak = this.total;
  }

  private refresh(): void {
    for (const endpoint of this.buffering) {
      const state = this.states.get(endpoint);
      if (state) this.observe(endpoint, state);
    }
  }

  private pause(from: E, to: E, target: FlowState<E>): void {
    const source = this.states.get(from);
    if (!source || source.pausedBy) return;
    from.ws.pause();
    source.pausedBy = to;
    target.blocking.add(from);
    this.paused++;
    this.draining.add(to);
    if (!this.timer) {
      this.timer = setInterval(() => this.poll(), this.pollMs);
      this.timer.unref();
    }
  }

  private check(endpoint: E): void {
    const state = this.states.get(endpoint);
    if (!state) return;
    this.observe(endpoint, state);
    if (state.blocking.size > 0 && state.buffered <= this.lowWaterBytes) this.resumeBlocked(endpoint, state);
  }

  private resumeBlocked(endpoint: E, state: FlowState<E>): void {
    for (const blocked of state.blocking) {
      const blockedState = this.states.get(blocked);
      if (blockedState?.pausedBy !== endpoint) continue;
      blockedState.pausedBy = null;
      this.paused--;
      blocked.ws.resume();
    }
    state.blocking.clear();
    this.draining.delete(endpoint);
  }

  private poll(): void {
    for (const endpoint of [...this.draining]) this.check(endpoint);
    this.refresh();
    if (this.draining.size === 0) this.stop();
  }
}
