/**
 * Hostile: a relay that rewrites the DTLS `a=fingerprint` lines in the WebRTC signalling it forwards between two
 * real `sealdrop` processes on `--path webrtc` (THREAT-MODEL.md §2: "rewrite SDP, including DTLS a=fingerprint
 * lines"). Level 1 — DTLS alone — would lose here; Level 3 binds both fingerprints into the handshake (PROTOCOL.md
 * §5.5), and the WebRTC adapter checks the certificate DTLS saw against the SDP it bound.
 *
 *   - A full DTLS man in the middle (the relay answers each side with a peer connection of its own, so each side's
 *     SDP names — and DTLS confirms — the relay's certificate, then bridges the Sealdrop frames untouched): DTLS
 *     succeeds on both hops, the handshake does not. The receiver stops with TRANSCRIPT_MISMATCH, exit 3.
 *   - A blind rewrite (the line replaced, the rest forwarded): the DTLS stacks refuse the certificates they were not
 *     told about and the path never opens; no frame ever crosses it. That is availability, which the relay always
 *     controls: the receiver keeps retrying (with no event to report) until its attempts run out or it is stopped.
 */

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { device, sampleTree, tempDir } from '../cli/harness';
import { EXIT, expectFailure, killAll, listTree, meetThrough } from '../support/cli-outcome';
import { CHANNEL_FRAME, MaliciousRelay } from '../support/malicious-relay';
import { dtlsManInTheMiddle, rewriteFingerprints, type DtlsManInTheMiddle } from '../support/sdp-rewrite';

const relays: MaliciousRelay[] = [];
const mitms: DtlsManInTheMiddle[] = [];
afterEach(async () => {
  killAll();
  mitms.splice(0).forEach((m) => m.close());
  await Promise.all(relays.splice(0).map((r) => r.close()));
});
afterAll(killAll);

async function eventually(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function overWebRtc(relay: MaliciousRelay) {
  relays.push(relay);
  const out = tempDir('sealdrop-out-');
  const meeting = await meetThrough(relay, {
    root: sampleTree(256 * 1024).root,
    out,
    sender: device('alice').env,
    receiver: device('bob').env,
    path: 'webrtc',
  });
  return { ...meeting, out };
}

describe('malicious relay rewrites DTLS fingerprints in WebRTC signalling (CLI ↔ CLI, --path webrtc)', () => {
  it('terminating DTLS on both sides with its own certificates and bridging the frames → TRANSCRIPT_MISMATCH (exit 3)', async () => {
    const mitm = dtlsManInTheMiddle();
    mitms.push(mitm);
    const { receiver, sender, out } = await overWebRtc(await MaliciousRelay.start({ tamper: mitm.tamper }));
    await expectFailure(receiver, 'TRANSCRIPT_MISMATCH');
    await mitm.bridged; // DTLS itself was satisfied on both hops…
    expect(mitm.frames.toSender).toBeGreaterThanOrEqual(1); // …the HELLO went through…
    expect(mitm.frames.toReceiver).toBeGreaterThanOrEqual(1); // …and the REPLY came back, bound to other fingerprints
    expect(receiver.events.some((e) => e.event === 'connected')).toBe(false);
    expect(listTree(out)).toEqual([]);
    const lost = await sender.waitFor('path-lost', 20_000); // the sender shrugs the attempt off and keeps waiting
    expect(lost.code).toBe('PEER_ABORTED');
    expect(sender.events.some((e) => e.event === 'connected')).toBe(false);
  }, 30_000);

  for (const side of ['sender', 'receiver'] as const) {
    it(`replacing the fingerprint line in the ${side}'s SDP: DTLS refuses, no path opens, no frame crosses, nothing is written`, async () => {
      const rewrite = rewriteFingerprints(side);
      const { receiver, sender, out, room } = await overWebRtc(await MaliciousRelay.start({ tamper: rewrite }));
      const relay = relays[relays.length - 1]!;
      await eventually(() => rewrite.rewritten() >= 3, 25_000); // three WebRTC attempts, each refused
      expect(relay.payloads(room, { channel: CHANNEL_FRAME })).toEqual([]);
      for (const p of [receiver, sender]) expect(p.events.some((e) => e.event === 'connected' || e.event === 'offer')).toBe(false);
      expect(listTree(out)).toEqual([]);
      receiver.kill('SIGTERM');
      await expectFailure(receiver, 'CANCELLED', EXIT.DECLINED);
      expect(listTree(out)).toEqual([]);
    }, 30_000);
  }
});
