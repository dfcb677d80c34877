import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes';
import { fingerprintOf, safetyNumber, shortFingerprint } from '../../src/identity/fingerprint';
import { identityFromSeed } from '../../src/identity/identity';
import { createLink, encodeLink } from '../../src/identity/link';
import type { EventPayload } from '../../src/ipc/contract';
import { FakeClock } from '../../src/testing/fake-clock';
import { MemoryBlobStore } from '../../src/testing/memory-blob-store';
import { SeededRandom } from '../../src/testing/seeded-random';
import { TrustStore } from '../../src/trust/trust-store';
import { createContactsService } from '../../main/services/contacts-service';
import type { ServiceEvents } from '../../main/services/events';
import { expectCode } from '../helpers/expect-code';

const keys = new Map<number, Promise<Uint8Array>>();
function key(n: number): Promise<Uint8Array> {
  if (!keys.has(n)) keys.set(n, identityFromSeed(new Uint8Array(32).fill(n)).then((s) => s.publicKey));
  return keys.get(n)!;
}
const OWN = 1;

async function setUp(options: { pair?: boolean } = {}) {
  const blobs = new MemoryBlobStore();
  const clock = new FakeClock();
  clock.advance(1_700_000_000_000);
  const random = new SeededRandom('contacts');
  const trust = await TrustStore.load(blobs, clock, random);
  const changes: EventPayload<'contacts:changed'>[] = [];
  const events: ServiceEvents = {
    emit(channel, payload) {
      expect(channel).toBe('contacts:changed');
      changes.push(payload as EventPayload<'contacts:changed'>);
      return true;
    },
  };
  const contacts = createContactsService({
    trust,
    ownKey: () => key(OWN),
    events,
    ...(options.pair ? { pairWith: async (link: string) => trust.pin(await key(link.length % 2 ? 8 : 9), 'Paired', 'verified') } : {}),
  });
  return { blobs, clock, random, trust, contacts, changes };
}

const numbers = new Map<number, Promise<string>>();
async function digitsFor(n: number): Promise<string> {
  if (!numbers.has(n)) numbers.set(n, safetyNumber(await key(OWN), await key(n)));
  return numbers.get(n)!;
}
const qrFor = async (n: number) =>
  encodeLink(createLink(new SeededRandom(`qr ${n}`), 'pairing', await fingerprintOf(await key(n)), ['wss://relay.example']));

describe('contacts service: list and safety number', () => {
  it('lists contacts with status, hex fingerprint, short form and name', async () => {
    const { trust, contacts, clock } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'seen');
    await trust.pin(await key(3), 'Bob', 'verified');
    const fingerprint = await fingerprintOf(await key(2));
    expect(contacts.list()).toEqual([
      {
        id: alice.id,
        name: 'Alice',
        fingerprint: toHex(fingerprint),
        short: shortFingerprint(fingerprint),
        status: 'seen',
        addedAt: clock.now(),
        verifiedAt: null,
        pendingKey: null,
      },
      expect.objectContaining({ name: 'Bob', status: 'verified', verifiedAt: clock.now() }),
    ]);
  });

  it('computes the safety number for the pinned key', async () => {
    const { trust, contacts } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'seen');
    expect(await contacts.safetyNumber({ id: alice.id })).toEqual({ digits: await digitsFor(2), key: 'pinned' });
  });

  it('answers CONTACT_UNKNOWN for an id it does not know', async () => {
    const { contacts } = await setUp();
    const id = '0'.repeat(32);
    await expectCode(contacts.safetyNumber({ id }), 'CONTACT_UNKNOWN');
    await expectCode(contacts.verify({ id, method: 'safety-number', digits: '1'.repeat(60) }), 'CONTACT_UNKNOWN');
    await expectCode(contacts.acceptKeyChange({ id }), 'CONTACT_UNKNOWN');
    await expectCode(contacts.forget({ id }), 'CONTACT_UNKNOWN');
  });
});

describe('contacts service: verification re-checks the evidence', () => {
  it('verifies with the right safety number and tells the renderer', async () => {
    const { trust, contacts, changes, clock } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'seen');
    clock.advance(5000);
    const verified = await contacts.verify({ id: alice.id, method: 'safety-number', digits: await digitsFor(2) });
    expect(verified).toMatchObject({ id: alice.id, status: 'verified', verifiedAt: clock.now() });
    expect(trust.status(alice.id)).toBe('verified');
    expect(changes.at(-1)).toEqual({ contacts: contacts.list() });
  });

  it('refuses a safety number that belongs to another key, and changes nothing', async () => {
    const { trust, contacts, blobs } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'seen');
    const writes = blobs.writeCount;
    await expectCode(contacts.verify({ id: alice.id, method: 'safety-number', digits: await digitsFor(3) }), 'IDENTITY_MISMATCH');
    await expectCode(contacts.verify({ id: alice.id, method: 'safety-number', digits: '0'.repeat(60) }), 'IDENTITY_MISMATCH');
    expect(trust.status(alice.id)).toBe('seen');
    expect(blobs.writeCount).toBe(writes);
  });

  it("verifies with the contact's scanned code (a link carrying its fingerprint), and only that", async () => {
    const { trust, contacts } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'seen');
    await expectCode(contacts.verify({ id: alice.id, method: 'qr', link: await qrFor(3) }), 'IDENTITY_MISMATCH');
    await expectCode(contacts.verify({ id: alice.id, method: 'qr', link: 'https://example.com' }), 'LINK_BAD_SCHEME');
    expect(trust.status(alice.id)).toBe('seen');
    expect(await contacts.verify({ id: alice.id, method: 'qr', link: await qrFor(2) })).toMatchObject({ status: 'verified' });
  });
});

describe('contacts service: a key change stays blocked until verified', () => {
  it('blocks, refuses the one-click accept and the old number, and lifts only with the new number', async () => {
    const { trust, contacts, changes } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'verified');
    expect(await trust.observe(alice.id, await key(4))).toBe('changed');
    contacts.notifyChanged();
    const newFingerprint = await fingerprintOf(await key(4));
    const [listed] = contacts.list();
    expect(listed).toMatchObject({
      status: 'keyChanged',
      fingerprint: toHex(await fingerprintOf(await key(2))),
      pendingKey: { fingerprint: toHex(newFingerprint), short: shortFingerprint(newFingerprint) },
    });
    expect(changes.at(-1)?.contacts[0]?.status).toBe('keyChanged');

    // Never one click.
    await expectCode(contacts.acceptKeyChange({ id: alice.id }), 'KEY_CHANGED');
    expect(trust.status(alice.id)).toBe('keyChanged');
    expect(trust.expectationFor(alice.id).pinnedKey).toEqual(await key(2));

    // The number shown is the new key's; the old (remembered) number does not lift the block.
    expect(await contacts.safetyNumber({ id: alice.id })).toEqual({ digits: await digitsFor(4), key: 'pending' });
    await expectCode(contacts.verify({ id: alice.id, method: 'safety-number', digits: await digitsFor(2) }), 'IDENTITY_MISMATCH');
    await expectCode(contacts.verify({ id: alice.id, method: 'qr', link: await qrFor(2) }), 'IDENTITY_MISMATCH');
    expect(trust.status(alice.id)).toBe('keyChanged');

    const verified = await contacts.verify({ id: alice.id, method: 'safety-number', digits: await digitsFor(4) });
    expect(verified).toMatchObject({ status: 'verified', fingerprint: toHex(newFingerprint), pendingKey: null });
    expect(trust.expectationFor(alice.id).pinnedKey).toEqual(await key(4));
    expect(trust.get(alice.id)?.previousKeys.map((p) => p.reason)).toEqual(['changed']);
    // After verification, accepting is a harmless no-op.
    expect(await contacts.acceptKeyChange({ id: alice.id })).toEqual(verified);
  });

  it('lifts a key change by scanning the new code too', async () => {
    const { trust, contacts } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'seen');
    await trust.observe(alice.id, await key(4));
    expect(await contacts.verify({ id: alice.id, method: 'qr', link: await qrFor(4) })).toMatchObject({ status: 'verified' });
  });

  it('if yet another key arrives while the user verifies, nothing is pinned and the block stays', async () => {
    const { trust, contacts } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'verified');
    await trust.observe(alice.id, await key(4));
    const verifying = contacts.verify({ id: alice.id, method: 'safety-number', digits: await digitsFor(4) });
    const intruder = trust.observe(alice.id, await key(5));
    await expectCode(verifying, 'KEY_CHANGED');
    expect(await intruder).toBe('changed');
    expect(trust.status(alice.id)).toBe('keyChanged');
    expect(trust.expectationFor(alice.id).pinnedKey).toEqual(await key(2));
    expect(trust.get(alice.id)?.pendingKey?.identityKey).toEqual(await key(5));
  });

  it('a failed write leaves the block in place', async () => {
    const { trust, contacts, blobs } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'verified');
    await trust.observe(alice.id, await key(4));
    blobs.failNextWrites(1);
    await expect(contacts.verify({ id: alice.id, method: 'safety-number', digits: await digitsFor(4) })).rejects.toThrow(
      /simulated failure/,
    );
    expect(trust.status(alice.id)).toBe('keyChanged');
  });
});

describe('contacts service: forget and pair', () => {
  it('forgets a contact and tells the renderer', async () => {
    const { trust, contacts, changes } = await setUp();
    const alice = await trust.pin(await key(2), 'Alice', 'seen');
    await contacts.forget({ id: alice.id });
    expect(contacts.list()).toEqual([]);
    expect(changes.at(-1)).toEqual({ contacts: [] });
  });

  it('pairs through the injected pairing function', async () => {
    const { contacts, changes } = await setUp({ pair: true });
    const paired = await contacts.pair({ link: 'x' });
    expect(paired).toMatchObject({ name: 'Paired', status: 'verified' });
    expect(changes.at(-1)?.contacts).toEqual([paired]);
  });

  it('without a pairing function, pairing is INTERNAL', async () => {
    const { contacts } = await setUp();
    await expectCode(contacts.pair({ link: 'x' }), 'INTERNAL');
  });
});
