/**
 * Transfer and pairing links: what travels out of band (a chat message, a QR code) and turns a first contact into
 * Level 3. A link carries where to meet (relay URLs, room id), who to expect (the issuer's full fingerprint) and a
 * secret that is mixed into the handshake key schedule (docs/PROTOCOL.md §4.5). The relay room is single-use, and
 * the secret must not be reused for another link or session. Nothing here enforces that: forgetting the secret after
 * one completed handshake is the composition root's job.
 *
 * Trust assumptions: the channel that carries the link is trusted for integrity (the user got the link from the
 * person they meant) and, from the issuer's side, for confidentiality. The relay sees the room id (it must, to
 * route) but never the rest: links are not sent to the relay. A leaked link lets its holder reach the issuer at
 * Level 3, verified as 'link-secret': for a peer it does not already know, knowing the secret is all the issuer can
 * check (PROTOCOL.md §12.5). The receiver side stays protected: it checks the issuer's fingerprint, so a leaked link
 * never lets anyone complete the handshake in the issuer's place without the issuer's identity key.
 *
 * Text form:  "sealdrop://" ‖ base64url(payload) without padding (scheme case-insensitive, surrounding whitespace
 * ignored, nothing else tolerated). Payload (big-endian):
 *
 *   offset size  field
 *   0      1     version            = 1 (LINK_VERSION)
 *   1      1     kind               1 = transfer, 2 = pairing
 *   2      16    room id            random, names the rendezvous at the relay
 *   18     32    issuer fingerprint SHA-256 fingerprint (fingerprint.ts)
 *   50     32    secret             fresh per link, never reused; the handshake psk
 *   82     1     relay count        0..4
 *   83     …     relays             count × (u8 length 1..255 ‖ ASCII URL, scheme ws:// or wss://; see
 *                                    validateRelayUrl: no credentials, no '#', no '@' in the authority)
 */

import { ByteReader, ByteWriter, fromBase64Url, toBase64Url } from '../bytes';
import { fail } from '../errors';
import type { RandomSource } from '../ports/random';
import { FINGERPRINT_BYTES } from './fingerprint';

export const LINK_VERSION = 1;
export const LINK_SCHEME = 'sealdrop://';
export const ROOM_ID_BYTES = 16;
export const LINK_SECRET_BYTES = 32;
export const MAX_LINK_RELAYS = 4;
export const MAX_LINK_TEXT = 1500;
const MIN_PAYLOAD = 83;

export type LinkKind = 'transfer' | 'pairing';
const KIND_BYTES: Record<LinkKind, number> = { transfer: 1, pairing: 2 };

export interface SealdropLink {
  readonly kind: LinkKind;
  readonly roomId: Uint8Array;
  readonly fingerprint: Uint8Array;
  readonly secret: Uint8Array;
  readonly relays: readonly string[];
}

/**
 * A relay address as links accept it: ws:// or wss://, printable ASCII, a host, no credentials and no fragment —
 * in the text as well as in the parsed URL, so no '#' anywhere and no '@' in the authority (LINK_BAD_RELAY).
 */
export function validateRelayUrl(url: string): void {
  if (url.length === 0 || url.length > 255 || !/^[\x21-\x7e]+$/.test(url)) fail('LINK_BAD_RELAY', 'bad relay address');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('LINK_BAD_RELAY', 'relay address is not a URL');
  }
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') fail('LINK_BAD_RELAY', 'relay must be ws:// or wss://');
  if (parsed.hostname === '' || parsed.username !== '' || parsed.password !== '' || parsed.hash !== '') {
    fail('LINK_BAD_RELAY', 'relay address must name a host and carry no credentials or fragment');
  }
  // URL reports an empty fragment ("wss://h#") and empty credentials ("ws://@h") as absent, but both are still in
  // the text we would hand to WebSocket (which throws on any fragment), so check the text too.
  if (url.includes('#') || /^[a-z]+:\/\/[^/?#]*@/i.test(url)) {
    fail('LINK_BAD_RELAY', 'relay address must carry no credentials or fragment');
  }
}

/** A fresh link for `fingerprint`, with a random room id and secret. */
export function createLink(
  random: RandomSource,
  kind: LinkKind,
  fingerprint: Uint8Array,
  relays: readonly string[],
): SealdropLink {
  const link = {
    kind,
    roomId: random.bytes(ROOM_ID_BYTES),
    fingerprint: fingerprint.slice(),
    secret: random.bytes(LINK_SECRET_BYTES),
    relays: [...relays],
  };
  encodeLink(link); // validates
  return link;
}

export function encodeLink(link: SealdropLink): string {
  if (link.roomId.length !== ROOM_ID_BYTES) fail('LINK_BAD_LENGTH', 'room id must be 16 bytes');
  if (link.fingerprint.length !== FINGERPRINT_BYTES) fail('LINK_BAD_LENGTH', 'fingerprint must be 32 bytes');
  if (link.secret.length !== LINK_SECRET_BYTES) fail('LINK_BAD_LENGTH', 'secret must be 32 bytes');
  if (link.relays.length > MAX_LINK_RELAYS) fail('LINK_BAD_RELAY', 'too many relays');
  const w = new ByteWriter(128).u8(LINK_VERSION).u8(KIND_BYTES[link.kind] ?? fail('LINK_BAD_KIND', 'bad kind'));
  w.bytes(link.roomId).bytes(link.fingerprint).bytes(link.secret).u8(link.relays.length);
  for (const relay of link.relays) {
    validateRelayUrl(relay);
    w.bytes8(new TextEncoder().encode(relay));
  }
  const text = LINK_SCHEME + toBase64Url(w.finish());
  if (text.length > MAX_LINK_TEXT) fail('LINK_BAD_LENGTH', 'link too long');
  return text;
}

/**
 * Strict parser. Errors: LINK_BAD_SCHEME, LINK_BAD_CHARACTERS, LINK_BAD_LENGTH, LINK_VERSION_UNSUPPORTED,
 * LINK_BAD_KIND, LINK_BAD_RELAY.
 */
export function parseLink(text: string): SealdropLink {
  if (typeof text !== 'string') fail('LINK_BAD_SCHEME', 'a link is text');
  const trimmed = text.trim();
  if (trimmed.length > MAX_LINK_TEXT) fail('LINK_BAD_LENGTH', 'link too long');
  if (trimmed.slice(0, LINK_SCHEME.length).toLowerCase() !== LINK_SCHEME) fail('LINK_BAD_SCHEME', 'not a sealdrop link');
  const body = trimmed.slice(LINK_SCHEME.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body)) fail('LINK_BAD_CHARACTERS', 'link contains characters outside base64url');
  const payload = fromBase64Url(body, 'LINK_BAD_LENGTH');
  if (payload.length < 1) fail('LINK_BAD_LENGTH', 'empty link');
  if (payload[0] !== LINK_VERSION) fail('LINK_VERSION_UNSUPPORTED', `link version ${payload[0]} is not supported`);
  if (payload.length < MIN_PAYLOAD) fail('LINK_BAD_LENGTH', 'link too short');
  const r = new ByteReader(payload, 'LINK_BAD_LENGTH');
  r.u8();
  const kindByte = r.u8();
  const kind = (Object.keys(KIND_BYTES) as LinkKind[]).find((k) => KIND_BYTES[k] === kindByte);
  if (!kind) fail('LINK_BAD_KIND', 'unknown link kind');
  const roomId = r.bytes(ROOM_ID_BYTES);
  const fingerprint = r.bytes(FINGERPRINT_BYTES);
  const secret = r.bytes(LINK_SECRET_BYTES);
  const count = r.u8();
  if (count > MAX_LINK_RELAYS) fail('LINK_BAD_RELAY', 'too many relays');
  const relays: string[] = [];
  for (let i = 0; i < count; i++) {
    const raw = r.bytes8();
    if (raw.length === 0) fail('LINK_BAD_RELAY', 'empty relay address');
    const url = String.fromCharCode(...raw);
    validateRelayUrl(url);
    relays.push(url);
  }
  r.end();
  return { kind, roomId, fingerprint, secret, relays };
}
