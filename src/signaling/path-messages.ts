/**
 * Path negotiation between the two peers (docs/PROTOCOL.md §13.2), carried on signalling channel 0 of the relay
 * room. The relay can read, drop, delay or forge these; what matters for security is:
 *  - PATHS (the sender's direct TCP addresses) is signed by the sender's identity key under the context
 *    'path advertisement', over the room id, so a relay cannot make a receiver dial a host of its choosing
 *    (the receiver checks the key against the link fingerprint or its pin before connecting to anything);
 *  - WEBRTC signals carry SDP and ICE candidates: a relay that rewrites the DTLS fingerprints is caught because
 *    both fingerprints are bound into the handshake transcript and checked against the live connection.
 *
 *   signal := u8 type ‖ body
 *   1 PATHS   publicKey[32] ‖ u8 n ‖ n × (u8 hostLength ‖ host ASCII ‖ u16 port) ‖ signature[64]
 *             signature = Sign('path advertisement', SHA-256("sealdrop/v1 paths" ‖ 0x00 ‖ roomId ‖ body before sig))
 *   2 WEBRTC  opaque bytes for the WebRTC adapter (SDP / candidates)
 *   3 WANT    u8 path (1 direct, 2 webrtc, 3 relay) — the receiver tells the sender which path it tries next
 */

import { ByteReader, ByteWriter, concatBytes, equalBytes, utf8 } from '../bytes';
import { sha256 } from '../crypto/primitives';
import { fail } from '../errors';
import { fingerprintOf } from '../identity/fingerprint';
import { verifyHashSignature, type IdentitySigner } from '../identity/identity';

export interface DirectAddress {
  readonly host: string;
  readonly port: number;
}

export type PathName = 'direct' | 'webrtc' | 'relay';
const PATH_BYTES: Record<PathName, number> = { direct: 1, webrtc: 2, relay: 3 };

export type PathSignal =
  | { readonly type: 'paths'; readonly publicKey: Uint8Array; readonly addresses: readonly DirectAddress[]; readonly signature: Uint8Array; readonly signed: Uint8Array }
  | { readonly type: 'webrtc'; readonly data: Uint8Array }
  | { readonly type: 'want'; readonly path: PathName };

const MAX_ADDRESSES = 16;

function addressBody(publicKey: Uint8Array, addresses: readonly DirectAddress[]): Uint8Array {
  if (addresses.length > MAX_ADDRESSES) fail('BAD_INPUT', 'too many addresses');
  const w = new ByteWriter(256).u8(1).bytes(publicKey).u8(addresses.length);
  for (const a of addresses) {
    if (!/^[0-9A-Za-z.:%-]{1,64}$/.test(a.host) || !Number.isInteger(a.port) || a.port < 1 || a.port > 65535) {
      fail('BAD_INPUT', 'bad direct address');
    }
    w.bytes8(utf8(a.host)).u16(a.port);
  }
  return w.finish();
}

async function pathsHash(roomId: Uint8Array, body: Uint8Array): Promise<Uint8Array> {
  return sha256(concatBytes(utf8('sealdrop/v1 paths'), Uint8Array.of(0), roomId, body));
}

/** The sender's signed advertisement of its direct addresses for `roomId`. */
export async function signPaths(signer: IdentitySigner, roomId: Uint8Array, addresses: readonly DirectAddress[]) {
  const body = addressBody(signer.publicKey, addresses);
  const signature = await signer.signHash('path advertisement', await pathsHash(roomId, body));
  return concatBytes(body, signature);
}

/**
 * Verify a PATHS signal for `roomId` against what this side expects of the sender: a pinned key or the link's
 * fingerprint. Returns the addresses, or null when it cannot be trusted (never dial those).
 */
export async function verifyPaths(
  signal: Extract<PathSignal, { type: 'paths' }>,
  roomId: Uint8Array,
  expect: { pinnedKey?: Uint8Array; linkFingerprint?: Uint8Array },
): Promise<readonly DirectAddress[] | null> {
  if (expect.pinnedKey && !equalBytes(expect.pinnedKey, signal.publicKey)) return null;
  if (expect.linkFingerprint && !equalBytes(expect.linkFingerprint, await fingerprintOf(signal.publicKey))) return null;
  if (!expect.pinnedKey && !expect.linkFingerprint) return null;
  const ok = await verifyHashSignature(signal.publicKey, 'path advertisement', await pathsHash(roomId, signal.signed), signal.signature);
  return ok ? signal.addresses : null;
}

export function encodePathSignal(signal: { type: 'paths'; encoded: Uint8Array } | { type: 'webrtc'; data: Uint8Array } | { type: 'want'; path: PathName }) {
  switch (signal.type) {
    case 'paths':
      return signal.encoded;
    case 'webrtc':
      return concatBytes(Uint8Array.of(2), signal.data);
    case 'want':
      return Uint8Array.of(3, PATH_BYTES[signal.path]);
  }
}

/** Strict decode; malformed → BAD_ENCODING. */
export function decodePathSignal(bytes: Uint8Array): PathSignal {
  const r = new ByteReader(bytes, 'BAD_ENCODING');
  const type = r.u8();
  if (type === 1) {
    const publicKey = r.bytes(32);
    const count = r.u8();
    if (count > MAX_ADDRESSES) fail('BAD_ENCODING', 'too many addresses');
    const addresses: DirectAddress[] = [];
    for (let i = 0; i < count; i++) {
      const host = String.fromCharCode(...r.bytes8());
      const port = r.u16();
      if (!/^[0-9A-Za-z.:%-]{1,64}$/.test(host) || port === 0) fail('BAD_ENCODING', 'bad direct address');
      addresses.push({ host, port });
    }
    const signed = bytes.slice(0, bytes.length - r.remaining);
    const signature = r.bytes(64);
    r.end();
    return { type: 'paths', publicKey, addresses, signature, signed };
  }
  if (type === 2) return { type: 'webrtc', data: r.rest() };
  if (type === 3) {
    const value = r.u8();
    r.end();
    const path = (Object.keys(PATH_BYTES) as PathName[]).find((p) => PATH_BYTES[p] === value);
    if (!path) fail('BAD_ENCODING', 'unknown path');
    return { type: 'want', path };
  }
  return fail('BAD_ENCODING', 'unknown signal type');
}
