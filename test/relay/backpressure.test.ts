/**
 * End-to-end backpressure: a receiver that stops reading must slow its sender down, through the relay, instead of
 * filling the relay's memory. Measured with the relay's own accounting (stats: paused connections, queued bytes and
 * the peak queue) and the process RSS; no assertion depends on how fast anything happens.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { RELAY_CLOSE } from '../../src/signaling/relay-protocol';
import { DEFAULT_RELAY_LIMITS } from '../../relay/limits';
import { RelayClient, eventually, joinedPair, pump, sleep, startTestRelay, type TestRelay } from './relay-client';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;
const TOTAL = 64 * MiB;
const COUNT = TOTAL / CHUNK;
/** The sending client keeps at most this much in its own queue, so its memory is not what gets measured. */
const CLIENT_WINDOW = 256 * 1024;

let t: TestRelay | null = null;
const clients: RelayClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t?.relay.close();
  t = null;
});

describe('relay backpressure', () => {
  it('pauses the sender of a receiver that does not read, keeps relay memory bounded, then delivers all 64 MiB in order', async () => {
    t = await startTestRelay();
    const relay = t.relay;
    const [a, b] = await joinedPair(t.url);
    clients.push(a, b);
    b.ws.pause(); // the receiver stops reading its socket

    const rssBefore = process.memoryUsage().rss;
    let sent = 0;
    const sending = (async () => {
      const chunk = new Uint8Array(CHUNK);
      const view = new DataView(chunk.buffer);
      for (let i = 0; i < COUNT; i++) {
        while (a.ws.bufferedAmount > CLIENT_WINDOW) await sleep(2);
        view.setUint32(0, i);
        a.send({ type: 'send', payload: chunk });
        sent += CHUNK;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    // The relay pauses the sender, and the sender's own queue fills up: it is stalled end to end.
    await eventually(() => relay.stats().pausedConnections === 1, 30_000, 'sender paused');
    await eventually(() => a.ws.bufferedAmount > CLIENT_WINDOW, 30_000, 'sender stalled');
    const stalled = relay.stats();
    const rssStalled = process.memoryUsage().rss;
    const bound = DEFAULT_RELAY_LIMITS.highWaterBytes + 1 * MiB;
    expect(stalled.pausedConnections).toBe(1);
    expect(stalled.bufferedBytes).toBeGreaterThan(DEFAULT_RELAY_LIMITS.highWaterBytes / 2);
    expect(stalled.bufferedBytes).toBeLessThanOrEqual(bound);
    // What did not fit in the relay's bounded queue (and the kernel's socket buffers) is still at the sender.
    expect(sent).toBeLessThan(TOTAL / 2);
    expect(rssStalled - rssBefore).toBeLessThan(48 * MiB);

    // The receiver reads again: everything arrives, in order, and the relay's queues empty.
    b.ws.resume();
    for (let i = 0; i < COUNT; i++) {
      const message = await b.next(30_000);
      if (message.type !== 'deliver') throw new Error(`expected DELIVER, got ${message.type}`);
      expect(message.payload.length).toBe(CHUNK);
      const index = new DataView(message.payload.buffer, message.payload.byteOffset).getUint32(0);
      if (index !== i) expect(index).toBe(i); // keep 1024 passing expects out of the report
    }
    await sending;
    await eventually(() => relay.stats().pausedConnections === 0 && relay.stats().bufferedBytes === 0, 10_000, 'drained');

    const done = relay.stats();
    expect(done.messagesForwarded).toBe(COUNT);
    expect(done.bytesForwarded).toBe(TOTAL);
    expect(done.peakBufferedBytes).toBeLessThanOrEqual(bound);
  });

  it('closes a receiver that stops reading for good (4004) and lets its paused sender go', async () => {
    t = await startTestRelay({ idleTimeoutMs: 600, closeGraceMs: 200 });
    const relay = t.relay;
    const [a, b] = await joinedPair(t.url);
    clients.push(a, b);
    b.ws.pause(); // reads nothing: not data, not the relay's pings

    let stop = false;
    const pumping = pump(a, new Uint8Array(CHUNK), () => stop, CLIENT_WINDOW);
    await eventually(() => relay.stats().pausedConnections === 1, 30_000, 'sender paused');

    // The sender is silent only because the relay stopped reading it; it must not be taken for idle.
    expect(await a.next(30_000)).toEqual({ type: 'peer', present: false });
    stop = true;
    await pumping;
    expect(a.isOpen).toBe(true);
    const stats = relay.stats();
    expect(stats.closesByCode[RELAY_CLOSE.IDLE_TIMEOUT]).toBe(1);
    expect(stats.pausedConnections).toBe(0);
  });
});
