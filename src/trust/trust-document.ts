/**
 * The trust store's persistent form: one versioned JSON document, stored through the BlobStore port under the name
 * "trust-store".
 *
 * Trust assumptions: the document sits in the user's profile, where other local software (or a sync tool, or a
 * half-finished restore) may damage it. Losing a pin silently would turn the next key change into a harmless-looking
 * first contact, so decoding is all-or-nothing: any deviation from the layout below throws TRUST_STORE_CORRUPT and
 * no contact is ever dropped or repaired on the quiet. The document is not authenticated — anyone who can write the
 * profile can also replace the application — so integrity against local attackers is out of scope.
 *
 * Layout, version 1 (UTF-8 JSON; every object has exactly the fields shown; keys and fingerprints are lowercase hex
 * of 32 bytes; times are non-negative integer milliseconds of the local wall clock):
 *
 *   {
 *     "format": "sealdrop-trust-store",
 *     "version": 1,
 *     "requireLevel3": true,
 *     "contacts": [
 *       {
 *         "id": "<32 hex>", "name": "<normalised name>",
 *         "identityKey": "<64 hex>", "fingerprint": "<64 hex>",
 *         "state": "seen" | "verified", "addedAt": 0, "verifiedAt": <int, iff verified> | null,
 *         "pendingKey": null | { "identityKey": "<64 hex>", "fingerprint": "<64 hex>", "seenAt": 0 },
 *         "previousKeys": [ { "identityKey": "<64 hex>", "fingerprint": "<64 hex>", "replacedAt": 0,
 *                             "reason": "rotation" | "changed" } ]
 *       }
 *     ]
 *   }
 *
 * Further checks: every fingerprint equals fingerprintOf(its key) (identity/fingerprint.ts); contact ids are unique;
 * no two contacts pin the same key; a pending key differs from the pinned key; the name is already in the canonical
 * form `normaliseContactName` produces.
 */

import { equalBytes, fromHex, fromUtf8, toHex, utf8 } from '../bytes';
import { errorCodeOf, fail } from '../errors';
import { FINGERPRINT_BYTES, fingerprintOf } from '../identity/fingerprint';
import { IDENTITY_PUBLIC_KEY_BYTES } from '../identity/identity';
import {
  CONTACT_ID_BYTES,
  normaliseContactName,
  type Contact,
  type KeyReplacementReason,
  type PendingKey,
  type PreviousKey,
  type TrustLevel,
} from './contact';

export const TRUST_STORE_DOCUMENT = 'trust-store';
export const TRUST_DOCUMENT_FORMAT = 'sealdrop-trust-store';
export const TRUST_DOCUMENT_VERSION = 1;

/** Everything the trust store persists. */
export interface TrustState {
  readonly requireLevel3: boolean;
  readonly contacts: readonly Contact[];
}

export const EMPTY_TRUST_STATE: TrustState = Object.freeze({ requireLevel3: true, contacts: Object.freeze([]) });

// ---------------------------------------------------------------- encode

/** The version-1 document for `state`, fields in a fixed order so equal states give equal bytes. */
export function encodeTrustDocument(state: TrustState): Uint8Array {
  const keyPair = (key: { identityKey: Uint8Array; fingerprint: Uint8Array }) => ({
    identityKey: toHex(key.identityKey),
    fingerprint: toHex(key.fingerprint),
  });
  const document = {
    format: TRUST_DOCUMENT_FORMAT,
    version: TRUST_DOCUMENT_VERSION,
    requireLevel3: state.requireLevel3,
    contacts: state.contacts.map((contact) => ({
      id: contact.id,
      name: contact.name,
      ...keyPair(contact),
      state: contact.state,
      addedAt: contact.addedAt,
      verifiedAt: contact.verifiedAt,
      pendingKey: contact.pendingKey && { ...keyPair(contact.pendingKey), seenAt: contact.pendingKey.seenAt },
      previousKeys: contact.previousKeys.map((previous) => ({
        ...keyPair(previous),
        replacedAt: previous.replacedAt,
        reason: previous.reason,
      })),
    })),
  };
  return utf8(JSON.stringify(document));
}

// ---------------------------------------------------------------- decode

function corrupt(message: string): never {
  return fail('TRUST_STORE_CORRUPT', `trust store: ${message}`);
}

type Json = Record<string, unknown>;

/** `value` must be a plain object with exactly `fields`. */
function object(value: unknown, fields: readonly string[], what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) corrupt(`${what} is not an object`);
  const keys = Object.keys(value);
  if (keys.length !== fields.length || !fields.every((field) => Object.hasOwn(value, field))) {
    corrupt(`${what} does not have exactly the expected fields`);
  }
  return value as Json;
}

function hex(value: unknown, bytes: number, what: string): Uint8Array {
  if (typeof value !== 'string' || value.length !== bytes * 2 || !/^[0-9a-f]*$/.test(value)) {
    corrupt(`${what} is not ${bytes} bytes of lowercase hex`);
  }
  return fromHex(value, 'TRUST_STORE_CORRUPT');
}

function time(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) corrupt(`${what} is not a valid time`);
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) corrupt(`${what} is not valid`);
  return value as T;
}

/** A key with its fingerprint; the fingerprint must be the key's. */
async function keyPair(value: Json, what: string): Promise<{ identityKey: Uint8Array; fingerprint: Uint8Array }> {
  const identityKey = hex(value['identityKey'], IDENTITY_PUBLIC_KEY_BYTES, `${what} key`);
  const fingerprint = hex(value['fingerprint'], FINGERPRINT_BYTES, `${what} fingerprint`);
  if (!equalBytes(await fingerprintOf(identityKey), fingerprint)) corrupt(`${what} fingerprint does not match its key`);
  return { identityKey, fingerprint };
}

const CONTACT_FIELDS = [
  'id', 'name', 'identityKey', 'fingerprint', 'state', 'addedAt', 'verifiedAt', 'pendingKey', 'previousKeys',
] as const;

async function decodeContact(value: unknown, index: number): Promise<Contact> {
  const what = `contact ${index}`;
  const record = object(value, CONTACT_FIELDS, what);
  const id = record['id'];
  if (typeof id !== 'string' || id.length !== CONTACT_ID_BYTES * 2 || !/^[0-9a-f]*$/.test(id)) {
    corrupt(`${what} id is not ${CONTACT_ID_BYTES} bytes of lowercase hex`);
  }
  const name = record['name'];
  if (typeof name !== 'string' || !isCanonicalName(name)) corrupt(`${what} name is not valid`);
  const pinned = await keyPair(record, what);
  const state = oneOf<TrustLevel>(record['state'], ['seen', 'verified'], `${what} state`);
  const addedAt = time(record['addedAt'], `${what} addedAt`);
  const verifiedAt = state === 'verified' ? time(record['verifiedAt'], `${what} verifiedAt`) : record['verifiedAt'];
  if (verifiedAt !== null && state === 'seen') corrupt(`${what} is unverified but has a verification time`);

  let pendingKey: PendingKey | null = null;
  if (record['pendingKey'] !== null) {
    const pending = object(record['pendingKey'], ['identityKey', 'fingerprint', 'seenAt'], `${what} pending key`);
    pendingKey = { ...(await keyPair(pending, `${what} pending`)), seenAt: time(pending['seenAt'], `${what} seenAt`) };
    if (equalBytes(pendingKey.identityKey, pinned.identityKey)) corrupt(`${what} pending key equals the pinned key`);
  }

  const history = record['previousKeys'];
  if (!Array.isArray(history)) corrupt(`${what} previousKeys is not an array`);
  const previousKeys: PreviousKey[] = [];
  for (const [i, entry] of history.entries()) {
    const previous = object(entry, ['identityKey', 'fingerprint', 'replacedAt', 'reason'], `${what} previous key ${i}`);
    previousKeys.push({
      ...(await keyPair(previous, `${what} previous key ${i}`)),
      replacedAt: time(previous['replacedAt'], `${what} replacedAt`),
      reason: oneOf<KeyReplacementReason>(previous['reason'], ['rotation', 'changed'], `${what} reason`),
    });
  }
  return { id, name, ...pinned, state, addedAt, verifiedAt: verifiedAt as number | null, pendingKey, previousKeys };
}

function isCanonicalName(name: string): boolean {
  try {
    return normaliseContactName(name) === name;
  } catch (error) {
    if (errorCodeOf(error) === 'BAD_INPUT') return false;
    throw error;
  }
}

/**
 * Parse and check a stored document (see the file header for every rule).
 * @throws SealdropError TRUST_STORE_CORRUPT for invalid UTF-8 or JSON, an unknown format or version, and any field
 *   that breaks the layout — never a partial result.
 */
export async function decodeTrustDocument(bytes: Uint8Array): Promise<TrustState> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(bytes, 'TRUST_STORE_CORRUPT'));
  } catch (error) {
    if (errorCodeOf(error) === 'TRUST_STORE_CORRUPT') throw error;
    return fail('TRUST_STORE_CORRUPT', 'trust store: not JSON', error);
  }
  // Check the version before the field set, so a future document says "unknown version", not "unexpected field".
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) corrupt('document is not an object');
  const header = parsed as Json;
  if (header['format'] !== TRUST_DOCUMENT_FORMAT) corrupt('not a trust-store document');
  if (header['version'] !== TRUST_DOCUMENT_VERSION) corrupt('unsupported document version');
  const document = object(parsed, ['format', 'version', 'requireLevel3', 'contacts'], 'document');
  const requireLevel3 = document['requireLevel3'];
  if (typeof requireLevel3 !== 'boolean') corrupt('requireLevel3 is not a boolean');
  const list = document['contacts'];
  if (!Array.isArray(list)) corrupt('contacts is not an array');

  const contacts: Contact[] = [];
  const ids = new Set<string>();
  const keys = new Set<string>();
  for (const [index, value] of list.entries()) {
    const contact = await decodeContact(value, index);
    const keyHex = toHex(contact.identityKey);
    if (ids.has(contact.id)) corrupt(`contact ${index} repeats an id`);
    if (keys.has(keyHex)) corrupt(`contact ${index} pins a key another contact pins`);
    ids.add(contact.id);
    keys.add(keyHex);
    contacts.push(contact);
  }
  return { requireLevel3, contacts };
}
