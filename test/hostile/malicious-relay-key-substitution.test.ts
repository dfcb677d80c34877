/**
 * Hostile: the relay substitutes its own keys — a full man in the middle that terminates each side with a session of
 * its own (test/support/key-substitution-mitm.ts). THREAT-MODEL.md §3: at Level 2 this succeeds and the attacker
 * reads everything, which is why Level 2 is labelled unverified and refused by default; at Level 3 it fails.
 *
 * A link swapped in transit is not an attack on this protocol: links travel out of band, and whoever controls that
 * channel chooses whom the receiver trusts. What the relay can do is sit between two CLIs that share a genuine link:
 *   - without the link secret it cannot even finish a handshake with the receiver: guessing the secret gives
 *     TRANSCRIPT_MISMATCH (its sealed identity does not open), stripping the link flag gives DOWNGRADE;
 *   - with the link secret too (a leaked link) it finishes the cryptography but is not the identity the link names:
 *     IDENTITY_MISMATCH, a hard stop. (The issuer, the sender, does hand a leaked link's holder the files: the
 *     documented cost of a leaked link, THREAT-MODEL.md §5 and PROTOCOL.md §12.5 — asserted here so it stays known.)
 *
 * The Level 2 case cannot be reached with the CLI, which only receives from links and links always carry the
 * issuer's fingerprint; it is driven through the session API over the same malicious relay.
 */

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { equalBytes, toHex } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { parseLink } from '../../src/identity/link';
import { systemClock } from '../../src/ports/clock';
import { webCryptoRandom } from '../../src/ports/random';
import { MemorySink, memorySource, type MemoryFile } from '../../src/testing/memory-files';
import { startReceiver, startSender, type SessionEvent } from '../../src/transfer/session';
import { connectRelay, type RelayConnection } from '../../main/adapters/relay-client';
import { device, sampleTree, tempDir } from '../cli/harness';
import { expectFailure, finalNames, killAll, listTree, meetThrough } from '../support/cli-outcome';
import { manInTheMiddle, type MallorysSecret, type ManInTheMiddle } from '../support/key-substitution-mitm';
import { MaliciousRelay } from '../support/malicious-relay';

const relays: MaliciousRelay[] = [];
const mitms: ManInTheMiddle[] = [];
const connections: RelayConnection[] = [];
afterEach(async () => {
  killAll();
  mitms.splice(0).forEach((m) => m.close());
  connections.splice(0).forEach((c) => c.close());
  await Promise.all(relays.splice(0).map((r) => r.close()));
});
afterAll(killAll);

const newIdentity = (): Promise<IdentitySigner> => identityFromSeed(webCryptoRandom.bytes(32));

async function isolatingRelay(): Promise<MaliciousRelay> {
  const relay = await MaliciousRelay.start({ isolate: true });
  relays.push(relay);
  return relay;
}

/** Two real CLIs with a genuine link, and Mallory in the middle holding `secret` (or the link's, once it exists). */
async function cliWithMallory(secret: (link: string) => MallorysSecret) {
  const relay = await isolatingRelay();
  const mallory = await newIdentity();
  const out = tempDir('sealdrop-out-');
  let mitm: ManInTheMiddle | null = null;
  const meeting = await meetThrough(relay, {
    root: sampleTree(256 * 1024).root,
    out,
    sender: device('alice').env,
    receiver: device('bob').env,
    beforeReceiver: ({ link }) => {
      mitm = manInTheMiddle(relay, mallory, secret(link));
      mitms.push(mitm);
    },
  });
  return { ...meeting, out, mallory, mitm: mitm! };
}

describe('relay substitutes keys between two sealdrop CLIs (Level 3 by link)', () => {
  it('without the link secret, guessing it: the receiver stops with TRANSCRIPT_MISMATCH (exit 3)', async () => {
    const { receiver, sender, out, mitm } = await cliWithMallory(() => ({ kind: 'guessed' }));
    await expectFailure(receiver, 'TRANSCRIPT_MISMATCH');
    expect((await mitm.theft).code).toBe('TRANSCRIPT_MISMATCH'); // the sender's sealed identity did not open for her
    expect((await mitm.delivery).handshake).toBeNull();
    expect(mitm.stolen.committed.size).toBe(0);
    expect(mitm.stolen.opened).toBe(0);
    expect(listTree(out)).toEqual([]);
    expect(sender.events.some((e) => e.event === 'connected')).toBe(false);
  }, 30_000);

  it('without the link secret, stripping the link flag: the receiver stops with DOWNGRADE (exit 3)', async () => {
    const { receiver, sender, out, mitm } = await cliWithMallory(() => ({ kind: 'stripped' }));
    await expectFailure(receiver, 'DOWNGRADE');
    expect(mitm.stolen.opened).toBe(0);
    expect(listTree(out)).toEqual([]);
    expect(sender.events.some((e) => e.event === 'connected')).toBe(false);
  }, 30_000);

  it('with a leaked link (the secret too): the receiver stops with IDENTITY_MISMATCH (exit 3); the issuer is not protected', async () => {
    const { receiver, sender, out, mitm, mallory } = await cliWithMallory((link) => ({ kind: 'leaked', secret: parseLink(link).secret }));
    await expectFailure(receiver, 'IDENTITY_MISMATCH');
    expect(listTree(out)).toEqual([]);
    expect(finalNames(out)).toEqual([]);
    expect(receiver.events.some((e) => e.event === 'connected' || e.event === 'offer')).toBe(false);
    // The receiver never got far enough to accept; Mallory did get the files from the issuer (§12.5).
    const theft = await mitm.theft;
    expect(theft.ok).toBe(true);
    expect(mitm.stolen.committed.has('payload/big.bin')).toBe(true);
    const connected = await sender.waitFor('connected');
    expect(connected.level).toBe(3);
    expect(connected.peer).toMatchObject({ verifiedBy: 'link-secret', fingerprint: toHex(await fingerprintOf(mallory.publicKey)) });
    expect((await mitm.delivery).code).not.toBeNull();
  }, 30_000);
});

describe('relay substitutes keys at Level 2 (session API: no link, no pin — the CLI cannot do this)', () => {
  const FILES: MemoryFile[] = [
    { path: 'diary.txt', data: new TextEncoder().encode('dear diary, nobody is reading this\n') },
    { path: 'photos/holiday.jpg', data: webCryptoRandom.bytes(300_000) },
  ];

  /** Alice sends FILES to Bob through the isolating relay, Mallory in the middle with no secret at all. */
  async function level2(policy: { requireLevel3: boolean }) {
    const relay = await isolatingRelay();
    const [alice, bob, mallory] = await Promise.all([newIdentity(), newIdentity(), newIdentity()]);
    const roomId = webCryptoRandom.bytes(16);
    const mitm = manInTheMiddle(relay, mallory, { kind: 'none' });
    mitms.push(mitm);

    const aliceRoom = await connectRelay(relay.url);
    connections.push(aliceRoom);
    await aliceRoom.join(roomId);
    const { manifest, source } = memorySource(FILES);
    const sent = await startSender({
      transport: aliceRoom.openFrameTransport(),
      clock: systemClock, random: webCryptoRandom, signer: alice, handshakeRole: 'responder', sessionId: roomId,
      expect: {}, requireLevel3: policy.requireLevel3, manifest, source,
    });

    const bobRoom = await connectRelay(relay.url);
    connections.push(bobRoom);
    const peer = new Promise<void>((resolve) => bobRoom.onPeer((present) => present && resolve()));
    if (!(await bobRoom.join(roomId)).othersPresent) await peer; // as the CLI does: talk only once someone is there
    const bobSink = new MemorySink();
    const connected: SessionEvent[] = [];
    const received = startReceiver({
      transport: bobRoom.openFrameTransport(),
      clock: systemClock, random: webCryptoRandom, signer: bob, handshakeRole: 'initiator', sessionId: roomId,
      expect: {}, requireLevel3: policy.requireLevel3,
      decide: () => Promise.resolve(true),
      openSink: ({ manifest: m }) => bobSink.open(m),
      onEvent: (event) => event.type === 'connected' && connected.push(event),
    });
    return { alice, bob, mallory, mitm, bobSink, connected, sent: await sent.outcome, received: await received.outcome };
  }

  it('allowed (requireLevel3 false): completes at Level 2, shown unverified, and Mallory read every byte', async () => {
    const { mitm, mallory, bobSink, connected, sent, received } = await level2({ requireLevel3: false });
    expect(received.ok).toBe(true);
    // What a UI is told on `connected` (the CLI's event carries these two as `level` and `peer.verifiedBy`).
    expect(connected).toHaveLength(1);
    expect(connected[0]).toMatchObject({ handshake: { level: 2, verifiedBy: 'none' } });
    expect(received.handshake?.level).toBe(2);
    expect(received.handshake?.verifiedBy).toBe('none');
    expect(equalBytes(received.handshake!.peer.identityKey, mallory.publicKey)).toBe(true); // Bob "talked to" Mallory
    expect(sent.ok).toBe(true);
    expect(sent.handshake?.level).toBe(2);
    expect(equalBytes(sent.handshake!.peer.identityKey, mallory.publicKey)).toBe(true);
    for (const file of FILES) {
      expect(equalBytes(mitm.stolen.committed.get(file.path)!, file.data), `stolen ${file.path}`).toBe(true);
      expect(equalBytes(bobSink.committed.get(file.path)!, file.data), `delivered ${file.path}`).toBe(true);
    }
  }, 30_000);

  it('by default (requireLevel3, the CLI default --require-level 3): both sides refuse with LEVEL3_REQUIRED', async () => {
    const { mitm, bobSink, sent, received } = await level2({ requireLevel3: true });
    expect(received.code).toBe('LEVEL3_REQUIRED');
    expect(bobSink.opened).toBe(0);
    expect(sent.code).toBe('LEVEL3_REQUIRED'); // Alice refuses Mallory's FINISH: nothing is sealed for her
    expect((await mitm.theft).code).toBe('PEER_ABORTED');
    expect(mitm.stolen.opened).toBe(0);
  }, 30_000);
});
