/**
 * FlowControl with fake sockets: when a sender is paused and resumed, what the relay-wide cap refuses, how a closing
 * endpoint lets go, and which silent endpoints are exempt from idle detection. The real-socket behaviour is in
 * backpressure.test.ts; this pins the rules deterministically.
 */

import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { FlowControl, type FlowEndpoint } from '../../relay/flow-control';

class FakeEndpoint implements FlowEndpoint {
  queued = 0;
  paused = false;
  open = true;
  readonly socket = new EventEmitter() as unknown as Duplex;
  readonly ws: WebSocket;

  constructor(readonly name: string) {
    const ws = {
      send: (data: Uint8Array) => (this.queued += data.length),
      pause: () => (this.paused = true),
      resume: () => (this.paused = false),
    };
    Object.defineProperty(ws, 'readyState', { get: () => (this.open ? 1 : 3) });
    Object.defineProperty(ws, 'bufferedAmount', { get: () => this.queued });
    this.ws = ws as unknown as WebSocket;
  }

  /** The peer read some bytes; 'drain' when the queue empties, as a socket does. */
  drainTo(bytes: number): void {
    this.queued = bytes;
    if (bytes === 0) this.socket.emit('drain');
  }
}

const HIGH = 1000;
const bytes = (n: number): Uint8Array => new Uint8Array(n);

let flow: FlowControl<FakeEndpoint>;
let a: FakeEndpoint;
let b: FakeEndpoint;

beforeEach(() => {
  vi.useFakeTimers();
  flow = new FlowControl<FakeEndpoint>({ highWaterBytes: HIGH, maxBufferedBytes: 3000, pollMs: 10 });
  a = new FakeEndpoint('a');
  b = new FakeEndpoint('b');
  flow.add(a);
  flow.add(b);
});

afterEach(() => {
  flow.stop();
  vi.useRealTimers();
});

describe('FlowControl', () => {
  it('pauses the sender once the receiver holds more than the high-water mark', () => {
    expect(flow.send(b, bytes(HIGH), a)).toBe('sent');
    expect(a.paused).toBe(false);
    expect(flow.send(b, bytes(1), a)).toBe('sent');
    expect(a.paused).toBe(true);
    expect(flow.pausedConnections).toBe(1);
    expect(flow.bufferedBytes()).toBe(HIGH + 1);
  });

  it("resumes the sender on the receiver socket's 'drain'", () => {
    flow.send(b, bytes(HIGH + 1), a);
    b.drainTo(0);
    expect(a.paused).toBe(false);
    expect(flow.pausedConnections).toBe(0);
    expect(flow.bufferedBytes()).toBe(0);
    expect(flow.peakBufferedBytes).toBe(HIGH + 1);
  });

  it('resumes by polling once the receiver is at half the high-water mark, not before', () => {
    flow.send(b, bytes(HIGH + 1), a);
    b.drainTo(HIGH / 2 + 1);
    vi.advanceTimersByTime(50);
    expect(a.paused).toBe(true);
    b.drainTo(HIGH / 2);
    vi.advanceTimersByTime(50);
    expect(a.paused).toBe(false);
  });

  it('refuses a message that would push the relay past maxBufferedBytes, after re-reading the queues', () => {
    const c = new FakeEndpoint('c');
    flow.add(c);
    flow.send(b, bytes(900), a);
    flow.send(c, bytes(900), a);
    flow.send(a, bytes(900), c);
    expect(flow.send(b, bytes(301), a)).toBe('overloaded');
    expect(b.queued).toBe(900); // nothing was sent
    c.queued = 0; // drained silently: the stale total must not refuse what now fits
    expect(flow.send(b, bytes(301), a)).toBe('sent');
  });

  it('always sends a message without a source (PEER), past the cap if need be', () => {
    flow.send(b, bytes(2999), a);
    expect(flow.send(b, bytes(10), null)).toBe('sent');
  });

  it('reports a closed receiver instead of sending to it', () => {
    b.open = false;
    expect(flow.send(b, bytes(1), a)).toBe('closed');
    expect(b.queued).toBe(0);
  });

  it('lets a paused sender go when its receiver closes, and forgets the receiver once its socket is gone', () => {
    flow.send(b, bytes(HIGH + 1), a);
    flow.release(b);
    expect(a.paused).toBe(false);
    expect(flow.pausedConnections).toBe(0);
    expect(flow.bufferedBytes()).toBe(HIGH + 1); // still in memory until the socket is gone
    flow.remove(b);
    expect(flow.bufferedBytes()).toBe(0);
  });

  it('resumes a closing sender so that its close handshake can be read', () => {
    flow.send(b, bytes(HIGH + 1), a);
    flow.release(a);
    expect(a.paused).toBe(false);
    expect(flow.pausedConnections).toBe(0);
  });

  it('pauses a client that does not read its own replies, and does not excuse its silence', () => {
    flow.send(a, bytes(HIGH + 1), a);
    expect(a.paused).toBe(true);
    expect(flow.isHeldForOthers(a)).toBe(false);
  });

  it('excuses the silence of a sender held for a receiver that is still read, but not of two that hold each other', () => {
    flow.send(b, bytes(HIGH + 1), a);
    expect(flow.isHeldForOthers(a)).toBe(true);
    expect(flow.isHeldForOthers(b)).toBe(false);
    flow.send(a, bytes(HIGH + 1), b);
    expect(b.paused).toBe(true);
    expect(flow.isHeldForOthers(a)).toBe(false);
    expect(flow.isHeldForOthers(b)).toBe(false);
  });
});
