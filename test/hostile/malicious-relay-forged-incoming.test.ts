/**
 * Hostile: INCOMING is unauthenticated (docs/PROTOCOL.md §13.1.5, §13.9). Anyone can NOTIFY any mailbox and a relay
 * can forge INCOMING outright, and the room id of a contact send is known to the relay, which can hand it to anyone.
 * What must hold, on the real relay and the real transfer code (main/transfer/{mailbox,receive,send}.ts):
 *   - a notification pointing at a room where a stranger (a key the listener has not pinned) waits: the listener's
 *     handshake yields Level 2, which it refuses under requireLevel3 (LEVEL3_REQUIRED, never asked, nothing
 *     written); with Level 2 allowed it is asked about, labelled Level 2 / verifiedBy none;
 *   - a notification pointing at an empty room, or at a room where an attacker sits and sends nothing: the receive
 *     ends TIMEOUT in a bounded time and leaves the relay room;
 *   - a flood of INCOMING: the watcher passes on at most its per-minute bound, and `sealdrop listen` runs one
 *     receive at a time with a bounded queue;
 *   - a contact send whose room a stranger joins (the relay leaked the room id): the sender's handshake refuses the
 *     stranger (it is not the pinned contact), the stranger is never offered anything, and the sender keeps
 *     waiting — the real contact then receives the files at Level 3.
 * The library-level cases use `pathMode: 'relay'` so each refusal is a handshake on the relay path, not a WebRTC
 * timeout; the CLI case uses the real `sealdrop listen`.
 */

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { webCryptoRandom } from '../../src/ports/random';
import { MemoryBlobStore } from '../../src/testing/memory-blob-store';
import { DEFAULT_TIMEOUTS } from '../../src/transfer/machine';
import { TrustStore } from '../../src/trust/trust-store';
import { wallClock } from '../../main/adapters/wall-clock';
import type { TransferReport } from '../../main/transfer/events';
import { watchMailbox, type MailboxWatcher } from '../../main/transfer/mailbox';
import { runReceiveIncoming, type IncomingReceiveOptions } from '../../main/transfer/receive';
import type { OfferSummary } from '../../main/transfer/receive-room';
import { runSend } from '../../main/transfer/send';
import { runCli, tempDir, type CliProcess } from '../cli/harness';
import { freshDevice, Leftovers } from '../faults/fault-harness';
import { RelayClient, eventually, newRoomId, sleep, startTestRelay, type TestRelay } from '../relay/relay-client';

const leftovers = new Leftovers();
afterAll(() => leftovers.cleanUp());

let t: TestRelay;
const watchers: MailboxWatcher[] = [];
const clients: RelayClient[] = [];
const aborts: (() => void)[] = [];

afterEach(async () => {
  for (const abort of aborts.splice(0)) abort();
  for (const w of watchers.splice(0)) w.close();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t.relay.close();
});

let alice: IdentitySigner; // the contact's sender
let bob: IdentitySigner; // the listener
let mallory: IdentitySigner; // a stranger: pinned by nobody
beforeAll(async () => {
  alice = await identityFromSeed(new Uint8Array(32).fill(0xa1));
  bob = await identityFromSeed(new Uint8Array(32).fill(0xb1));
  mallory = await identityFromSeed(new Uint8Array(32).fill(0x4d));
});

async function trustPinning(...peers: { key: IdentitySigner; name: string }[]): Promise<TrustStore> {
  const trust = await TrustStore.load(new MemoryBlobStore(), wallClock, webCryptoRandom);
  for (const peer of peers) await trust.pin(peer.key.publicKey, peer.name, 'verified');
  return trust;
}

function abortable(): { abort: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const abort = new Promise<void>((resolve) => (fire = resolve));
  aborts.push(fire);
  return { abort, fire };
}

/** Start the CLI-independent sender of a contact send; resolves once it is in the room and has notified. */
async function contactSend(from: IdentitySigner, trust: TrustStore, to: IdentitySigner) {
  const dir = leftovers.folder(tempDir('sealdrop-incoming-src-'));
  const file = join(dir, 'secret.txt');
  writeFileSync(file, randomBytes(20_000));
  const reports: TransferReport[] = [];
  const { abort } = abortable();
  const result = runSend({
    paths: [file],
    signer: from,
    name: 'sender',
    trust,
    relayUrls: [t.url],
    connectUrl: t.url,
    to: { identityKey: to.publicKey },
    pathMode: 'relay',
    iceServers: [],
    forceTurn: false,
    requireLevel3: true,
    random: webCryptoRandom,
    clock: wallClock,
    abort,
    report: (r) => reports.push(r),
  });
  await eventually(() => reports.some((r) => r.event === 'notified'), 10_000, 'the sender notifying');
  return { file, reports, result };
}

/** Watch `who`'s mailbox; resolves with the watcher and the room ids it passed on. */
async function listening(who: IdentitySigner, maxPerMinute?: number): Promise<{ rooms: Uint8Array[] }> {
  const rooms: Uint8Array[] = [];
  const watcher = watchMailbox({ relayUrl: t.url, signer: who, onIncoming: (roomId) => rooms.push(roomId), ...(maxPerMinute ? { maxPerMinute } : {}) });
  watchers.push(watcher);
  await watcher.registered;
  return { rooms };
}

function receiveIn(roomId: Uint8Array, signer: IdentitySigner, trust: TrustStore, extra: Partial<IncomingReceiveOptions> = {}) {
  const out = leftovers.folder(tempDir('sealdrop-incoming-out-'));
  const reports: TransferReport[] = [];
  const offers: OfferSummary[] = [];
  const { abort } = abortable();
  const result = runReceiveIncoming({
    relayUrl: t.url,
    roomId,
    outDir: out,
    signer,
    name: 'receiver',
    trust,
    pathMode: 'relay',
    iceServers: [],
    forceTurn: false,
    requireLevel3: true,
    random: webCryptoRandom,
    clock: wallClock,
    abort,
    report: (r) => reports.push(r),
    confirm: (offer) => {
      offers.push(offer);
      return Promise.resolve(true);
    },
    ...extra,
  });
  return { out, reports, offers, result };
}

beforeEach(async () => {
  t = await startTestRelay();
});

describe('a forged INCOMING is only a room id: the handshake decides', () => {
  it('a stranger waiting in the notified room: Level 2, refused under requireLevel3 (never asked, nothing written)', async () => {
    const bobTrust = await trustPinning({ key: alice, name: 'alice' });
    const { rooms } = await listening(bob);
    // Mallory needs nothing but bob's public key (the relay saw it in PROVE) to wake him.
    await contactSend(mallory, await trustPinning(), bob);
    await eventually(() => rooms.length === 1, 5_000, 'the INCOMING');

    const strict = receiveIn(rooms[0]!, bob, bobTrust);
    expect(await strict.result).toEqual({ ok: false, code: 'LEVEL3_REQUIRED' });
    expect(strict.offers).toEqual([]);
    expect(strict.reports.some((r) => r.event === 'connected')).toBe(false);
    expect(readdirSync(strict.out)).toEqual([]);

    // With Level 2 allowed, the offer is shown for what it is: unverified.
    const lax = receiveIn(rooms[0]!, bob, bobTrust, {
      requireLevel3: false,
      confirm: (offer) => {
        lax.offers.push(offer);
        return Promise.resolve(false);
      },
    });
    expect(await lax.result).toEqual({ ok: false, code: 'DECLINED' });
    expect(lax.offers).toHaveLength(1);
    expect(lax.offers[0]).toMatchObject({ level: 2, peer: { verifiedBy: 'none', verified: false } });
    expect(readdirSync(lax.out)).toEqual([]);
  }, 30_000);

  it('an empty room: TIMEOUT after peerWaitMs, and the relay room is gone', async () => {
    const { rooms } = await listening(bob);
    const notifier = await RelayClient.open(t.url);
    clients.push(notifier);
    notifier.send({ type: 'notify', fingerprint: await fingerprintOf(bob.publicKey), roomId: newRoomId() });
    await eventually(() => rooms.length === 1, 5_000, 'the INCOMING');
    const started = Date.now();
    const { result, out } = receiveIn(rooms[0]!, bob, await trustPinning({ key: alice, name: 'alice' }), { peerWaitMs: 400 });
    expect(await result).toEqual({ ok: false, code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(readdirSync(out)).toEqual([]);
    await eventually(() => t.relay.stats().rooms === 0, 5_000, 'the room left');
  });

  it('an attacker in the room that sends nothing: TIMEOUT after maxUnverifiedAttempts handshakes, room left', async () => {
    const { rooms } = await listening(bob);
    const roomId = newRoomId();
    const squatter = await RelayClient.open(t.url);
    clients.push(squatter);
    squatter.send({ type: 'join', roomId });
    expect(await squatter.next()).toEqual({ type: 'joined', othersPresent: false });
    squatter.send({ type: 'notify', fingerprint: await fingerprintOf(bob.publicKey), roomId });
    await eventually(() => rooms.length === 1, 5_000, 'the INCOMING');

    const started = Date.now();
    const { result, out, offers } = receiveIn(rooms[0]!, bob, await trustPinning({ key: alice, name: 'alice' }), {
      timeouts: { ...DEFAULT_TIMEOUTS, handshakeMs: 300 },
      maxUnverifiedAttempts: 2,
    });
    expect(await result).toEqual({ ok: false, code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(offers).toEqual([]);
    expect(readdirSync(out)).toEqual([]);
    await eventually(() => t.relay.stats().rooms === 1, 5_000, 'only the squatter left in its room');
  });

  it('a flood of INCOMING: at most the per-minute bound is passed on, and the mailbox keeps working', async () => {
    const { rooms } = await listening(bob, 5);
    const fingerprint = await fingerprintOf(bob.publicKey);
    const flooder = await RelayClient.open(t.url);
    clients.push(flooder);
    for (let i = 0; i < 500; i++) flooder.send({ type: 'notify', fingerprint, roomId: newRoomId() });
    for (let i = 0; i < 500; i++) await flooder.next();
    await sleep(200);
    expect(rooms).toHaveLength(5);
    expect(t.relay.stats().mailboxes).toBe(1);
  });

  it('`sealdrop listen` under a flood: one receive at a time, a bounded queue, the rest dropped', async () => {
    const bobDevice = freshDevice(leftovers, 'bob');
    const out = leftovers.folder(tempDir('sealdrop-incoming-out-'));
    const listener: CliProcess = leftovers.process(runCli(['listen', '--json', '--yes', '--relay', t.url, '--out', out], bobDevice.env));
    const ready = await listener.waitFor('listening', 30_000);
    const fingerprint = Buffer.from(String(ready.fingerprint), 'hex');
    const flooder = await RelayClient.open(t.url);
    clients.push(flooder);
    for (let i = 0; i < 300; i++) flooder.send({ type: 'notify', fingerprint, roomId: newRoomId() });
    for (let i = 0; i < 300; i++) await flooder.next();
    // The watcher passes on 10 a minute; one receive runs (waiting 30 s in its empty room), 8 wait, the rest (1, or
    // 2 when all 10 arrive before the first is taken off the queue) are dropped.
    await eventually(() => listener.events.some((e) => e.event === 'incoming-dropped'), 10_000, 'a dropped INCOMING');
    await sleep(300);
    expect(listener.events.filter((e) => e.event === 'incoming')).toHaveLength(1);
    const dropped = listener.events.filter((e) => e.event === 'incoming-dropped').length;
    expect(dropped).toBeGreaterThanOrEqual(1);
    expect(dropped).toBeLessThanOrEqual(2);
    expect(t.relay.stats().rooms).toBe(1);
    listener.kill('SIGTERM');
    expect(await listener.exit).toBe(0);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);
});

describe('a stranger joins the room of a contact send', () => {
  it('the sender refuses it in the handshake, offers it nothing, and keeps waiting for the real contact', async () => {
    const aliceTrust = await trustPinning({ key: bob, name: 'bob' });
    const bobTrust = await trustPinning({ key: alice, name: 'alice' });
    const { rooms } = await listening(bob);
    const send = await contactSend(alice, aliceTrust, bob);
    expect(send.reports.find((r) => r.event === 'ready')).toMatchObject({ link: null });
    expect(send.reports.find((r) => r.event === 'notified')).toEqual({ event: 'notified', delivered: true });
    await eventually(() => rooms.length === 1, 5_000, 'the INCOMING');

    // The relay hands the room id to Mallory, who joins first and would accept anything (Level 2 allowed).
    const stranger = receiveIn(rooms[0]!, mallory, await trustPinning(), { requireLevel3: false, maxAttempts: 1 });
    // Mallory completes her side at Level 2 — without a psk the responder's identity is not hidden from whoever
    // joins (PROTOCOL.md §12.1) — but Alice's check of the pinned key fails and she aborts before any OFFER.
    expect(await stranger.result).toEqual({ ok: false, code: 'PEER_ABORTED' });
    expect(stranger.offers).toEqual([]);
    expect(readdirSync(stranger.out)).toEqual([]);
    await eventually(() => send.reports.some((r) => r.event === 'path-lost'), 5_000, "the sender's refusal");
    expect(send.reports.find((r) => r.event === 'path-lost')).toMatchObject({ code: 'IDENTITY_MISMATCH' });
    expect(send.reports.some((r) => r.event === 'connected' || r.event === 'error')).toBe(false);

    // Bob then joins the same room: Level 3 by pin on both sides, identical bytes.
    const contact = receiveIn(rooms[0]!, bob, bobTrust);
    expect(await contact.result).toEqual({ ok: true, code: null });
    expect(await send.result).toEqual({ ok: true, code: null });
    expect(contact.offers).toHaveLength(1);
    expect(contact.offers[0]).toMatchObject({ level: 3, peer: { verifiedBy: 'pin' } });
    expect(send.reports.find((r) => r.event === 'done')).toMatchObject({ level: 3 });
    expect(readFileSync(join(contact.out, 'secret.txt'))).toEqual(readFileSync(send.file));
  }, 60_000);
});
