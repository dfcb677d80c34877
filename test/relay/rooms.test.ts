/**
 * Rooms over real sockets: two members, DELIVER both ways, PEER announcements, the two-member cap, resume by
 * rejoining, and what happens to a SEND nobody can receive.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RELAY_CLOSE } from '../../src/signaling/relay-protocol';
import { RelayClient, eventually, joinedPair, newRoomId, startTestRelay, type TestRelay } from './relay-client';

let t: TestRelay;
const clients: RelayClient[] = [];

async function open(): Promise<RelayClient> {
  const client = await RelayClient.open(t.url);
  clients.push(client);
  return client;
}

beforeEach(async () => {
  t = await startTestRelay();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t.relay.close();
});

describe('relay rooms', () => {
  it('joins two members and delivers payloads both ways', async () => {
    const roomId = newRoomId();
    const a = await open();
    a.send({ type: 'join', roomId });
    expect(await a.next()).toEqual({ type: 'joined', othersPresent: false });

    const b = await open();
    b.send({ type: 'join', roomId });
    expect(await b.next()).toEqual({ type: 'joined', othersPresent: true });
    expect(await a.next()).toEqual({ type: 'peer', present: true });

    a.send({ type: 'send', payload: Uint8Array.of(0, 1, 2, 3) });
    expect(await b.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(0, 1, 2, 3) });
    b.send({ type: 'send', payload: Uint8Array.of(1, 9, 9) });
    expect(await a.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(1, 9, 9) });
    b.send({ type: 'send', payload: new Uint8Array(0) });
    expect(await a.next()).toEqual({ type: 'deliver', payload: new Uint8Array(0) });

    const stats = t.relay.stats();
    expect(stats.rooms).toBe(1);
    expect(stats.messagesForwarded).toBe(3);
    expect(stats.bytesForwarded).toBe(7);
  });

  it('delivers in order', async () => {
    const [a, b] = await joinedPair(t.url);
    clients.push(a, b);
    for (let i = 0; i < 200; i++) a.send({ type: 'send', payload: Uint8Array.of(i & 0xff, i >> 8) });
    for (let i = 0; i < 200; i++) {
      expect(await b.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(i & 0xff, i >> 8) });
    }
  });

  it('keeps rooms apart', async () => {
    const [a1, b1] = await joinedPair(t.url);
    const [a2, b2] = await joinedPair(t.url);
    clients.push(a1, b1, a2, b2);
    a1.send({ type: 'send', payload: Uint8Array.of(1) });
    a2.send({ type: 'send', payload: Uint8Array.of(2) });
    expect(await b1.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(1) });
    expect(await b2.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(2) });
    expect(t.relay.stats().rooms).toBe(2);
  });

  it('announces a leaving member with PEER{present:false} and deletes the room once empty', async () => {
    const [a, b] = await joinedPair(t.url);
    clients.push(a);
    await b.close();
    expect(await a.next()).toEqual({ type: 'peer', present: false });
    expect(t.relay.stats().rooms).toBe(1);
    await a.close();
    await eventually(() => t.relay.stats().rooms === 0, 5_000, 'room deleted');
  });

  it('closes a third member with 4002 ROOM_FULL and leaves the two members undisturbed', async () => {
    const [a, b, roomId] = await joinedPair(t.url);
    clients.push(a, b);
    const c = await open();
    c.send({ type: 'join', roomId });
    expect(await c.closeCode()).toBe(RELAY_CLOSE.ROOM_FULL);

    a.send({ type: 'send', payload: Uint8Array.of(7) });
    expect(await b.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(7) });
    expect(a.pending()).toEqual([]);
    expect(t.relay.stats().closesByCode[RELAY_CLOSE.ROOM_FULL]).toBe(1);
  });

  it('lets a new connection take the place of a member that left (resume)', async () => {
    const [a, b, roomId] = await joinedPair(t.url);
    clients.push(a);
    await b.close();
    expect(await a.next()).toEqual({ type: 'peer', present: false });

    const c = await open();
    c.send({ type: 'join', roomId });
    expect(await c.next()).toEqual({ type: 'joined', othersPresent: true });
    expect(await a.next()).toEqual({ type: 'peer', present: true });
    c.send({ type: 'send', payload: Uint8Array.of(4, 2) });
    expect(await a.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(4, 2) });
    a.send({ type: 'send', payload: Uint8Array.of(2, 4) });
    expect(await c.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(2, 4) });
  });

  it('recreates a room after both members left', async () => {
    const [a, b, roomId] = await joinedPair(t.url);
    await Promise.all([a.close(), b.close()]);
    await eventually(() => t.relay.stats().rooms === 0, 5_000, 'room deleted');
    const c = await open();
    c.send({ type: 'join', roomId });
    expect(await c.next()).toEqual({ type: 'joined', othersPresent: false });
  });

  it('drops a SEND made while alone in the room (nothing is parked on the relay)', async () => {
    const roomId = newRoomId();
    const a = await open();
    a.send({ type: 'join', roomId });
    await a.next();
    a.send({ type: 'send', payload: Uint8Array.of(0xde, 0xad) });
    await eventually(() => t.relay.stats().messagesDropped === 1, 5_000, 'drop counted');

    const b = await open();
    b.send({ type: 'join', roomId });
    expect(await b.next()).toEqual({ type: 'joined', othersPresent: true });
    await a.next();
    a.send({ type: 'send', payload: Uint8Array.of(1) });
    expect(await b.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(1) });
  });
});
