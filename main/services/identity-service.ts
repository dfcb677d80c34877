/**
 * This device's identity, as the desktop app's main process holds it: the Ed25519 key lives in the OS keychain
 * (through the injected KeyStore, main/adapters/keychain.ts in the app), is loaded or created on first use, and
 * never leaves this module — callers get signatures, public keys and fingerprints only.
 *
 * Who may sign what (docs/PROTOCOL.md §5.4, §12.6):
 *   renderer, via `sign`       'handshake initiator' | 'handshake responder', 32-byte hash — nothing else. The IPC
 *                              validator already refuses the rest; this check is the second lock, so a new caller
 *                              wired past the validator still cannot have the renderer sign a 'key rotation'.
 *   main, via `signer()`       every context except 'key rotation' (relay registration and path advertisement are
 *                              signed by main/transfer code, which runs the network side).
 *   `rotate` only              'key rotation'.
 *
 * Loading is lazy and retried: a locked or missing keychain makes the first call fail KEYSTORE_UNAVAILABLE (whose
 * message says how to fix it) instead of keeping the app from starting, and the next call tries again.
 *
 * Rotation (an *expected* key change, src/identity/identity-store.ts): a fresh key replaces the stored one, both
 * sign a statement, and the old seed is dropped at once (`confirmRotation`) — the statement is complete without it.
 * No wire message carries statements to contacts yet (PROTOCOL.md §4.6), so `rotate` returns it for the caller to
 * keep. A crash between the two key-store steps leaves `<account>.previous` behind; the next `rotate` then fails
 * BAD_INPUT rather than lose that key silently.
 *
 * `clock` must be a wall clock (milliseconds since the Unix epoch): the rotation timestamp is shown to contacts.
 */

import { toHex } from '../../src/bytes';
import { fail } from '../../src/errors';
import { fingerprintOf, shortFingerprint } from '../../src/identity/fingerprint';
import type { IdentitySigner, SignatureContext } from '../../src/identity/identity';
import {
  confirmRotation,
  encodeRotationStatement,
  IDENTITY_ACCOUNT,
  loadOrCreateIdentity,
  rotateIdentity,
  type RotationStatement,
} from '../../src/identity/identity-store';
import {
  HANDSHAKE_HASH_BYTES,
  RENDERER_SIGNATURE_CONTEXTS,
  type IdentityInfo,
  type RendererSignatureContext,
} from '../../src/ipc/contract';
import type { Clock } from '../../src/ports/clock';
import type { KeyStore } from '../../src/ports/key-store';
import type { Logger } from '../../src/ports/logger';
import { silentLogger } from '../../src/ports/logger';
import type { RandomSource } from '../../src/ports/random';
import { normaliseContactName } from '../../src/trust/contact';

export interface IdentityServiceOptions {
  readonly keyStore: KeyStore;
  readonly random: RandomSource;
  /** A wall clock (see the file header). */
  readonly clock: Clock;
  /** The name this device offers to others (e.g. the host name); normalised like a contact name. */
  readonly deviceName: string;
  /** Key-store account; default "identity". */
  readonly account?: string;
  readonly logger?: Logger;
}

export interface RotationResult {
  /** The new identity. */
  readonly identity: IdentityInfo;
  /** Signed by the old and the new key; what paired devices need to follow the change. */
  readonly statement: RotationStatement;
  /** The statement's 201-byte wire form (PROTOCOL.md §4.6). */
  readonly encoded: Uint8Array;
}

export interface IdentityService {
  /**
   * Fingerprint, short form and name of this device's identity (loading or creating it on first use).
   * @throws SealdropError KEYSTORE_UNAVAILABLE / KEYSTORE_CORRUPT from the key store.
   */
  get(): Promise<IdentityInfo>;
  /** The 32-byte Ed25519 public key (a copy). @throws as `get`. */
  publicKey(): Promise<Uint8Array>;
  /**
   * Sign a handshake transcript hash for the renderer.
   * @throws SealdropError BAD_INPUT for any context other than the two handshake contexts, or a hash that is not
   *   exactly 32 bytes; key-store errors as `get`.
   */
  sign(request: { readonly context: string; readonly hash: Uint8Array }): Promise<Uint8Array>;
  /**
   * A signer bound to the current key for main's own protocol code (pairing, transfers): every context except
   * 'key rotation', which throws BAD_INPUT. It keeps signing with the key it was made for, even after a rotation.
   */
  signer(): Promise<IdentitySigner>;
  /**
   * Replace the identity with a fresh key; the old key signs the move. Serialised with every other call.
   * @throws SealdropError BAD_INPUT if an earlier interrupted rotation left the old key behind; key-store errors.
   */
  rotate(): Promise<RotationResult>;
}

function isRendererContext(context: string): context is RendererSignatureContext {
  return (RENDERER_SIGNATURE_CONTEXTS as readonly string[]).includes(context);
}

async function describe(signer: IdentitySigner, name: string): Promise<IdentityInfo> {
  const fingerprint = await fingerprintOf(signer.publicKey);
  return { fingerprint: toHex(fingerprint), short: shortFingerprint(fingerprint), name };
}

/** A view of `signer` that refuses 'key rotation' (file header). */
function mainSigner(signer: IdentitySigner): IdentitySigner {
  return {
    publicKey: signer.publicKey.slice(),
    async signHash(context: SignatureContext, hash: Uint8Array) {
      if (context === 'key rotation') fail('BAD_INPUT', 'only a rotation signs key rotations');
      return signer.signHash(context, hash);
    },
  };
}

/** Build the identity service; nothing touches the key store until the first call. */
export function createIdentityService(options: IdentityServiceOptions): IdentityService {
  const { keyStore, random, clock } = options;
  const account = options.account ?? IDENTITY_ACCOUNT;
  const logger = options.logger ?? silentLogger;
  const name = normaliseContactName(options.deviceName);

  let current: Promise<IdentitySigner> | null = null;
  // Rotation swaps `current`; every read waits for a rotation in progress so it never signs with a key on its way out.
  let rotation: Promise<unknown> = Promise.resolve();

  const load = (): Promise<IdentitySigner> => {
    current ??= loadOrCreateIdentity(keyStore, random, account).then(
      ({ signer, created }) => {
        logger.info(created ? 'identity.created' : 'identity.loaded');
        return signer;
      },
      (error: unknown) => {
        current = null; // try again on the next call: the user may have unlocked the keyring meanwhile
        throw error;
      },
    );
    return current;
  };
  const signerNow = async (): Promise<IdentitySigner> => {
    await rotation;
    return load();
  };

  return {
    async get() {
      return describe(await signerNow(), name);
    },

    async publicKey() {
      return (await signerNow()).publicKey.slice();
    },

    async sign(request) {
      const { context, hash } = request;
      if (typeof context !== 'string' || !isRendererContext(context)) {
        fail('BAD_INPUT', 'the renderer may sign only handshake transcripts');
      }
      if (!(hash instanceof Uint8Array) || hash.length !== HANDSHAKE_HASH_BYTES) {
        fail('BAD_INPUT', `a handshake hash is ${HANDSHAKE_HASH_BYTES} bytes`);
      }
      const signer = await signerNow();
      return signer.signHash(context, hash.slice());
    },

    async signer() {
      return mainSigner(await signerNow());
    },

    rotate() {
      const run = async (): Promise<RotationResult> => {
        const old = await load();
        const { signer, rotation: statement } = await rotateIdentity(keyStore, random, old, clock, account);
        current = Promise.resolve(signer);
        await confirmRotation(keyStore, account).catch((error: unknown) => {
          // The new key is stored and in use; a left-over previous seed only blocks the next rotation (file header).
          logger.warn('identity.rotation-confirm-failed', { error: error instanceof Error ? error.name : 'unknown' });
        });
        logger.info('identity.rotated');
        return { identity: await describe(signer, name), statement, encoded: encodeRotationStatement(statement) };
      };
      const done = rotation.then(run, run);
      rotation = done.catch(() => undefined);
      return done;
    },
  };
}
