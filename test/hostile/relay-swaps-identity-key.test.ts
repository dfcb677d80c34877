/**
 * The relay is the man in the middle: it terminates the handshake with each victim using its own identity
 * (Mallory), or claims a victim's identity key without holding it. Bob (initiator) receives; Alice (responder)
 * sends. What stops the attack is Level 3 (a pinned key or the link's fingerprint); at Level 2 the attack succeeds
 * and only a safety-number comparison would reveal it — which is exactly why Level 2 is shown as unverified.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { deriveFileStreamKeys, openChunk, sealChunk } from '../../src/crypto/stream';
import { SealdropError, type ErrorCode } from '../../src/errors';
import {
  InitiatorHandshake,
  ResponderHandshake,
  type HandshakeConfig,
  type HandshakeResult,
  type PeerExpectation,
} from '../../src/handshake/handshake';
import { fingerprintOf, safetyNumber } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { SeededRandom } from '../../src/testing/seeded-random';
import { expectCode } from '../helpers/expect-code';

const sessionId = new Uint8Array(16).fill(9);
const linkSecret = new Uint8Array(32).fill(5);
const aliceManifest = new Uint8Array(32).fill(3);
const malloryManifest = new Uint8Array(32).fill(0x66);

let alice: IdentitySigner;
let bob: IdentitySigner;
let mallory: IdentitySigner;
let aliceFp: Uint8Array;

beforeAll(async () => {
  alice = await identityFromSeed(new Uint8Array(32).fill(1));
  bob = await identityFromSeed(new Uint8Array(32).fill(2));
  mallory = await identityFromSeed(new Uint8Array(32).fill(0x4d));
  aliceFp = await fingerprintOf(alice.publicKey);
});

interface Side {
  readonly expect?: PeerExpectation;
  readonly psk?: Uint8Array;
  readonly requireLevel3?: boolean;
}

function optionalPsk(psk: Uint8Array | undefined): { psk?: Uint8Array } {
  return psk ? { psk } : {};
}

function receiver(signer: IdentitySigner, side: Side, seed: string): HandshakeConfig {
  return {
    signer,
    random: new SeededRandom(seed),
    sessionId,
    binding: { kind: 'none' },
    intent: 'receive',
    expect: side.expect ?? {},
    ...optionalPsk(side.psk),
    ...(side.requireLevel3 ? { requireLevel3: true } : {}),
  };
}

function sender(signer: IdentitySigner, side: Side, seed: string, manifestHash: Uint8Array): HandshakeConfig {
  return {
    signer,
    random: new SeededRandom(seed),
    sessionId,
    binding: { kind: 'none' },
    intent: 'send',
    manifestHash,
    expect: side.expect ?? {},
    ...optionalPsk(side.psk),
  };
}

/** One full handshake between an initiator and a responder config; both results. */
async function connect(initiator: HandshakeConfig, responder: HandshakeConfig) {
  const { handshake: i, hello } = await InitiatorHandshake.start(initiator);
  const { handshake: r, reply } = await ResponderHandshake.onHello(responder, hello);
  const { finish, result: initiatorResult } = await i.onReply(reply);
  const responderResult = await r.onFinish(finish);
  return { initiatorResult, responderResult };
}

/** Bob ⇄ Mallory (posing as the responder Alice). Returns Bob's failure code, or both results. */
async function malloryAnswersBob(bobSide: Side, mallorySide: Side, malloryAs: IdentitySigner = mallory) {
  return connect(receiver(bob, bobSide, 'bob'), sender(malloryAs, mallorySide, 'mallory→bob', malloryManifest));
}

/** Mallory (posing as the initiator Bob) ⇄ Alice. */
async function malloryCallsAlice(aliceSide: Side, mallorySide: Side, malloryAs: IdentitySigner = mallory) {
  return connect(receiver(malloryAs, mallorySide, 'mallory→alice'), sender(alice, aliceSide, 'alice', aliceManifest));
}

/** A signer that announces `claimed` as its identity key but signs with `actual`'s private key. */
function impostor(claimed: IdentitySigner, actual: IdentitySigner): IdentitySigner {
  return { publicKey: claimed.publicKey, signHash: (context, hash) => actual.signHash(context, hash) };
}

async function codeOf(work: Promise<unknown>): Promise<ErrorCode | 'completed'> {
  try {
    await work;
    return 'completed';
  } catch (error) {
    if (error instanceof SealdropError) return error.code;
    throw error;
  }
}

describe('relay substitutes its own identity key (full MITM)', () => {
  it('receiver holding the link fingerprint → IDENTITY_MISMATCH (even when the link secret leaked to the relay)', async () => {
    await expectCode(
      malloryAnswersBob({ expect: { linkFingerprint: aliceFp }, psk: linkSecret }, { psk: linkSecret }),
      'IDENTITY_MISMATCH',
    );
  });

  it('receiver holding the link, relay without the link secret: no flag → DOWNGRADE, guessed secret → TRANSCRIPT_MISMATCH', async () => {
    // Mallory answers without a psk: the REPLY lacks the flag Bob requires.
    expect(await codeOf(malloryAnswersBob({ expect: { linkFingerprint: aliceFp }, psk: linkSecret }, {}))).toBe('DOWNGRADE');
    // Mallory sets the flag but keys with a guessed secret: nothing Bob derives matches.
    expect(
      await codeOf(malloryAnswersBob({ expect: { linkFingerprint: aliceFp }, psk: linkSecret }, { psk: new Uint8Array(32).fill(0xaa) })),
    ).toBe('TRANSCRIPT_MISMATCH');
  });

  it('receiver with the link fingerprint but no link secret → IDENTITY_MISMATCH', async () => {
    await expectCode(malloryAnswersBob({ expect: { linkFingerprint: aliceFp } }, {}), 'IDENTITY_MISMATCH');
  });

  it('receiver with a pinned key → IDENTITY_MISMATCH', async () => {
    await expectCode(malloryAnswersBob({ expect: { pinnedKey: alice.publicKey } }, {}), 'IDENTITY_MISMATCH');
  });

  it('sender with a pinned key → IDENTITY_MISMATCH', async () => {
    await expectCode(malloryCallsAlice({ expect: { pinnedKey: bob.publicKey } }, {}), 'IDENTITY_MISMATCH');
  });

  it('a trust-store hit never overrides a pin', async () => {
    await expectCode(
      malloryAnswersBob({ expect: { pinnedKey: alice.publicKey, isPinned: () => true } }, {}),
      'IDENTITY_MISMATCH',
    );
  });

  it('documented boundary: a leaked link lets the relay reach the issuer at Level 3 by link secret', async () => {
    // links.ts: the channel that carries the link is trusted. Whoever holds the link secret *is* the invitee to the
    // issuer; the invitee's side is still protected by the fingerprint (first case above).
    const { responderResult } = await malloryCallsAlice({ expect: { linkIssued: true }, psk: linkSecret }, { psk: linkSecret });
    expect(responderResult.level).toBe(3);
    expect(responderResult.verifiedBy).toBe('link-secret');
    expect(equalBytes(responderResult.peer.identityKey, mallory.publicKey)).toBe(true);
  });

  it('with neither (no psk, no expectations): both sides complete at Level 2 and the relay holds both data secrets', async () => {
    const bobLeg = await malloryAnswersBob({}, {});
    const aliceLeg = await malloryCallsAlice({}, {});
    const bobSees: HandshakeResult = bobLeg.initiatorResult;
    const aliceSees: HandshakeResult = aliceLeg.responderResult;

    // Both victims complete, and both are told the truth: unverified.
    expect(bobSees.level).toBe(2);
    expect(bobSees.verifiedBy).toBe('none');
    expect(aliceSees.level).toBe(2);
    expect(aliceSees.verifiedBy).toBe('none');
    // The peer each of them sees is Mallory.
    expect(equalBytes(bobSees.peer.identityKey, mallory.publicKey)).toBe(true);
    expect(equalBytes(aliceSees.peer.identityKey, mallory.publicKey)).toBe(true);

    // The relay holds the same data secret as each victim: Level 2 does not keep it out.
    expect(equalBytes(bobLeg.responderResult.secrets.data, bobSees.secrets.data)).toBe(true);
    expect(equalBytes(aliceLeg.initiatorResult.secrets.data, aliceSees.secrets.data)).toBe(true);
    expect(equalBytes(bobSees.secrets.data, aliceSees.secrets.data)).toBe(false);

    // Concretely: a chunk Alice seals, Mallory opens with its copy of her secret (and could re-seal it for Bob).
    const aliceKeys = await deriveFileStreamKeys(aliceSees.secrets.data, aliceManifest, 0, 64);
    const mallorysCopy = await deriveFileStreamKeys(aliceLeg.initiatorResult.secrets.data, aliceManifest, 0, 64);
    const secretFile = new TextEncoder().encode('quarterly numbers');
    const sealed = await sealChunk(aliceKeys, 0, secretFile, true);
    expect(await openChunk(mallorysCopy, 0, sealed, true)).toEqual(secretFile);

    // What Level 2 asks of the users would reveal it: the two safety numbers differ.
    const [bobNumber, aliceNumber] = await Promise.all([
      safetyNumber(bob.publicKey, bobSees.peer.identityKey),
      safetyNumber(alice.publicKey, aliceSees.peer.identityKey),
    ]);
    expect(bobNumber).not.toBe(aliceNumber);
  });

  it('with neither, but requireLevel3 → LEVEL3_REQUIRED', async () => {
    await expectCode(malloryAnswersBob({ requireLevel3: true }, {}), 'LEVEL3_REQUIRED');
  });

  it('a trust-store lookup alone is not an expectation: an unknown key still yields only Level 2', async () => {
    const { initiatorResult } = await malloryAnswersBob({ expect: { isPinned: (k) => equalBytes(k, alice.publicKey) } }, {});
    expect(initiatorResult.level).toBe(2);
    expect(initiatorResult.verifiedBy).toBe('none');
  });
});

describe("relay claims a victim's public key but signs with its own", () => {
  it('claiming the sender to the receiver → BAD_SIGNATURE (link fingerprint, link secret leaked)', async () => {
    await expectCode(
      malloryAnswersBob({ expect: { linkFingerprint: aliceFp }, psk: linkSecret }, { psk: linkSecret }, impostor(alice, mallory)),
      'BAD_SIGNATURE',
    );
  });

  it('claiming the sender to a receiver that expects nothing → BAD_SIGNATURE', async () => {
    await expectCode(malloryAnswersBob({}, {}, impostor(alice, mallory)), 'BAD_SIGNATURE');
  });

  it('claiming the sender to a receiver that pinned it → BAD_SIGNATURE (checked before the pin)', async () => {
    await expectCode(malloryAnswersBob({ expect: { pinnedKey: alice.publicKey } }, {}, impostor(alice, mallory)), 'BAD_SIGNATURE');
  });

  it('claiming the receiver to the sender → BAD_SIGNATURE', async () => {
    await expectCode(malloryCallsAlice({ expect: { pinnedKey: bob.publicKey } }, {}, impostor(bob, mallory)), 'BAD_SIGNATURE');
    await expectCode(malloryCallsAlice({}, {}, impostor(bob, mallory)), 'BAD_SIGNATURE');
  });
});
