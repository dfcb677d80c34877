/**
 * The mailbox watcher (main/transfer/mailbox.ts) against the real relay on 127.0.0.1: it registers with a real
 * identity, passes INCOMING room ids on, comes back after the relay restarts, drops a room id it already passed on
 * within the dedup window, and passes on at most `maxPerMinute` room ids per 60 s window. The windows are moved with
 * a skewed clock (real timers, shifted `now`), not by waiting a minute.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { systemClock, type Clock } from '../../src/ports/clock';
import { watchMailbox, type MailboxState, type MailboxWatcher } from '../../main/transfer/mailbox';
import { startRelay } from '../../relay/server';
import { expectCode } from '../helpers/expect-code';
import { RelayClient, eventually, newRoomId, sleep, startTestRelay, type TestRelay } from '../relay/relay-client';

const relays: { close(): Promise<void> }[] = [];
const watchers: MailboxWatcher[] = [];
const clients: RelayClient[] = [];

afterEach(async () => {
  for (const w of watchers.splice(0)) w.close();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

async function relay(): Promise<TestRelay> {
  const t = await startTestRelay();
  relays.push(t.relay);
  return t;
}

/** systemClock whose `now` can be moved forward. */
function skewedClock(): Clock & { skip(ms: number): void } {
  let skew = 0;
  return { ...systemClock, now: () => systemClock.now() + skew, skip: (ms) => (skew += ms) };
}

interface Watched {
  readonly watcher: MailboxWatcher;
  readonly rooms: string[];
  readonly states: MailboxState[];
}

function watch(url: string, signer: IdentitySigner, extra: Partial<Parameters<typeof watchMailbox>[0]> = {}): Watched {
  const rooms: string[] = [];
  const states: MailboxState[] = [];
  const watcher = watchMailbox({
    relayUrl: url,
    signer,
    onIncoming: (roomId) => rooms.push(Buffer.from(roomId).toString('hex')),
    onState: (state) => states.push(state),
    backoffMs: { min: 50, max: 400 },
    ...extra,
  });
  watchers.push(watcher);
  return { watcher, rooms, states };
}

/** NOTIFY from a fresh raw connection (anyone may); resolves with the relay's `delivered`. */
async function notify(url: string, fingerprint: Uint8Array, roomId: Uint8Array): Promise<boolean> {
  const client = await RelayClient.open(url);
  clients.push(client);
  client.send({ type: 'notify', fingerprint, roomId });
  const answer = await client.next();
  if (answer.type !== 'notified') throw new Error(`expected NOTIFIED, got ${answer.type}`);
  return answer.delivered;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('watchMailbox', () => {
  it('registers the identity (challenge signed) and passes INCOMING room ids on', async () => {
    const t = await relay();
    const bob = await identityFromSeed(new Uint8Array(32).fill(0xb0));
    const w = watch(t.url, bob);
    await w.watcher.registered;
    expect(t.relay.stats().mailboxes).toBe(1);
    expect(w.states).toEqual(['connecting', 'registered']);

    const roomId = newRoomId();
    expect(await notify(t.url, await fingerprintOf(bob.publicKey), roomId)).toBe(true);
    await eventually(() => w.rooms.length === 1, 5_000, 'the INCOMING');
    expect(w.rooms).toEqual([hex(roomId)]);

    // Another identity's mailbox is not ours.
    const other = await identityFromSeed(new Uint8Array(32).fill(0xb1));
    expect(await notify(t.url, await fingerprintOf(other.publicKey), newRoomId())).toBe(false);
    await sleep(100);
    expect(w.rooms).toHaveLength(1);

    w.watcher.close();
    await eventually(() => t.relay.stats().mailboxes === 0, 5_000, 'the mailbox released');
    expect(w.states.at(-1)).toBe('closed');
  });

  it('registers again after the relay restarts on the same port, and waits for a relay that is not up yet', async () => {
    const first = await startRelay({ host: '127.0.0.1', port: 0, logger: () => undefined });
    const port = first.port;
    const url = first.urls()[0]!;
    const bob = await identityFromSeed(new Uint8Array(32).fill(0xb2));
    const fingerprint = await fingerprintOf(bob.publicKey);
    const w = watch(url, bob);
    await w.watcher.registered;

    await first.close(); // 1001 to every client; the mailbox is gone with the relay
    await eventually(() => w.states.includes('disconnected'), 5_000, 'the watcher noticing');
    await sleep(300); // a few failed reconnections while nothing listens
    const second = await startRelay({ host: '127.0.0.1', port, logger: () => undefined });
    relays.push(second);
    await eventually(() => second.stats().mailboxes === 1, 10_000, 'registration on the restarted relay');
    // The relay counts the mailbox when it checks the proof; the watcher says 'registered' when REGISTERED arrives.
    await eventually(() => w.states.filter((s) => s === 'registered').length === 2, 5_000, 'the watcher registered again');
    expect(w.states.filter((s) => s === 'registered')).toHaveLength(2);

    const roomId = newRoomId();
    expect(await notify(url, fingerprint, roomId)).toBe(true);
    await eventually(() => w.rooms.includes(hex(roomId)), 5_000, 'the INCOMING after the restart');
  });

  it('drops a room id it passed on within the dedup window, and passes it again after the window', async () => {
    const t = await relay();
    const bob = await identityFromSeed(new Uint8Array(32).fill(0xb3));
    const fingerprint = await fingerprintOf(bob.publicKey);
    const clock = skewedClock();
    const w = watch(t.url, bob, { clock });
    await w.watcher.registered;

    const roomId = newRoomId();
    for (let i = 0; i < 5; i++) expect(await notify(t.url, fingerprint, roomId)).toBe(true);
    const other = newRoomId();
    expect(await notify(t.url, fingerprint, other)).toBe(true);
    await eventually(() => w.rooms.length === 2, 5_000, 'both rooms');
    await sleep(100);
    expect(w.rooms).toEqual([hex(roomId), hex(other)]);

    clock.skip(60_000);
    expect(await notify(t.url, fingerprint, roomId)).toBe(true);
    await eventually(() => w.rooms.length === 3, 5_000, 'the room again after the window');
  });

  it('passes on at most maxPerMinute room ids per 60 s window; a flood leaves the mailbox working', async () => {
    const t = await relay();
    const bob = await identityFromSeed(new Uint8Array(32).fill(0xb4));
    const fingerprint = await fingerprintOf(bob.publicKey);
    const clock = skewedClock();
    const w = watch(t.url, bob, { clock, maxPerMinute: 4 });
    await w.watcher.registered;

    const flooder = await RelayClient.open(t.url);
    clients.push(flooder);
    for (let i = 0; i < 200; i++) flooder.send({ type: 'notify', fingerprint, roomId: newRoomId() });
    for (let i = 0; i < 200; i++) expect(await flooder.next()).toEqual({ type: 'notified', delivered: true });
    await sleep(100);
    expect(w.rooms).toHaveLength(4);

    clock.skip(60_000);
    const later = newRoomId();
    expect(await notify(t.url, fingerprint, later)).toBe(true);
    await eventually(() => w.rooms.length === 5, 5_000, 'a room in the next window');
    expect(w.rooms.at(-1)).toBe(hex(later));
    expect(t.relay.stats().mailboxes).toBe(1);
  });

  it('registered rejects CANCELLED when closed first, and LINK_BAD_RELAY for a URL that can never work', async () => {
    const bob = await identityFromSeed(new Uint8Array(32).fill(0xb5));
    // Nothing listens on this port: the watcher keeps retrying until closed.
    const idle = watch('ws://127.0.0.1:9/v1', bob);
    await sleep(150);
    idle.watcher.close();
    await expectCode(idle.watcher.registered, 'CANCELLED');

    const bad = watch('http://127.0.0.1:9/v1', bob);
    await expectCode(bad.watcher.registered, 'LINK_BAD_RELAY');
    expect(bad.states.at(-1)).toBe('closed');
  });
});
