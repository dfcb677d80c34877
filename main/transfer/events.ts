/**
 * What a running transfer reports to its user interface (the CLI's JSON lines, later the desktop app). Plain JSON
 * values only: fingerprints in hex, sizes in bytes, codes from src/errors.ts.
 */

import type { ErrorCode } from '../../src/errors';

export type PathReport = 'direct' | 'webrtc' | 'turn' | 'relay' | 'memory';

export interface PeerReport {
  readonly fingerprint: string;
  readonly short: string;
  readonly name: string;
  /** The user compared safety numbers or paired by QR (trust store state 'verified'). */
  readonly verified: boolean;
  /** How the key was checked in this handshake: pin, link-fingerprint, link-secret, or none (Level 2). */
  readonly verifiedBy: string;
}

export interface FileReport {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export type TransferReport =
  /** `link` is what the receiver needs for a link send, and null for a contact send (it is woken by its mailbox). */
  | { readonly event: 'ready'; readonly link: string | null; readonly fingerprint: string; readonly files: number; readonly bytes: number }
  | { readonly event: 'waiting'; readonly relay: string }
  /**
   * Contact sends: the relay answered a NOTIFY for the contact's mailbox. `delivered` is false when no device of the
   * contact was registered on this relay at that moment (the sender notifies again later). Unauthenticated: the
   * relay may lie either way; only the handshake says who joined.
   */
  | { readonly event: 'notified'; readonly delivered: boolean }
  | { readonly event: 'connected'; readonly path: PathReport; readonly level: 2 | 3; readonly peer: PeerReport }
  | { readonly event: 'offer'; readonly files: readonly FileReport[]; readonly directories: number; readonly bytes: number }
  | { readonly event: 'progress'; readonly bytes: number; readonly total: number }
  | { readonly event: 'path-lost'; readonly path: PathReport; readonly code: ErrorCode; readonly retry: number }
  /** The receiver could not open a path (it tries the next one). */
  | { readonly event: 'path-failed'; readonly path: 'direct' | 'webrtc' | 'relay'; readonly reason: string }
  | { readonly event: 'done'; readonly level: 2 | 3; readonly path: PathReport; readonly files: readonly FileReport[] }
  | { readonly event: 'error'; readonly code: string; readonly message: string };
