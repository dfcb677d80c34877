/**
 * Handshake key schedule and transcript (docs/PROTOCOL.md §5.3), modelled on TLS 1.3 (RFC 8446 §7.1) with
 * HKDF-SHA256 (RFC 5869) and a running transcript hash.
 *
 *   expandLabel(secret, label, context, L) = HKDF-Expand(secret, utf8("sealdrop/v1 " ‖ label) ‖ 0x00 ‖ context, L)
 *
 *   psk        = link secret (32 bytes) if this side was configured with one, else 32 zero bytes (never
 *                taken from the wire flag; the flag only reports a mismatch, PROTOCOL.md §5.7)
 *   early      = HKDF-Extract(salt = utf8("sealdrop/v1 early"), IKM = psk)
 *   dh         = X25519(ephemeral_I, ephemeral_R)
 *   hs         = HKDF-Extract(salt = early, IKM = dh)
 *   TH₁        = SHA-256(transcript after HELLO, REPLY clear part and the transport binding)
 *   k_R, k_I   = expandLabel(hs, "r handshake" | "i handshake", TH₁, 32)   AES-256-GCM, nonce = 0¹², aad = TH₁
 *   f_R, f_I   = expandLabel(hs, "r finished" | "i finished", TH₁, 32)     HMAC-SHA256 keys
 *   master     = HKDF-Extract(salt = expandLabel(hs, "derived", "", 32), IKM = 0³²)
 *   THₑ        = SHA-256(complete transcript, through the initiator's Finished)
 *   c_I, c_R   = expandLabel(master, "i control" | "r control", THₑ, 32)   control records, per direction
 *   data       = expandLabel(master, "data", THₑ, 32)                         STREAM file keys (stream.ts)
 *   exporter   = expandLabel(master, "exporter", THₑ, 32)                     reserved for resumption tokens;
 *                                                                             computed but currently unused
 *
 * Transcript: the byte concatenation, each item prefixed by a u32 length, of
 *   "sealdrop/v1 transcript" ‖ HELLO payload ‖ REPLY clear part ‖ transport binding ‖
 *   responder identity body ‖ responder signature ‖ responder finished ‖
 *   initiator identity body ‖ initiator signature ‖ initiator finished
 * Signatures cover the hash of everything before them; Finished MACs cover the hash of everything before them.
 *
 * Trust assumptions: X25519 and HKDF are sound; the psk (when present) was delivered out of band. The psk being in
 * the schedule means an attacker without the link cannot derive any handshake key, even with both identity keys.
 */

import { ByteWriter, concatBytes, utf8 } from '../bytes';
import { hkdfExpand, hkdfExtract, sha256 } from '../crypto/primitives';
import { fail } from '../errors';

export function expandLabel(secret: Uint8Array, label: string, context: Uint8Array, length: number) {
  return hkdfExpand(secret, concatBytes(utf8(`sealdrop/v1 ${label}`), Uint8Array.of(0), context), length);
}

/** Running transcript: length-prefixed items, hashed on demand. */
export class Transcript {
  private readonly items: Uint8Array[] = [];

  constructor() {
    this.append(utf8('sealdrop/v1 transcript'));
  }

  append(item: Uint8Array): this {
    this.items.push(new ByteWriter(item.length + 4).bytes32(item).finish());
    return this;
  }

  hash(): Promise<Uint8Array> {
    return sha256(concatBytes(...this.items));
  }
}

/** A path-level binding folded into the transcript (docs/PROTOCOL.md §5.5). */
export type TransportBinding =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'dtls';
      /** SHA-256 certificate fingerprint of the initiator's DTLS endpoint, as seen in the SDP. */
      readonly initiatorFingerprint: Uint8Array;
      readonly responderFingerprint: Uint8Array;
    };

/**
 * Transcript item 3: 0x00 for no binding, or 0x01 ‖ bytes8(fp_I) ‖ bytes8(fp_R) for DTLS. Both fingerprints must be
 * 32 bytes (SHA-256); any other length is a local configuration error, BAD_INPUT.
 */
export function encodeTransportBinding(binding: TransportBinding): Uint8Array {
  if (binding.kind === 'none') return Uint8Array.of(0);
  if (binding.initiatorFingerprint.length !== 32 || binding.responderFingerprint.length !== 32) {
    fail('BAD_INPUT', 'DTLS fingerprints are SHA-256 (32 bytes)');
  }
  return new ByteWriter(70).u8(1).bytes8(binding.initiatorFingerprint).bytes8(binding.responderFingerprint).finish();
}

export interface HandshakeSecrets {
  readonly hs: Uint8Array;
  readonly th1: Uint8Array;
}

export async function handshakeSecret(psk: Uint8Array | undefined, dh: Uint8Array): Promise<Uint8Array> {
  const early = await hkdfExtract(utf8('sealdrop/v1 early'), psk ?? new Uint8Array(32));
  try {
    return await hkdfExtract(early, dh);
  } finally {
    early.fill(0);
  }
}

export interface SessionSecrets {
  readonly controlInitiator: Uint8Array;
  readonly controlResponder: Uint8Array;
  readonly data: Uint8Array;
  readonly exporter: Uint8Array;
}

export async function sessionSecrets(hs: Uint8Array, finalTranscriptHash: Uint8Array): Promise<SessionSecrets> {
  const derived = await expandLabel(hs, 'derived', new Uint8Array(0), 32);
  const master = await hkdfExtract(derived, new Uint8Array(32));
  try {
    return {
      controlInitiator: await expandLabel(master, 'i control', finalTranscriptHash, 32),
      controlResponder: await expandLabel(master, 'r control', finalTranscriptHash, 32),
      data: await expandLabel(master, 'data', finalTranscriptHash, 32),
      exporter: await expandLabel(master, 'exporter', finalTranscriptHash, 32),
    };
  } finally {
    derived.fill(0);
    master.fill(0);
  }
}
