import { describe, expect, it } from 'vitest';
import { equalBytes, toHex } from '../../src/bytes';
import { fingerprintOf, shortFingerprint } from '../../src/identity/fingerprint';
import { verifyHashSignature } from '../../src/identity/identity';
import {
  decodeRotationStatement,
  IDENTITY_ACCOUNT,
  previousAccountOf,
  verifyRotationStatement,
} from '../../src/identity/identity-store';
import { FakeClock } from '../../src/testing/fake-clock';
import { MemoryBlobStore } from '../../src/testing/memory-blob-store';
import { MemoryKeyStore } from '../../src/testing/memory-key-store';
import { SeededRandom } from '../../src/testing/seeded-random';
import { TrustStore } from '../../src/trust/trust-store';
import { createIdentityService } from '../../main/services/identity-service';
import { expectCode } from '../helpers/expect-code';

const HASH = new Uint8Array(32).fill(7);

function wallClock(): FakeClock {
  const clock = new FakeClock();
  clock.advance(1_700_000_000_000);
  return clock;
}

function setUp(keyStore = new MemoryKeyStore(), seed = 'identity-service') {
  const service = createIdentityService({
    keyStore,
    random: new SeededRandom(seed),
    clock: wallClock(),
    deviceName: '  Ada’s laptop ',
  });
  return { keyStore, service };
}

describe('identity service: create and load', () => {
  it('touches nothing until first used, then creates the identity in the key store', async () => {
    const { keyStore, service } = setUp();
    expect(keyStore.accounts()).toEqual([]);
    const info = await service.get();
    expect(keyStore.accounts()).toEqual([IDENTITY_ACCOUNT]);
    const key = await service.publicKey();
    const fingerprint = await fingerprintOf(key);
    expect(info).toEqual({ fingerprint: toHex(fingerprint), short: shortFingerprint(fingerprint), name: 'Ada’s laptop' });
    expect(info.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(info.short).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  });

  it('loads the same identity on the next start', async () => {
    const { keyStore, service } = setUp();
    const first = await service.get();
    const { service: restarted } = setUp(keyStore, 'another random stream');
    expect(await restarted.get()).toEqual(first);
  });

  it('creates the identity once even when called concurrently', async () => {
    const { service } = setUp();
    const [a, b, c] = await Promise.all([service.get(), service.publicKey(), service.get()]);
    expect(a).toEqual(c);
    expect(toHex(await fingerprintOf(b))).toBe(a.fingerprint);
  });

  it('reports an unavailable keychain and succeeds once it is back', async () => {
    const keyStore = new MemoryKeyStore({ unavailable: true });
    const { service } = setUp(keyStore);
    await expectCode(service.get(), 'KEYSTORE_UNAVAILABLE');
    await expectCode(service.sign({ context: 'handshake initiator', hash: HASH }), 'KEYSTORE_UNAVAILABLE');
    keyStore.unavailable = false;
    expect((await service.get()).fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a stored value that is not a seed, and leaves it alone', async () => {
    const keyStore = new MemoryKeyStore();
    await keyStore.save(IDENTITY_ACCOUNT, new Uint8Array(31));
    const { service } = setUp(keyStore);
    await expectCode(service.get(), 'KEYSTORE_CORRUPT');
    expect(await keyStore.load(IDENTITY_ACCOUNT)).toEqual(new Uint8Array(31));
  });

  it('refuses a device name it could not offer in a handshake', () => {
    expect(() =>
      createIdentityService({ keyStore: new MemoryKeyStore(), random: new SeededRandom('x'), clock: wallClock(), deviceName: 'a\u202eb' }),
    ).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }) as Error);
  });
});

describe('identity service: signing for the renderer', () => {
  it('signs a 32-byte hash under each handshake context', async () => {
    const { service } = setUp();
    const key = await service.publicKey();
    for (const context of ['handshake initiator', 'handshake responder'] as const) {
      const signature = await service.sign({ context, hash: HASH });
      expect(signature).toHaveLength(64);
      expect(await verifyHashSignature(key, context, HASH, signature)).toBe(true);
      const other = context === 'handshake initiator' ? 'handshake responder' : 'handshake initiator';
      expect(await verifyHashSignature(key, other, HASH, signature)).toBe(false);
    }
  });

  it('refuses every other context, known to the core or not', async () => {
    const { service, keyStore } = setUp();
    for (const context of ['key rotation', 'relay registration', 'path advertisement', 'handshake', '', 'HANDSHAKE INITIATOR']) {
      await expectCode(service.sign({ context, hash: HASH }), 'BAD_INPUT');
    }
    await expectCode(service.sign({ context: undefined as unknown as string, hash: HASH }), 'BAD_INPUT');
    // Refused before the key store is even asked.
    expect(keyStore.accounts()).toEqual([]);
  });

  it('refuses a hash that is not exactly 32 bytes', async () => {
    const { service } = setUp();
    for (const length of [0, 1, 31, 33, 64]) {
      await expectCode(service.sign({ context: 'handshake initiator', hash: new Uint8Array(length) }), 'BAD_INPUT');
    }
    const notBytes = Array.from(HASH) as unknown as Uint8Array;
    await expectCode(service.sign({ context: 'handshake initiator', hash: notBytes }), 'BAD_INPUT');
  });

  it('gives main a signer that refuses key rotation', async () => {
    const { service } = setUp();
    const signer = await service.signer();
    expect(signer.publicKey).toEqual(await service.publicKey());
    const signature = await signer.signHash('path advertisement', HASH);
    expect(await verifyHashSignature(signer.publicKey, 'path advertisement', HASH, signature)).toBe(true);
    await expectCode(signer.signHash('key rotation', HASH), 'BAD_INPUT');
  });
});

describe('identity service: rotation', () => {
  it('rotates: the old key signs the statement, the new key is used now and loaded next time', async () => {
    const { keyStore, service } = setUp();
    const before = await service.get();
    const oldKey = await service.publicKey();
    const oldSigner = await service.signer();

    const { identity, statement, encoded } = await service.rotate();
    expect(identity.fingerprint).not.toBe(before.fingerprint);
    expect(identity.name).toBe(before.name);
    expect(statement.oldKey).toEqual(oldKey);
    await verifyRotationStatement(statement, oldKey);
    expect(decodeRotationStatement(encoded)).toEqual(statement);
    expect(statement.timestamp).toBe(1_700_000_000_000);

    // Confirmed at once: only the new seed is left.
    expect(keyStore.accounts()).toEqual([IDENTITY_ACCOUNT]);
    expect(await keyStore.load(previousAccountOf(IDENTITY_ACCOUNT))).toBeNull();

    expect(await service.get()).toEqual(identity);
    const newKey = await service.publicKey();
    expect(equalBytes(newKey, statement.newKey)).toBe(true);
    const signature = await service.sign({ context: 'handshake responder', hash: HASH });
    expect(await verifyHashSignature(newKey, 'handshake responder', HASH, signature)).toBe(true);
    expect(await verifyHashSignature(oldKey, 'handshake responder', HASH, signature)).toBe(false);

    // A signer handed out before the rotation keeps its own key: it never signs with one key under another's name.
    const late = await oldSigner.signHash('handshake initiator', HASH);
    expect(await verifyHashSignature(oldSigner.publicKey, 'handshake initiator', HASH, late)).toBe(true);

    const { service: restarted } = setUp(keyStore, 'restart');
    expect(await restarted.get()).toEqual(identity);

    // And again: each rotation is confirmed, so the next one is not blocked.
    const second = await service.rotate();
    await verifyRotationStatement(second.statement, newKey);
  });

  it('is an expected key change for a contact that pinned the old key: the pin follows, trust is kept', async () => {
    const { service } = setUp();
    const clock = wallClock();
    const trust = await TrustStore.load(new MemoryBlobStore(), clock, new SeededRandom('peer'));
    const contact = await trust.pin(await service.publicKey(), 'Ada', 'verified');
    const { statement } = await service.rotate();
    const moved = await trust.applyRotation(contact.id, statement);
    expect(moved.identityKey).toEqual(await service.publicKey());
    expect(trust.status(contact.id)).toBe('verified');
  });

  it('waits for a rotation in progress: calls made meanwhile see the new key', async () => {
    const { service } = setUp();
    await service.get();
    const rotating = service.rotate();
    const during = service.get();
    const { identity } = await rotating;
    expect(await during).toEqual(identity);
  });

  it('a failed rotation changes nothing', async () => {
    const keyStore = new MemoryKeyStore();
    const { service } = setUp(keyStore);
    const before = await service.get();
    keyStore.unavailable = true;
    await expectCode(service.rotate(), 'KEYSTORE_UNAVAILABLE');
    keyStore.unavailable = false;
    expect(await service.get()).toEqual(before);
    expect(keyStore.accounts()).toEqual([IDENTITY_ACCOUNT]);
  });

  it('will not rotate past an interrupted earlier rotation (its old key would be lost)', async () => {
    const keyStore = new MemoryKeyStore();
    const { service } = setUp(keyStore);
    await service.get();
    await keyStore.save(previousAccountOf(IDENTITY_ACCOUNT), new Uint8Array(32).fill(9));
    await expectCode(service.rotate(), 'BAD_INPUT');
  });
});
