/**
 * Small pieces shared by the sending and receiving sides.
 */

import { toHex } from '../../src/bytes';
import type { ErrorCode } from '../../src/errors';
import { shortFingerprint } from '../../src/identity/fingerprint';
import type { HandshakeResult } from '../../src/handshake/handshake';
import type { Manifest } from '../../src/manifest/manifest';
import type { TrustStore } from '../../src/trust/trust-store';
import {
  startReceiver,
  startSender,
  type ReceiverOptions,
  type SenderOptions,
  type SessionEvent,
  type SessionOutcome,
} from '../../src/transfer/session';
import type { FileReport, PeerReport } from './events';

export type PathMode = 'auto' | 'direct' | 'webrtc' | 'relay';

/**
 * What the orchestration here may know of a finished handshake: who the peer is and how far it was verified. Not
 * the session secrets — in the desktop app those never leave the renderer that ran the handshake.
 */
export interface HandshakeView {
  readonly level: HandshakeResult['level'];
  readonly verifiedBy: HandshakeResult['verifiedBy'];
  readonly peer: Pick<HandshakeResult['peer'], 'identityKey' | 'fingerprint' | 'name'>;
}

export type SessionEventView = Exclude<SessionEvent, { type: 'connected' }> | { readonly type: 'connected'; readonly handshake: HandshakeView };

export interface SessionOutcomeView extends Omit<SessionOutcome, 'handshake'> {
  readonly handshake: HandshakeView | null;
}

export interface RunningSessionView {
  readonly outcome: Promise<SessionOutcomeView>;
  cancel(): void;
}

export type RunnerSenderOptions = Omit<SenderOptions, 'onEvent'> & { readonly onEvent?: (event: SessionEventView) => void };

export type RunnerReceiverOptions = Omit<ReceiverOptions, 'onEvent' | 'decide'> & {
  readonly onEvent?: (event: SessionEventView) => void;
  readonly decide: (offer: { manifest: Manifest; handshake: HandshakeView }) => Promise<boolean>;
};

/**
 * Where sessions run. The CLI runs them in this process; the desktop app runs them in its sandboxed renderer
 * (docs/decisions/0004), handing over the transport — so the path logic here never depends on where decryption is.
 * The runner sees only views of the handshake (`HandshakeView`): what the orchestration needs, and nothing secret.
 */
export interface SessionRunner {
  startSender(options: RunnerSenderOptions): Promise<RunningSessionView>;
  startReceiver(options: RunnerReceiverOptions): RunningSessionView;
}

export const inProcessSessions: SessionRunner = { startSender, startReceiver };

/** Failures after which a new session (same or another path) may continue the transfer. */
// FRAME_TOO_LARGE: a message (a very large OFFER) does not fit this path's largest message — another path may carry it.
const RESUMABLE: ReadonlySet<ErrorCode> = new Set(['TRANSPORT_CLOSED', 'TIMEOUT', 'PEER_ABORTED', 'FRAME_TOO_LARGE']);

export function isResumable(code: ErrorCode | null): boolean {
  return code !== null && RESUMABLE.has(code);
}

export function peerReport(trust: TrustStore, handshake: HandshakeView): Promise<PeerReport> {
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

/** After a verified transfer, remember the peer (state 'seen'; verification is the user's act). Level 2 is never pinned. */
export async function pinPeer(trust: TrustStore, outcome: SessionOutcomeView): Promise<void> {
  const handshake = outcome.handshake;
  if (!handshake || handshake.level !== 3) return;
  if (trust.findByKey(handshake.peer.identityKey)) return;
  await trust.pin(handshake.peer.identityKey, handshake.peer.name || 'unnamed device', 'seen').catch(() => undefined);
}
