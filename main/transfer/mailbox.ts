/**
 * Watching this device's relay mailbox (docs/PROTOCOL.md §13.1.5, §13.9): one relay connection that REGISTERs this
 * identity (the relay sends CHALLENGE; RelayConnection.register signs it), passes on the room ids of INCOMING
 * notifications, and comes back when the relay drops it — a restarted relay has forgotten every mailbox.
 *
 *   connect ─▶ REGISTER ─▶ CHALLENGE ─▶ PROVE ─▶ REGISTERED ─▶ INCOMING(roomId)… ─▶ closed ─▶ backoff ─▶ connect
 *   backoff: `backoffMs.min` (250 ms) doubling to `backoffMs.max` (30 s); back to the minimum after a registration
 *
 * Trust: INCOMING is unauthenticated. Anyone may NOTIFY any mailbox, and the relay may forge INCOMING outright, so
 * a room id says nothing about who waits there: the caller joins and lets the handshake decide
 * (runReceiveIncoming). What this module protects is the device itself — a flooding notifier or relay must not
 * make it join rooms without bound:
 *   - a room id passed on within the last `dedupMs` (60 s) is dropped: renotifications, replays;
 *   - at most `maxPerMinute` (10) room ids are passed on in any 60 s window; the rest are dropped and logged.
 * The caller should still run the receives one at a time, with a bounded queue (the CLI's `listen` does).
 * Nothing is kept about dropped INCOMINGs, so the bookkeeping is bounded by what was passed on.
 *
 * Logs carry no room ids or fingerprints (src/ports/logger.ts).
 */

import { toHex } from '../../src/bytes';
import { errorCodeOf, SealdropError } from '../../src/errors';
import type { IdentitySigner } from '../../src/identity/identity';
import { systemClock, type Clock, type TimerId } from '../../src/ports/clock';
import { silentLogger, type Logger } from '../../src/ports/logger';
import { connectRelay, type RelayConnection } from '../adapters/relay-client';

export type MailboxState = 'connecting' | 'registered' | 'disconnected' | 'closed';

export interface MailboxOptions {
  /** The relay this device's contacts send through (ws:// or wss://). */
  readonly relayUrl: string;
  /** Extra trusted CA for a wss:// relay. */
  readonly relayCa?: string;
  readonly signer: IdentitySigner;
  /** A room id someone says a transfer waits in (unauthenticated; after dedup and the rate bound). */
  readonly onIncoming: (roomId: Uint8Array) => void;
  /** Connection state changes, e.g. to show "listening" or "reconnecting". */
  readonly onState?: (state: MailboxState) => void;
  readonly logger?: Logger;
  /** Timers and the dedup / rate windows. Default: systemClock. */
  readonly clock?: Clock;
  /** Room ids passed on per 60 s window. Default 10. */
  readonly maxPerMinute?: number;
  /** A room id seen again within this long is dropped. Default 60 000 ms. */
  readonly dedupMs?: number;
  /** Connecting and registering, each. Default 10 s. */
  readonly timeoutMs?: number;
  readonly backoffMs?: { readonly min: number; readonly max: number };
}

export interface MailboxWatcher {
  /**
   * Resolves at the first REGISTERED. Rejects CANCELLED if closed before that, or LINK_BAD_RELAY for a relay URL
   * that can never work; an unreachable relay is retried, not rejected.
   */
  readonly registered: Promise<void>;
  /** Stop: close the connection, cancel reconnection. Idempotent. */
  close(): void;
}

const WINDOW_MS = 60_000;

/** Start watching. Returns at once; see `registered`. */
export function watchMailbox(options: MailboxOptions): MailboxWatcher {
  const watcher = new Watcher(options);
  watcher.start();
  return { registered: watcher.registered, close: () => watcher.close() };
}

class Watcher {
  readonly registered: Promise<void>;
  private settleRegistered!: (error?: Error) => void;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly maxPerMinute: number;
  private readonly dedupMs: number;
  private readonly backoff: { readonly min: number; readonly max: number };
  private delay: number;
  private connection: RelayConnection | null = null;
  private timer: TimerId | null = null;
  private closed = false;
  /** Room id (hex) → when it was passed on; entries older than dedupMs are pruned. */
  private readonly passed = new Map<string, number>();
  /** When each of the room ids passed on in the last WINDOW_MS was passed on, oldest first. */
  private readonly recent: number[] = [];

  constructor(private readonly options: MailboxOptions) {
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.maxPerMinute = options.maxPerMinute ?? 10;
    this.dedupMs = options.dedupMs ?? WINDOW_MS;
    this.backoff = options.backoffMs ?? { min: 250, max: 30_000 };
    this.delay = this.backoff.min;
    let settled = false;
    this.registered = new Promise<void>((resolve, reject) => {
      this.settleRegistered = (error) => {
        if (settled) return;
        settled = true;
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    this.registered.catch(() => undefined); // a caller that never awaits it must not see an unhandled rejection
  }

  start(): void {
    void this.connect();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
    const connection = this.connection;
    this.connection = null;
    connection?.close();
    this.settleRegistered(new SealdropError('CANCELLED', 'stopped before the mailbox was registered'));
    this.state('closed');
  }

  private state(state: MailboxState): void {
    try {
      this.options.onState?.(state);
    } catch (error) {
      this.log.warn('mailbox.state-handler-failed', { message: String(error) });
    }
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.state('connecting');
    let connection: RelayConnection;
    try {
      connection = await connectRelay(this.options.relayUrl, {
        ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
        ...(this.options.relayCa ? { ca: this.options.relayCa } : {}),
      });
    } catch (error) {
      const code = errorCodeOf(error);
      this.log.warn('mailbox.connect-failed', { code: code ?? 'unknown' });
      if (code === 'LINK_BAD_RELAY') {
        // Not a network problem: retrying cannot help.
        this.settleRegistered(error instanceof Error ? error : new SealdropError('LINK_BAD_RELAY', 'bad relay URL'));
        this.close();
        return;
      }
      this.retry();
      return;
    }
    if (this.closed) {
      connection.close();
      return;
    }
    this.connection = connection;
    connection.onIncoming((roomId) => this.incoming(roomId));
    connection.onClose((info) => {
      if (this.connection !== connection) return;
      this.connection = null;
      this.log.info('mailbox.closed', { code: info.code });
      this.retry();
    });
    try {
      await connection.register(this.options.signer);
    } catch (error) {
      this.log.warn('mailbox.register-failed', { code: errorCodeOf(error) ?? 'unknown' });
      connection.close(); // onClose retries
      return;
    }
    if (this.connection !== connection) return;
    this.delay = this.backoff.min;
    this.log.info('mailbox.registered');
    this.settleRegistered();
    this.state('registered');
  }

  private retry(): void {
    if (this.closed || this.timer !== null) return;
    this.state('disconnected');
    const delay = this.delay;
    this.delay = Math.min(this.delay * 2, this.backoff.max);
    this.timer = this.clock.setTimer(delay, () => {
      this.timer = null;
      void this.connect();
    });
  }

  private incoming(roomId: Uint8Array): void {
    if (this.closed) return;
    const now = this.clock.now();
    for (const [key, at] of this.passed) if (now - at >= this.dedupMs) this.passed.delete(key);
    while (this.recent.length > 0 && now - this.recent[0]! >= WINDOW_MS) this.recent.shift();
    const key = toHex(roomId);
    if (this.passed.has(key)) {
      this.log.debug('mailbox.incoming-duplicate');
      return;
    }
    if (this.recent.length >= this.maxPerMinute) {
      this.log.warn('mailbox.incoming-dropped', { reason: 'rate', perMinute: this.maxPerMinute });
      return;
    }
    this.passed.set(key, now);
    this.recent.push(now);
    try {
      this.options.onIncoming(roomId.slice());
    } catch (error) {
      this.log.warn('mailbox.incoming-handler-failed', { message: String(error) });
    }
  }
}
