/**
 * Where the device identity comes from, and how it is replaced: load-or-create against the key-store port, and key
 * rotation with a statement that lets contacts move their pin without a new out-of-band verification.
 *
 * Trust assumptions:
 * - The key store (OS keychain) protects the 32-byte seed at rest. The core holds a seed only while it builds a
 *   signer and wipes its copy straight after, so adapters must copy what `save` gives them (the memory fake does).
 * - A rotation statement proves exactly one thing: the holder of the OLD key named the new key. Contacts that
 *   pinned the old key may therefore follow it without re-verifying (src/trust/trust-store.ts `applyRotation`).
 *   It is no remedy for a stolen key — a thief can rotate too. After a compromise the user must re-verify by
 *   safety number, which the trust store treats as a 'changed' key, a hard stop.
 * - The new key signs the statement as well (proof of possession), so nobody can rotate their contacts onto a key
 *   they do not hold, such as another person's key. Not strictly needed for the old key's claim, but it costs one
 *   signature and removes a class of confusing "two contacts, one key" states.
 *
 * Key-store accounts (default account "identity"):
 *   <account>            the current seed, 32 bytes
 *   <account>.previous   the seed before the last rotation, kept until `confirmRotation` (so an interrupted
 *                        rotation never loses the key that contacts still pin); at most one rotation is pending
 *
 * Rotation statement. Hashed message (SHA-256), which the old and the new key each sign with `signHash` under the
 * context "key rotation" (identity.ts, docs/PROTOCOL.md §5.4 for the signature prefix):
 *
 *   utf8("sealdrop/v1 key rotation") ‖ 0x00 ‖ version u8 = 1 ‖ oldKey[32] ‖ newKey[32] ‖ timestamp u64
 *
 * Wire encoding (big-endian), exactly 201 bytes:
 *
 *   offset  size  field
 *   0       1     version = 1 (ROTATION_STATEMENT_VERSION)
 *   1       32    old identity key (Ed25519 public key)
 *   33      32    new identity key; must differ from the old one
 *   65      8     timestamp u64, milliseconds of the rotating device's wall clock (≤ 2^53 − 1). Informational:
 *                 it is signed, so it cannot be altered, but nothing relies on it for freshness.
 *   73      64    old key's signature over the hash
 *   137     64    new key's signature over the same hash
 */

import { ByteReader, ByteWriter, equalBytes, utf8, wipe } from '../bytes';
import { sha256 } from '../crypto/primitives';
import { fail } from '../errors';
import type { Clock } from '../ports/clock';
import type { KeyStore } from '../ports/key-store';
import type { RandomSource } from '../ports/random';
import {
  generateIdentitySeed,
  IDENTITY_PUBLIC_KEY_BYTES,
  IDENTITY_SEED_BYTES,
  identityFromSeed,
  SIGNATURE_BYTES,
  verifyHashSignature,
  type IdentitySigner,
} from './identity';

export const IDENTITY_ACCOUNT = 'identity';
export const ROTATION_STATEMENT_VERSION = 1;
export const ROTATION_STATEMENT_BYTES = 1 + 32 + 32 + 8 + 64 + 64;
const ROTATION_DOMAIN = utf8('sealdrop/v1 key rotation');

/** The key-store account that holds the seed replaced by the last, unconfirmed rotation of `account`. */
export function previousAccountOf(account: string): string {
  return `${account}.previous`;
}

/**
 * Load the identity stored under `account`, or create, store and return a fresh one.
 * The seed is wiped as soon as the signer exists (the signer keeps a non-extractable CryptoKey).
 * @throws SealdropError KEYSTORE_CORRUPT if the stored value is not exactly 32 bytes; whatever the key store throws
 *   (KEYSTORE_UNAVAILABLE when it is unreachable). Nothing is overwritten when the stored value is unusable.
 */
export async function loadOrCreateIdentity(
  keyStore: KeyStore,
  random: RandomSource,
  account = IDENTITY_ACCOUNT,
): Promise<{ signer: IdentitySigner; created: boolean }> {
  const stored = await keyStore.load(account);
  if (stored !== null) {
    try {
      return { signer: await signerFromStored(stored), created: false };
    } finally {
      wipe(stored);
    }
  }
  const seed = generateIdentitySeed(random);
  try {
    // Build the signer before saving, so a seed that cannot be used is never persisted.
    const signer = await identityFromSeed(seed);
    await keyStore.save(account, seed);
    return { signer, created: true };
  } finally {
    wipe(seed);
  }
}

async function signerFromStored(stored: Uint8Array): Promise<IdentitySigner> {
  if (stored.length !== IDENTITY_SEED_BYTES) fail('KEYSTORE_CORRUPT', 'stored identity is not a 32-byte seed');
  return identityFromSeed(stored);
}

/** Proof that the holder of `oldKey` moved to `newKey` (see the file header for the signed bytes). */
export interface RotationStatement {
  readonly oldKey: Uint8Array;
  readonly newKey: Uint8Array;
  /** Milliseconds on the rotating device's wall clock; signed, informational. */
  readonly timestamp: number;
  /** `oldKey`'s signature over `rotationHash`, context "key rotation". */
  readonly oldSignature: Uint8Array;
  /** `newKey`'s signature over the same hash (proof of possession). */
  readonly newSignature: Uint8Array;
}

/**
 * SHA-256 of the domain-separated rotation message (file header).
 * @throws SealdropError BAD_INPUT if a key is not 32 bytes, the keys are equal, or the timestamp is not a u64 that
 *   fits 2^53 − 1.
 */
export async function rotationHash(oldKey: Uint8Array, newKey: Uint8Array, timestamp: number): Promise<Uint8Array> {
  if (oldKey.length !== IDENTITY_PUBLIC_KEY_BYTES || newKey.length !== IDENTITY_PUBLIC_KEY_BYTES) {
    fail('BAD_INPUT', 'identity keys are 32 bytes');
  }
  if (equalBytes(oldKey, newKey)) fail('BAD_INPUT', 'a rotation must change the key');
  const message = new ByteWriter(ROTATION_DOMAIN.length + 1 + 1 + 64 + 8)
    .bytes(ROTATION_DOMAIN)
    .u8(0)
    .u8(ROTATION_STATEMENT_VERSION)
    .bytes(oldKey)
    .bytes(newKey)
    .u64(timestamp)
    .finish();
  return sha256(message);
}

/**
 * Have both identities sign the move from `oldSigner` to `newSigner` at `timestamp`.
 * @throws SealdropError BAD_INPUT as `rotationHash`, or whatever the signers throw.
 */
export async function signRotation(
  oldSigner: IdentitySigner,
  newSigner: IdentitySigner,
  timestamp: number,
): Promise<RotationStatement> {
  const hash = await rotationHash(oldSigner.publicKey, newSigner.publicKey, timestamp);
  return {
    oldKey: oldSigner.publicKey.slice(),
    newKey: newSigner.publicKey.slice(),
    timestamp,
    oldSignature: await oldSigner.signHash('key rotation', hash),
    newSignature: await newSigner.signHash('key rotation', hash),
  };
}

/**
 * Check that `statement` was signed by `oldKey` (the key the caller has pinned) and by the key it names as new.
 * Returns only when both signatures hold; never returns a boolean to forget.
 * @throws SealdropError BAD_SIGNATURE if the statement is not from `oldKey`, is malformed, or either signature fails.
 */
export async function verifyRotationStatement(statement: RotationStatement, oldKey: Uint8Array): Promise<void> {
  const { newKey, timestamp, oldSignature, newSignature } = statement;
  if (
    statement.oldKey.length !== IDENTITY_PUBLIC_KEY_BYTES ||
    newKey.length !== IDENTITY_PUBLIC_KEY_BYTES ||
    oldSignature.length !== SIGNATURE_BYTES ||
    newSignature.length !== SIGNATURE_BYTES ||
    !Number.isSafeInteger(timestamp) ||
    timestamp < 0 ||
    equalBytes(statement.oldKey, newKey)
  ) {
    fail('BAD_SIGNATURE', 'malformed rotation statement');
  }
  if (!equalBytes(statement.oldKey, oldKey)) fail('BAD_SIGNATURE', 'the rotation statement is not from this key');
  const hash = await rotationHash(oldKey, newKey, timestamp);
  const byOld = await verifyHashSignature(oldKey, 'key rotation', hash, oldSignature);
  const byNew = await verifyHashSignature(newKey, 'key rotation', hash, newSignature);
  if (!byOld || !byNew) fail('BAD_SIGNATURE', 'rotation statement signature is invalid');
}

/** The 201-byte wire form of a rotation statement (file header). @throws SealdropError BAD_INPUT on wrong lengths. */
export function encodeRotationStatement(statement: RotationStatement): Uint8Array {
  const { oldKey, newKey, oldSignature, newSignature } = statement;
  if (oldKey.length !== IDENTITY_PUBLIC_KEY_BYTES || newKey.length !== IDENTITY_PUBLIC_KEY_BYTES) {
    fail('BAD_INPUT', 'identity keys are 32 bytes');
  }
  if (oldSignature.length !== SIGNATURE_BYTES || newSignature.length !== SIGNATURE_BYTES) {
    fail('BAD_INPUT', 'signatures are 64 bytes');
  }
  return new ByteWriter(ROTATION_STATEMENT_BYTES)
    .u8(ROTATION_STATEMENT_VERSION)
    .bytes(oldKey)
    .bytes(newKey)
    .u64(statement.timestamp)
    .bytes(oldSignature)
    .bytes(newSignature)
    .finish();
}

/**
 * Parse the wire form strictly. Decoding checks shape only: call `verifyRotationStatement` before trusting it.
 * @throws SealdropError BAD_ENCODING for any length other than 201 bytes, an unknown version, a timestamp above
 *   2^53 − 1, or equal old and new keys.
 */
export function decodeRotationStatement(bytes: Uint8Array): RotationStatement {
  if (bytes.length !== ROTATION_STATEMENT_BYTES) fail('BAD_ENCODING', 'rotation statement has the wrong length');
  const reader = new ByteReader(bytes, 'BAD_ENCODING');
  if (reader.u8() !== ROTATION_STATEMENT_VERSION) fail('BAD_ENCODING', 'unsupported rotation statement version');
  const oldKey = reader.bytes(IDENTITY_PUBLIC_KEY_BYTES);
  const newKey = reader.bytes(IDENTITY_PUBLIC_KEY_BYTES);
  const timestamp = reader.u64();
  const oldSignature = reader.bytes(SIGNATURE_BYTES);
  const newSignature = reader.bytes(SIGNATURE_BYTES);
  reader.end();
  if (equalBytes(oldKey, newKey)) fail('BAD_ENCODING', 'rotation statement does not change the key');
  return { oldKey, newKey, timestamp, oldSignature, newSignature };
}

/**
 * Replace the identity stored under `account` with a fresh one and return the new signer with the statement to
 * hand to contacts. The old seed stays under `<account>.previous` until `confirmRotation`.
 *
 * Order, for crash safety: sign first (nothing is written if signing fails), then save the old seed under
 * `.previous`, then the new seed under `account`. A crash between the two saves leaves `.previous` equal to the
 * current seed, which a later rotation recognises and overwrites.
 *
 * `clock` must be a wall clock (milliseconds since the Unix epoch): the timestamp is shown to contacts.
 * @throws SealdropError BAD_INPUT if `current` is not the identity stored under `account`, or if an earlier
 *   rotation is still unconfirmed (its old seed would be lost); KEYSTORE_CORRUPT if a stored seed is not 32 bytes;
 *   whatever the key store throws (KEYSTORE_UNAVAILABLE).
 */
export async function rotateIdentity(
  keyStore: KeyStore,
  random: RandomSource,
  current: IdentitySigner,
  clock: Clock,
  account = IDENTITY_ACCOUNT,
): Promise<{ signer: IdentitySigner; rotation: RotationStatement }> {
  const previousAccount = previousAccountOf(account);
  let storedSeed: Uint8Array | null = null;
  let pendingSeed: Uint8Array | null = null;
  let newSeed: Uint8Array | undefined;
  try {
    storedSeed = await keyStore.load(account);
    if (storedSeed === null) fail('BAD_INPUT', 'there is no stored identity to rotate');
    const stored = await signerFromStored(storedSeed);
    if (!equalBytes(stored.publicKey, current.publicKey)) {
      fail('BAD_INPUT', 'the identity to rotate is not the stored identity');
    }
    pendingSeed = await keyStore.load(previousAccount);
    if (pendingSeed !== null && !equalBytes(pendingSeed, storedSeed)) {
      fail('BAD_INPUT', 'an earlier rotation is not confirmed yet');
    }

    newSeed = generateIdentitySeed(random);
    const signer = await identityFromSeed(newSeed);
    const timestamp = Math.floor(clock.now());
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) fail('BAD_INPUT', 'the clock returned an invalid time');
    const rotation = await signRotation(current, signer, timestamp);

    await keyStore.save(previousAccount, storedSeed);
    await keyStore.save(account, newSeed);
    return { signer, rotation };
  } finally {
    wipe(storedSeed ?? undefined, pendingSeed ?? undefined, newSeed);
  }
}

/**
 * The rotation's statement has reached the contacts that matter: forget the old seed for good.
 * Idempotent. @throws whatever the key store throws (KEYSTORE_UNAVAILABLE).
 */
export async function confirmRotation(keyStore: KeyStore, account = IDENTITY_ACCOUNT): Promise<void> {
  await keyStore.remove(previousAccountOf(account));
}
