/**
 * Handshake message codecs (docs/PROTOCOL.md §5.2). Pure byte layouts with strict decoders; the cryptography that
 * gives them meaning is in handshake.ts and key-schedule.ts.
 *
 *   HELLO (initiator → responder, cleartext)
 *     u8 minVersion ‖ u8 maxVersion ‖ u8 flags ‖ sessionId[16] ‖ ephemeralI[32]                  = 51 bytes
 *   HANDSHAKE_REPLY (responder → initiator)
 *     u8 selectedVersion ‖ u8 minVersion ‖ u8 maxVersion ‖ u8 flags ‖ ephemeralR[32]
 *       ‖ u16 sealedLength ‖ sealed(IdentityPayload)                                            (cleartext part 36 bytes)
 *   HANDSHAKE_FINISH (initiator → responder)
 *     u16 sealedLength ‖ sealed(IdentityPayload)
 *
 *   IdentityPayload (sealed under a handshake key; see key-schedule.ts)
 *     identityKey[32] ‖ u8 intent ‖ u8 manifestHashLength (0 or 32) ‖ manifestHash ‖ u8 nameLength (0..64)
 *       ‖ name (UTF-8) ‖ signature[64] ‖ finished[32]
 *
 *   flags: bit 0 = "a link secret is mixed into the key schedule"; all other bits must be zero.
 *   intent: 1 = I send files, 2 = I receive files, 3 = pairing only.
 *
 * Trust assumptions: every field here may have been written by an active attacker. The decoders only check shape;
 * authenticity comes from the transcript (all of HELLO and the cleartext part of REPLY are hashed into it).
 */

import { ByteReader, ByteWriter, fromUtf8, utf8 } from '../bytes';
import { fail } from '../errors';

export const SESSION_ID_BYTES = 16;
export const EPHEMERAL_BYTES = 32;
export const MAX_DISPLAY_NAME_BYTES = 64;
export const FLAG_LINK_SECRET = 0x01;
const KNOWN_FLAGS = FLAG_LINK_SECRET;

export type Intent = 'send' | 'receive' | 'pair';
const INTENT_BYTES: Record<Intent, number> = { send: 1, receive: 2, pair: 3 };

export interface Hello {
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly flags: number;
  readonly sessionId: Uint8Array;
  readonly ephemeral: Uint8Array;
}

export interface ReplyClear {
  readonly selectedVersion: number;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly flags: number;
  readonly ephemeral: Uint8Array;
}

export interface IdentityPayload {
  readonly identityKey: Uint8Array;
  readonly intent: Intent;
  /** 32 bytes when the sender of this payload offers files, else empty. */
  readonly manifestHash: Uint8Array;
  /** Self-asserted device name for display ("Ada's laptop"); never used for trust decisions. */
  readonly name: string;
  readonly signature: Uint8Array;
  readonly finished: Uint8Array;
}

function checkFlags(flags: number): void {
  if ((flags & ~KNOWN_FLAGS) !== 0) fail('BAD_ENCODING', 'unknown handshake flags');
}

function checkVersions(min: number, max: number): void {
  if (min < 1 || min > max) fail('BAD_ENCODING', 'bad version range');
}

export function encodeHello(m: Hello): Uint8Array {
  if (m.sessionId.length !== SESSION_ID_BYTES || m.ephemeral.length !== EPHEMERAL_BYTES) {
    fail('BAD_INPUT', 'bad hello field length');
  }
  return new ByteWriter(51).u8(m.minVersion).u8(m.maxVersion).u8(m.flags).bytes(m.sessionId).bytes(m.ephemeral).finish();
}

export function decodeHello(payload: Uint8Array): Hello {
  const r = new ByteReader(payload, 'BAD_ENCODING');
  const hello = {
    minVersion: r.u8(),
    maxVersion: r.u8(),
    flags: r.u8(),
    sessionId: r.bytes(SESSION_ID_BYTES),
    ephemeral: r.bytes(EPHEMERAL_BYTES),
  };
  r.end();
  checkVersions(hello.minVersion, hello.maxVersion);
  checkFlags(hello.flags);
  return hello;
}

export function encodeReplyClear(m: ReplyClear): Uint8Array {
  if (m.ephemeral.length !== EPHEMERAL_BYTES) fail('BAD_INPUT', 'bad ephemeral length');
  return new ByteWriter(36).u8(m.selectedVersion).u8(m.minVersion).u8(m.maxVersion).u8(m.flags).bytes(m.ephemeral).finish();
}

export const REPLY_CLEAR_BYTES = 36;

/** Split a REPLY payload into its cleartext part (decoded and raw, for the transcript) and the sealed part. */
export function decodeReply(payload: Uint8Array): { clear: ReplyClear; clearBytes: Uint8Array; sealed: Uint8Array } {
  const r = new ByteReader(payload, 'BAD_ENCODING');
  const clear = {
    selectedVersion: r.u8(),
    minVersion: r.u8(),
    maxVersion: r.u8(),
    flags: r.u8(),
    ephemeral: r.bytes(EPHEMERAL_BYTES),
  };
  const sealed = r.bytes16();
  r.end();
  checkVersions(clear.minVersion, clear.maxVersion);
  checkFlags(clear.flags);
  return { clear, clearBytes: payload.slice(0, REPLY_CLEAR_BYTES), sealed };
}

export function encodeSealedPart(sealed: Uint8Array): Uint8Array {
  return new ByteWriter(sealed.length + 2).bytes16(sealed).finish();
}

export function decodeFinish(payload: Uint8Array): Uint8Array {
  const r = new ByteReader(payload, 'BAD_ENCODING');
  const sealed = r.bytes16();
  r.end();
  return sealed;
}

/** The signed part of an IdentityPayload, in transcript order (everything before the signature). */
export function encodeIdentityBody(identityKey: Uint8Array, intent: Intent, manifestHash: Uint8Array, name: string) {
  const nameBytes = utf8(name);
  if (identityKey.length !== 32) fail('BAD_INPUT', 'identity key must be 32 bytes');
  if (manifestHash.length !== 0 && manifestHash.length !== 32) fail('BAD_INPUT', 'manifest hash must be 0 or 32 bytes');
  if (nameBytes.length > MAX_DISPLAY_NAME_BYTES) fail('BAD_INPUT', 'display name too long');
  return new ByteWriter(200).bytes(identityKey).u8(INTENT_BYTES[intent]).bytes8(manifestHash).bytes8(nameBytes).finish();
}

export function decodeIdentityPayload(plain: Uint8Array): { payload: IdentityPayload; body: Uint8Array } {
  const r = new ByteReader(plain, 'BAD_ENCODING');
  const identityKey = r.bytes(32);
  const intentByte = r.u8();
  const intent = (Object.keys(INTENT_BYTES) as Intent[]).find((k) => INTENT_BYTES[k] === intentByte);
  if (!intent) fail('BAD_ENCODING', 'unknown intent');
  const manifestHash = r.bytes8();
  if (manifestHash.length !== 0 && manifestHash.length !== 32) fail('BAD_ENCODING', 'bad manifest hash length');
  const nameBytes = r.bytes8();
  if (nameBytes.length > MAX_DISPLAY_NAME_BYTES) fail('BAD_ENCODING', 'display name too long');
  const name = fromUtf8(nameBytes);
  // Shown to people: control characters and bidi overrides could disguise it, so they are refused outright.
  if (/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(name)) fail('BAD_ENCODING', 'display name has control characters');
  const bodyLength = plain.length - r.remaining;
  const signature = r.bytes(64);
  const finished = r.bytes(32);
  r.end();
  return {
    payload: { identityKey, intent, manifestHash, name, signature, finished },
    body: plain.slice(0, bodyLength),
  };
}
