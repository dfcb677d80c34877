/**
 * Path negotiation between the two peers (docs/PROTOCOL.md §13.2), carried on signalling channel 0 of the relay
 * room. The relay can read, drop, delay or forge these; what matters for security is:
 *  - PATHS (the sender's direct TCP addresses) is signed by the sender's identity key under the context
 *    'path advertisement', over the room id, so a relay cannot make a receiver dial a host of its choosing
 *    (the receiver checks the key against the link fingerprint or its pin before connecting to anything); and the
 *    whole advertisement is sealed under a key derived from the link secret, so the relay learns neither the
 *    sender's identity key nor its addresses (the handshake hides identities; PATHS must not undo that);
 *  - WEBRTC signals carry SDP and ICE candidates: a relay that rewrites the DTLS fingerprints is caught because
 *    both fingerprints are bound into the handshake transcript and checked against the live connection.
 *
 *   signal := u8 type ‖ body
 *   1 PATHS   nonce[12] ‖ AES-256-GCM(k, nonce, inner, aad = roomId)
 *             k     = HKDF-Expand(HKDF-Extract(salt = "sealdrop/v1 paths", IKM = link secret), "paths key" ‖ roomId, 32)
 *             inner = 0x01 ‖ publicKey[32] ‖ u8 n ‖ n × (u8 hostLength ‖ host ASCII ‖ u16 port) ‖ signature[64]
 *             signature = Sign('path advertisement', SHA-256("sealdrop/v1 paths" ‖ 0x00 ‖ roomId ‖ inner before sig))
 *   2 WEBRTC  opaque bytes for the WebRTC adapter (SDP / candidates)
 *   3 WANT    u8 path (1 direct, 2 webrtc, 3 relay) — the receiver tells the sender which path it tries next
 */

import { ByteReader, ByteWriter, concatBytes, equalBytes, utf8 } from '../bytes';
import { aesGcmDecrypt, aesGcmEncrypt, hkdfExpand, hkdfExtract, importAesGcmKey, sha256 } from '../crypto/primitives';
import { fail } from '../errors';
import { fingerprintOf } from '../identity/fingerprint';
import { verifyHashSignature, type IdentitySigner } from '../identity/identity';
import type { RandomSource } from '../ports/random';

export interface DirectAddress {
  readonly host: string;
  readonly port: number;
}

export type PathName = 'direct' | 'webrtc' | 'relay';
const PATH_BYTES: Record<PathName, number> = { direct: 1, webrtc: 2, relay: 3 };

export type PathSignal =
  | { readonly type: 'paths'; readonly sealed: Uint8Array }
  | { readonly type: 'webrtc'; readonly data: Uint8Array }
  | { readonly type: 'want'; readonly path: PathName };

export const MAX_ADDRESSES = 16;

interface SignedPaths {
  readonly publicKey: Uint8Array;
  readonly addresses: readonly DirectAddress[];
  readonly signature: Uint8Array;
  readonly signed: Uint8Array;
}

async function pathsKey(psk: Uint8Array, roomId: Uint8Array): Promise<CryptoKey> {
  const prk = await hkdfExtract(utf8('sealdrop/v1 paths'), psk);
  const raw = await hkdfExpand(prk, concatBytes(utf8('paths key'), roomId), 32);
  try {
    return await importAesGcmKey(raw);
  } finally {
    raw.fill(0);
    prk.fill(0);
  }
}

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

/**
 * The sender's advertisement of its direct addresses for `roomId`: signed with its identity key and sealed under
 * the link secret. At most MAX_ADDRESSES are sent (the first ones given).
 */
export async function sealPaths(
  signer: IdentitySigner,
  roomId: Uint8Array,
  psk: Uint8Array,
  addresses: readonly DirectAddress[],
  random: RandomSource,
): Promise<Uint8Array> {
  const body = addressBody(signer.publicKey, addresses.slice(0, MAX_ADDRESSES));
  const signature = await signer.signHash('path advertisement', await pathsHash(roomId, body));
  const nonce = random.bytes(12);
  const sealed = await aesGcmEncrypt(await pathsKey(psk, roomId), nonce, concatBytes(body, signature), roomId);
  return concatBytes(Uint8Array.of(1), nonce, sealed);
}

function decodeInner(inner: Uint8Array): SignedPaths {
  const r = new ByteReader(inner, 'BAD_ENCODING');
  if (r.u8() !== 1) fail('BAD_ENCODING', 'unknown paths format');
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
  const signed = inner.slice(0, inner.length - r.remaining);
  const signature = r.bytes(64);
  r.end();
  return { publicKey, addresses, signature, signed };
}

/**
 * Open and verify a PATHS signal for `roomId` against what this side expects of the sender: a pinned key or the
 * link's fingerprint. Returns the addresses, or null when it cannot be trusted (never dial those).
 */
export async function verifyPaths(
  signal: Extract<PathSignal, { type: 'paths' }>,
  roomId: Uint8Array,
  psk: Uint8Array,
  expect: { pinnedKey?: Uint8Array; linkFingerprint?: Uint8Array },
): Promise<readonly DirectAddress[] | null> {
  if (!expect.pinnedKey && !expect.linkFingerprint) return null;
  let paths: SignedPaths;
  try {
    const nonce = signal.sealed.subarray(0, 12);
    const inner = await aesGcmDecrypt(await pathsKey(psk, roomId), nonce, signal.sealed.subarray(12), roomId, 'BAD_ENCODING');
    paths = decodeInner(inner);
  } catch {
    return null;
  }
  if (expect.pinnedKey && !equalBytes(expect.pinnedKey, paths.publicKey)) return null;
  if (expect.linkFingerprint && !equalBytes(expect.linkFingerprint, await fingerprintOf(paths.publicKey))) return null;
  const ok = await verifyHashSignature(paths.publicKey, 'path advertisement', await pathsHash(roomId, paths.signed), paths.signature);
  return ok ? paths.addresses : null;
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
    const sealed = r.rest();
    if (sealed.length < 12 + 16) fail('BAD_ENCODING', 'paths too short');
    return { type: 'paths', sealed };
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
