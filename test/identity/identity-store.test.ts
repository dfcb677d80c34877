import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { sha256 } from '../../src/crypto/primitives';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import {
  confirmRotation,
  decodeRotationStatement,
  encodeRotationStatement,
  loadOrCreateIdentity,
  rotateIdentity,
  rotationHash,
  ROTATION_STATEMENT_BYTES,
  signRotation,
  verifyRotationStatement,
  type RotationStatement,
} from '../../src/identity/identity-store';
import type { KeyStore } from '../../src/ports/key-store';
import { FakeClock } from '../../src/testing/fake-clock';
import { MemoryKeyStore } from '../../src/testing/memory-key-store';
import { SeededRandom } from '../../src/testing/seeded-random';
import { expectCode } from '../helpers/expect-code';

const signer = (n: number) => identityFromSeed(new Uint8Array(32).fill(n));

function clockAt(ms: number): FakeClock {
  const clock = new FakeClock();
  clock.advance(ms);
  return clock;
}

describe('loadOrCreateIdentity', () => {
  it('creates and stores a seed once, then loads the same identity', async () => {
    const keyStore = new MemoryKeyStore();
    const first = await loadOrCreateIdentity(keyStore, new SeededRandom('a'));
    expect(first.created).toBe(true);
    expect(keyStore.accounts()).toEqual(['identity']);
    expect((await keyStore.load('identity'))?.length).toBe(32);

    const second = await loadOrCreateIdentity(keyStore, new SeededRandom('other'));
    expect(second.created).toBe(false);
    expect(equalBytes(second.signer.publicKey, first.signer.publicKey)).toBe(true);
  });

  it('uses the account it is given', async () => {
    const keyStore = new MemoryKeyStore();
    await loadOrCreateIdentity(keyStore, new SeededRandom('a'), 'profile-2');
    expect(keyStore.accounts()).toEqual(['profile-2']);
  });

  it('signs with the stored seed', async () => {
    const keyStore = new MemoryKeyStore();
    await keyStore.save('identity', new Uint8Array(32).fill(7));
    const { signer: loaded } = await loadOrCreateIdentity(keyStore, new SeededRandom('a'));
    expect(equalBytes(loaded.publicKey, (await signer(7)).publicKey)).toBe(true);
  });

  it.each([0, 1, 31, 33, 64])('a stored value of %i bytes is KEYSTORE_CORRUPT and is not overwritten', async (n) => {
    const keyStore = new MemoryKeyStore();
    await keyStore.save('identity', new Uint8Array(n).fill(5));
    await expectCode(loadOrCreateIdentity(keyStore, new SeededRandom('a')), 'KEYSTORE_CORRUPT');
    expect(await keyStore.load('identity')).toEqual(new Uint8Array(n).fill(5));
  });

  it('reports an unavailable key store', async () => {
    await expectCode(
      loadOrCreateIdentity(new MemoryKeyStore({ unavailable: true }), new SeededRandom('a')),
      'KEYSTORE_UNAVAILABLE',
    );
  });

  it('wipes the seed it loaded and the seed it created', async () => {
    const handed: Uint8Array[] = [];
    const inner = new MemoryKeyStore();
    const spy: KeyStore = {
      load: async (account) => {
        const value = await inner.load(account);
        if (value) handed.push(value);
        return value;
      },
      save: async (account, secret) => {
        handed.push(secret);
        await inner.save(account, secret);
      },
      remove: (account) => inner.remove(account),
    };
    await loadOrCreateIdentity(spy, new SeededRandom('a')); // creates: the saved buffer
    await loadOrCreateIdentity(spy, new SeededRandom('a')); // loads: the loaded buffer
    expect(handed).toHaveLength(2);
    for (const buffer of handed) expect(buffer.every((b) => b === 0)).toBe(true);
    expect((await inner.load('identity'))?.some((b) => b !== 0)).toBe(true);
  });
});

describe('rotation statements', () => {
  it('round-trips through the 201-byte encoding and verifies against the old key', async () => {
    const statement = await signRotation(await signer(1), await signer(2), 1_700_000_000_000);
    const bytes = encodeRotationStatement(statement);
    expect(bytes.length).toBe(ROTATION_STATEMENT_BYTES);
    expect(ROTATION_STATEMENT_BYTES).toBe(201);
    const decoded = decodeRotationStatement(bytes);
    expect(decoded).toEqual(statement);
    await verifyRotationStatement(decoded, (await signer(1)).publicKey);
  });

  it('follows the documented layout', async () => {
    const oldSigner = await signer(1);
    const newSigner = await signer(2);
    const statement = await signRotation(oldSigner, newSigner, 0x0102030405);
    const bytes = encodeRotationStatement(statement);
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1, 33)).toEqual(oldSigner.publicKey);
    expect(bytes.subarray(33, 65)).toEqual(newSigner.publicKey);
    expect([...bytes.subarray(65, 73)]).toEqual([0, 0, 0, 1, 2, 3, 4, 5]);
    const message = new Uint8Array([
      ...new TextEncoder().encode('sealdrop/v1 key rotation'),
      0,
      1,
      ...oldSigner.publicKey,
      ...newSigner.publicKey,
      0, 0, 0, 1, 2, 3, 4, 5,
    ]);
    expect(await rotationHash(oldSigner.publicKey, newSigner.publicKey, 0x0102030405)).toEqual(await sha256(message));
  });

  it('rejects a statement checked against another key', async () => {
    const statement = await signRotation(await signer(1), await signer(2), 1);
    await expectCode(verifyRotationStatement(statement, (await signer(3)).publicKey), 'BAD_SIGNATURE');
  });

  it('every flipped byte fails with a code: BAD_ENCODING for the version/timestamp range, else BAD_SIGNATURE', async () => {
    const oldKey = (await signer(1)).publicKey;
    const bytes = encodeRotationStatement(await signRotation(await signer(1), await signer(2), 1_700_000_000_000));
    for (let i = 0; i < bytes.length; i++) {
      const tampered = bytes.slice();
      tampered[i]! ^= 0x80;
      const work = async () => verifyRotationStatement(decodeRotationStatement(tampered), oldKey);
      const expected = i === 0 || i === 65 || i === 66 ? 'BAD_ENCODING' : 'BAD_SIGNATURE';
      await expectCode(work, expected);
    }
  });

  it('rejects a statement signed by the new key in the old key’s place', async () => {
    const oldKey = (await signer(1)).publicKey;
    const attacker = await signer(9);
    const posing: IdentitySigner = { publicKey: oldKey, signHash: (c, h) => attacker.signHash(c, h) };
    await expectCode(verifyRotationStatement(await signRotation(posing, attacker, 1), oldKey), 'BAD_SIGNATURE');
  });

  it('requires the new key’s own signature (no rotating onto a key one does not hold)', async () => {
    const oldSigner = await signer(1);
    const victimKey = (await signer(4)).publicKey;
    const pretender: IdentitySigner = { publicKey: victimKey, signHash: (c, h) => oldSigner.signHash(c, h) };
    const statement = await signRotation(oldSigner, pretender, 1);
    await expectCode(verifyRotationStatement(statement, oldSigner.publicKey), 'BAD_SIGNATURE');
  });

  it('does not accept a signature made for another context', async () => {
    const oldSigner = await signer(1);
    const newSigner = await signer(2);
    const hash = await rotationHash(oldSigner.publicKey, newSigner.publicKey, 5);
    const statement: RotationStatement = {
      oldKey: oldSigner.publicKey,
      newKey: newSigner.publicKey,
      timestamp: 5,
      oldSignature: await oldSigner.signHash('handshake initiator', hash),
      newSignature: await newSigner.signHash('key rotation', hash),
    };
    await expectCode(verifyRotationStatement(statement, oldSigner.publicKey), 'BAD_SIGNATURE');
  });

  it('decodes strictly', async () => {
    const bytes = encodeRotationStatement(await signRotation(await signer(1), await signer(2), 1));
    await expectCode(() => decodeRotationStatement(bytes.subarray(0, 200)), 'BAD_ENCODING');
    await expectCode(() => decodeRotationStatement(new Uint8Array([...bytes, 0])), 'BAD_ENCODING');
    const version2 = bytes.slice();
    version2[0] = 2;
    await expectCode(() => decodeRotationStatement(version2), 'BAD_ENCODING');
    const sameKeys = bytes.slice();
    sameKeys.set(bytes.subarray(1, 33), 33);
    await expectCode(() => decodeRotationStatement(sameKeys), 'BAD_ENCODING');
  });

  it('refuses to build a rotation that does not change the key', async () => {
    await expectCode(signRotation(await signer(1), await signer(1), 1), 'BAD_INPUT');
  });
});

describe('rotateIdentity', () => {
  async function setUp() {
    const keyStore = new MemoryKeyStore();
    const random = new SeededRandom('rotate');
    const { signer: current } = await loadOrCreateIdentity(keyStore, random);
    return { keyStore, random, current };
  }

  it('stores the new seed, keeps the old one until confirmed, and returns a verifiable statement', async () => {
    const { keyStore, random, current } = await setUp();
    const { signer: next, rotation } = await rotateIdentity(keyStore, random, current, clockAt(1_700_000_000_000));
    expect(equalBytes(next.publicKey, current.publicKey)).toBe(false);
    expect(rotation.oldKey).toEqual(current.publicKey);
    expect(rotation.newKey).toEqual(next.publicKey);
    expect(rotation.timestamp).toBe(1_700_000_000_000);
    await verifyRotationStatement(rotation, current.publicKey);

    const reloaded = await loadOrCreateIdentity(keyStore, random);
    expect(reloaded.created).toBe(false);
    expect(reloaded.signer.publicKey).toEqual(next.publicKey);
    const previous = await loadOrCreateIdentity(keyStore, random, 'identity.previous');
    expect(previous.created).toBe(false);
    expect(previous.signer.publicKey).toEqual(current.publicKey);

    await confirmRotation(keyStore);
    expect(keyStore.accounts()).toEqual(['identity']);
  });

  it('refuses a second rotation before the first is confirmed, and allows it after', async () => {
    const { keyStore, random, current } = await setUp();
    const { signer: next } = await rotateIdentity(keyStore, random, current, clockAt(1));
    await expectCode(rotateIdentity(keyStore, random, next, clockAt(2)), 'BAD_INPUT');
    await confirmRotation(keyStore);
    const { rotation } = await rotateIdentity(keyStore, random, next, clockAt(3));
    await verifyRotationStatement(rotation, next.publicKey);
  });

  it('recovers from a crash between the two saves (.previous equals the current seed)', async () => {
    const { keyStore, random, current } = await setUp();
    await keyStore.save('identity.previous', (await keyStore.load('identity'))!);
    const { rotation } = await rotateIdentity(keyStore, random, current, clockAt(1));
    await verifyRotationStatement(rotation, current.publicKey);
  });

  it('refuses to rotate an identity that is not the stored one, changing nothing', async () => {
    const { keyStore, random } = await setUp();
    const before = await keyStore.load('identity');
    await expectCode(rotateIdentity(keyStore, random, await signer(8), clockAt(1)), 'BAD_INPUT');
    expect(await keyStore.load('identity')).toEqual(before);
    expect(keyStore.accounts()).toEqual(['identity']);
  });

  it('refuses when nothing is stored, and reports a corrupt stored seed', async () => {
    const empty = new MemoryKeyStore();
    await expectCode(rotateIdentity(empty, new SeededRandom('r'), await signer(1), clockAt(1)), 'BAD_INPUT');
    await empty.save('identity', new Uint8Array(16));
    await expectCode(rotateIdentity(empty, new SeededRandom('r'), await signer(1), clockAt(1)), 'KEYSTORE_CORRUPT');
  });

  it('reports an unavailable key store', async () => {
    const { keyStore, random, current } = await setUp();
    keyStore.unavailable = true;
    await expectCode(rotateIdentity(keyStore, random, current, clockAt(1)), 'KEYSTORE_UNAVAILABLE');
    await expectCode(confirmRotation(keyStore), 'KEYSTORE_UNAVAILABLE');
  });
});
