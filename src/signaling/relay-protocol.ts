/**
 * The relay wire protocol (docs/PROTOCOL.md §13): what a Sealdrop client and the relay server say to each other
 * over one WebSocket (binary messages only, path `/v1`). The relay is untrusted by design: it routes opaque
 * payloads between the two members of a room and announces devices registered in mailboxes; nothing it says is
 * believed without the end-to-end handshake.
 *
 *   message := u8 type ‖ body                        (one message per WebSocket binary message)
 *
 *   client → relay
 *   0x01 JOIN       roomId[16]                        join (or create) a two-member room; once per connection
 *   0x02 SEND       payload                           forward payload to the other member
 *   0x03 REGISTER   fingerprint[32]                   ask to receive notifications for this identity
 *   0x04 PROVE      publicKey[32] ‖ signature[64]     answer to CHALLENGE (see below)
 *   0x05 NOTIFY     fingerprint[32] ‖ roomId[16]      tell a registered device that a transfer waits in roomId
 *
 *   relay → client
 *   0x81 JOINED     u8 othersPresent (0 or 1)
 *   0x82 PEER       u8 present (0 = the other member left, 1 = joined)
 *   0x83 DELIVER    payload                           a payload the other member sent
 *   0x84 CHALLENGE  nonce[32]
 *   0x85 REGISTERED
 *   0x86 INCOMING   roomId[16]                        NOTIFY for this mailbox (sender unauthenticated!)
 *   0x87 NOTIFIED   u8 delivered (0 = no such device online, 1 = delivered)
 *
 * Mailbox proof: the device signs, with its identity key, under the signature context 'relay registration',
 *   SHA-256( utf8("sealdrop/v1 relay challenge") ‖ 0x00 ‖ nonce[32] ‖ fingerprint[32] )
 * and the relay checks fingerprintOf(publicKey) = fingerprint and the signature. This only stops someone from
 * squatting a mailbox they cannot sign for; who may actually send files is decided by the handshake.
 *
 * Close codes (WebSocket close frame) — stable, documented in PROTOCOL.md §13.1.9 (and, for the limit-related ones,
 * in relay/cli.ts's RELAY_USAGE; `sealdrop --help` does not list them):
 *   4000 PROTOCOL_ERROR   malformed or out-of-order message
 *   4001 FRAME_TOO_LARGE  message above the relay's limit
 *   4002 ROOM_FULL        a third member tried to join
 *   4003 TOO_MANY         too many connections or rooms from one client address
 *   4004 IDLE_TIMEOUT     nothing received, or no drain progress on its queue, for too long (a client that
 *                         pings but never reads is closed too)
 *   4005 JOIN_TIMEOUT     no JOIN, or no verified REGISTER, soon after connecting
 *   4006 OVERLOADED       the relay's total buffered bytes are above its limit
 *   4007 BAD_PROOF        mailbox registration failed
 *   1001 GOING_AWAY       the relay is shutting down
 *
 * Payload multiplexing between the two members (client convention, the relay does not look):
 *   payload := u8 channel ‖ bytes       channel 0 = signalling (path negotiation), 1 = a relay-path frame,
 *                                       2 = end of a relay-path session (empty; CHANNEL_END in
 *                                       main/adapters/relay-frame-transport.ts)
 *
 * The relay's limits are set through `startRelay({ limits })`, or the limit flags of relay/cli.ts's own parser
 * (`runRelayCommand`). `sealdrop relay` forwards only --host, --port (default 8080), --tls-cert and --tls-key, plus
 * `--log stderr` in --json mode; its parser refuses the limit flags (PROTOCOL.md §13.1.8).
 */

import { ByteReader, ByteWriter, concatBytes, utf8 } from '../bytes';
import { sha256 } from '../crypto/primitives';
import { fail } from '../errors';

export const RELAY_PATH = '/v1';
export const RELAY_ROOM_ID_BYTES = 16;
export const RELAY_NONCE_BYTES = 32;

export const RELAY_CLOSE = {
  PROTOCOL_ERROR: 4000,
  FRAME_TOO_LARGE: 4001,
  ROOM_FULL: 4002,
  TOO_MANY: 4003,
  IDLE_TIMEOUT: 4004,
  JOIN_TIMEOUT: 4005,
  OVERLOADED: 4006,
  BAD_PROOF: 4007,
  GOING_AWAY: 1001,
} as const;

export type RelayCloseName = keyof typeof RELAY_CLOSE;

export function relayCloseName(code: number): RelayCloseName | null {
  const entry = Object.entries(RELAY_CLOSE).find(([, value]) => value === code);
  return entry ? (entry[0] as RelayCloseName) : null;
}

export type ClientMessage =
  | { readonly type: 'join'; readonly roomId: Uint8Array }
  | { readonly type: 'send'; readonly payload: Uint8Array }
  | { readonly type: 'register'; readonly fingerprint: Uint8Array }
  | { readonly type: 'prove'; readonly publicKey: Uint8Array; readonly signature: Uint8Array }
  | { readonly type: 'notify'; readonly fingerprint: Uint8Array; readonly roomId: Uint8Array };

export type RelayMessage =
  | { readonly type: 'joined'; readonly othersPresent: boolean }
  | { readonly type: 'peer'; readonly present: boolean }
  | { readonly type: 'deliver'; readonly payload: Uint8Array }
  | { readonly type: 'challenge'; readonly nonce: Uint8Array }
  | { readonly type: 'registered' }
  | { readonly type: 'incoming'; readonly roomId: Uint8Array }
  | { readonly type: 'notified'; readonly delivered: boolean };

const CLIENT = { join: 0x01, send: 0x02, register: 0x03, prove: 0x04, notify: 0x05 } as const;
const RELAY = { joined: 0x81, peer: 0x82, deliver: 0x83, challenge: 0x84, registered: 0x85, incoming: 0x86, notified: 0x87 } as const;

function bool(value: number): boolean {
  if (value > 1) fail('BAD_ENCODING', 'boolean byte must be 0 or 1');
  return value === 1;
}

function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) fail('BAD_INPUT', `${what} must be ${length} bytes`);
}

export function encodeClientMessage(m: ClientMessage): Uint8Array {
  const w = new ByteWriter(m.type === 'send' ? m.payload.length + 1 : 128).u8(CLIENT[m.type]);
  switch (m.type) {
    case 'join':
      checkLength(m.roomId, RELAY_ROOM_ID_BYTES, 'room id');
      return w.bytes(m.roomId).finish();
    case 'send':
      return w.bytes(m.payload).finish();
    case 'register':
      checkLength(m.fingerprint, 32, 'fingerprint');
      return w.bytes(m.fingerprint).finish();
    case 'prove':
      checkLength(m.publicKey, 32, 'public key');
      checkLength(m.signature, 64, 'signature');
      return w.bytes(m.publicKey).bytes(m.signature).finish();
    case 'notify':
      checkLength(m.fingerprint, 32, 'fingerprint');
      checkLength(m.roomId, RELAY_ROOM_ID_BYTES, 'room id');
      return w.bytes(m.fingerprint).bytes(m.roomId).finish();
  }
}

/** Strict decode of a client message (relay side). Malformed → BAD_ENCODING. */
export function decodeClientMessage(bytes: Uint8Array): ClientMessage {
  const r = new ByteReader(bytes, 'BAD_ENCODING');
  const type = r.u8();
  let m: ClientMessage;
  switch (type) {
    case CLIENT.join:
      m = { type: 'join', roomId: r.bytes(RELAY_ROOM_ID_BYTES) };
      break;
    case CLIENT.send:
      return { type: 'send', payload: r.rest() };
    case CLIENT.register:
      m = { type: 'register', fingerprint: r.bytes(32) };
      break;
    case CLIENT.prove:
      m = { type: 'prove', publicKey: r.bytes(32), signature: r.bytes(64) };
      break;
    case CLIENT.notify:
      m = { type: 'notify', fingerprint: r.bytes(32), roomId: r.bytes(RELAY_ROOM_ID_BYTES) };
      break;
    default:
      return fail('BAD_ENCODING', 'unknown client message type');
  }
  r.end();
  return m;
}

export function encodeRelayMessage(m: RelayMessage): Uint8Array {
  const w = new ByteWriter(m.type === 'deliver' ? m.payload.length + 1 : 64).u8(RELAY[m.type]);
  switch (m.type) {
    case 'joined':
      return w.u8(m.othersPresent ? 1 : 0).finish();
    case 'peer':
      return w.u8(m.present ? 1 : 0).finish();
    case 'deliver':
      return w.bytes(m.payload).finish();
    case 'challenge':
      checkLength(m.nonce, RELAY_NONCE_BYTES, 'nonce');
      return w.bytes(m.nonce).finish();
    case 'registered':
      return w.finish();
    case 'incoming':
      checkLength(m.roomId, RELAY_ROOM_ID_BYTES, 'room id');
      return w.bytes(m.roomId).finish();
    case 'notified':
      return w.u8(m.delivered ? 1 : 0).finish();
  }
}

/** Strict decode of a relay message (client side). Malformed → BAD_ENCODING. */
export function decodeRelayMessage(bytes: Uint8Array): RelayMessage {
  const r = new ByteReader(bytes, 'BAD_ENCODING');
  const type = r.u8();
  let m: RelayMessage;
  switch (type) {
    case RELAY.joined:
      m = { type: 'joined', othersPresent: bool(r.u8()) };
      break;
    case RELAY.peer:
      m = { type: 'peer', present: bool(r.u8()) };
      break;
    case RELAY.deliver:
      return { type: 'deliver', payload: r.rest() };
    case RELAY.challenge:
      m = { type: 'challenge', nonce: r.bytes(RELAY_NONCE_BYTES) };
      break;
    case RELAY.registered:
      m = { type: 'registered' };
      break;
    case RELAY.incoming:
      m = { type: 'incoming', roomId: r.bytes(RELAY_ROOM_ID_BYTES) };
      break;
    case RELAY.notified:
      m = { type: 'notified', delivered: bool(r.u8()) };
      break;
    default:
      return fail('BAD_ENCODING', 'unknown relay message type');
  }
  r.end();
  return m;
}

/** The 32-byte hash a device signs (context 'relay registration') to prove it owns a mailbox. */
export function registrationHash(nonce: Uint8Array, fingerprint: Uint8Array): Promise<Uint8Array> {
  checkLength(nonce, RELAY_NONCE_BYTES, 'nonce');
  checkLength(fingerprint, 32, 'fingerprint');
  return sha256(concatBytes(utf8('sealdrop/v1 relay challenge'), Uint8Array.of(0), nonce, fingerprint));
}

/** Channels inside SEND/DELIVER payloads, a convention between the two clients. */
export const CHANNEL = { signal: 0, frame: 1 } as const;
