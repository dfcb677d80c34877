/**
 * Mallory, the relay operator who substitutes keys: a full man in the middle on the relay path. The malicious relay
 * (started with `isolate: true`) keeps the two real members apart; Mallory joins each of them with the real relay
 * client and terminates both with sessions of her own (the real session runner, src/transfer/session.ts, under her
 * own identity):
 *
 *   real sender ◀── relay path ──▶ Mallory as receiver (initiator)  — she takes the files: `stolen`
 *   real receiver ◀── relay path ──▶ Mallory as sender (responder)  — she offers what she stole, or a decoy
 *
 * What she holds of the link secret decides how far she gets (THREAT-MODEL.md §3, PROTOCOL.md §5.6, §12.5):
 *   - 'guessed': she claims the link flag with a secret of her own → neither side's sealed identity opens for the
 *     other: TRANSCRIPT_MISMATCH. She never completes a handshake with anyone.
 *   - 'stripped': she leaves the flag out → DOWNGRADE on both sides.
 *   - 'leaked': she has the real secret (the link leaked) → the issuer (the sender) verifies her as 'link-secret' and
 *     hands her the files — the documented cost of a leaked link — but the receiver checks the link's fingerprint
 *     and stops with IDENTITY_MISMATCH.
 *   - 'none': no link at all (Level 2, both sides expectation-free): she completes both handshakes, reads everything,
 *     and the receiver sees Level 2, verified by 'none' — exactly why Level 2 is shown as unverified.
 */

import { MemorySink, memorySource, type MemoryFile } from '../../src/testing/memory-files';
import type { IdentitySigner } from '../../src/identity/identity';
import { systemClock } from '../../src/ports/clock';
import { webCryptoRandom } from '../../src/ports/random';
import { startReceiver, startSender, type SessionOutcome } from '../../src/transfer/session';
import { connectRelay, type RelayConnection } from '../../main/adapters/relay-client';
import type { MaliciousRelay } from './malicious-relay';

export type MallorysSecret =
  | { readonly kind: 'leaked'; readonly secret: Uint8Array }
  | { readonly kind: 'guessed' }
  | { readonly kind: 'stripped' }
  | { readonly kind: 'none' };

export interface ManInTheMiddle {
  /** What the real sender handed Mallory (committed files by path). */
  readonly stolen: MemorySink;
  /** Mallory's session with the real sender. */
  readonly theft: Promise<SessionOutcome>;
  /** Mallory's session with the real receiver (started once the theft session ended). */
  readonly delivery: Promise<SessionOutcome>;
  close(): void;
}

const DECOY: MemoryFile[] = [{ path: 'invoice.pdf', data: new TextEncoder().encode('pay Mallory\n') }];

/**
 * Start Mallory in `relay` for the room the real sender is in (waits for it to join). Call before the real receiver
 * starts; her side facing the receiver joins after she finished with the sender, as a member the receiver waits for.
 */
export function manInTheMiddle(relay: MaliciousRelay, mallory: IdentitySigner, secret: MallorysSecret): ManInTheMiddle {
  const psk =
    secret.kind === 'leaked' ? { psk: secret.secret } : secret.kind === 'guessed' ? { psk: webCryptoRandom.bytes(32) } : {};
  const stolen = new MemorySink();
  const connections: RelayConnection[] = [];
  const common = { clock: systemClock, random: webCryptoRandom, signer: mallory, name: 'mallory', ...psk, expect: {}, requireLevel3: false };

  const theft = (async () => {
    const roomId = await relay.joined('sender');
    const toSender = await connectRelay(relay.malloryUrl('sender'));
    connections.push(toSender);
    await toSender.join(roomId);
    const session = startReceiver({
      ...common,
      transport: toSender.openFrameTransport(),
      handshakeRole: 'initiator',
      sessionId: roomId,
      decide: () => Promise.resolve(true),
      openSink: ({ manifest }) => stolen.open(manifest),
    });
    return { roomId, outcome: await session.outcome };
  })();

  const delivery = (async () => {
    const { roomId } = await theft;
    const files = stolen.committed.size > 0 ? [...stolen.committed].map(([path, data]) => ({ path, data })) : DECOY;
    const directories = stolen.committed.size > 0 ? [...stolen.directories] : [];
    const { manifest, source } = memorySource(files, directories);
    const toReceiver = await connectRelay(relay.malloryUrl('receiver'));
    connections.push(toReceiver);
    await toReceiver.join(roomId);
    const session = await startSender({
      ...common,
      transport: toReceiver.openFrameTransport(),
      handshakeRole: 'responder',
      sessionId: roomId,
      manifest,
      source,
    });
    return session.outcome;
  })();

  const theftOutcome = theft.then((t) => t.outcome);
  // Observed by the suites that care; a test that ends early must not leave an unhandled rejection behind.
  for (const p of [theftOutcome, delivery]) p.catch(() => undefined);
  return {
    stolen,
    theft: theftOutcome,
    delivery,
    close: () => connections.forEach((c) => c.close()),
  };
}
