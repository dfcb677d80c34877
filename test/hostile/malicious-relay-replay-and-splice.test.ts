/**
 * Hostile: a relay that records one transfer between two real `sealdrop` processes and uses it against a later
 * one — replaying a whole recorded session into a later room, replaying the receiver's half of a handshake to the
 * sender, or splicing single frames of the recorded session into a live one (THREAT-MODEL.md §2, "Active relay").
 *
 * Why each fails: every handshake mixes fresh ephemeral keys of both sides, the room id and the link secret into
 * its transcript (PROTOCOL.md §5), so a recorded REPLY or FINISH opens for no other session (TRANSCRIPT_MISMATCH);
 * control records and STREAM chunks are sealed under keys derived from that transcript, the manifest hash and the
 * file index (§6.5, §7.1), so a recorded record or chunk opens nowhere else (CONTROL_AUTH_FAILED, CHUNK_AUTH_FAILED).
 * The sender and the receiver are the same two devices in both transfers — the strongest case for a replay.
 */

import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { device, sampleTree, sha256File, tempDir } from '../cli/harness';
import { expectFailure, finalNames, killAll, meetThrough } from '../support/cli-outcome';
import { CHANNEL_FRAME, MaliciousRelay, onNth, type Payload, type Tamper } from '../support/malicious-relay';

const relays: MaliciousRelay[] = [];
afterEach(async () => {
  killAll();
  await Promise.all(relays.splice(0).map((r) => r.close()));
});
afterAll(killAll);

const MiB = 1024 * 1024;

/** One honest transfer alice → bob through a recording relay; returns the devices and the recorded room. */
async function recordedTransfer() {
  const relay = await MaliciousRelay.start();
  relays.push(relay);
  const alice = device('alice');
  const bob = device('bob');
  const first = await meetThrough(relay, { root: sampleTree(MiB).root, out: tempDir('sealdrop-out-'), sender: alice.env, receiver: bob.env });
  expect((await first.receiver.waitFor('done', 30_000)).level).toBe(3);
  expect(await first.receiver.exit).toBe(0);
  expect(await first.sender.exit).toBe(0);
  return { relay, alice, bob, recorded: (filter: Parameters<MaliciousRelay['payloads']>[1]) => relay.payloads(first.room, filter), room: first.room };
}

/** A second transfer alice → bob through the same relay, now tampering as `tamper` says (for the new room only). */
async function laterTransfer(setup: Awaited<ReturnType<typeof recordedTransfer>>, tamper: Tamper) {
  const { relay, alice, bob, room: recordedRoom } = setup;
  relay.tamper = (p, r) => (p.room === recordedRoom ? undefined : tamper(p, r));
  const tree = sampleTree(MiB);
  const out = tempDir('sealdrop-out-');
  const second = await meetThrough(relay, { root: tree.root, out, sender: alice.env, receiver: bob.env });
  return { ...second, out, tree };
}

const bytesOf = (payloads: Payload[]) => payloads.map((p) => p.bytes);

describe('malicious relay replays a recorded session', () => {
  it("into a later room: the recorded sender's whole side answers the receiver's new HELLO → TRANSCRIPT_MISMATCH", async () => {
    const setup = await recordedTransfer();
    const replay = bytesOf(setup.recorded({ from: 'sender', channel: CHANNEL_FRAME }));
    expect(replay.length).toBeGreaterThan(16); // REPLY, OFFER, 16 DATA frames and more: a complete session
    const { receiver, sender, out } = await laterTransfer(setup, (p, relay) => {
      if (p.from !== 'receiver' || p.frame !== 'HELLO') return undefined;
      for (const bytes of replay) relay.inject(p.room, 'receiver', bytes); // answer as if the sender had…
      return []; // …which never hears of this receiver
    });
    await expectFailure(receiver, 'TRANSCRIPT_MISMATCH');
    expect(finalNames(out)).toEqual([]);
    expect(sender.events.some((e) => e.event === 'connected')).toBe(false);
  }, 45_000);

  it("the receiver's recorded HELLO and FINISH, replayed to the sender in a later room: refused at the HELLO (another session id), nothing sealed is sent; the real receiver still gets the files", async () => {
    const setup = await recordedTransfer();
    const handshake = bytesOf([
      ...setup.recorded({ from: 'receiver', frame: 'HELLO' }),
      ...setup.recorded({ from: 'receiver', frame: 'HANDSHAKE_FINISH' }),
    ]);
    expect(handshake).toHaveLength(2);
    const tree = sampleTree(MiB);
    const out = tempDir('sealdrop-out-');
    let answered: (string | null)[] = [];
    const { sender, receiver } = await meetThrough(setup.relay, {
      root: tree.root,
      out,
      sender: setup.alice.env,
      receiver: setup.bob.env,
      beforeReceiver: async ({ room: newRoom, sender: process }) => {
        for (const bytes of handshake) expect(setup.relay.inject(newRoom, 'sender', bytes)).toBe(true);
        const lost = await process.waitFor('path-lost', 20_000);
        expect(lost.code).toBe('TRANSCRIPT_MISMATCH');
        answered = setup.relay.payloads(newRoom, { from: 'sender', channel: CHANNEL_FRAME }).map((p) => p.frame);
      },
    });
    // The replayed HELLO names the recorded room, not this one: the sender refused it without even a REPLY.
    expect(answered[0]).toBe('ABORT');
    expect(new Set(answered)).toEqual(new Set(['ABORT']));
    expect((await receiver.waitFor('done', 30_000)).level).toBe(3);
    expect(await receiver.exit).toBe(0);
    expect(await sender.exit).toBe(0);
    for (const [rel, hash] of Object.entries(tree.files)) expect(sha256File(join(out, rel)), rel).toBe(hash);
  }, 45_000);
});

describe('malicious relay splices frames recorded in another room', () => {
  it('a DATA frame of the recorded transfer, at the same file and chunk index → CHUNK_AUTH_FAILED', async () => {
    const setup = await recordedTransfer();
    const spliced = setup.recorded({ from: 'sender', frame: 'DATA' })[4]!.bytes;
    const { receiver, out } = await laterTransfer(setup, onNth({ from: 'sender', frame: 'DATA', nth: 4 }, (b) => {
      expect(spliced.subarray(0, 15)).toEqual(b.subarray(0, 15)); // same header: file 0, chunk 4, same length
      return [spliced];
    }));
    await expectFailure(receiver, 'CHUNK_AUTH_FAILED');
    expect(finalNames(out)).toEqual([]);
  }, 45_000);

  it('the OFFER of the recorded transfer in place of the new one → CONTROL_AUTH_FAILED', async () => {
    const setup = await recordedTransfer();
    const offer = setup.recorded({ from: 'sender', frame: 'CONTROL' })[0]!.bytes;
    const { receiver, out } = await laterTransfer(setup, onNth({ from: 'sender', frame: 'CONTROL' }, () => [offer]));
    await expectFailure(receiver, 'CONTROL_AUTH_FAILED');
    expect(finalNames(out)).toEqual([]);
  }, 45_000);

  it('the recorded HANDSHAKE_REPLY in place of the new one → TRANSCRIPT_MISMATCH', async () => {
    const setup = await recordedTransfer();
    const reply = setup.recorded({ from: 'sender', frame: 'HANDSHAKE_REPLY' })[0]!.bytes;
    const { receiver, out } = await laterTransfer(setup, onNth({ from: 'sender', frame: 'HANDSHAKE_REPLY' }, () => [reply]));
    await expectFailure(receiver, 'TRANSCRIPT_MISMATCH');
    expect(finalNames(out)).toEqual([]);
  }, 45_000);
});
