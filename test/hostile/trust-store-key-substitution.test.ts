/**
 * A malicious relay (or anyone in the path) substitutes its own identity key for a contact the user has verified.
 * The trust store must report the substitution as a key change, keep demanding the pinned key — so the handshake
 * refuses the transfer with IDENTITY_MISMATCH, across restarts — and must not let a forged rotation statement (signed
 * by the substituted key) move the pin.
 */
import { describe, expect, it } from 'vitest';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { encodeRotationStatement, decodeRotationStatement, signRotation } from '../../src/identity/identity-store';
import { InitiatorHandshake, ResponderHandshake, type HandshakeConfig } from '../../src/handshake/handshake';
import { FakeClock } from '../../src/testing/fake-clock';
import { MemoryBlobStore } from '../../src/testing/memory-blob-store';
import { SeededRandom } from '../../src/testing/seeded-random';
import { TrustStore } from '../../src/trust/trust-store';
import { expectCode } from '../helpers/expect-code';

const sessionId = new Uint8Array(16).fill(9);
const manifestHash = new Uint8Array(32).fill(3);

async function scene() {
  const alice = await identityFromSeed(new Uint8Array(32).fill(1));
  const bob = await identityFromSeed(new Uint8Array(32).fill(2));
  const mallory = await identityFromSeed(new Uint8Array(32).fill(66));
  const blobs = new MemoryBlobStore();
  const clock = new FakeClock();
  clock.advance(1_700_000_000_000);
  const store = await TrustStore.load(blobs, clock, new SeededRandom('alice'));
  const contact = await store.pin(bob.publicKey, 'Bob', 'verified');
  const reload = () => TrustStore.load(blobs, clock, new SeededRandom('restart'));
  return { alice, bob, mallory, store, contact, reload };
}

/** Alice receives from `peer`, expecting what her trust store demands for Bob. */
async function receiveFrom(alice: IdentitySigner, peer: IdentitySigner, store: TrustStore, contactId: string) {
  const initiator: HandshakeConfig = {
    signer: alice, random: new SeededRandom('i'), sessionId, binding: { kind: 'none' }, intent: 'receive',
    expect: { ...store.expectationFor(contactId), isPinned: (k) => store.isPinned(k) },
    requireLevel3: store.requireLevel3,
  };
  const responder: HandshakeConfig = {
    signer: peer, random: new SeededRandom('r'), sessionId, binding: { kind: 'none' }, intent: 'send', manifestHash,
    expect: {},
  };
  const { handshake: i, hello } = await InitiatorHandshake.start(initiator);
  const { reply } = await ResponderHandshake.onHello(responder, hello);
  return (await i.onReply(reply)).result;
}

describe('hostile: a relay substitutes the identity key of a verified contact', () => {
  it('the real Bob is accepted at Level 3 by pin', async () => {
    const { alice, bob, store, contact } = await scene();
    const result = await receiveFrom(alice, bob, store, contact.id);
    expect(result.level).toBe(3);
    expect(result.verifiedBy).toBe('pin');
  });

  it('the substituted key is reported as changed and the expectation keeps demanding the old key', async () => {
    const { alice, bob, mallory, store, contact, reload } = await scene();
    expect(await store.observe(contact.id, mallory.publicKey)).toBe('changed');
    expect(store.status(contact.id)).toBe('keyChanged');
    expect(store.expectationFor(contact.id).pinnedKey).toEqual(bob.publicKey);
    expect(store.isPinned(mallory.publicKey)).toBe(false);
    await expectCode(receiveFrom(alice, mallory, store, contact.id), 'IDENTITY_MISMATCH');

    // Nothing the attacker can do short of the user's decision moves the pin, including a restart.
    await expectCode(store.markVerified(contact.id), 'KEY_CHANGED');
    const restarted = await reload();
    expect(restarted.status(contact.id)).toBe('keyChanged');
    expect(restarted.expectationFor(contact.id).pinnedKey).toEqual(bob.publicKey);
    await expectCode(receiveFrom(alice, mallory, restarted, contact.id), 'IDENTITY_MISMATCH');
  });

  it('a forged rotation statement signed by the substituted key is rejected', async () => {
    const { alice, bob, mallory, store, contact } = await scene();
    await store.observe(contact.id, mallory.publicKey);
    // Claims to come from Bob's key, but every signature is Mallory's.
    const posing: IdentitySigner = { publicKey: bob.publicKey, signHash: (c, h) => mallory.signHash(c, h) };
    const forged = decodeRotationStatement(encodeRotationStatement(await signRotation(posing, mallory, 1)));
    await expectCode(store.applyRotation(contact.id, forged), 'BAD_SIGNATURE');
    // A self-consistent statement from Mallory's own key is not from the pinned key either.
    const fromMallory = await signRotation(mallory, await identityFromSeed(new Uint8Array(32).fill(67)), 1);
    await expectCode(store.applyRotation(contact.id, fromMallory), 'BAD_SIGNATURE');

    expect(store.status(contact.id)).toBe('keyChanged');
    expect(store.expectationFor(contact.id).pinnedKey).toEqual(bob.publicKey);
    await expectCode(receiveFrom(alice, mallory, store, contact.id), 'IDENTITY_MISMATCH');
  });

  it('an unexpected peer with the substituted key is not treated as pinned (no Level 3, refused by default)', async () => {
    const { alice, mallory, store } = await scene();
    const initiator: HandshakeConfig = {
      signer: alice, random: new SeededRandom('i'), sessionId, binding: { kind: 'none' }, intent: 'receive',
      expect: { isPinned: (k) => store.isPinned(k) }, requireLevel3: store.requireLevel3,
    };
    const responder: HandshakeConfig = {
      signer: mallory, random: new SeededRandom('r'), sessionId, binding: { kind: 'none' }, intent: 'send',
      manifestHash, expect: {},
    };
    const { handshake: i, hello } = await InitiatorHandshake.start(initiator);
    const { reply } = await ResponderHandshake.onHello(responder, hello);
    await expectCode(i.onReply(reply), 'LEVEL3_REQUIRED');
  });
});
