/**
 * Frame delivery to a Transport's handler, the receiving half of the port's contract (src/ports/transport.ts), shared
 * by the TCP, WebRTC and relay adapters and the message-port transport (port-transport.ts):
 *
 *   push(frame)* → pump() ─▶ handlers.frame(f1) ─ settles ─▶ handlers.frame(f2) … ─▶ handlers.close(reason) once
 *
 * - frames go to `handlers.frame` one at a time and in order; the next one only after the previous call returned or
 *   its promise settled, so a slow handler holds the queue (and, through the hooks, the network) instead of growing it;
 * - frames pushed before `listen` are held, not lost;
 * - a handler that throws or rejects is its own business: delivery carries on with the next frame;
 * - once the path has ended (`end`), every frame that arrived first is delivered, then `handlers.close` is called
 *   exactly once — unless this side stopped delivery itself (`stop`): the side that calls `close()` is not told about
 *   its own close.
 *
 * What an adapter does to slow the other side while the handler is busy differs (pause a socket, pause a WebSocket,
 * withhold credit), so that is left to hooks. Trust assumptions: none; the frames are opaque bytes here.
 */

import { fail } from '../errors';
import type { TransportCloseReason, TransportHandlers } from '../ports/transport';

export interface FrameDeliveryHooks {
  /** Delivery is about to start with frames waiting (even before `listen`): time to stop reading. */
  readonly waiting?: () => void;
  /** A frame left the queue and is about to be handed to the handler. */
  readonly taken?: (frame: Uint8Array) => void;
  /** The handler returned a promise: true before waiting for it, false once it settled. */
  readonly busy?: (busy: boolean) => void;
  /** The handler threw, or its promise rejected. */
  readonly failed?: (error: unknown) => void;
  /** The handler is done with `frame` (returned, threw, or its promise settled). */
  readonly handled?: (frame: Uint8Array) => void;
  /** The queue ran empty while the path is open and not ending: time to read again. */
  readonly drained?: () => void;
}

export interface FrameDeliveryOptions {
  /**
   * Await the handler's result even when it is not a promise, so frames handled synchronously still go one microtask
   * apart. The TCP and WebRTC adapters always did; the relay hands a synchronous handler its frames in one go. Kept
   * per adapter so that sharing this loop changed no timing.
   */
  readonly awaitSyncResults?: boolean;
}

export class FrameDelivery {
  private readonly queue: Uint8Array[] = [];
  private handlers: TransportHandlers | null = null;
  private delivering = false;
  private endReason: TransportCloseReason | null = null;
  private reported = false;
  private halted = false;

  constructor(
    private readonly hooks: FrameDeliveryHooks = {},
    private readonly options: FrameDeliveryOptions = {},
  ) {}

  /** Why the path ended, once `end` was called (whether or not the handler has been told yet). */
  get ending(): TransportCloseReason | null {
    return this.endReason;
  }

  /** This side stopped delivery (`stop`). */
  get stopped(): boolean {
    return this.halted;
  }

  /** Start delivering to `handlers`. Throws BAD_INPUT when called twice. */
  listen(handlers: TransportHandlers): void {
    if (this.handlers) fail('BAD_INPUT', 'listen called twice');
    this.handlers = handlers;
    void this.pump();
  }

  /** Queue frames without starting delivery; `pump` starts it. */
  push(...frames: Uint8Array[]): void {
    this.queue.push(...frames);
  }

  /** Record why the path ended; the first reason wins. Returns false if one was already recorded. Call `pump` next. */
  end(reason: TransportCloseReason): boolean {
    if (this.endReason) return false;
    this.endReason = reason;
    return true;
  }

  /** Drop the frames not yet handed over (the one being handled, if any, finishes). Returns them. */
  clear(): Uint8Array[] {
    return this.queue.splice(0);
  }

  /** Closed from this side: drop the queue, deliver nothing more, never report close. Returns the dropped frames. */
  stop(): Uint8Array[] {
    this.halted = true;
    return this.clear();
  }

  /** Deliver queued frames one at a time, then report the end if there is one. Does nothing while already running. */
  async pump(): Promise<void> {
    if (this.delivering) return;
    if (this.queue.length > 0) this.hooks.waiting?.();
    const handlers = this.handlers;
    if (!handlers) return;
    this.delivering = true;
    while (this.queue.length > 0 && !this.halted) {
      const frame = this.queue.shift()!;
      this.hooks.taken?.(frame);
      try {
        const result = handlers.frame(frame);
        const pending = result instanceof Promise;
        if (pending || this.options.awaitSyncResults) {
          if (pending) this.hooks.busy?.(true);
          try {
            await result;
          } finally {
            if (pending) this.hooks.busy?.(false);
          }
        }
      } catch (error) {
        this.hooks.failed?.(error);
      }
      this.hooks.handled?.(frame);
    }
    this.delivering = false;
    if (this.halted) return;
    if (!this.endReason) {
      this.hooks.drained?.();
    } else if (!this.reported) {
      this.reported = true;
      handlers.close(this.endReason);
    }
  }
}
