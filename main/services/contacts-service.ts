/**
 * Contacts as the renderer sees them: the trust store (src/trust/trust-store.ts) behind the `contacts:*` channels,
 * plus the checks that make "verified" mean something.
 *
 * Verification re-checks the evidence in main (ADR 0004, contract.ts `VerifyRequest`): the renderer says how the
 * user confirmed — the 60 digits they compared, or the link they scanned from the other device's QR — and main
 * recomputes it for the key it is about to mark verified. The key is the pinned one, or, while a key change is
 * pending, the *pending* one: verifying then pins the new key as verified (`acceptKeyChange(…, 'verified')`).
 * Evidence for another key is IDENTITY_MISMATCH and changes nothing.
 *
 * A key change is a hard stop that only verification lifts. `acceptKeyChange` is never a one-click way out: while
 * the change is pending it refuses KEY_CHANGED ("verify first"); once `verify` has resolved it, it returns the
 * contact unchanged (idempotent, so a renderer that calls it after verifying sees success).
 *
 * Race: the trust store has no compare-and-set, so a handshake could `observe` yet another key between our check
 * and `acceptKeyChange`. We wait for trust-store changes queued before the call, re-read the contact after the
 * (slow) evidence check, and compare the newly pinned key afterwards; if it is not the key the user verified, the
 * verified key is recorded as pending again (the contact stays in the key-changed hard stop) and the call fails
 * KEY_CHANGED. (An `expectedKey` argument on TrustStore.acceptKeyChange would close the gap properly.)
 *
 * Every change is followed by `contacts:changed` with the full list, so every screen shows the same state.
 */

import { equalBytes, toHex } from '../../src/bytes';
import { fail } from '../../src/errors';
import { fingerprintOf, safetyNumber, shortFingerprint } from '../../src/identity/fingerprint';
import { parseLink } from '../../src/identity/link';
import type { ContactInfo, ContactRef, LinkRequest, SafetyNumberInfo, VerifyRequest } from '../../src/ipc/contract';
import type { Contact } from '../../src/trust/contact';
import type { TrustStore } from '../../src/trust/trust-store';
import type { ServiceEvents } from './events';

export interface ContactsServiceOptions {
  readonly trust: TrustStore;
  /** This device's identity key (the other half of every safety number): IdentityService.publicKey. */
  readonly ownKey: () => Promise<Uint8Array>;
  readonly events: ServiceEvents;
  /**
   * Pair with the device that shows `link` (main/transfer/pair.ts `pairAsJoiner`, bound by the composition root)
   * and return the contact it pinned. Without it, `pair` fails INTERNAL.
   */
  readonly pairWith?: (link: string) => Promise<Contact>;
}

export interface ContactsService {
  list(): readonly ContactInfo[];
  /** @throws SealdropError CONTACT_UNKNOWN. */
  safetyNumber(request: ContactRef): Promise<SafetyNumberInfo>;
  /**
   * Mark the contact verified after re-checking the evidence (file header).
   * @throws SealdropError CONTACT_UNKNOWN; IDENTITY_MISMATCH when the digits or the link's fingerprint belong to
   *   another key; a link error (LINK_*) for an unreadable link; KEY_CHANGED if another key arrived meanwhile;
   *   KEY_ALREADY_PINNED if another contact pins the new key; trust-store write errors.
   */
  verify(request: VerifyRequest): Promise<ContactInfo>;
  /** @throws SealdropError CONTACT_UNKNOWN; KEY_CHANGED while a key change awaits verification. */
  acceptKeyChange(request: ContactRef): Promise<ContactInfo>;
  /** @throws SealdropError CONTACT_UNKNOWN; trust-store write errors. */
  forget(request: ContactRef): Promise<void>;
  /** @throws what `pairWith` throws; INTERNAL when pairing is not wired. */
  pair(request: LinkRequest): Promise<ContactInfo>;
  /** Emit `contacts:changed` (other code that changes the trust store, such as a transfer pinning a peer, calls it). */
  notifyChanged(): void;
}

/** The renderer's view of one trust-store record. */
export function contactInfo(contact: Contact): ContactInfo {
  const pending = contact.pendingKey;
  return {
    id: contact.id,
    name: contact.name,
    fingerprint: toHex(contact.fingerprint),
    short: shortFingerprint(contact.fingerprint),
    status: pending !== null ? 'keyChanged' : contact.state,
    addedAt: contact.addedAt,
    verifiedAt: contact.verifiedAt,
    pendingKey:
      pending === null
        ? null
        : { fingerprint: toHex(pending.fingerprint), short: shortFingerprint(pending.fingerprint), seenAt: pending.seenAt },
  };
}

/** The key a verification covers: the pending key during a key change, the pinned key otherwise. */
function keyUnderReview(contact: Contact): { key: Uint8Array; which: 'pinned' | 'pending' } {
  return contact.pendingKey !== null
    ? { key: contact.pendingKey.identityKey, which: 'pending' }
    : { key: contact.identityKey, which: 'pinned' };
}

/** Safety numbers remembered per key pair: each costs 2 × 5200 SHA-512 rounds (~0.5 s), and a screen asks twice. */
const SAFETY_NUMBER_CACHE_SIZE = 64;

export function createContactsService(options: ContactsServiceOptions): ContactsService {
  const { trust, events } = options;
  const numbers = new Map<string, Promise<string>>();

  const safetyNumberFor = async (key: Uint8Array): Promise<string> => {
    const own = await options.ownKey();
    const cacheKey = `${toHex(own)}:${toHex(key)}`;
    let number = numbers.get(cacheKey);
    if (number === undefined) {
      number = safetyNumber(own, key);
      numbers.set(cacheKey, number);
      number.catch(() => numbers.delete(cacheKey));
      if (numbers.size > SAFETY_NUMBER_CACHE_SIZE) numbers.delete(numbers.keys().next().value!);
    }
    return number;
  };

  const list = (): ContactInfo[] => trust.list().map(contactInfo);
  const notifyChanged = (): void => {
    events.emit('contacts:changed', { contacts: list() });
  };
  const contactOf = (id: string): Contact => trust.get(id) ?? fail('CONTACT_UNKNOWN', 'no such contact');

  /**
   * Resolves once every trust-store change queued before it has been committed: `rename` to the current name is a
   * no-op that still passes through the store's mutation queue.
   */
  const settled = async (id: string): Promise<void> => {
    await trust.rename(id, contactOf(id).name);
  };

  const checkEvidence = async (request: VerifyRequest, key: Uint8Array): Promise<void> => {
    if (request.method === 'safety-number') {
      const expected = await safetyNumberFor(key);
      if (request.digits !== expected) fail('IDENTITY_MISMATCH', 'the safety number is not the one for this contact');
      return;
    }
    const link = parseLink(request.link);
    if (!equalBytes(link.fingerprint, await fingerprintOf(key))) {
      fail('IDENTITY_MISMATCH', "the scanned code is not this contact's device");
    }
  };

  return {
    list,
    notifyChanged,

    async safetyNumber({ id }) {
      const { key, which } = keyUnderReview(contactOf(id));
      return { digits: await safetyNumberFor(key), key: which };
    },

    async verify(request) {
      await settled(request.id);
      const { key, which } = keyUnderReview(contactOf(request.id));
      await checkEvidence(request, key);

      const before = contactOf(request.id);
      const stillSame =
        which === 'pending'
          ? before.pendingKey !== null && equalBytes(before.pendingKey.identityKey, key)
          : before.pendingKey === null && equalBytes(before.identityKey, key);
      if (!stillSame) {
        notifyChanged();
        fail('KEY_CHANGED', 'the contact presented another key while you were verifying; verify again');
      }

      let result: Contact;
      try {
        result =
          which === 'pending' ? await trust.acceptKeyChange(request.id, 'verified') : await trust.markVerified(request.id);
      } finally {
        notifyChanged();
      }
      if (which === 'pending' && !equalBytes(result.identityKey, key)) {
        // A different pending key slipped in before our change ran (file header): back into the hard stop.
        await trust.observe(request.id, key);
        notifyChanged();
        fail('KEY_CHANGED', 'the contact presented another key while you were verifying; verify again');
      }
      return contactInfo(result);
    },

    acceptKeyChange({ id }) {
      return Promise.resolve().then(() => {
        const contact = contactOf(id);
        if (contact.pendingKey !== null) {
          fail('KEY_CHANGED', "compare the new safety number (or scan the contact's code) before accepting the new key");
        }
        return contactInfo(contact);
      });
    },

    async forget({ id }) {
      await trust.forget(id);
      notifyChanged();
    },

    async pair({ link }) {
      if (options.pairWith === undefined) fail('INTERNAL', 'pairing is not available');
      try {
        return contactInfo(await options.pairWith(link));
      } finally {
        notifyChanged();
      }
    },
  };
}
