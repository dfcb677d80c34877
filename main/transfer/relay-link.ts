/**
 * A relay room membership that survives the relay going away: connects (trying each URL in turn), joins the room,
 * and when the connection drops — the relay restarted, the network blinked — reconnects with backoff and joins
 * again. Sessions running over the relay path end with TRANSPORT_CLOSED and are resumed by the caller; sessions on
 * other paths are not affected.
 */

import { fail } from '../../src/errors';
import type { Transport } from '../../src/ports/transport';
import { connectRelay, type RelayConnection } from '../adapters/relay-client';
import { sleep } from './common';

export class RelayLink {
  private connection: RelayConnection | null = null;
  private closed = false;
  private readonly peerHandlers: ((present: boolean) => void)[] = [];
  private readonly signalHandlers: ((bytes: Uint8Array) => void)[] = [];
  private readonly reconnectHandlers: (() => void)[] = [];
  othersPresent = false;
  /** The URL currently connected. */
  url: string;

  constructor(
    private readonly urls: string | readonly string[],
    private readonly roomId: Uint8Array,
    private readonly ca?: string,
    private readonly reconnectForMs = 10 * 60_000,
  ) {
    this.url = typeof urls === 'string' ? urls : (urls[0] ?? '');
  }

  onPeer(handler: (present: boolean) => void): void {
    this.peerHandlers.push(handler);
  }

  onSignal(handler: (bytes: Uint8Array) => void): void {
    this.signalHandlers.push(handler);
  }

  onReconnect(handler: () => void): void {
    this.reconnectHandlers.push(handler);
  }

  /** Connect and join. Throws TRANSPORT_CLOSED if no URL answers. */
  async start(): Promise<void> {
    await this.connectOnce();
  }

  private async connectOnce(): Promise<void> {
    const urls = typeof this.urls === 'string' ? [this.urls] : this.urls;
    let lastError: unknown = null;
    for (const url of urls) {
      let connection: RelayConnection | null = null;
      try {
        connection = await connectRelay(url, { timeoutMs: 5000, ...(this.ca ? { ca: this.ca } : {}) });
        // Listen before JOIN: the peer's first signal (the sender's PATHS, sent the moment we join) can arrive in
        // the same socket read as JOINED, and ws emits both synchronously, before the code after `await join`
        // runs. Without this the receiver lost the signed addresses about one time in ten and fell back to WebRTC.
        const early: Uint8Array[] = [];
        let present: boolean | null = null;
        const stopSignals = connection.onSignal((bytes) => early.push(bytes));
        const stopPeers = connection.onPeer((p) => (present = p));
        let joined: { othersPresent: boolean };
        try {
          joined = await connection.join(this.roomId);
        } finally {
          stopSignals();
          stopPeers();
        }
        this.attach(connection, url);
        this.othersPresent = present ?? joined.othersPresent;
        for (const bytes of early) for (const h of this.signalHandlers) h(bytes);
        return;
      } catch (error) {
        lastError = error;
        connection?.close(); // the socket opened but the JOIN failed: do not leave it open
      }
    }
    fail('TRANSPORT_CLOSED', `no relay reachable (${urls.join(', ')})`, lastError);
  }

  private attach(connection: RelayConnection, url: string): void {
    this.connection = connection;
    this.url = url;
    connection.onPeer((present) => {
      this.othersPresent = present;
      for (const h of this.peerHandlers) h(present);
    });
    connection.onSignal((bytes) => {
      for (const h of this.signalHandlers) h(bytes);
    });
    connection.onClose(() => {
      if (this.connection !== connection) return;
      this.connection = null;
      this.othersPresent = false;
      if (!this.closed) void this.reconnect();
    });
  }

  private async reconnect(): Promise<void> {
    const started = Date.now();
    let delay = 250;
    while (!this.closed && Date.now() - started < this.reconnectForMs) {
      await sleep(delay);
      delay = Math.min(delay * 2, 3000);
      try {
        await this.connectOnce();
        for (const h of this.reconnectHandlers) h();
        if (this.othersPresent) for (const h of this.peerHandlers) h(true);
        return;
      } catch {
        // keep trying until the deadline
      }
    }
  }

  async sendSignal(bytes: Uint8Array): Promise<void> {
    if (!this.connection) fail('TRANSPORT_CLOSED', 'relay not connected');
    await this.connection.sendSignal(bytes);
  }

  /**
   * NOTIFY the devices registered for `fingerprint` that `roomId` waits (PROTOCOL.md §13.1.5), on this room
   * connection. True if the relay says one was online. Throws TRANSPORT_CLOSED while disconnected.
   */
  async notify(fingerprint: Uint8Array, roomId: Uint8Array): Promise<boolean> {
    if (!this.connection) fail('TRANSPORT_CLOSED', 'relay not connected');
    return this.connection.notify(fingerprint, roomId);
  }

  /** A transport over the relay path; already closed when the relay is unreachable right now. */
  openFrameTransport(): Transport {
    if (!this.connection) return closedTransport();
    return this.connection.openFrameTransport();
  }

  get connected(): boolean {
    return this.connection !== null;
  }

  close(): void {
    this.closed = true;
    this.connection?.close();
    this.connection = null;
  }
}

function closedTransport(): Transport {
  return {
    path: 'relay',
    binding: { kind: 'none' },
    maxFrameBytes: 1 << 20,
    send: () => Promise.reject(new Error('relay not connected')),
    listen: (handlers) => queueMicrotask(() => handlers.close({ code: 'TRANSPORT_CLOSED' })),
    close: () => undefined,
  };
}
