/**
 * Hostile: a relay that edits the relay-path frames it forwards between two real `sealdrop` processes (send with
 * `--relay <malicious relay> --path relay`, receive of its link with `--path relay`). Level 3 holds against it
 * (THREAT-MODEL.md §3): every edit to the handshake, a control record or the sealed file stream stops the receiver
 * with its documented code and exit code 3, and nothing appears under a final name in --out. A forged ABORT,
 * which cannot be authenticated, is only ever a lost path: the receiver resumes and the files arrive intact.
 *
 * Frames on the relay path: payload = channel 1 ‖ version ‖ type ‖ u32 length ‖ payload (src/frames/frames.ts);
 * DATA payload = u32 fileIndex ‖ u32 chunkIndex ‖ sealed chunk. The sample tree's first file is payload/big.bin,
 * 1 MiB = 16 chunks of 64 KiB, so the DATA frames edited below all belong to it.
 */

import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../../src/frames/frames';
import { device, sampleTree, sha256File, tempDir } from '../cli/harness';
import { expectFailure, expectNoCrash, finalNames, killAll, meetThrough } from '../support/cli-outcome';
import {
  AT,
  CHANNEL_FRAME,
  flip,
  framePayload,
  MaliciousRelay,
  onNth,
  setU32,
  swapWithNext,
  type Tamper,
} from '../support/malicious-relay';

const relays: MaliciousRelay[] = [];
afterEach(async () => {
  killAll();
  await Promise.all(relays.splice(0).map((r) => r.close()));
});
afterAll(killAll);

const fromSender = { from: 'sender' } as const;
const data = (nth: number) => ({ ...fromSender, frame: 'DATA', nth }) as const;

async function attacked(tamper: Tamper) {
  const relay = await MaliciousRelay.start({ tamper });
  relays.push(relay);
  const tree = sampleTree(1024 * 1024);
  const out = tempDir('sealdrop-out-');
  const meeting = await meetThrough(relay, { root: tree.root, out, sender: device('alice').env, receiver: device('bob').env });
  return { relay, tree, out, ...meeting };
}

describe('malicious relay edits relay-path frames (CLI ↔ CLI, Level 3)', () => {
  const cases: [string, Tamper, string][] = [
    ['one bit flipped in a sealed chunk', onNth(data(3), (b) => [flip(b, -5)]), 'CHUNK_AUTH_FAILED'],
    ['a DATA frame dropped', onNth(data(3), () => []), 'CHUNK_OUT_OF_ORDER'],
    ['a DATA frame duplicated', onNth(data(3), (b) => [b, b]), 'CHUNK_REPLAYED'],
    ['two DATA frames reordered', swapWithNext(data(3)), 'CHUNK_OUT_OF_ORDER'],
    ['a DATA frame truncated (its length header left as it was)', onNth(data(3), (b) => [b.slice(0, b.length - 100)]), 'FRAME_BAD_LENGTH'],
    [
      'a DATA frame truncated and its length header rewritten to match',
      onNth(data(3), (b) => [setU32(b.slice(0, b.length - 100), AT.length, b.length - 100 - AT.payload)]),
      'CHUNK_TOO_LARGE', // a short chunk that is not the last: refused by the STREAM shape check before decryption
    ],
    ['a DATA frame moved to another chunk index', onNth(data(3), (b) => [setU32(b, AT.chunkIndex, 4)]), 'CHUNK_OUT_OF_ORDER'],
    ['a DATA frame moved to another file index', onNth(data(3), (b) => [setU32(b, AT.fileIndex, 2)]), 'CHUNK_OUT_OF_ORDER'],
    ['a frame type byte rewritten to an unknown type', onNth(data(3), (b) => [flip(b, AT.type, 0x40)]), 'FRAME_UNKNOWN_TYPE'],
    ['a frame version byte rewritten', onNth(data(3), (b) => [flip(b, AT.version, 0x02)]), 'FRAME_BAD_VERSION'],
    ['one bit flipped in the sealed OFFER', onNth({ ...fromSender, frame: 'CONTROL' }, (b) => [flip(b, -3)]), 'CONTROL_AUTH_FAILED'],
    ['the sealed OFFER replayed', onNth({ ...fromSender, frame: 'CONTROL' }, (b) => [b, b]), 'CONTROL_AUTH_FAILED'],
    ['one bit flipped in HANDSHAKE_REPLY', onNth({ ...fromSender, frame: 'HANDSHAKE_REPLY' }, (b) => [flip(b, -7)]), 'TRANSCRIPT_MISMATCH'],
    [
      'the HANDSHAKE_REPLY replayed mid-transfer',
      onNth(data(3), (b, p, relay) => [b, relay.payloads(p.room, { ...fromSender, frame: 'HANDSHAKE_REPLY' })[0]!.bytes]),
      'HANDSHAKE_STATE',
    ],
  ];

  for (const [attack, tamper, code] of cases) {
    it(`${attack} → receiver stops with ${code} (exit 3), nothing under a final name`, async () => {
      const { receiver, sender, out, relay } = await attacked(tamper);
      await expectFailure(receiver, code);
      expect(finalNames(out)).toEqual([]);
      expect(receiver.events.some((e) => e.event === 'done')).toBe(false);
      // The relay really carried the session on channel 1 (the attack was on the relay path, not elsewhere).
      expect(relay.recorded.some((p) => p.channel === CHANNEL_FRAME && p.frame === 'HELLO')).toBe(true);
      sender.kill();
    }, 30_000);
  }

  it('a failure after the handshake reaches the sender authenticated: both sides stop with the same code', async () => {
    const { receiver, sender, out } = await attacked(onNth(data(5), (b) => [flip(b, -1)]));
    await expectFailure(receiver, 'CHUNK_AUTH_FAILED');
    await expectFailure(sender, 'CHUNK_AUTH_FAILED');
    expect(finalNames(out)).toEqual([]);
  }, 30_000);
});

describe('malicious relay forges an ABORT frame (unauthenticated by design, PROTOCOL.md §7.6)', () => {
  it('mid-transfer, claiming IDENTITY_MISMATCH: the receiver sees PEER_ABORTED, resumes, and the files arrive intact', async () => {
    const forged = framePayload(encodeFrame({ type: 'ABORT', code: 'IDENTITY_MISMATCH' }));
    const { receiver, sender, tree, out } = await attacked(onNth(data(6), (b) => [b, forged]));
    const lost = await receiver.waitFor('path-lost', 30_000);
    expect(lost.code).toBe('PEER_ABORTED');
    const done = await receiver.waitFor('done', 30_000);
    expect(done.level).toBe(3);
    expect(await receiver.exit).toBe(0);
    expect(await sender.exit).toBe(0);
    expect(receiver.events.filter((e) => e.event === 'error')).toEqual([]);
    for (const [rel, hash] of Object.entries(tree.files)) expect(sha256File(join(out, rel)), rel).toBe(hash);
    expectNoCrash(receiver);
    expectNoCrash(sender);
  }, 30_000);
});
