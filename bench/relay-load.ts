/**
 * npx tsx bench/relay-load.ts [--rooms 20] [--mib 32] [--runs 3]
 *
 * Relay throughput on loopback: `rooms` pairs at once, each sender moving `mib` MiB to its receiver in 64 KiB SENDs
 * through the Sealdrop relay (relay/server.ts: protocol, limits, per-receiver backpressure). Baseline measured in
 * the same run: a bare `ws` server that forwards the same messages between the same pairs with no protocol, no
 * limits and no backpressure. Senders keep at most 1 MiB queued in their own socket in both cases; receivers only
 * count bytes. Clients and server share this one process (and its one JS thread), so the absolute numbers are a
 * floor, not a relay's capacity; the ratio is the point. Reports MiB/s for both, the ratio relay / bare, and the relay's peak queued bytes (which backpressure keeps near one high-water mark
 * per slow receiver). Best of `runs`. Plain numbers, no assertions.
 */

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeClientMessage, encodeRelayMessage } from '../src/signaling/relay-protocol';
import { startRelay } from '../relay/server';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROOMS = option('rooms', 20);
const MIB = option('mib', 32);
const RUNS = option('runs', 3);
const CHUNK = 64 * 1024;
const PER_ROOM = MIB * 1024 * 1024;
const WINDOW = 1024 * 1024;
const DELIVER_TYPE = encodeRelayMessage({ type: 'deliver', payload: new Uint8Array(0) })[0];

async function connect(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await once(ws, 'open');
  return ws;
}

async function sendAll(ws: WebSocket, message: Uint8Array, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    while (ws.bufferedAmount > WINDOW) await new Promise((resolve) => setTimeout(resolve, 1));
    ws.send(message);
    if (i % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
  }
}

function receive(ws: WebSocket, bytes: number, payloadOf: (data: Buffer) => number): Promise<void> {
  let got = 0;
  return new Promise((resolve) => {
    ws.on('message', (data: Buffer) => {
      got += payloadOf(data);
      if (got >= bytes) resolve();
    });
  });
}

/** Through the Sealdrop relay. */
async function viaRelay(): Promise<{ seconds: number; peak: number }> {
  const relay = await startRelay({
    host: '127.0.0.1',
    logger: () => {},
    limits: { maxConnectionsPerAddress: 2 * ROOMS + 2, maxRoomsPerAddress: ROOMS + 1 },
  });
  const url = relay.urls()[0]!;
  const payload = new Uint8Array(randomBytes(CHUNK));
  const send = encodeClientMessage({ type: 'send', payload });
  const pairs = await Promise.all(Array.from({ length: ROOMS }, async () => {
    const roomId = new Uint8Array(randomBytes(16));
    const a = await connect(url);
    a.send(encodeClientMessage({ type: 'join', roomId }));
    await once(a, 'message');
    const b = await connect(url);
    b.send(encodeClientMessage({ type: 'join', roomId }));
    await once(b, 'message');
    await once(a, 'message'); // PEER
    return [a, b] as const;
  }));
  const start = process.hrtime.bigint();
  await Promise.all(pairs.map(([a, b]) => Promise.all([
    sendAll(a, send, PER_ROOM / CHUNK),
    receive(b, PER_ROOM, (data) => {
      // Same receiver work as the baseline: count, do not copy (decodeRelayMessage would copy each payload).
      return data[0] === DELIVER_TYPE ? data.length - 1 : 0;
    }),
  ])));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const peak = relay.stats().peakBufferedBytes;
  for (const [a, b] of pairs) {
    a.close();
    b.close();
  }
  await relay.close();
  return { seconds, peak };
}

/** Baseline: a bare ws server forwarding between the same pairs, nothing else. */
async function viaBareWs(): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(wss, 'listening');
  const waiting: WebSocket[] = [];
  wss.on('connection', (ws) => {
    const peer = waiting.pop();
    if (!peer) {
      waiting.push(ws);
      return;
    }
    // Paired on 'connection', so before the second socket's first message can arrive.
    ws.on('message', (data: Buffer) => peer.send(data));
    peer.on('message', (data: Buffer) => ws.send(data));
  });
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  const payload = new Uint8Array(randomBytes(CHUNK + 1));
  const pairs: (readonly [WebSocket, WebSocket])[] = [];
  for (let i = 0; i < ROOMS; i++) {
    const b = await connect(url);
    const a = await connect(url);
    pairs.push([a, b]);
  }
  const start = process.hrtime.bigint();
  await Promise.all(pairs.map(([a, b]) => Promise.all([
    sendAll(a, payload, PER_ROOM / CHUNK),
    receive(b, PER_ROOM, (data) => data.length - 1),
  ])));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  for (const [a, b] of pairs) {
    a.terminate();
    b.terminate();
  }
  await new Promise((resolve) => wss.close(resolve));
  return seconds;
}

const totalMiB = ROOMS * MIB;
let bestRelay = Infinity;
let bestBare = Infinity;
let peak = 0;
for (let run = 0; run < RUNS; run++) {
  const bare = await viaBareWs();
  const relay = await viaRelay();
  bestBare = Math.min(bestBare, bare);
  bestRelay = Math.min(bestRelay, relay.seconds);
  peak = Math.max(peak, relay.peak);
}
const rate = (seconds: number): string => (totalMiB / seconds).toFixed(0);
console.log(`relay-load: ${ROOMS} rooms × ${MIB} MiB, 64 KiB messages, best of ${RUNS}`);
console.log(`  bare ws forwarder  ${rate(bestBare)} MiB/s`);
console.log(`  sealdrop relay     ${rate(bestRelay)} MiB/s   (relay / bare: ${(bestBare / bestRelay).toFixed(2)})`);
console.log(`  relay peak queued  ${(peak / 1024 / 1024).toFixed(1)} MiB`);
