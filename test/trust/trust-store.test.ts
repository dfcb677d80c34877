import { describe, expect, it } from 'vitest';
import { fromUtf8, toHex, utf8 } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { signRotation } from '../../src/identity/identity-store';
import { FakeClock } from '../../src/testing/fake-clock';
import { MemoryBlobStore, SimulatedWriteFailure } from '../../src/testing/memory-blob-store';
import { SeededRandom } from '../../src/testing/seeded-random';
import { TRUST_STORE_DOCUMENT } from '../../src/trust/trust-document';
import { TrustStore } from '../../src/trust/trust-store';
import { expectCode } from '../helpers/expect-code';

const signers = new Map<number, Promise<IdentitySigner>>();
function signer(n: number): Promise<IdentitySigner> {
  if (!signers.has(n)) signers.set(n, identityFromSeed(new Uint8Array(32).fill(n)));
  return signers.get(n)!;
}
const key = async (n: number) => (await signer(n)).publicKey;

async function setUp() {
  const blobs = new MemoryBlobStore();
  const clock = new FakeClock();
  clock.advance(1_700_000_000_000);
  const random = new SeededRandom('trust');
  const store = await TrustStore.load(blobs, clock, random);
  const reload = () => TrustStore.load(blobs, clock, new SeededRandom('reload'));
  return { blobs, clock, random, store, reload };
}

describe('TrustStore basics', () => {
  it('starts empty with requireLevel3 on and writes nothing until a change', async () => {
    const { store, blobs } = await setUp();
    expect(store.list()).toEqual([]);
    expect(store.requireLevel3).toBe(true);
    expect(blobs.writeCount).toBe(0);
  });

  it('pins a first contact and round-trips it through the blob store', async () => {
    const { store, clock, reload, blobs } = await setUp();
    const alice = await store.pin(await key(1), '  Alice  ', 'seen');
    expect(alice.id).toMatch(/^[0-9a-f]{32}$/);
    expect(alice.name).toBe('Alice');
    expect(alice.fingerprint).toEqual(await fingerprintOf(await key(1)));
    expect(alice).toMatchObject({ state: 'seen', addedAt: clock.now(), verifiedAt: null, pendingKey: null });
    expect(alice.previousKeys).toEqual([]);
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    expect(bob.verifiedAt).toBe(clock.now());
    expect(blobs.writeCount).toBe(2);

    const again = await reload();
    expect(again.list()).toEqual(store.list());
    expect(again.list().map((c) => c.name)).toEqual(['Alice', 'Bob']);
  });

  it('is idempotent for a key already pinned, and raises seen to verified (never lowers)', async () => {
    const { store, blobs, clock } = await setUp();
    const first = await store.pin(await key(1), 'Alice', 'seen');
    const same = await store.pin(await key(1), 'Someone else', 'seen');
    expect(same).toEqual(first);
    expect(blobs.writeCount).toBe(1);
    clock.advance(1000);
    const verified = await store.pin(await key(1), 'Alice', 'verified');
    expect(verified).toMatchObject({ id: first.id, name: 'Alice', state: 'verified', verifiedAt: clock.now() });
    expect((await store.pin(await key(1), 'Alice', 'seen')).state).toBe('verified');
    expect(store.list()).toHaveLength(1);
  });

  it('validates keys and names', async () => {
    const { store } = await setUp();
    await expectCode(store.pin(new Uint8Array(31), 'Alice', 'seen'), 'BAD_KEY');
    await expectCode(store.pin(await key(1), '   ', 'seen'), 'BAD_INPUT');
    await expectCode(store.pin(await key(1), 'Al\u0000ice', 'seen'), 'BAD_INPUT');
    await expectCode(store.pin(await key(1), 'Alice\u202e', 'seen'), 'BAD_INPUT');
    await expectCode(store.pin(await key(1), 'x'.repeat(129), 'seen'), 'BAD_INPUT');
    expect(store.list()).toEqual([]);
  });

  it('finds contacts by id, key and fingerprint, and isPinned knows only pinned keys', async () => {
    const { store } = await setUp();
    const alice = await store.pin(await key(1), 'Alice', 'verified');
    expect(store.get(alice.id)).toEqual(alice);
    expect(store.get('0'.repeat(32))).toBeUndefined();
    expect(store.findByKey(await key(1))?.id).toBe(alice.id);
    expect(store.findByKey(await key(2))).toBeUndefined();
    expect(store.findByFingerprint(alice.fingerprint)?.id).toBe(alice.id);
    expect(store.findByFingerprint(await fingerprintOf(await key(2)))).toBeUndefined();
    expect(store.isPinned(await key(1))).toBe(true);
    expect(store.isPinned(await key(2))).toBe(false);
    expect(store.expectationFor(alice.id).pinnedKey).toEqual(await key(1));
  });

  it('hands out copies: mutating a returned contact changes nothing', async () => {
    const { store } = await setUp();
    const alice = await store.pin(await key(1), 'Alice', 'verified');
    alice.identityKey.fill(0);
    store.get(alice.id)!.identityKey.fill(0);
    store.expectationFor(alice.id).pinnedKey.fill(0);
    expect(store.get(alice.id)!.identityKey).toEqual(await key(1));
    expect(store.isPinned(await key(1))).toBe(true);
  });

  it('marks verified, renames and forgets', async () => {
    const { store, clock, reload } = await setUp();
    const alice = await store.pin(await key(1), 'Alice', 'seen');
    clock.advance(5);
    expect(await store.markVerified(alice.id)).toMatchObject({ state: 'verified', verifiedAt: clock.now() });
    expect(store.status(alice.id)).toBe('verified');
    expect((await store.rename(alice.id, 'Alice (laptop)')).name).toBe('Alice (laptop)');
    await expectCode(store.rename(alice.id, ''), 'BAD_INPUT');
    expect((await reload()).get(alice.id)?.name).toBe('Alice (laptop)');
    await store.forget(alice.id);
    expect(store.list()).toEqual([]);
    expect(store.isPinned(await key(1))).toBe(false);
    expect((await reload()).list()).toEqual([]);
  });

  it('unknown ids are CONTACT_UNKNOWN everywhere', async () => {
    const { store } = await setUp();
    const id = 'ab'.repeat(16);
    const statement = await signRotation(await signer(1), await signer(2), 1);
    await expectCode(() => store.status(id), 'CONTACT_UNKNOWN');
    await expectCode(() => store.expectationFor(id), 'CONTACT_UNKNOWN');
    await expectCode(store.markVerified(id), 'CONTACT_UNKNOWN');
    await expectCode(store.rename(id, 'x'), 'CONTACT_UNKNOWN');
    await expectCode(store.forget(id), 'CONTACT_UNKNOWN');
    await expectCode(store.observe(id, await key(1)), 'CONTACT_UNKNOWN');
    await expectCode(store.acceptKeyChange(id, 'verified'), 'CONTACT_UNKNOWN');
    await expectCode(store.dismissKeyChange(id), 'CONTACT_UNKNOWN');
    await expectCode(store.applyRotation(id, statement), 'CONTACT_UNKNOWN');
  });

  it('persists the requireLevel3 policy', async () => {
    const { store, reload, blobs } = await setUp();
    await store.setRequireLevel3(false);
    expect(store.requireLevel3).toBe(false);
    expect((await reload()).requireLevel3).toBe(false);
    await store.setRequireLevel3(false);
    expect(blobs.writeCount).toBe(1);
  });

  it('serialises concurrent changes so none is lost', async () => {
    const { store, reload } = await setUp();
    const keys = await Promise.all([1, 2, 3, 4].map(key));
    const pinned = await Promise.all([...keys, keys[0]!].map((k, i) => store.pin(k, `c${i}`, 'seen')));
    expect(pinned[4]!.id).toBe(pinned[0]!.id);
    expect(store.list()).toHaveLength(4);
    expect((await reload()).list()).toEqual(store.list());
  });
});

describe('key change', () => {
  it('match leaves everything alone; a different key is "changed" and the old key stays demanded', async () => {
    const { store, blobs, reload } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    expect(await store.observe(bob.id, await key(2))).toBe('match');
    expect(blobs.writeCount).toBe(1);

    expect(await store.observe(bob.id, await key(9))).toBe('changed');
    expect(store.status(bob.id)).toBe('keyChanged');
    expect(store.expectationFor(bob.id).pinnedKey).toEqual(await key(2));
    expect(store.isPinned(await key(9))).toBe(false);
    expect(store.isPinned(await key(2))).toBe(true);
    expect(store.get(bob.id)?.pendingKey?.identityKey).toEqual(await key(9));
    await expectCode(store.markVerified(bob.id), 'KEY_CHANGED');

    // The same presented key again is still 'changed' and needs no write; the condition survives a restart.
    const writes = blobs.writeCount;
    expect(await store.observe(bob.id, await key(9))).toBe('changed');
    expect(blobs.writeCount).toBe(writes);
    const again = await reload();
    expect(again.status(bob.id)).toBe('keyChanged');
    expect(again.expectationFor(bob.id).pinnedKey).toEqual(await key(2));
    // Seeing the pinned key again does not clear the warning on its own.
    expect(await again.observe(bob.id, await key(2))).toBe('match');
    expect(again.status(bob.id)).toBe('keyChanged');
  });

  it('acceptKeyChange pins the new key; verified only if the user verified it', async () => {
    const { store, clock, reload } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    await store.observe(bob.id, await key(3));
    clock.advance(10);
    const accepted = await store.acceptKeyChange(bob.id, 'verified');
    expect(accepted).toMatchObject({ state: 'verified', verifiedAt: clock.now(), pendingKey: null });
    expect(accepted.identityKey).toEqual(await key(3));
    expect(accepted.fingerprint).toEqual(await fingerprintOf(await key(3)));
    expect(accepted.previousKeys).toEqual([
      { identityKey: await key(2), fingerprint: await fingerprintOf(await key(2)), replacedAt: clock.now(), reason: 'changed' },
    ]);
    expect(store.isPinned(await key(2))).toBe(false);
    expect(store.expectationFor(bob.id).pinnedKey).toEqual(await key(3));

    await store.observe(bob.id, await key(4));
    const seen = await store.acceptKeyChange(bob.id, 'seen');
    expect(seen).toMatchObject({ state: 'seen', verifiedAt: null });
    expect(seen.previousKeys.map((p) => p.reason)).toEqual(['changed', 'changed']);
    expect((await reload()).get(bob.id)).toEqual(seen);
  });

  it('acceptKeyChange needs a pending key and refuses a key another contact pins', async () => {
    const { store } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    await expectCode(store.acceptKeyChange(bob.id, 'verified'), 'BAD_INPUT');
    await store.pin(await key(5), 'Eve', 'seen');
    await store.observe(bob.id, await key(5));
    await expectCode(store.acceptKeyChange(bob.id, 'verified'), 'KEY_ALREADY_PINNED');
    expect(store.status(bob.id)).toBe('keyChanged');
  });

  it('dismissKeyChange keeps the pin and clears the condition', async () => {
    const { store } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    await store.observe(bob.id, await key(9));
    const kept = await store.dismissKeyChange(bob.id);
    expect(kept).toMatchObject({ state: 'verified', pendingKey: null });
    expect(kept.identityKey).toEqual(await key(2));
    expect(store.status(bob.id)).toBe('verified');
  });
});

describe('rotation', () => {
  it('a statement signed by the pinned key moves the pin and keeps verified', async () => {
    const { store, clock, reload, blobs } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    const statement = await signRotation(await signer(2), await signer(3), 1_700_000_000_500);
    clock.advance(20);
    const rotated = await store.applyRotation(bob.id, statement);
    expect(rotated).toMatchObject({ state: 'verified', verifiedAt: bob.verifiedAt, pendingKey: null });
    expect(rotated.identityKey).toEqual(await key(3));
    expect(rotated.previousKeys).toEqual([
      { identityKey: await key(2), fingerprint: bob.fingerprint, replacedAt: clock.now(), reason: 'rotation' },
    ]);
    expect(store.isPinned(await key(3))).toBe(true);
    expect(store.isPinned(await key(2))).toBe(false);
    expect((await reload()).get(bob.id)).toEqual(rotated);

    // Delivered twice: a no-op.
    const writes = blobs.writeCount;
    expect(await store.applyRotation(bob.id, statement)).toEqual(rotated);
    expect(blobs.writeCount).toBe(writes);
  });

  it('keeps a seen contact seen', async () => {
    const { store } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'seen');
    const rotated = await store.applyRotation(bob.id, await signRotation(await signer(2), await signer(3), 1));
    expect(rotated).toMatchObject({ state: 'seen', verifiedAt: null });
  });

  it('a forged rotation (signed by the new key, claiming the pinned key) is BAD_SIGNATURE and changes nothing', async () => {
    const { store, blobs } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    const mallory = await signer(9);
    const posing: IdentitySigner = { publicKey: await key(2), signHash: (c, h) => mallory.signHash(c, h) };
    await expectCode(store.applyRotation(bob.id, await signRotation(posing, mallory, 1)), 'BAD_SIGNATURE');
    // A correctly signed statement from some other key does not move Bob's pin either.
    await expectCode(store.applyRotation(bob.id, await signRotation(await signer(8), mallory, 1)), 'BAD_SIGNATURE');
    expect(store.get(bob.id)).toEqual(bob);
    expect(blobs.writeCount).toBe(1);
  });

  it('never rotates back to a retired key, nor onto a key another contact pins', async () => {
    const { store } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    await store.pin(await key(7), 'Carol', 'verified');
    await store.applyRotation(bob.id, await signRotation(await signer(2), await signer(3), 1));
    await expectCode(
      store.applyRotation(bob.id, await signRotation(await signer(3), await signer(2), 2)),
      'ROTATION_REPLAYED',
    );
    await expectCode(
      store.applyRotation(bob.id, await signRotation(await signer(3), await signer(7), 3)),
      'KEY_ALREADY_PINNED',
    );
    expect(store.expectationFor(bob.id).pinnedKey).toEqual(await key(3));
  });

  it('a rotation to the pending key resolves the key change; to another key it leaves it pending', async () => {
    const { store } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    await store.observe(bob.id, await key(3));
    const resolved = await store.applyRotation(bob.id, await signRotation(await signer(2), await signer(3), 1));
    expect(resolved.pendingKey).toBeNull();
    expect(store.status(bob.id)).toBe('verified');

    await store.observe(bob.id, await key(9));
    await store.applyRotation(bob.id, await signRotation(await signer(3), await signer(4), 2));
    expect(store.status(bob.id)).toBe('keyChanged');
    expect(store.get(bob.id)?.pendingKey?.identityKey).toEqual(await key(9));
  });
});

describe('failed writes', () => {
  it('leave memory and disk on the old state, and the store keeps working', async () => {
    const { store, blobs, reload } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    const before = store.list();
    const disk = blobs.peek(TRUST_STORE_DOCUMENT);

    const attempts: (() => Promise<unknown>)[] = [
      async () => store.pin(await key(3), 'Carol', 'seen'),
      () => store.rename(bob.id, 'Robert'),
      async () => store.observe(bob.id, await key(9)),
      () => store.forget(bob.id),
      () => store.setRequireLevel3(false),
      async () => store.applyRotation(bob.id, await signRotation(await signer(2), await signer(4), 1)),
    ];
    for (const attempt of attempts) {
      blobs.failNextWrites(1);
      await expect(attempt()).rejects.toBeInstanceOf(SimulatedWriteFailure);
      expect(store.list()).toEqual(before);
      expect(store.requireLevel3).toBe(true);
      expect(blobs.peek(TRUST_STORE_DOCUMENT)).toEqual(disk);
    }
    expect((await reload()).list()).toEqual(before);
    await store.rename(bob.id, 'Robert');
    expect(store.get(bob.id)?.name).toBe('Robert');
  });
});

type Loose = Record<string, unknown>;
interface KeyJson extends Loose {
  identityKey: string;
  fingerprint: string;
}
interface ContactJson extends KeyJson {
  id: string;
  pendingKey: KeyJson;
  previousKeys: KeyJson[];
}
interface DocJson extends Loose {
  contacts: ContactJson[];
}

describe('corrupt documents', () => {
  /** A valid document with every optional part present: two contacts, a pending key, a history. */
  async function validDocument(): Promise<DocJson> {
    const { store, blobs } = await setUp();
    const bob = await store.pin(await key(2), 'Bob', 'verified');
    await store.pin(await key(5), 'Eve', 'seen');
    await store.applyRotation(bob.id, await signRotation(await signer(2), await signer(3), 1));
    await store.observe(bob.id, await key(9));
    return JSON.parse(fromUtf8(blobs.peek(TRUST_STORE_DOCUMENT)!)) as DocJson;
  }

  async function load(bytes: Uint8Array) {
    const blobs = new MemoryBlobStore();
    blobs.put(TRUST_STORE_DOCUMENT, bytes);
    return TrustStore.load(blobs, new FakeClock(), new SeededRandom('x'));
  }

  it('the valid document loads with everything in it', async () => {
    const store = await load(utf8(JSON.stringify(await validDocument())));
    expect(store.list()).toHaveLength(2);
    expect(store.list()[0]!.previousKeys).toHaveLength(1);
    expect(store.status(store.list()[0]!.id)).toBe('keyChanged');
  });

  const otherFingerprint = async () => toHex(await fingerprintOf(await key(8)));
  const bob = (d: DocJson) => d.contacts[0]!;
  const eve = (d: DocJson) => d.contacts[1]!;
  const set = (target: Loose, field: string, value: unknown) => void (target[field] = value);
  const cases: [string, (doc: DocJson) => void | Promise<void>][] = [
    ['unknown format', (d) => set(d, 'format', 'something-else')],
    ['unknown version', (d) => set(d, 'version', 2)],
    ['missing version', (d) => void delete d['version']],
    ['extra top-level field', (d) => set(d, 'extra', 1)],
    ['requireLevel3 not boolean', (d) => set(d, 'requireLevel3', 'yes')],
    ['contacts not an array', (d) => set(d, 'contacts', {})],
    ['contact not an object', (d) => void d.contacts.splice(0, 1, 'Bob' as unknown as ContactJson)],
    ['contact with an extra field', (d) => set(bob(d), 'blocked', true)],
    ['contact missing a field', (d) => void delete bob(d)['addedAt']],
    ['id in upper case', (d) => set(bob(d), 'id', bob(d).id.toUpperCase())],
    ['id too short', (d) => set(bob(d), 'id', 'abcd')],
    ['duplicate id', (d) => set(eve(d), 'id', bob(d).id)],
    ['empty name', (d) => set(bob(d), 'name', '')],
    ['untrimmed name', (d) => set(bob(d), 'name', ' Bob')],
    ['name with a control character', (d) => set(bob(d), 'name', 'B\u0007ob')],
    ['key in upper case hex', (d) => set(bob(d), 'identityKey', bob(d).identityKey.toUpperCase())],
    ['malformed hex', (d) => set(bob(d), 'identityKey', 'zz' + bob(d).identityKey.slice(2))],
    ['key of 31 bytes', (d) => set(bob(d), 'identityKey', bob(d).identityKey.slice(2))],
    ['key of 33 bytes', (d) => set(bob(d), 'identityKey', bob(d).identityKey + '00')],
    ['key as a number', (d) => set(bob(d), 'identityKey', 5)],
    ['fingerprint of another key', async (d) => set(bob(d), 'fingerprint', await otherFingerprint())],
    ['unknown state', (d) => set(bob(d), 'state', 'trusted')],
    ['negative addedAt', (d) => set(bob(d), 'addedAt', -1)],
    ['fractional addedAt', (d) => set(bob(d), 'addedAt', 1.5)],
    ['addedAt as a string', (d) => set(bob(d), 'addedAt', '1')],
    ['verified without verifiedAt', (d) => set(bob(d), 'verifiedAt', null)],
    ['seen with verifiedAt', (d) => set(eve(d), 'verifiedAt', 1)],
    ['pending key equal to the pin', (d) => {
      set(bob(d).pendingKey, 'identityKey', bob(d).identityKey);
      set(bob(d).pendingKey, 'fingerprint', bob(d).fingerprint);
    }],
    ['pending key with a wrong fingerprint', async (d) => set(bob(d).pendingKey, 'fingerprint', await otherFingerprint())],
    ['pending key with an extra field', (d) => set(bob(d).pendingKey, 'note', '')],
    ['pending key missing seenAt', (d) => void delete bob(d).pendingKey['seenAt']],
    ['previousKeys not an array', (d) => set(bob(d), 'previousKeys', null)],
    ['previous key with an unknown reason', (d) => set(bob(d).previousKeys[0]!, 'reason', 'lost')],
    ['previous key with a wrong fingerprint', async (d) => set(bob(d).previousKeys[0]!, 'fingerprint', await otherFingerprint())],
    ['previous key of 31 bytes', (d) => set(bob(d).previousKeys[0]!, 'identityKey', 'ab'.repeat(31))],
    ['two contacts pinning one key', (d) => {
      set(eve(d), 'identityKey', bob(d).identityKey);
      set(eve(d), 'fingerprint', bob(d).fingerprint);
    }],
  ];

  it.each(cases)('%s → TRUST_STORE_CORRUPT', async (_name, mutate) => {
    const doc = await validDocument();
    await mutate(doc);
    await expectCode(load(utf8(JSON.stringify(doc))), 'TRUST_STORE_CORRUPT');
  });

  it.each([
    ['invalid UTF-8', Uint8Array.of(0x7b, 0xff, 0x7d)],
    ['not JSON', utf8('{"format":')],
    ['empty', new Uint8Array(0)],
    ['JSON null', utf8('null')],
    ['JSON array', utf8('[]')],
  ])('%s → TRUST_STORE_CORRUPT', async (_name, bytes) => {
    await expectCode(load(bytes), 'TRUST_STORE_CORRUPT');
  });
});
