/**
 * Test helpers for the relay suites: a tiny relay client over the real `ws` package that queues decoded relay
 * messages and records how the connection closed, plus a relay factory bound to 127.0.0.1 with a captured log.
 */

import { randomBytes } from 'node:crypto';
import { WebSocket, type ClientOptions } from 'ws';
import {
  decodeRelayMessage,
  encodeClientMessage,
  type ClientMessage,
  type RelayMessage,
} from '../../src/signaling/relay-protocol';
import type { RelayLimits } from '../../relay/limits';
import { startRelay, type RelayServer } from '../../relay/server';

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

type Waiter = { resolve: (m: RelayMessage) => void; reject: (e: Error) => void };

export class RelayClient {
  private readonly queue: RelayMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private closedWith: Closed | null = null;
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    // Failures surface as the 'close' event; without a listener an 'error' would be thrown.
    ws.on('error', () => {});
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closedWith = { code, reason: reason.toString() };
        for (const waiter of this.waiters.splice(0)) waiter.reject(new Error(`closed with ${code}`));
        resolve(this.closedWith);
      });
    });
    ws.on('message', (data) => {
      const message = decodeRelayMessage(new Uint8Array(data as Buffer));
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(message);
      else this.queue.push(message);
    });
  }

  static open(url: string, options: ClientOptions = {}): Promise<RelayClient> {
    const ws = new WebSocket(url, { perMessageDeflate: false, ...options });
    const client = new RelayClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject); // e.g. "Unexpected server response: 404", a TLS verification failure
    });
  }

  send(message: ClientMessage): void {
    this.ws.send(encodeClientMessage(message));
  }

  sendRaw(data: Uint8Array | string, binary = true): void {
    this.ws.send(data, { binary });
  }

  /** The next relay message, in order. Rejects if the connection closes first or nothing arrives in time. */
  next(timeoutMs = 5_000): Promise<RelayMessage> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closedWith) return Promise.reject(new Error(`closed with ${this.closedWith.code}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new Error('no relay message in time'));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** Messages received and not yet taken with next(). */
  pending(): readonly RelayMessage[] {
    return this.queue;
  }

  /** How the connection closed; rejects if it stays open for `timeoutMs`. */
  async closeCode(timeoutMs = 5_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('connection still open')), timeoutMs);
    });
    try {
      return (await Promise.race([this.closed, timeout])).code;
    } finally {
      clearTimeout(timer);
    }
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): Promise<Closed> {
    // A paused client could not read the relay's answer to its close frame.
    if (this.ws.isPaused) this.ws.resume();
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    return this.closed;
  }
}

export interface TestRelay {
  readonly relay: RelayServer;
  readonly url: string;
  readonly logs: Record<string, unknown>[];
}

/** A relay on 127.0.0.1, ephemeral port, log captured in memory. */
export async function startTestRelay(limits: Partial<RelayLimits> = {}): Promise<TestRelay> {
  const logs: Record<string, unknown>[] = [];
  const relay = await startRelay({ host: '127.0.0.1', port: 0, limits, logger: (line) => logs.push(line) });
  return { relay, url: relay.urls()[0]!, logs };
}

export function newRoomId(): Uint8Array {
  return new Uint8Array(randomBytes(16));
}

/** Two members joined to a fresh room, with their JOINED and the first member's PEER consumed. */
export async function joinedPair(url: string, roomId = newRoomId()): Promise<[RelayClient, RelayClient, Uint8Array]> {
  const a = await RelayClient.open(url);
  a.send({ type: 'join', roomId });
  await a.next();
  const b = await RelayClient.open(url);
  b.send({ type: 'join', roomId });
  await b.next();
  await a.next();
  return [a, b, roomId];
}

/** Poll `condition` until it holds; generous deadline, no timing assertion. */
export async function eventually(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * SEND `chunk` repeatedly until `stop()` or the connection closes, keeping at most `window` bytes queued in this
 * client (so the test process's own memory stays flat) and yielding to the event loop after every message.
 * Returns the payload bytes handed to the socket.
 */
export async function pump(client: RelayClient, chunk: Uint8Array, stop: () => boolean, window = 256 * 1024): Promise<number> {
  let sent = 0;
  while (client.isOpen && !stop()) {
    if (client.ws.bufferedAmount > window) {
      await sleep(2);
      continue;
    }
    client.send({ type: 'send', payload: chunk });
    sent += chunk.length;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return sent;
}
