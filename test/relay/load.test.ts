/**
 * Load: 500 rooms open at once (1000 connections), each pair forwarding a few KiB both ways at the same time; all of
 * it must arrive intact and in order, and the relay must be back to zero rooms and connections afterwards.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RelayMessage } from '../../src/signaling/relay-protocol';
import { RelayClient, eventually, newRoomId, startTestRelay, type TestRelay } from './relay-client';

const ROOMS = 500;
const MESSAGES = 4;
const SIZE = 1024;
/** Connections opened at once: keeps the listen backlog (511) from overflowing into SYN retransmits. */
const BATCH = 100;

let t: TestRelay;

beforeAll(async () => {
  t = await startTestRelay({ maxConnectionsPerAddress: 2 * ROOMS + 10, maxRoomsPerAddress: ROOMS + 10 });
});

afterAll(async () => {
  await t.relay.close();
});

function payload(room: number, side: number, index: number): Uint8Array {
  const bytes = new Uint8Array(SIZE).fill((room + side * 7 + index * 13) & 0xff);
  new DataView(bytes.buffer).setUint32(0, room);
  bytes[4] = side;
  bytes[5] = index;
  return bytes;
}

/** Byte comparison without the deep-equality machinery (4000 × 1 KiB of it costs seconds). */
function expectDeliver(message: RelayMessage, expected: Uint8Array): void {
  expect(message.type).toBe('deliver');
  if (message.type === 'deliver') expect(Buffer.compare(message.payload, expected)).toBe(0);
}

async function inBatches<T>(count: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => work(start + k));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

describe('relay under load', () => {
  it(`forwards ${MESSAGES} × ${SIZE} bytes both ways in ${ROOMS} concurrent rooms, then holds nothing`, async () => {
    const pairs = await inBatches(ROOMS, async () => {
      const roomId = newRoomId();
      const a = await RelayClient.open(t.url);
      a.send({ type: 'join', roomId });
      expect(await a.next(15_000)).toEqual({ type: 'joined', othersPresent: false });
      const b = await RelayClient.open(t.url);
      b.send({ type: 'join', roomId });
      expect(await b.next(15_000)).toEqual({ type: 'joined', othersPresent: true });
      expect(await a.next(15_000)).toEqual({ type: 'peer', present: true });
      return [a, b] as const;
    });
    expect(t.relay.stats()).toMatchObject({ rooms: ROOMS, connections: 2 * ROOMS });

    // Every room exchanges at the same time.
    await Promise.all(pairs.map(async ([a, b], room) => {
      for (let i = 0; i < MESSAGES; i++) {
        a.send({ type: 'send', payload: payload(room, 0, i) });
        b.send({ type: 'send', payload: payload(room, 1, i) });
      }
      for (let i = 0; i < MESSAGES; i++) {
        expectDeliver(await b.next(15_000), payload(room, 0, i));
        expectDeliver(await a.next(15_000), payload(room, 1, i));
      }
    }));

    const stats = t.relay.stats();
    expect(stats.messagesForwarded).toBe(ROOMS * MESSAGES * 2);
    expect(stats.bytesForwarded).toBe(ROOMS * MESSAGES * 2 * SIZE);
    expect(stats.messagesDropped).toBe(0);

    await inBatches(ROOMS, async (room) => {
      const [a, b] = pairs[room]!;
      await Promise.all([a.close(), b.close()]);
    });
    await eventually(() => t.relay.stats().rooms === 0 && t.relay.stats().connections === 0, 15_000, 'relay empty');
    expect(t.relay.stats()).toMatchObject({ rooms: 0, connections: 0, mailboxes: 0, pausedConnections: 0, bufferedBytes: 0 });
    // About 2 s on an idle 2-CPU machine; the deadline leaves room for a busy CI box, not for a slow relay.
  }, 30_000);
});
