/**
 * The Level 3 handshake: a SIGMA-I signed Diffie-Hellman (Krawczyk, "SIGMA: the 'SIGn-and-MAc' Approach to
 * Authenticated Diffie-Hellman", CRYPTO 2003, §5.2), shaped like TLS 1.3's 1-RTT handshake (RFC 8446 §2) with an
 * optional pre-shared key from the link (like RFC 8446 psk_dhe_ke, §4.2.9).
 *
 *   Initiator (joins the room)                                   Responder (created the room)
 *   HELLO        versions, flags, sessionId, e_I      ──────────▶
 *                                                     ◀──────────  HANDSHAKE_REPLY  version, flags, e_R,
 *                                                                  {id_R, intent, manifestHash, name, sig_R, fin_R}k_R
 *   HANDSHAKE_FINISH {id_I, intent, manifestHash, name, sig_I, fin_I}k_I ──────────▶
 *
 * Identities and signatures travel only inside {…} (AES-256-GCM under handshake keys), so a passive relay learns
 * neither identity; an active relay can learn the responder's identity (as in SIGMA-I and TLS) but not the
 * initiator's, and can substitute nothing without a failure:
 *   - a modified cleartext field, a different session id, a different DTLS fingerprint, or a missing/wrong link
 *     secret changes TH₁ or the keys → the sealed part fails to open → TRANSCRIPT_MISMATCH;
 *   - an identity key that is not the signer's → BAD_SIGNATURE;
 *   - a valid signer that is not the pinned / linked identity → IDENTITY_MISMATCH (a hard stop, never a prompt);
 *   - a lower version than both sides support, or the link flag stripped → DOWNGRADE.
 * Outcomes (docs/PROTOCOL.md §5.6): Level 3 when the peer key equals a pinned key or the link's fingerprint, or —
 * for the side that issued the link — when the link secret was in the key schedule; otherwise Level 2, which the
 * caller must show as unverified and may refuse (`requireLevel3` → LEVEL3_REQUIRED). A configured expectation is
 * never relaxed: a peer that pinned the other cannot be talked down to Level 2.
 *
 * Trust assumptions: the signer's private key is secret; the random source is a CSPRNG; the link (when used) came
 * out of band. Nothing from the network is trusted until the checks above pass.
 */

import { equalBytes, wipe } from '../bytes';
import { aesGcmDecrypt, aesGcmEncrypt, hmacSha256, importAesGcmKey, x25519, x25519FromSecret } from '../crypto/primitives';
import type { X25519KeyPair } from '../crypto/primitives';
import { fail, SealdropError } from '../errors';
import { fingerprintOf } from '../identity/fingerprint';
import { verifyHashSignature, type IdentitySigner, type SignatureContext } from '../identity/identity';
import { PROTOCOL_VERSION } from '../frames/frames';
import type { RandomSource } from '../ports/random';
import {
  encodeTransportBinding,
  expandLabel,
  handshakeSecret,
  sessionSecrets,
  Transcript,
  type SessionSecrets,
  type TransportBinding,
} from './key-schedule';
import {
  decodeFinish,
  decodeHello,
  decodeIdentityPayload,
  decodeReply,
  encodeHello,
  encodeIdentityBody,
  encodeReplyClear,
  encodeSealedPart,
  FLAG_LINK_SECRET,
  SESSION_ID_BYTES,
  type Intent,
} from './messages';

export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export const SUPPORTED_VERSIONS: VersionRange = { min: 1, max: PROTOCOL_VERSION };

/** What this side knows about the peer before the handshake. */
export interface PeerExpectation {
  /** The peer must hold exactly this identity key (a pinned contact). */
  readonly pinnedKey?: Uint8Array;
  /** The peer must hold the key with this fingerprint (from a link we received). */
  readonly linkFingerprint?: Uint8Array;
  /** We issued the link whose secret is the psk: whoever completes the handshake got the link from us. */
  readonly linkIssued?: boolean;
  /** Trust-store lookup for a peer we did not expect by name: true if this key is pinned. */
  readonly isPinned?: (identityKey: Uint8Array) => boolean;
}

export interface HandshakeConfig {
  readonly signer: IdentitySigner;
  readonly random: RandomSource;
  /** The room / session id both sides agreed on (16 bytes). */
  readonly sessionId: Uint8Array;
  /** The link's link secret (single-use room), when a link was used. */
  readonly psk?: Uint8Array;
  readonly binding: TransportBinding;
  readonly intent: Intent;
  /** Required when `intent` is 'send': hash of the manifest that will be offered. */
  readonly manifestHash?: Uint8Array;
  readonly name?: string;
  readonly expect: PeerExpectation;
  readonly requireLevel3?: boolean;
  readonly versions?: VersionRange;
}

export type VerifiedBy = 'pin' | 'link-fingerprint' | 'link-secret' | 'none';

export interface PeerInfo {
  readonly identityKey: Uint8Array;
  readonly fingerprint: Uint8Array;
  readonly intent: Intent;
  readonly manifestHash: Uint8Array;
  readonly name: string;
}

export interface HandshakeResult {
  readonly level: 2 | 3;
  readonly verifiedBy: VerifiedBy;
  readonly version: number;
  readonly role: 'initiator' | 'responder';
  readonly peer: PeerInfo;
  readonly secrets: SessionSecrets;
  readonly transcriptHash: Uint8Array;
}

// ---------------------------------------------------------------- pure checks

/** Highest common version; VERSION_UNSUPPORTED when the ranges do not overlap. */
export function selectVersion(local: VersionRange, remote: VersionRange): number {
  const low = Math.max(local.min, remote.min);
  const high = Math.min(local.max, remote.max);
  if (low > high) fail('VERSION_UNSUPPORTED', 'no protocol version in common');
  return high;
}

/** Initiator's check of the responder's choice: in range, and the highest both sides advertise. */
export function checkSelectedVersion(local: VersionRange, remote: VersionRange, selected: number): void {
  if (selected < local.min || selected > local.max) fail('VERSION_UNSUPPORTED', 'peer selected an unsupported version');
  if (selected < remote.min || selected > remote.max) fail('DOWNGRADE', 'peer selected outside its own range');
  if (selected !== selectVersion(local, remote)) fail('DOWNGRADE', 'a higher common version was available');
}

function checkIntents(mine: Intent, theirs: Intent, theirManifestHash: Uint8Array): void {
  const ok =
    (mine === 'send' && theirs === 'receive') ||
    (mine === 'receive' && theirs === 'send') ||
    (mine === 'pair' && theirs === 'pair');
  if (!ok) fail('ROLE_CONFLICT', `peer wants to ${theirs} while this side wants to ${mine}`);
  if ((theirs === 'send') !== (theirManifestHash.length === 32)) fail('ROLE_CONFLICT', 'manifest hash presence mismatch');
}

/** Decide the level from what was expected; throws IDENTITY_MISMATCH or LEVEL3_REQUIRED. */
export function decideTrust(
  peerKey: Uint8Array,
  peerFingerprint: Uint8Array,
  expect: PeerExpectation,
  pskUsed: boolean,
  requireLevel3: boolean,
): { level: 2 | 3; verifiedBy: VerifiedBy } {
  if (expect.pinnedKey && !equalBytes(expect.pinnedKey, peerKey)) {
    fail('IDENTITY_MISMATCH', 'the peer is not the pinned identity');
  }
  if (expect.linkFingerprint && !equalBytes(expect.linkFingerprint, peerFingerprint)) {
    fail('IDENTITY_MISMATCH', "the peer is not the identity named in the link");
  }
  if (expect.pinnedKey) return { level: 3, verifiedBy: 'pin' };
  if (expect.linkFingerprint) return { level: 3, verifiedBy: 'link-fingerprint' };
  if (expect.isPinned?.(peerKey)) return { level: 3, verifiedBy: 'pin' };
  if (expect.linkIssued && pskUsed) return { level: 3, verifiedBy: 'link-secret' };
  if (requireLevel3) fail('LEVEL3_REQUIRED', 'the peer could not be verified and Level 3 is required');
  return { level: 2, verifiedBy: 'none' };
}

// ---------------------------------------------------------------- shared steps

interface Keys {
  readonly hs: Uint8Array;
  readonly th1: Uint8Array;
}

async function deriveHandshakeKeys(psk: Uint8Array | undefined, dh: Uint8Array, transcript: Transcript): Promise<Keys> {
  const hs = await handshakeSecret(psk, dh);
  return { hs, th1: await transcript.hash() };
}

async function sealIdentity(
  config: HandshakeConfig,
  keys: Keys,
  transcript: Transcript,
  side: 'r' | 'i',
): Promise<Uint8Array> {
  const context: SignatureContext = side === 'r' ? 'handshake responder' : 'handshake initiator';
  const body = encodeIdentityBody(
    config.signer.publicKey,
    config.intent,
    config.manifestHash ?? new Uint8Array(0),
    config.name ?? '',
  );
  transcript.append(body);
  const signature = await config.signer.signHash(context, await transcript.hash());
  transcript.append(signature);
  const finishedKey = await expandLabel(keys.hs, `${side} finished`, keys.th1, 32);
  const finished = await hmacSha256(finishedKey, await transcript.hash());
  transcript.append(finished);
  const key = await importAesGcmKey(await expandLabel(keys.hs, `${side} handshake`, keys.th1, 32));
  wipe(finishedKey);
  const plain = new Uint8Array(body.length + signature.length + finished.length);
  plain.set(body);
  plain.set(signature, body.length);
  plain.set(finished, body.length + signature.length);
  return aesGcmEncrypt(key, new Uint8Array(12), plain, keys.th1);
}

async function openIdentity(
  sealed: Uint8Array,
  keys: Keys,
  transcript: Transcript,
  side: 'r' | 'i',
): Promise<PeerInfo> {
  const key = await importAesGcmKey(await expandLabel(keys.hs, `${side} handshake`, keys.th1, 32));
  const plain = await aesGcmDecrypt(key, new Uint8Array(12), sealed, keys.th1, 'TRANSCRIPT_MISMATCH');
  const { payload, body } = decodeIdentityPayload(plain);
  transcript.append(body);
  const signedHash = await transcript.hash();
  transcript.append(payload.signature);
  const finishedKey = await expandLabel(keys.hs, `${side} finished`, keys.th1, 32);
  const expectedFinished = await hmacSha256(finishedKey, await transcript.hash());
  wipe(finishedKey);
  if (!equalBytes(expectedFinished, payload.finished)) fail('TRANSCRIPT_MISMATCH', 'finished MAC does not match');
  transcript.append(payload.finished);
  const context: SignatureContext = side === 'r' ? 'handshake responder' : 'handshake initiator';
  if (!(await verifyHashSignature(payload.identityKey, context, signedHash, payload.signature))) {
    fail('BAD_SIGNATURE', 'the peer signature does not verify');
  }
  return {
    identityKey: payload.identityKey,
    fingerprint: await fingerprintOf(payload.identityKey),
    intent: payload.intent,
    manifestHash: payload.manifestHash,
    name: payload.name,
  };
}

function checkConfig(config: HandshakeConfig): void {
  if (config.sessionId.length !== SESSION_ID_BYTES) fail('BAD_INPUT', 'session id must be 16 bytes');
  if (config.psk !== undefined && config.psk.length !== 32) fail('BAD_INPUT', 'link secret must be 32 bytes');
  if ((config.intent === 'send') !== (config.manifestHash?.length === 32)) {
    fail('BAD_INPUT', 'a sender must commit to a manifest hash, and only a sender');
  }
}

/** Map a decoding failure of peer-controlled handshake bytes to the handshake's error vocabulary. */
async function guard<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SealdropError && (error.code === 'BAD_ENCODING' || error.code === 'BAD_KEY')) {
      fail('TRANSCRIPT_MISMATCH', 'malformed handshake message', error);
    }
    throw error;
  }
}

// ---------------------------------------------------------------- initiator

export class InitiatorHandshake {
  private done = false;

  private constructor(
    private readonly config: HandshakeConfig,
    private readonly ephemeral: X25519KeyPair,
    private readonly helloPayload: Uint8Array,
  ) {}

  /** Build HELLO. Returns the handshake object (awaiting the reply) and the HELLO payload to send. */
  static async start(config: HandshakeConfig): Promise<{ handshake: InitiatorHandshake; hello: Uint8Array }> {
    checkConfig(config);
    const secret = config.random.bytes(32);
    const ephemeral = await x25519FromSecret(secret);
    wipe(secret);
    const versions = config.versions ?? SUPPORTED_VERSIONS;
    const hello = encodeHello({
      minVersion: versions.min,
      maxVersion: versions.max,
      flags: config.psk ? FLAG_LINK_SECRET : 0,
      sessionId: config.sessionId,
      ephemeral: ephemeral.publicKey,
    });
    return { handshake: new InitiatorHandshake(config, ephemeral, hello), hello };
  }

  /** Process HANDSHAKE_REPLY; returns HANDSHAKE_FINISH to send and the verified result. */
  async onReply(replyPayload: Uint8Array): Promise<{ finish: Uint8Array; result: HandshakeResult }> {
    if (this.done) fail('HANDSHAKE_STATE', 'reply already processed');
    this.done = true;
    const config = this.config;
    const { clear, clearBytes, sealed } = await guard(() => decodeReply(replyPayload));
    const versions = config.versions ?? SUPPORTED_VERSIONS;
    checkSelectedVersion(versions, { min: clear.minVersion, max: clear.maxVersion }, clear.selectedVersion);
    const pskUsed = (clear.flags & FLAG_LINK_SECRET) !== 0;
    if (config.psk && !pskUsed) fail('DOWNGRADE', 'the link secret was stripped from the handshake');
    if (!config.psk && pskUsed) fail('TRANSCRIPT_MISMATCH', 'peer expects a link secret this side does not have');

    const transcript = new Transcript().append(this.helloPayload).append(clearBytes);
    transcript.append(encodeTransportBinding(config.binding));
    const dh = await guard(() => x25519(this.ephemeral.privateKey, clear.ephemeral));
    const keys = await deriveHandshakeKeys(config.psk, dh, transcript);
    wipe(dh);
    const peer = await guard(() => openIdentity(sealed, keys, transcript, 'r'));
    checkIntents(config.intent, peer.intent, peer.manifestHash);
    const trust = decideTrust(peer.identityKey, peer.fingerprint, config.expect, pskUsed, config.requireLevel3 ?? false);
    const finishSealed = await sealIdentity(config, keys, transcript, 'i');
    const transcriptHash = await transcript.hash();
    const secrets = await sessionSecrets(keys.hs, transcriptHash);
    wipe(keys.hs);
    return {
      finish: encodeSealedPart(finishSealed),
      result: { ...trust, version: clear.selectedVersion, role: 'initiator', peer, secrets, transcriptHash },
    };
  }
}

// ---------------------------------------------------------------- responder

export class ResponderHandshake {
  private done = false;

  private constructor(
    private readonly config: HandshakeConfig,
    private readonly transcript: Transcript,
    private readonly keys: Keys,
    private readonly version: number,
  ) {}

  /** Process HELLO; returns the handshake object (awaiting FINISH) and the HANDSHAKE_REPLY payload to send. */
  static async onHello(
    config: HandshakeConfig,
    helloPayload: Uint8Array,
  ): Promise<{ handshake: ResponderHandshake; reply: Uint8Array }> {
    checkConfig(config);
    const hello = await guard(() => decodeHello(helloPayload));
    const versions = config.versions ?? SUPPORTED_VERSIONS;
    const version = selectVersion(versions, { min: hello.minVersion, max: hello.maxVersion });
    if (!equalBytes(hello.sessionId, config.sessionId)) fail('TRANSCRIPT_MISMATCH', 'hello is for another session');
    const pskFlag = (hello.flags & FLAG_LINK_SECRET) !== 0;
    if (config.psk && !pskFlag) fail('DOWNGRADE', 'the link secret was stripped from the handshake');

    const secret = config.random.bytes(32);
    const ephemeral = await x25519FromSecret(secret);
    wipe(secret);
    const clearBytes = encodeReplyClear({
      selectedVersion: version,
      minVersion: versions.min,
      maxVersion: versions.max,
      flags: config.psk ? FLAG_LINK_SECRET : 0,
      ephemeral: ephemeral.publicKey,
    });
    const transcript = new Transcript().append(helloPayload.slice()).append(clearBytes);
    transcript.append(encodeTransportBinding(config.binding));
    const dh = await guard(() => x25519(ephemeral.privateKey, hello.ephemeral));
    const keys = await deriveHandshakeKeys(config.psk, dh, transcript);
    wipe(dh);
    const sealed = await sealIdentity(config, keys, transcript, 'r');
    const reply = new Uint8Array(clearBytes.length + 2 + sealed.length);
    reply.set(clearBytes);
    reply.set(encodeSealedPart(sealed), clearBytes.length);
    return { handshake: new ResponderHandshake(config, transcript, keys, version), reply };
  }

  /** Process HANDSHAKE_FINISH; returns the verified result. */
  async onFinish(finishPayload: Uint8Array): Promise<HandshakeResult> {
    if (this.done) fail('HANDSHAKE_STATE', 'finish already processed');
    this.done = true;
    const config = this.config;
    const sealed = await guard(() => decodeFinish(finishPayload));
    const peer = await guard(() => openIdentity(sealed, this.keys, this.transcript, 'i'));
    checkIntents(config.intent, peer.intent, peer.manifestHash);
    const pskUsed = config.psk !== undefined;
    const trust = decideTrust(peer.identityKey, peer.fingerprint, config.expect, pskUsed, config.requireLevel3 ?? false);
    const transcriptHash = await this.transcript.hash();
    const secrets = await sessionSecrets(this.keys.hs, transcriptHash);
    wipe(this.keys.hs);
    return { ...trust, version: this.version, role: 'responder', peer, secrets, transcriptHash };
  }
}
