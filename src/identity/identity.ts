/**
 * Long-term device identity: an Ed25519 key pair (RFC 8032) whose public half is the device's name in the protocol.
 *
 * Trust assumptions: the 32-byte seed lives only in the platform key store (OS keychain in the desktop app and the
 * CLI); the core sees it only to build a signer, which holds a non-extractable CryptoKey. An `IdentitySigner` signs
 * nothing but a domain-separated 32-byte hash for one of the fixed contexts below, so no caller can make the identity
 * key sign arbitrary data (a handshake for another protocol, say). There are five contexts (SIGNATURE_CONTEXTS,
 * docs/PROTOCOL.md §5.4): the two handshake ones, 'relay registration' (mailbox proof), 'key rotation' and
 * 'path advertisement' (the sender's PATHS signal, src/signaling/path-messages.ts).
 *
 * The signer built here accepts all five, so restricting callers is up to whoever exposes it. In the desktop app the
 * signer lives in the main process, and the renderer may request only the two handshake contexts, 'handshake
 * initiator' and 'handshake responder': never 'key rotation', 'relay registration' or 'path advertisement'. A
 * compromised renderer that could sign a rotation statement could move every contact onto a key the attacker holds
 * (docs/PROTOCOL.md §12.6). main/services/identity-service.ts enforces this (behind the IPC validator in
 * src/ipc/contract.ts). Main's own signer, for its transfer and pairing code, refuses only 'key rotation', which
 * only the service's `rotate` signs.
 *
 * Signed message layout (docs/PROTOCOL.md §5.4):
 *   utf8("sealdrop/v1 signature ") ‖ utf8(context) ‖ 0x00 ‖ hash[32]
 */

import { concatBytes, utf8 } from '../bytes';
import { ed25519FromSeed, ed25519Sign, ed25519Verify } from '../crypto/primitives';
import { fail } from '../errors';
import type { RandomSource } from '../ports/random';

export const IDENTITY_SEED_BYTES = 32;
export const IDENTITY_PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;

/** Every purpose an identity key may sign for; each gets its own prefix so signatures never cross purposes. */
export const SIGNATURE_CONTEXTS = [
  'handshake initiator',
  'handshake responder',
  'relay registration',
  'key rotation',
  'path advertisement',
] as const;
export type SignatureContext = (typeof SIGNATURE_CONTEXTS)[number];

/** The only signing capability the protocol needs from an identity. */
export interface IdentitySigner {
  /** 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** Sign a 32-byte hash under a fixed context; throws BAD_INPUT for anything else. */
  signHash(context: SignatureContext, hash: Uint8Array): Promise<Uint8Array>;
}

/** The exact bytes an identity key signs for `context` and `hash`. */
export function signedMessage(context: SignatureContext, hash: Uint8Array): Uint8Array {
  if (!SIGNATURE_CONTEXTS.includes(context)) fail('BAD_INPUT', 'unknown signature context');
  if (hash.length !== 32) fail('BAD_INPUT', 'signatures cover a 32-byte hash');
  return concatBytes(utf8('sealdrop/v1 signature '), utf8(context), Uint8Array.of(0), hash);
}

/** A fresh 32-byte identity seed from the injected CSPRNG. */
export function generateIdentitySeed(random: RandomSource): Uint8Array {
  const seed = random.bytes(IDENTITY_SEED_BYTES);
  if (seed.length !== IDENTITY_SEED_BYTES) fail('BAD_INPUT', 'random source returned the wrong length');
  return seed;
}

/** Build a signer from a seed. The seed is not retained; callers wipe their copy when done. */
export async function identityFromSeed(seed: Uint8Array): Promise<IdentitySigner> {
  const pair = await ed25519FromSeed(seed);
  const publicKey = pair.publicKey.slice();
  return {
    publicKey,
    signHash: (context, hash) => ed25519Sign(pair.privateKey, signedMessage(context, hash)),
  };
}

/** Verify a signature made with `signHash`. Never throws for malformed input: it returns false. */
export async function verifyHashSignature(
  publicKey: Uint8Array,
  context: SignatureContext,
  hash: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  if (hash.length !== 32 || !SIGNATURE_CONTEXTS.includes(context)) return false;
  return ed25519Verify(publicKey, signedMessage(context, hash), signature);
}
