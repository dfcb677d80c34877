/**
 * The trust store: contacts with pinned identity keys, and the rules for when a pin may move.
 *
 * Purpose: the relay and the signalling server are untrusted (DECISIONS.md 1), so the only thing that stops a relay
 * from substituting keys on a later transfer is what this store remembers. A contact's pinned key goes into the
 * handshake as `PeerExpectation.pinnedKey` (`expectationFor`), and the handshake fails IDENTITY_MISMATCH for any
 * other key; `isPinned` lets the handshake recognise a pinned peer it was not told to expect.
 *
 * How a pin may move (each move is one method; nothing else changes a pinned key):
 *
 *   pin(key, name, how)            first contact: a new contact, 'seen' or 'verified'
 *   observe(id, presentedKey)      'match', or 'changed' → pendingKey set: the key-changed hard stop
 *        │                           (expectationFor still demands the OLD key; markVerified refuses KEY_CHANGED)
 *        ├─ acceptKeyChange(id, how)   the user re-verified: pending key pinned, old key → previousKeys 'changed'
 *        └─ dismissKeyChange(id)       the user kept the old key: pendingKey cleared
 *   applyRotation(id, statement)   signed by the pinned key (and the new key): pin moves, trust level kept,
 *                                  old key → previousKeys 'rotation'; a retired key never comes back this way
 *
 * Persistence: every change writes the whole document (trust-document.ts) through the BlobStore port under
 * "trust-store" BEFORE the in-memory state is swapped, so a failed write leaves memory and disk agreeing on the old
 * state and the caller sees the write error. Mutations run one at a time (a promise chain), so two concurrent
 * changes cannot both start from the same state and lose one. Reads are synchronous on the committed state.
 *
 * Time: `clock` must be a wall clock (milliseconds since the Unix epoch); its readings are stored and shown.
 */

import { equalBytes, toHex } from '../bytes';
import { fail } from '../errors';
import { fingerprintOf } from '../identity/fingerprint';
import { IDENTITY_PUBLIC_KEY_BYTES } from '../identity/identity';
import { verifyRotationStatement, type RotationStatement } from '../identity/identity-store';
import type { BlobStore } from '../ports/blob-store';
import type { Clock } from '../ports/clock';
import type { RandomSource } from '../ports/random';
import {
  cloneContact,
  CONTACT_ID_BYTES,
  normaliseContactName,
  type Contact,
  type ContactStatus,
  type TrustLevel,
} from './contact';
import {
  decodeTrustDocument,
  EMPTY_TRUST_STATE,
  encodeTrustDocument,
  TRUST_STORE_DOCUMENT,
  type TrustState,
} from './trust-document';

/** What the handshake needs to accept exactly one contact (`PeerExpectation` in handshake.ts). */
export interface ContactExpectation {
  readonly pinnedKey: Uint8Array;
}

/** A state change: the state to persist (absent when nothing changed) and what the method returns. */
interface Change<T> {
  readonly next?: TrustState;
  readonly result: T;
}

export class TrustStore {
  private state: TrustState;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly blobStore: BlobStore,
    private readonly clock: Clock,
    private readonly random: RandomSource,
    initial: TrustState,
  ) {
    this.state = initial;
  }

  /**
   * Read the stored trust store, or start an empty one (requireLevel3 = true) when none exists yet. Nothing is
   * written until the first change.
   * @throws SealdropError TRUST_STORE_CORRUPT if the stored document is not valid (trust-document.ts); whatever
   *   the blob store throws on read.
   */
  static async load(blobStore: BlobStore, clock: Clock, random: RandomSource): Promise<TrustStore> {
    const bytes = await blobStore.read(TRUST_STORE_DOCUMENT);
    const state = bytes === null ? EMPTY_TRUST_STATE : await decodeTrustDocument(bytes);
    return new TrustStore(blobStore, clock, random, state);
  }

  // ---------------------------------------------------------------- reads (synchronous, copies)

  /** Every contact, in the order they were added. */
  list(): Contact[] {
    return this.state.contacts.map(cloneContact);
  }

  /** The contact with `id`, or undefined. */
  get(id: string): Contact | undefined {
    const contact = this.find(id);
    return contact && cloneContact(contact);
  }

  /** The contact whose pinned key is `identityKey` (pending and previous keys do not count), or undefined. */
  findByKey(identityKey: Uint8Array): Contact | undefined {
    const contact = this.state.contacts.find((c) => equalBytes(c.identityKey, identityKey));
    return contact && cloneContact(contact);
  }

  /** The contact whose pinned key has this 32-byte fingerprint (e.g. from a link), or undefined. */
  findByFingerprint(fingerprint: Uint8Array): Contact | undefined {
    const contact = this.state.contacts.find((c) => equalBytes(c.fingerprint, fingerprint));
    return contact && cloneContact(contact);
  }

  /**
   * True if `identityKey` is some contact's pinned key: suitable as `PeerExpectation.isPinned`. A key a contact
   * merely presented (pending) or used before (previous) is not pinned.
   */
  isPinned(identityKey: Uint8Array): boolean {
    return this.state.contacts.some((c) => equalBytes(c.identityKey, identityKey));
  }

  /**
   * The contact's trust level, or 'keyChanged' while a presented key awaits the user's decision.
   * @throws SealdropError CONTACT_UNKNOWN if there is no such contact.
   */
  status(id: string): ContactStatus {
    const contact = this.require(id);
    return contact.pendingKey !== null ? 'keyChanged' : contact.state;
  }

  /**
   * What the handshake must demand for this contact: always the PINNED key, also while a key change is pending —
   * so a transfer to or from the new key fails IDENTITY_MISMATCH until the user re-verifies.
   * @throws SealdropError CONTACT_UNKNOWN if there is no such contact.
   */
  expectationFor(id: string): ContactExpectation {
    return { pinnedKey: this.require(id).identityKey.slice() };
  }

  /** Whether unverifiable peers are refused (handshake `requireLevel3`). Default true. */
  get requireLevel3(): boolean {
    return this.state.requireLevel3;
  }

  // ---------------------------------------------------------------- changes (persisted, one at a time)

  /**
   * Persist the Level 3 policy. @throws whatever the blob store throws on write (state unchanged).
   */
  async setRequireLevel3(value: boolean): Promise<void> {
    return this.mutate((state) => {
      if (state.requireLevel3 === value) return { result: undefined };
      return { next: { ...state, requireLevel3: value }, result: undefined };
    });
  }

  /**
   * First contact: pin `identityKey` under `name`. Pin only keys that arrived over an authenticated (Level 3) first
   * contact — a pin counts as Level 3 later. Idempotent for a key that is already pinned: the existing contact is
   * returned with its name unchanged, raised to 'verified' if `how` is 'verified' (never lowered).
   * @throws SealdropError BAD_KEY if the key is not 32 bytes; BAD_INPUT for an invalid name; whatever the blob
   *   store throws on write.
   */
  async pin(presented: Uint8Array, name: string, how: TrustLevel): Promise<Contact> {
    checkKey(presented);
    const identityKey = presented.slice(); // the change runs later; the caller may reuse its buffer meanwhile
    const canonicalName = normaliseContactName(name);
    checkLevel(how);
    return this.mutateContact(async (state) => {
      const now = this.now();
      const existing = state.contacts.find((c) => equalBytes(c.identityKey, identityKey));
      if (existing) {
        if (how === 'seen' || existing.state === 'verified') return { result: existing };
        const upgraded: Contact = { ...existing, state: 'verified', verifiedAt: now };
        return { next: replace(state, upgraded), result: upgraded };
      }
      const contact: Contact = {
        id: this.freshId(state),
        name: canonicalName,
        identityKey,
        fingerprint: await fingerprintOf(identityKey),
        state: how,
        addedAt: now,
        verifiedAt: how === 'verified' ? now : null,
        pendingKey: null,
        previousKeys: [],
      };
      return { next: { ...state, contacts: [...state.contacts, contact] }, result: contact };
    });
  }

  /**
   * The user compared the safety number (or scanned the QR) for the pinned key.
   * @throws SealdropError CONTACT_UNKNOWN; KEY_CHANGED while a key change is pending (resolve it with
   *   `acceptKeyChange` or `dismissKeyChange` first — it is not clear which key was verified); write errors.
   */
  async markVerified(id: string): Promise<Contact> {
    return this.mutateContact((state) => {
      const contact = requireIn(state, id);
      if (contact.pendingKey !== null) fail('KEY_CHANGED', 'this contact has an unresolved key change');
      const verified: Contact = { ...contact, state: 'verified', verifiedAt: this.now() };
      return { next: replace(state, verified), result: verified };
    });
  }

  /** @throws SealdropError CONTACT_UNKNOWN; BAD_INPUT for an invalid name; write errors. */
  async rename(id: string, name: string): Promise<Contact> {
    const canonicalName = normaliseContactName(name);
    return this.mutateContact((state) => {
      const contact = requireIn(state, id);
      if (contact.name === canonicalName) return { result: contact };
      const renamed: Contact = { ...contact, name: canonicalName };
      return { next: replace(state, renamed), result: renamed };
    });
  }

  /** Delete the contact and its history. @throws SealdropError CONTACT_UNKNOWN; write errors. */
  async forget(id: string): Promise<void> {
    return this.mutate((state) => {
      requireIn(state, id);
      return { next: { ...state, contacts: state.contacts.filter((c) => c.id !== id) }, result: undefined };
    });
  }

  /**
   * A peer we expected to be this contact presented the key `presented`. 'match' if it is the pinned key. Otherwise
   * 'changed': the contact enters (or stays in) the key-changed condition with this key as `pendingKey`, and the
   * pin does not move. Seeing the pinned key again does not clear a pending change — the user decides.
   * @throws SealdropError CONTACT_UNKNOWN; BAD_KEY if the key is not 32 bytes; write errors.
   */
  async observe(contactId: string, presented: Uint8Array): Promise<'match' | 'changed'> {
    checkKey(presented);
    const presentedKey = presented.slice();
    return this.mutate(async (state) => {
      const contact = requireIn(state, contactId);
      if (equalBytes(contact.identityKey, presentedKey)) return { result: 'match' as const };
      if (contact.pendingKey && equalBytes(contact.pendingKey.identityKey, presentedKey)) {
        return { result: 'changed' as const };
      }
      const pendingKey = {
        identityKey: presentedKey,
        fingerprint: await fingerprintOf(presentedKey),
        seenAt: this.now(),
      };
      return { next: replace(state, { ...contact, pendingKey }), result: 'changed' as const };
    });
  }

  /**
   * The user re-verified the contact after a key change: pin the pending key. The trust level becomes `how` —
   * 'verified' only if they compared the new safety number. The old key moves to previousKeys as 'changed'.
   * @throws SealdropError CONTACT_UNKNOWN; BAD_INPUT if no key change is pending; KEY_ALREADY_PINNED if another
   *   contact pins the new key; write errors.
   */
  async acceptKeyChange(id: string, how: TrustLevel): Promise<Contact> {
    checkLevel(how);
    return this.mutateContact((state) => {
      const contact = requireIn(state, id);
      const pending = contact.pendingKey;
      if (pending === null) fail('BAD_INPUT', 'no key change is pending for this contact');
      checkNotPinnedElsewhere(state, id, pending.identityKey);
      const now = this.now();
      const moved: Contact = {
        ...contact,
        identityKey: pending.identityKey,
        fingerprint: pending.fingerprint,
        state: how,
        verifiedAt: how === 'verified' ? now : null,
        pendingKey: null,
        previousKeys: [...contact.previousKeys, retire(contact, now, 'changed')],
      };
      return { next: replace(state, moved), result: moved };
    });
  }

  /**
   * The user decided the presented key was not their contact's: clear the key-changed condition, keep the pin.
   * @throws SealdropError CONTACT_UNKNOWN; write errors. No-op if nothing is pending.
   */
  async dismissKeyChange(id: string): Promise<Contact> {
    return this.mutateContact((state) => {
      const contact = requireIn(state, id);
      if (contact.pendingKey === null) return { result: contact };
      const kept: Contact = { ...contact, pendingKey: null };
      return { next: replace(state, kept), result: kept };
    });
  }

  /**
   * Follow the contact's own key rotation: the statement must be signed by the pinned key (and by the new key).
   * The pin moves, the trust level and verifiedAt are kept (a rotation is an expected change), the old key goes to
   * previousKeys as 'rotation', and a pending key equal to the new key is resolved. A statement that leads to the
   * key already pinned is accepted as a no-op (delivered twice).
   * @throws SealdropError CONTACT_UNKNOWN; BAD_SIGNATURE if the statement is not validly signed by the pinned key;
   *   ROTATION_REPLAYED if it leads back to a key this contact used before; KEY_ALREADY_PINNED if another contact
   *   pins the new key; write errors.
   */
  async applyRotation(id: string, presented: RotationStatement): Promise<Contact> {
    const statement = copyStatement(presented);
    return this.mutateContact(async (state) => {
      const contact = requireIn(state, id);
      if (equalBytes(statement.newKey, contact.identityKey)) {
        await verifyRotationStatement(statement, statement.oldKey);
        return { result: contact };
      }
      await verifyRotationStatement(statement, contact.identityKey);
      if (contact.previousKeys.some((p) => equalBytes(p.identityKey, statement.newKey))) {
        fail('ROTATION_REPLAYED', 'the rotation leads back to a key this contact no longer uses');
      }
      checkNotPinnedElsewhere(state, id, statement.newKey);
      const now = this.now();
      const pendingResolved = contact.pendingKey && equalBytes(contact.pendingKey.identityKey, statement.newKey);
      const rotated: Contact = {
        ...contact,
        identityKey: statement.newKey,
        fingerprint: await fingerprintOf(statement.newKey),
        pendingKey: pendingResolved ? null : contact.pendingKey,
        previousKeys: [...contact.previousKeys, retire(contact, now, 'rotation')],
      };
      return { next: replace(state, rotated), result: rotated };
    });
  }

  // ---------------------------------------------------------------- internals

  /**
   * Run `change` after every earlier change has settled; if it returns a next state, write it, and only once the
   * write succeeded make it current (write first, then swap).
   */
  private mutate<T>(change: (state: TrustState) => Change<T> | Promise<Change<T>>): Promise<T> {
    const run = async (): Promise<T> => {
      const { next, result } = await change(this.state);
      if (next !== undefined) {
        await this.blobStore.write(TRUST_STORE_DOCUMENT, encodeTrustDocument(next));
        this.state = next;
      }
      return result;
    };
    const done = this.queue.then(run, run);
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** `mutate` for changes that return a contact: the caller gets a copy, never the store's buffers. */
  private async mutateContact(
    change: (state: TrustState) => Change<Contact> | Promise<Change<Contact>>,
  ): Promise<Contact> {
    return cloneContact(await this.mutate(change));
  }

  private find(id: string): Contact | undefined {
    return this.state.contacts.find((c) => c.id === id);
  }

  private require(id: string): Contact {
    return requireIn(this.state, id);
  }

  private now(): number {
    const now = Math.floor(this.clock.now());
    if (!Number.isSafeInteger(now) || now < 0) fail('BAD_INPUT', 'the clock returned an invalid time');
    return now;
  }

  private freshId(state: TrustState): string {
    for (;;) {
      const id = toHex(this.random.bytes(CONTACT_ID_BYTES));
      if (id.length !== CONTACT_ID_BYTES * 2) fail('BAD_INPUT', 'random source returned the wrong length');
      if (!state.contacts.some((c) => c.id === id)) return id;
    }
  }
}

function copyStatement(statement: RotationStatement): RotationStatement {
  return {
    oldKey: statement.oldKey.slice(),
    newKey: statement.newKey.slice(),
    timestamp: statement.timestamp,
    oldSignature: statement.oldSignature.slice(),
    newSignature: statement.newSignature.slice(),
  };
}

function requireIn(state: TrustState, id: string): Contact {
  const contact = state.contacts.find((c) => c.id === id);
  if (!contact) fail('CONTACT_UNKNOWN', 'no such contact');
  return contact;
}

function replace(state: TrustState, contact: Contact): TrustState {
  return { ...state, contacts: state.contacts.map((c) => (c.id === contact.id ? contact : c)) };
}

function retire(contact: Contact, replacedAt: number, reason: 'rotation' | 'changed') {
  return { identityKey: contact.identityKey, fingerprint: contact.fingerprint, replacedAt, reason };
}

function checkNotPinnedElsewhere(state: TrustState, id: string, identityKey: Uint8Array): void {
  if (state.contacts.some((c) => c.id !== id && equalBytes(c.identityKey, identityKey))) {
    fail('KEY_ALREADY_PINNED', 'another contact already pins this key');
  }
}

function checkKey(identityKey: Uint8Array): void {
  if (!(identityKey instanceof Uint8Array) || identityKey.length !== IDENTITY_PUBLIC_KEY_BYTES) {
    fail('BAD_KEY', 'identity keys are 32 bytes');
  }
}

function checkLevel(how: TrustLevel): void {
  if (how !== 'seen' && how !== 'verified') fail('BAD_INPUT', 'trust level must be seen or verified');
}
