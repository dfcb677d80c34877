/**
 * Small pieces shared by the sending and receiving sides.
 */

import { toHex } from '../../src/bytes';
import type { ErrorCode } from '../../src/errors';
import { shortFingerprint } from '../../src/identity/fingerprint';
import type { HandshakeResult } from '../../src/handshake/handshake';
import type { Manifest } from '../../src/manifest/manifest';
import type { TrustStore } from '../../src/trust/trust-store';
import { startReceiver, startSender } from '../../src/transfer/session';
import type { FileReport, PeerReport } from './events';

export type PathMode = 'auto' | 'direct' | 'webrtc' | 'relay';

/**
 * Where sessions run. The CLI runs them in this process; the desktop app runs them in its sandboxed renderer
 * (docs/decisions/0004), handing over the transport — so the path logic here never depends on where decryption is.
 */
export interface SessionRunner {
  readonly startSender: typeof startSender;
  readonly startReceiver: typeof startReceiver;
}

export const inProcessSessions: SessionRunner = { startSender, startReceiver };

/** Failures after which a new session (same or another path) may continue the transfer. */
// FRAME_TOO_LARGE: a message (a very large OFFER) does not fit this path's largest message — another path may carry it.
const RESUMABLE: ReadonlySet<ErrorCode> = new Set(['TRANSPORT_CLOSED', 'TIMEOUT', 'PEER_ABORTED', 'FRAME_TOO_LARGE']);

export function isResumable(code: ErrorCode | null): boolean {
  return code !== null && RESUMABLE.has(code);
}

export function peerReport(trust: TrustStore, handshake: HandshakeResult): Promise<PeerReport> {
  const contact = trust.findByKey(handshake.peer.identityKey);
  return Promise.resolve({
    fingerprint: toHex(handshake.peer.fingerprint),
    short: shortFingerprint(handshake.peer.fingerprint),
    name: handshake.peer.name,
    verified: contact?.state === 'verified',
    verifiedBy: handshake.verifiedBy,
  });
}

export function fileReports(manifest: Manifest): FileReport[] {
  const files: FileReport[] = [];
  for (const entry of manifest.entries) {
    if (entry.kind === 'file') files.push({ path: entry.path, size: entry.size, sha256: toHex(entry.sha256) });
  }
  return files;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
