/**
 * The contact record the trust store keeps: a person's device, named locally, with the identity key we pinned.
 *
 * Trust model (DECISIONS.md 6): a pin is only as good as the first contact that produced it, so the record says how
 * the key was confirmed. 'seen' means the key arrived over an authenticated first contact (a link carrying its
 * fingerprint or our link secret) but nobody compared the safety number; 'verified' means the people compared it
 * or scanned the QR. A key that arrived over an unverified (Level 2) session must not be pinned at all: pins count
 * as Level 3 in the handshake.
 *
 * A presented key that differs from the pin is a hard stop. The record then carries `pendingKey` — the
 * "key changed" condition — and the pinned key stays the one the handshake demands until the user re-verifies.
 * Keys we moved away from stay in `previousKeys`, so the history is visible and retired keys cannot come back
 * through a replayed rotation statement.
 *
 * Records are plain data (strings, numbers, null, Uint8Array): structured-clonable across IPC and encoded to JSON
 * by trust-document.ts. The store hands out copies; mutating one changes nothing.
 */

import { fail } from '../errors';

export type TrustLevel = 'seen' | 'verified';

/** What `TrustStore.status` reports: the trust level, or the key-changed hard stop that overrides it. */
export type ContactStatus = TrustLevel | 'keyChanged';

export type KeyReplacementReason = 'rotation' | 'changed';

/** A key this contact used before, and why we stopped accepting it. */
export interface PreviousKey {
  readonly identityKey: Uint8Array;
  readonly fingerprint: Uint8Array;
  /** Local wall-clock milliseconds when the pin moved away from this key. */
  readonly replacedAt: number;
  /** 'rotation': a valid statement signed by this key; 'changed': the user accepted an unexplained change. */
  readonly reason: KeyReplacementReason;
}

/** A key a peer presented for this contact that is not the pinned one (the last such key seen). */
export interface PendingKey {
  readonly identityKey: Uint8Array;
  readonly fingerprint: Uint8Array;
  readonly seenAt: number;
}

export interface Contact {
  /** Random, 16 bytes as 32 lowercase hex characters; local only, never sent to anyone, stable for life. */
  readonly id: string;
  /** Display name chosen locally (see `normaliseContactName`). */
  readonly name: string;
  /** The pinned Ed25519 identity key (32 bytes): the only key the handshake accepts for this contact. */
  readonly identityKey: Uint8Array;
  /** fingerprintOf(identityKey), kept so lookups by link fingerprint need no hashing. */
  readonly fingerprint: Uint8Array;
  readonly state: TrustLevel;
  readonly addedAt: number;
  /** When the current key was verified; null exactly when `state` is 'seen'. */
  readonly verifiedAt: number | null;
  /** Set while the contact is in the key-changed condition; null otherwise. */
  readonly pendingKey: PendingKey | null;
  /** Oldest first. */
  readonly previousKeys: readonly PreviousKey[];
}

export const CONTACT_ID_BYTES = 16;
export const MAX_CONTACT_NAME_LENGTH = 128;

// C0/C1 controls, and the bidirectional embeddings/overrides/isolates that can make one name display as another.
const FORBIDDEN_NAME_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u;

/**
 * The canonical form of a contact name: trimmed, 1..128 UTF-16 code units, no control or bidi-override characters.
 * @throws SealdropError BAD_INPUT otherwise.
 */
export function normaliseContactName(name: string): string {
  if (typeof name !== 'string') fail('BAD_INPUT', 'a contact name is a string');
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_CONTACT_NAME_LENGTH) {
    fail('BAD_INPUT', `a contact name has 1 to ${MAX_CONTACT_NAME_LENGTH} characters`);
  }
  if (FORBIDDEN_NAME_CHARACTERS.test(trimmed)) fail('BAD_INPUT', 'a contact name may not contain control characters');
  return trimmed;
}

/** A deep copy, so callers never share buffers with the store. */
export function cloneContact(contact: Contact): Contact {
  return {
    ...contact,
    identityKey: contact.identityKey.slice(),
    fingerprint: contact.fingerprint.slice(),
    pendingKey: contact.pendingKey && {
      ...contact.pendingKey,
      identityKey: contact.pendingKey.identityKey.slice(),
      fingerprint: contact.pendingKey.fingerprint.slice(),
    },
    previousKeys: contact.previousKeys.map((previous) => ({
      ...previous,
      identityKey: previous.identityKey.slice(),
      fingerprint: previous.fingerprint.slice(),
    })),
  };
}
