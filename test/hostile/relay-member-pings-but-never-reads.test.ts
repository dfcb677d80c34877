/**
 * Hostile: a room member that keeps its connection "alive" with WebSocket pings (and so is never silent) but never
 * reads what the relay sends it. Its queue pins relay memory and keeps its peer paused; the relay must treat "no
 * drain progress" like silence and close it with 4004 IDLE_TIMEOUT, releasing the paused sender.
 */
import { afterEach, expect, it } from 'vitest';
import { RELAY_CLOSE } from '../../src/signaling/relay-protocol';
import { eventually, joinedPair, pump, startTestRelay, type RelayClient, type TestRelay } from '../relay/relay-client';

let t: TestRelay | null = null;
const clients: RelayClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t?.relay.close();
  t = null;
});

it('a member that pings but never reads is closed with 4004 and its paused peer is released', async () => {
  t = await startTestRelay({ idleTimeoutMs: 800, closeGraceMs: 200 });
  const relay = t.relay;
  const [a, b] = await joinedPair(t.url);
  clients.push(a, b);
  b.ws.pause(); // reads nothing…
  const pinger = setInterval(() => b.ws.ping(), 100); // …but keeps talking
  try {
    let stop = false;
    const pumping = pump(a, new Uint8Array(64 * 1024), () => stop, 1024 * 1024);
    await eventually(() => relay.stats().pausedConnections === 1, 30_000, 'sender paused');
    await eventually(() => (relay.stats().closesByCode[RELAY_CLOSE.IDLE_TIMEOUT] ?? 0) === 1, 30_000, 'the non-reader closed');
    stop = true;
    await pumping;
    await eventually(() => relay.stats().pausedConnections === 0, 10_000, 'sender released');
    expect(a.isOpen).toBe(true);
  } finally {
    clearInterval(pinger);
  }
});
