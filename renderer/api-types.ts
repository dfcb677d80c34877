/**
 * What the screens consume: `RendererApi`, built by renderer/api.ts over `window.sealdrop` (the preload API of
 * src/ipc/api.ts, channels in src/ipc/contract.ts).
 *
 * Where the contract already has the shape a screen needs (identity, contacts, settings, safety numbers, picked
 * items) it is used as is and re-exported. Two things are added, because the contract is event-based and the
 * screens need state:
 *   - transfers: `TransferView` records, folded from the transfer events main sends and the reports the renderer's
 *     own session runner makes (data/transfer-tracker.ts);
 *   - offers: the authenticated offers waiting for an answer.
 * Nothing here is invented: every field comes from a contract event, a contract response, or a local report.
 * Calls resolve to values and reject with ApiError (stable `code`), never with an IpcResult envelope.
 */

import type { SessionPortMessage } from '../src/ipc/api';
import type {
  ContactInfo,
  ContactStatus,
  DiskEntryRequest,
  DiskReadRequest,
  DiskWriteRequest,
  IdentityInfo,
  OfferDecision,
  OfferInfo,
  PartProgressInfo,
  PeerSummary,
  PickedItem,
  SafetyNumberInfo,
  SecurityLevel,
  SendTarget,
  SettingsInfo,
  SettingsPatch,
  SignRequest,
  TransferPath,
  TransferReport,
  TransferSessionInfo,
  VerifiedBy,
  VerifyRequest,
} from '../src/ipc/contract';

export type {
  ContactInfo,
  ContactStatus,
  IdentityInfo,
  OfferInfo,
  PeerSummary,
  PickedItem,
  SafetyNumberInfo,
  SecurityLevel,
  SendTarget,
  SettingsInfo,
  SettingsPatch,
  SessionPortMessage,
  TransferPath,
  TransferReport,
  TransferSessionInfo,
  VerifiedBy,
  VerifyRequest,
};
export type { ThemePreference, TurnServer } from '../src/ipc/contract';

/** Returned by every `on…` subscription; calling it twice is harmless. */
export type Unsubscribe = () => void;

export type TransferState =
  | 'waiting' // a link was created; nobody has used it yet
  | 'connecting' // a session is starting (or restarting after the path was lost: see resumedFrom)
  | 'awaiting-accept' // sender: waiting for the receiver's answer; receiver: the offer is on screen
  | 'transferring'
  | 'complete'
  | 'failed'
  | 'cancelled'
  | 'declined';

export interface TransferError {
  /** A stable code from src/errors.ts; the UI explains by code. */
  readonly code: string;
  readonly message: string;
}

/** Who is on the other end, as far as it is known yet. Screens add the contact's name and status by contactId. */
export interface TransferPeer {
  readonly contactId: string | null;
  /** The name the peer offered in the handshake, or the contact name main reported; null until known. */
  readonly name: string | null;
  readonly short: string | null;
  /** The trust store's view when main reported it (offers); null otherwise: look the contact up. */
  readonly status: ContactStatus | 'new' | null;
  readonly verifiedBy: VerifiedBy | null;
}

export interface FileEntry {
  readonly path: string;
  readonly size: number;
}

export interface TransferView {
  readonly id: string;
  readonly direction: 'send' | 'receive';
  readonly state: TransferState;
  readonly peer: TransferPeer | null;
  /** Known once the handshake finished (the session runner's report, the offer, or the done event). */
  readonly level: SecurityLevel | null;
  readonly path: TransferPath | null;
  /** Files and folders, when known (the offer or the done event). */
  readonly files: number | null;
  readonly directories: number;
  /** What was picked or dropped (sender) or the offer's preview names (receiver): at most a few dozen. */
  readonly names: readonly string[];
  readonly totalBytes: number | null;
  /** Bytes sent (sender) or verified and written (receiver). */
  readonly bytesDone: number;
  /** The link a 'waiting' send can be picked up with; null otherwise. */
  readonly link: string | null;
  /** Set when a new session took over an interrupted one: the bytes already done when it resumed. */
  readonly resumedFrom: number | null;
  readonly error: TransferError | null;
  /** Unix milliseconds, this renderer's clock. */
  readonly startedAt: number;
  readonly updatedAt: number;
}

/** An authenticated offer waiting for the user's answer. */
export interface OfferView extends OfferInfo {
  readonly receivedAt: number;
  /** The full manifest with sizes, once the renderer's session runner supplied it; null until then. */
  readonly entries: readonly FileEntry[] | null;
}

/** A file or folder to send: dropped (a File; the preload resolves its path) or picked in main's dialog. */
export type SendItem = { readonly kind: 'dropped'; readonly file: File } | { readonly kind: 'picked'; readonly item: PickedItem };

export interface SendStarted {
  readonly transferId: string;
  /** For `to: { kind: 'link' }`: the sealdrop:// link to hand over. */
  readonly link: string | null;
}

export interface RendererApi {
  readonly identity: {
    get(): Promise<IdentityInfo>;
    /** A pairing link for this device's QR; it expires at `expiresAt` (Unix ms). */
    pairingLink(): Promise<{ readonly link: string; readonly expiresAt: number }>;
  };
  readonly contacts: {
    list(): Promise<readonly ContactInfo[]>;
    onChanged(handler: (contacts: readonly ContactInfo[]) => void): Unsubscribe;
    safetyNumber(contactId: string): Promise<SafetyNumberInfo>;
    /** Marks the contact verified; main re-checks the evidence against the key it is about to mark verified. */
    verify(request: VerifyRequest): Promise<ContactInfo>;
    /** A new contact from another device's pairing link (scanned or pasted). */
    pair(link: string): Promise<ContactInfo>;
    forget(contactId: string): Promise<void>;
  };
  readonly settings: {
    get(): Promise<SettingsInfo>;
    set(patch: SettingsPatch): Promise<SettingsInfo>;
    /** Main's folder dialog; resolves to the settings afterwards (unchanged when the user cancelled). */
    chooseDownloadDir(): Promise<SettingsInfo>;
  };
  readonly transfer: {
    /** Main's native dialog. */
    pickFiles(kind: 'files' | 'folder'): Promise<readonly PickedItem[]>;
    send(request: { readonly items: readonly SendItem[]; readonly to: SendTarget }): Promise<SendStarted>;
    receive(link: string): Promise<{ readonly transferId: string }>;
    cancel(transferId: string): Promise<void>;
    openFolder(transferId: string): Promise<void>;
    /** Newest first; the same array until something changes (for useSyncExternalStore, hence unbound-safe). */
    readonly list: () => readonly TransferView[];
    readonly onChanged: (listener: () => void) => Unsubscribe;
  };
  readonly offers: {
    /** Oldest first; the same array until something changes. */
    readonly list: () => readonly OfferView[];
    readonly onChanged: (listener: () => void) => Unsubscribe;
    accept(transferId: string): Promise<void>;
    decline(transferId: string): Promise<void>;
    /** The user chose "open" on an offer's OS notification: show it. */
    onOpenRequested(handler: (transferId: string) => void): Unsubscribe;
  };
  readonly camera: {
    /** Opens main's camera window (the only time its permission handler grants the camera). */
    startScan(): Promise<{ readonly until: number }>;
    stopScan(): Promise<void>;
  };
  readonly tray: {
    onReceivingChanged(handler: (receiving: boolean) => void): Unsubscribe;
  };
  /**
   * For the renderer's session runner (the client that runs the handshake and decrypts): pass-throughs to the
   * contract, so that it too reaches main only through renderer/api.ts. `report` also updates the transfer list, and
   * `manifest` gives an offer its full file list with sizes.
   */
  readonly client: {
    onSession(handler: (session: TransferSessionInfo) => void): Unsubscribe;
    sign(request: SignRequest): Promise<Uint8Array>;
    report(report: TransferReport): Promise<{ readonly decision: OfferDecision | null }>;
    manifest(transferId: string, entries: readonly FileEntry[]): void;
    disk: {
      read(request: DiskReadRequest): Promise<Uint8Array>;
      progress(request: DiskEntryRequest): Promise<PartProgressInfo | null>;
      writeChunk(request: DiskWriteRequest): Promise<void>;
      createDirectory(request: DiskEntryRequest): Promise<void>;
      commit(request: DiskEntryRequest): Promise<void>;
      discard(request: DiskEntryRequest): Promise<void>;
    };
  };
}
