/**
 * The one IPC contract between the sandboxed renderer and the Electron main process (STYLE.md 9, ADR 0004 §2).
 *
 * Every channel is named `domain:verb`. For each invoke channel (renderer → main, `ipcRenderer.invoke`) this file
 * holds the request type, the response type and the runtime validator main applies before any service runs; for
 * each event channel (main → renderer, `webContents.send` / `postMessage`) it holds the payload type. The preload
 * exposes each channel as one named function in the namespace of its domain: `identity:sign` is
 * `sealdrop.identity.sign`, `transfer:pick-files` is `sealdrop.transfer.pickFiles`, and the event
 * `tray:receiving-changed` is `sealdrop.tray.onReceivingChanged` (see `apiNameOf`).
 *
 * Trust assumptions: main treats the renderer as able to send anything (a bug, or a compromised page), so:
 * - validators are exact: unknown keys, wrong types, over-long strings, wrong byte lengths are BAD_INPUT;
 * - `identity:sign` signs only the two handshake contexts. The signer itself accepts every context in
 *   src/identity/identity.ts; a renderer that could sign 'key rotation' could move every contact onto an attacker's
 *   key (docs/PROTOCOL.md §12.6), so the restriction lives here, at the boundary;
 * - the renderer never names a file path it invented: files to send arrive either as opaque ids of items the user
 *   picked in main's native dialog, or as paths the *preload* derived from dropped `File` objects with
 *   `webUtils.getPathForFile` (page script cannot forge a File with a path) — and since a compromised renderer
 *   *process* could still name any path, main lists dropped paths in its own native dialog before reading them;
 *   the download folder is only ever set from main's folder dialog (`settings:choose-download-dir`), so page script
 *   cannot point received files at, say, an autostart folder;
 * - the renderer runs the session (handshake, decryption): main hands it a MessagePort of ciphertext frames
 *   (`transfer:session`) and serves its file-source and file-sink calls (`disk:*`), addressed by transfer id and
 *   manifest index only — the sink adapter maps those to paths (src/ports/files.ts).
 *
 * Changes from the first channel list, each for a reason: `identity:pairing-link` and `contacts:pair` (QR pairing
 * runs in main, main/transfer/pair.ts), `settings:choose-download-dir` (see above), `transfer:report` (the renderer
 * tells main what only the finished handshake knows: the peer's key to pin, the offer for the auto-accept policy and
 * the tray, the outcome), `camera:start-scan` / `camera:stop-scan` (the only window in which main's permission
 * handler grants the camera, main/app/security.ts).
 *
 * Responses travel in an envelope (`IpcResult`): Electron keeps only the message of an error thrown in a handler,
 * and the renderer explains failures by stable code (STYLE.md 6).
 */

import { ERROR_CODES, SealdropError, type ErrorCode } from '../errors';
import { MAX_CHUNK_SIZE, MAX_CHUNKS, MIN_CHUNK_SIZE } from '../crypto/stream';
import type { TransportBinding } from '../handshake/key-schedule';
import { MAX_LINK_TEXT, validateRelayUrl } from '../identity/link';
import { MANIFEST_LIMITS } from '../manifest/manifest';
import { MAX_CONTACT_NAME_LENGTH } from '../trust/contact';
import {
  array,
  boolean,
  bytes,
  integer,
  literal,
  none,
  nullable,
  object,
  refine,
  string,
  variant,
  type Validator,
} from './schema';

// ------------------------------------------------------------------------------------------------ limits

/** Transfer, contact and picked-item ids: 16 random bytes as 32 lowercase hex characters. */
export const ID_PATTERN = /^[0-9a-f]{32}$/;
/** Longest file path accepted from the preload (Linux PATH_MAX; Windows long paths stay below it in practice). */
export const MAX_PATH_LENGTH = 4096;
/** Top-level items in one send: what a person drops or picks at once, not the files inside folders. */
export const MAX_SEND_ITEMS = 1000;
export const MAX_URL_LENGTH = 255;
export const MAX_STUN_SERVERS = 8;
export const MAX_TURN_SERVERS = 4;
export const MAX_TURN_USERNAME = 256;
export const MAX_TURN_CREDENTIAL = 512;
/** File names an offer event carries for the offer card and the notification (a preview, not the manifest). */
export const MAX_OFFER_NAMES = 16;
/** A serialised incremental SHA-256 state: 42-byte header plus at most 63 buffered bytes (src/crypto/sha256.ts). */
export const MAX_HASH_STATE_BYTES = 42 + 63;
export const HANDSHAKE_HASH_BYTES = 32;
export const SAFETY_NUMBER_DIGITS = 60;
/** The only contexts the renderer may have main sign (see the file header). */
export const RENDERER_SIGNATURE_CONTEXTS = ['handshake initiator', 'handshake responder'] as const;

// ------------------------------------------------------------------------------------------------ shared types

export type Hex = string;
export type TransferPath = 'direct' | 'webrtc' | 'turn' | 'relay';
export type SecurityLevel = 2 | 3;
export type VerifiedBy = 'pin' | 'link-fingerprint' | 'link-secret' | 'none';
export type ContactStatus = 'seen' | 'verified' | 'keyChanged';
export type ThemePreference = 'system' | 'light' | 'dark';
export type RendererSignatureContext = (typeof RENDERER_SIGNATURE_CONTEXTS)[number];

/** Every response: the value, or a stable code with a human message (no secrets, no paths of the other side). */
export type IpcResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: ErrorCode; readonly message: string } };

export interface IdentityInfo {
  /** SHA-256 fingerprint of this device's identity key, 64 lowercase hex characters. */
  readonly fingerprint: Hex;
  /** "K7QX-3M2A-RPLC-WD4E": a label, never enough to verify. */
  readonly short: string;
  /** The name this device offers to others. */
  readonly name: string;
}

export interface ContactInfo {
  readonly id: string;
  readonly name: string;
  readonly fingerprint: Hex;
  readonly short: string;
  /** 'keyChanged' overrides the trust level: transfers with this contact are refused until it is verified again. */
  readonly status: ContactStatus;
  readonly addedAt: number;
  readonly verifiedAt: number | null;
  /** Present exactly when status is 'keyChanged': the key the peer presented instead of the pinned one. */
  readonly pendingKey: { readonly fingerprint: Hex; readonly short: string; readonly seenAt: number } | null;
}

export interface SafetyNumberInfo {
  /** 60 digits; both devices compute the same number. */
  readonly digits: string;
  /** The key the number covers: the pinned one, or the pending key after a key change. */
  readonly key: 'pinned' | 'pending';
}

export interface TurnServer {
  readonly url: string;
  readonly username: string;
  readonly credential: string;
}

export interface SettingsInfo {
  readonly relayUrl: string;
  readonly stun: readonly string[];
  readonly turn: readonly TurnServer[];
  readonly requireLevel3: boolean;
  readonly autoAcceptVerified: boolean;
  readonly receiveInTray: boolean;
  readonly startAtLogin: boolean;
  /** Read-only here: set through `settings:choose-download-dir` (main's folder dialog). */
  readonly downloadDir: string;
  readonly theme: ThemePreference;
}

/** What `settings:set` may change: any non-empty subset of the settings except `downloadDir`. */
export type SettingsPatch = {
  -readonly [K in Exclude<keyof SettingsInfo, 'downloadDir'>]?: SettingsInfo[K];
};

/** An item the user picked in main's dialog; `id` is opaque and only meaningful to the main process that issued it. */
export interface PickedItem {
  readonly id: string;
  readonly name: string;
  readonly kind: 'file' | 'directory';
  /** Bytes for a file; null for a directory (counted when the manifest is built). */
  readonly size: number | null;
}

export type SendTarget = { readonly kind: 'contact'; readonly contactId: string } | { readonly kind: 'link' };

export interface PartProgressInfo {
  readonly verifiedChunks: number;
  readonly chunkSize: number;
  readonly hashState: Uint8Array;
  readonly committed: boolean;
}

/** Main's final answer to an offer: after its policy, or after the user answered the offer card or notification. */
export type OfferDecision = 'accept' | 'decline';

export interface PeerSummary {
  /** Null when the peer is not a contact. */
  readonly contactId: string | null;
  readonly name: string;
  readonly fingerprint: Hex;
  readonly short: string;
  readonly status: ContactStatus | 'new';
  readonly verifiedBy: VerifiedBy;
}

// ------------------------------------------------------------------------------------------------ requests

export interface SignRequest {
  /**
   * The session this signature is for. Main signs only for a session it handed to the renderer, once, in that
   * session's own handshake role, before the session reported `connected` — not for any hash at any time.
   */
  readonly transferId: string;
  readonly context: RendererSignatureContext;
  /** The 32-byte transcript hash; main signs `utf8("sealdrop/v1 signature ") ‖ context ‖ 0x00 ‖ hash`. */
  readonly hash: Uint8Array;
}

export interface ContactRef {
  readonly id: string;
}

/** How the user confirmed a contact; main re-checks the evidence against the key it is about to mark verified. */
export type VerifyRequest =
  | { readonly id: string; readonly method: 'safety-number'; readonly digits: string }
  | { readonly id: string; readonly method: 'qr'; readonly link: string };

export interface LinkRequest {
  readonly link: string;
}

export interface PickRequest {
  readonly kind: 'files' | 'folder';
}

export interface SendRequest {
  /** Paths of dropped files, derived by the preload from `File` objects; never typed by page script. */
  readonly paths: readonly string[];
  /** Ids from `transfer:pick-files`. */
  readonly picked: readonly string[];
  readonly to: SendTarget;
}

export interface TransferRef {
  readonly transferId: string;
}

export type TransferReport =
  | {
      readonly transferId: string;
      readonly type: 'connected';
      readonly level: SecurityLevel;
      readonly verifiedBy: VerifiedBy;
      /** The peer's Ed25519 identity key, as the renderer's handshake verified it. */
      readonly peerKey: Uint8Array;
      readonly peerName: string;
    }
  | {
      readonly transferId: string;
      readonly type: 'offer';
      /**
       * The encoded manifest of the verified offer (src/manifest/codec.ts). Main decodes and validates it again (the
       * renderer is not trusted with paths), applies its policy, and opens the sink from it: `disk:*` calls name
       * entries by their index in this manifest. The answer arrives once decided — by policy at once, or when the
       * user answers the `transfer:offer` card or the notification.
       */
      readonly manifest: Uint8Array;
    }
  | { readonly transferId: string; readonly type: 'finished'; readonly ok: boolean; readonly code: ErrorCode | null };

export interface DiskReadRequest {
  readonly transferId: string;
  readonly index: number;
  readonly offset: number;
  readonly length: number;
}

export interface DiskEntryRequest {
  readonly transferId: string;
  readonly index: number;
}

export interface DiskWriteRequest {
  readonly transferId: string;
  readonly index: number;
  readonly chunkIndex: number;
  readonly plaintext: Uint8Array;
  readonly progress: PartProgressInfo;
}

// ------------------------------------------------------------------------------------------------ invoke channels

/** Request and response type of every invoke channel. `void`: no payload / nothing returned. */
export interface InvokeMap {
  'identity:get': { request: void; response: IdentityInfo };
  'identity:sign': { request: SignRequest; response: Uint8Array };
  'identity:rotate': { request: void; response: IdentityInfo };
  'identity:pairing-link': { request: void; response: { readonly link: string; readonly expiresAt: number } };
  'contacts:list': { request: void; response: readonly ContactInfo[] };
  'contacts:verify': { request: VerifyRequest; response: ContactInfo };
  'contacts:forget': { request: ContactRef; response: void };
  'contacts:accept-key-change': { request: ContactRef; response: ContactInfo };
  'contacts:safety-number': { request: ContactRef; response: SafetyNumberInfo };
  'contacts:pair': { request: LinkRequest; response: ContactInfo };
  'settings:get': { request: void; response: SettingsInfo };
  'settings:set': { request: SettingsPatch; response: SettingsInfo };
  'settings:choose-download-dir': { request: void; response: SettingsInfo };
  'transfer:pick-files': { request: PickRequest; response: readonly PickedItem[] };
  'transfer:send': { request: SendRequest; response: { readonly transferId: string; readonly link: string | null } };
  'transfer:receive': { request: LinkRequest; response: { readonly transferId: string } };
  'transfer:accept': { request: TransferRef; response: void };
  'transfer:decline': { request: TransferRef; response: void };
  'transfer:cancel': { request: TransferRef; response: void };
  'transfer:open-folder': { request: TransferRef; response: void };
  'transfer:report': { request: TransferReport; response: { readonly decision: OfferDecision | null } };
  'disk:read': { request: DiskReadRequest; response: Uint8Array };
  'disk:progress': { request: DiskEntryRequest; response: PartProgressInfo | null };
  'disk:write-chunk': { request: DiskWriteRequest; response: void };
  'disk:create-directory': { request: DiskEntryRequest; response: void };
  'disk:commit': { request: DiskEntryRequest; response: void };
  'disk:discard': { request: DiskEntryRequest; response: void };
  'camera:start-scan': { request: void; response: { readonly until: number } };
  'camera:stop-scan': { request: void; response: void };
}

export type InvokeChannel = keyof InvokeMap;
export type InvokeRequest<C extends InvokeChannel> = InvokeMap[C]['request'];
export type InvokeResponse<C extends InvokeChannel> = InvokeMap[C]['response'];

// ------------------------------------------------------------------------------------------------ events

export interface TransferSessionInfo {
  readonly transferId: string;
  /** This device's Ed25519 identity key (public): the handshake sends it; main signs for it (`identity:sign`). */
  readonly identityKey: Uint8Array;
  readonly role: 'sender' | 'receiver';
  /** 'initiator' joined the room; 'responder' created it (src/transfer/session.ts). */
  readonly handshakeRole: 'initiator' | 'responder';
  readonly sessionId: Uint8Array;
  /** The link secret, when a link was used. */
  readonly psk: Uint8Array | null;
  readonly expect: {
    readonly pinnedKey: Uint8Array | null;
    readonly linkFingerprint: Uint8Array | null;
    readonly linkIssued: boolean;
    /** Keys of every pinned contact, for the handshake's `isPinned` lookup of an unexpected peer. */
    readonly pinnedKeys: readonly Uint8Array[];
  };
  readonly requireLevel3: boolean;
  /** This device's name, offered in the handshake. */
  readonly name: string;
  readonly binding: TransportBinding;
  /** The largest frame the path carries (Transport.maxFrameBytes). */
  readonly maxFrameBytes: number;
  readonly path: TransferPath;
  /** Sender only: the encoded manifest main built from the picked files (src/manifest/codec.ts). */
  readonly manifest: Uint8Array | null;
  readonly contactId: string | null;
}

export interface OfferInfo {
  readonly transferId: string;
  readonly peer: PeerSummary;
  readonly level: SecurityLevel;
  readonly path: TransferPath;
  readonly files: number;
  readonly directories: number;
  readonly bytes: number;
  readonly names: readonly string[];
}

/** Payload of every event channel (main → renderer). */
export interface EventMap {
  /** An authenticated offer waiting for the user (main's policy answered 'ask' to a `transfer:report` offer). */
  'transfer:offer': OfferInfo;
  /** A session to run; the MessagePort carrying its ciphertext frames travels beside the payload (see api.ts). */
  'transfer:session': TransferSessionInfo;
  'transfer:progress': { readonly transferId: string; readonly bytes: number; readonly total: number; readonly path: TransferPath | null };
  'transfer:done': { readonly transferId: string; readonly level: SecurityLevel; readonly path: TransferPath; readonly files: number; readonly bytes: number };
  'transfer:error': { readonly transferId: string; readonly code: ErrorCode; readonly message: string };
  'contacts:changed': { readonly contacts: readonly ContactInfo[] };
  'tray:receiving-changed': { readonly receiving: boolean };
  /** The user answered an offer in an OS notification. */
  'notification:offer': { readonly transferId: string; readonly action: 'accept' | 'decline' | 'open' };
}

export type EventChannel = keyof EventMap;
export type EventPayload<E extends EventChannel> = EventMap[E];

// ------------------------------------------------------------------------------------------------ validators

const id = string({ min: 32, max: 32, pattern: ID_PATTERN });
const transferRef = object({ transferId: id });
const contactRef = object({ id });
const link = string({ min: 1, max: MAX_LINK_TEXT });
const manifestIndex = integer(0, MANIFEST_LIMITS.maxEntries - 1);

function isRelayUrl(url: string): boolean {
  try {
    validateRelayUrl(url);
    return true;
  } catch {
    return false;
  }
}

const relayUrl = refine(string({ min: 1, max: MAX_URL_LENGTH }), isRelayUrl, 'expected a ws:// or wss:// relay address');
// RFC 7064 / 7065 URIs, printable ASCII only.
const stunUrl = string({ min: 6, max: MAX_URL_LENGTH, pattern: /^stuns?:[\x21-\x7e]+$/ });
const turnUrl = string({ min: 6, max: MAX_URL_LENGTH, pattern: /^turns?:[\x21-\x7e]+$/ });

// An absolute path (POSIX, drive letter or UNC) without NUL; other control characters are legal in file names.
const absolutePath = refine(
  string({ min: 1, max: MAX_PATH_LENGTH, allowControl: true, pattern: /^[^\u0000]+$/ }),
  (path) => path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\'),
  'expected an absolute path',
);

const settingsPatch: Validator<SettingsPatch> = object(
  {},
  {
    relayUrl,
    stun: array(stunUrl, { max: MAX_STUN_SERVERS }),
    turn: array(
      object({
        url: turnUrl,
        username: string({ max: MAX_TURN_USERNAME }),
        credential: string({ max: MAX_TURN_CREDENTIAL }),
      }),
      { max: MAX_TURN_SERVERS },
    ),
    requireLevel3: boolean,
    autoAcceptVerified: boolean,
    receiveInTray: boolean,
    startAtLogin: boolean,
    theme: literal('system', 'light', 'dark'),
  },
  { minKeys: 1 },
);

const sendRequest: Validator<SendRequest> = refine(
  object({
    paths: array(absolutePath, { max: MAX_SEND_ITEMS }),
    picked: array(id, { max: MAX_SEND_ITEMS }),
    to: variant('kind', {
      contact: object({ kind: literal('contact'), contactId: id }),
      link: object({ kind: literal('link') }),
    }),
  }),
  (request) => request.paths.length + request.picked.length >= 1 && request.paths.length + request.picked.length <= MAX_SEND_ITEMS,
  `expected 1..${MAX_SEND_ITEMS} items in total`,
);

const errorCode = literal(...ERROR_CODES);

const transferReport: Validator<TransferReport> = variant('type', {
  connected: object({
    transferId: id,
    type: literal('connected'),
    level: literal(2, 3),
    verifiedBy: literal('pin', 'link-fingerprint', 'link-secret', 'none'),
    peerKey: bytes({ length: 32 }),
    peerName: string({ max: MAX_CONTACT_NAME_LENGTH }),
  }),
  offer: object({
    transferId: id,
    type: literal('offer'),
    manifest: bytes({ min: 1, max: MANIFEST_LIMITS.maxEncodedBytes }),
  }),
  finished: object({
    transferId: id,
    type: literal('finished'),
    ok: boolean,
    code: nullable(errorCode),
  }),
});

const diskEntry = object({ transferId: id, index: manifestIndex });

const diskWrite: Validator<DiskWriteRequest> = refine(
  object({
    transferId: id,
    index: manifestIndex,
    chunkIndex: integer(0, MAX_CHUNKS - 1),
    plaintext: bytes({ max: MAX_CHUNK_SIZE }),
    progress: object({
      verifiedChunks: integer(1, MAX_CHUNKS),
      chunkSize: integer(MIN_CHUNK_SIZE, MAX_CHUNK_SIZE),
      hashState: bytes({ min: 1, max: MAX_HASH_STATE_BYTES }),
      // A chunk write never reports a committed file: committing is its own step, after verification.
      committed: literal(false),
    }),
  }),
  // The sink appends chunk `chunkIndex` and records it as verified in the same step (src/ports/files.ts).
  (request) => request.progress.verifiedChunks === request.chunkIndex + 1 && request.plaintext.length <= request.progress.chunkSize,
  'progress must count exactly the chunks up to this one, and the chunk must fit the chunk size',
);

/** The validator of every invoke channel's request. */
export const REQUEST_VALIDATORS: { readonly [C in InvokeChannel]: Validator<InvokeRequest<C>> } = {
  'identity:get': none,
  'identity:sign': object({
    transferId: id,
    context: literal(...RENDERER_SIGNATURE_CONTEXTS),
    hash: bytes({ length: HANDSHAKE_HASH_BYTES }),
  }),
  'identity:rotate': none,
  'identity:pairing-link': none,
  'contacts:list': none,
  'contacts:verify': variant('method', {
    'safety-number': object({
      id,
      method: literal('safety-number'),
      digits: string({ min: SAFETY_NUMBER_DIGITS, max: SAFETY_NUMBER_DIGITS, pattern: /^[0-9]+$/ }),
    }),
    qr: object({ id, method: literal('qr'), link }),
  }),
  'contacts:forget': contactRef,
  'contacts:accept-key-change': contactRef,
  'contacts:safety-number': contactRef,
  'contacts:pair': object({ link }),
  'settings:get': none,
  'settings:set': settingsPatch,
  'settings:choose-download-dir': none,
  'transfer:pick-files': object({ kind: literal('files', 'folder') }),
  'transfer:send': sendRequest,
  'transfer:receive': object({ link }),
  'transfer:accept': transferRef,
  'transfer:decline': transferRef,
  'transfer:cancel': transferRef,
  'transfer:open-folder': transferRef,
  'transfer:report': transferReport,
  'disk:read': object({
    transferId: id,
    index: manifestIndex,
    offset: integer(0, MANIFEST_LIMITS.maxFileSize),
    length: integer(1, MAX_CHUNK_SIZE),
  }),
  'disk:progress': diskEntry,
  'disk:write-chunk': diskWrite,
  'disk:create-directory': diskEntry,
  'disk:commit': diskEntry,
  'disk:discard': diskEntry,
  'camera:start-scan': none,
  'camera:stop-scan': none,
};

export const INVOKE_CHANNELS = Object.keys(REQUEST_VALIDATORS) as readonly InvokeChannel[];

/** Every event channel, in one list (the record type makes the compiler check it against EventMap). */
const EVENT_TABLE: { readonly [E in EventChannel]: true } = {
  'transfer:offer': true,
  'transfer:session': true,
  'transfer:progress': true,
  'transfer:done': true,
  'transfer:error': true,
  'contacts:changed': true,
  'tray:receiving-changed': true,
  'notification:offer': true,
};

export const EVENT_CHANNELS = Object.keys(EVENT_TABLE) as readonly EventChannel[];

export function isInvokeChannel(channel: unknown): channel is InvokeChannel {
  return typeof channel === 'string' && Object.hasOwn(REQUEST_VALIDATORS, channel);
}

/**
 * Check a payload received on `channel` and return a fresh, typed copy.
 * @throws SealdropError BAD_INPUT for an unknown channel or any payload that does not match exactly.
 */
export function validateRequest<C extends InvokeChannel>(channel: C, payload: unknown): InvokeRequest<C> {
  if (!isInvokeChannel(channel)) throw new SealdropError('BAD_INPUT', 'unknown channel');
  const validate = REQUEST_VALIDATORS[channel] as Validator<InvokeRequest<C>>;
  return validate(payload, 'request');
}

// ------------------------------------------------------------------------------------------------ naming

function camel(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * Where a channel appears on `window.sealdrop`: the domain is the namespace; an invoke verb becomes a camelCase
 * method, an event becomes `on` + PascalCase. `transfer:pick-files` → transfer.pickFiles,
 * `tray:receiving-changed` → tray.onReceivingChanged.
 */
export function apiNameOf(channel: InvokeChannel | EventChannel): { readonly namespace: string; readonly member: string } {
  const [namespace, verb] = channel.split(':') as [string, string];
  const member = camel(verb);
  if (Object.hasOwn(EVENT_TABLE, channel)) return { namespace, member: `on${member[0]!.toUpperCase()}${member.slice(1)}` };
  return { namespace, member };
}
