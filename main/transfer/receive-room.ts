/**
 * The receiving side inside a relay room, however the room was found (a link: receive.ts `runReceive`; a mailbox
 * INCOMING for a contact send: `runReceiveIncoming`). Meets the sender in the room, picks the best path (direct TCP
 * to the sender's signed addresses → WebRTC, directly or through TURN → the relay), and runs a session over it;
 * when a path breaks, tries again (the next session resumes from the verified chunks on disk). docs/PROTOCOL.md §13.4.
 *
 * Trust: what the handshake expects comes from the caller's `RoomPlan` (a link's fingerprint and secret, or the
 * trust store's pins alone). Direct addresses are dialled only when `verifyPaths` accepts them; WebRTC is safe to
 * try on any signalling because the DTLS fingerprints are bound into the handshake. Security failures
 * (IDENTITY_MISMATCH, LEVEL3_REQUIRED, tampering) end the transfer at once; only path failures are retried — and
 * while no handshake has completed yet, only `maxUnverifiedAttempts` times, so a room nobody legitimate waits in
 * (a forged INCOMING) costs a bounded time.
 */

import { equalBytes } from '../../src/bytes';
import { errorCodeOf, fail, SealdropError, type ErrorCode } from '../../src/errors';
import type { PeerExpectation } from '../../src/handshake/handshake';
import type { IdentitySigner } from '../../src/identity/identity';
import { hashManifest } from '../../src/manifest/codec';
import { manifestTotals, type Manifest } from '../../src/manifest/manifest';
import type { Clock } from '../../src/ports/clock';
import type { RandomSource } from '../../src/ports/random';
import type { Transport } from '../../src/ports/transport';
import { decodePathSignal, encodePathSignal, type DirectAddress, type PathName, type PathSignal } from '../../src/signaling/path-messages';
import type { Timeouts } from '../../src/transfer/machine';
import type { TrustStore } from '../../src/trust/trust-store';
import { openFsSink } from '../adapters/fs-sink';
import { connectTcp } from '../adapters/tcp-transport';
import { WebRtcPeer } from '../adapters/webrtc-transport';
import { fileReports, inProcessSessions, isResumable, peerReport, pinPeer, sleep, type PathMode, type SessionOutcomeView, type SessionRunner } from './common';
import type { PeerReport, TransferReport } from './events';
import { RelayLink } from './relay-link';

export interface OfferSummary {
  readonly manifest: Manifest;
  readonly bytes: number;
  readonly level: 2 | 3;
  readonly peer: PeerReport;
}

/** What every receive takes, whichever way its room was found. */
export interface ReceiveCommonOptions {
  readonly outDir: string;
  readonly signer: IdentitySigner;
  readonly name: string;
  readonly trust: TrustStore;
  readonly relayCa?: string;
  readonly pathMode: PathMode;
  readonly iceServers: readonly string[];
  readonly forceTurn: boolean;
  readonly requireLevel3: boolean;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly report: (report: TransferReport) => void;
  /** Ask the user; `--yes` answers true. Called once per transfer (resumed sessions reuse the answer). */
  readonly confirm: (offer: OfferSummary) => Promise<boolean>;
  readonly abort?: Promise<void>;
  /** Attempts after a lost path before giving up. */
  readonly maxAttempts?: number;
  /** How long to wait for a sender that left the room to come back. */
  readonly senderGoneMs?: number;
  /** Where sessions run (default: in this process). */
  readonly sessions?: SessionRunner;
  /** Session timers (default: the session's, PROTOCOL.md §7.6). */
  readonly timeouts?: Timeouts;
}

export interface ReceiveResult {
  readonly ok: boolean;
  readonly code: ErrorCode | null;
}

/** What differs between the ways of finding a room. */
export interface RoomPlan {
  readonly relays: readonly string[];
  readonly roomId: Uint8Array;
  /** The link secret; none for a contact send. */
  readonly psk: Uint8Array | undefined;
  readonly expect: PeerExpectation;
  /** Open and check a PATHS signal; null when this room has no direct path (contact sends, §13.9). */
  readonly verifyPaths: ((signal: Extract<PathSignal, { type: 'paths' }>) => Promise<readonly DirectAddress[] | null>) | null;
  /** How long to wait for the sender to be in the room at first (TIMEOUT after); null: until aborted. */
  readonly firstPeerWaitMs: number | null;
  /** Attempts allowed while no handshake has completed in this room (at most `maxAttempts`). */
  readonly maxUnverifiedAttempts: number;
}

const ORDER: Record<PathMode, PathName[]> = {
  auto: ['direct', 'webrtc', 'relay'],
  direct: ['direct'],
  webrtc: ['webrtc'],
  relay: ['relay'],
};

/** Run a receive in the room `plan()` names. Never throws: failures are reported (`error`) and returned. */
export async function receiveInRoom(options: ReceiveCommonOptions, plan: () => RoomPlan | Promise<RoomPlan>): Promise<ReceiveResult> {
  let relay: RelayLink | null = null;
  let offerer: WebRtcPeer | null = null;
  try {
    const room = await plan();
    const order = ORDER[options.pathMode].filter((path) => path !== 'direct' || room.verifyPaths !== null);
    if (order.length === 0) fail('BAD_INPUT', 'this transfer offers no direct path: use auto, webrtc or relay');

    let addresses: readonly DirectAddress[] | null = null;
    let addressesArrived: (() => void) | null = null;
    relay = new RelayLink(room.relays, room.roomId, options.relayCa);
    const link = relay;
    relay.onSignal((bytes) => {
      let signal;
      try {
        signal = decodePathSignal(bytes);
      } catch {
        return;
      }
      if (signal.type === 'paths' && room.verifyPaths) {
        void room.verifyPaths(signal).then((verified) => {
          if (verified) {
            addresses = verified;
            addressesArrived?.();
          }
        });
      } else if (signal.type === 'webrtc') {
        offerer?.handleSignal(signal.data);
      }
    });
    let peerPresent: (() => void) | null = null;
    relay.onPeer((present) => present && peerPresent?.());
    await relay.start();
    options.report({ event: 'waiting', relay: relay.url });

    let aborted = false;
    void options.abort?.then(() => (aborted = true));
    /** Wait for the sender to be in the room; false on timeout or abort. */
    const senderPresent = (waitMs: number | null): Promise<boolean> =>
      Promise.race([
        new Promise<boolean>((resolve) => (peerPresent = () => resolve(true))),
        ...(waitMs === null ? [] : [sleep(waitMs).then(() => false)]),
        ...(options.abort ? [options.abort.then(() => false)] : []),
      ]);
    if (!link.othersPresent && !(await senderPresent(room.firstPeerWaitMs))) {
      if (aborted) fail('CANCELLED', 'cancelled');
      fail('TIMEOUT', 'nobody is waiting in the room');
    }

    let accepted: Uint8Array | null = null; // manifest hash the user accepted
    let verifiedOnce = false; // a handshake completed in this room
    const maxAttempts = options.maxAttempts ?? 12;
    const attemptLimit = () => (verifiedOnce ? maxAttempts : Math.min(maxAttempts, room.maxUnverifiedAttempts));

    /** Paths that cannot carry this transfer (its OFFER is larger than their largest message). */
    const tooSmall = new Set<string>();
    /** Open the best available path, in the configured order. */
    const connect = async (): Promise<Transport | null> => {
      for (const path of order) {
        if (tooSmall.has(path)) continue;
        if (aborted) return null;
        if (path === 'direct') {
          if (!addresses) await Promise.race([new Promise<void>((r) => (addressesArrived = r)), sleep(3000)]);
          for (const address of addresses ?? []) {
            try {
              return await connectTcp(address.host, address.port, { timeoutMs: 1500 });
            } catch {
              // next address
            }
          }
          options.report({ event: 'path-failed', path: 'direct', reason: addresses ? 'no signed address answered' : 'no signed addresses from the sender' });
        } else if (path === 'webrtc') {
          await link.sendSignal(encodePathSignal({ type: 'want', path: 'webrtc' })).catch(() => undefined);
          offerer?.close();
          offerer = new WebRtcPeer({
            role: 'offerer',
            iceServers: [...options.iceServers],
            forceRelay: options.forceTurn,
            signal: (data) => void link.sendSignal(encodePathSignal({ type: 'webrtc', data })).catch(() => undefined),
          });
          try {
            return await offerer.connected(options.forceTurn ? 30_000 : 15_000);
          } catch (error) {
            offerer.close();
            offerer = null;
            options.report({ event: 'path-failed', path: 'webrtc', reason: errorCodeOf(error) ?? 'no connection' });
          }
        } else {
          if (!link.connected) continue;
          await link.sendSignal(encodePathSignal({ type: 'want', path: 'relay' })).catch(() => undefined);
          return link.openFrameTransport();
        }
      }
      return null;
    };

    for (let attempt = 1; ; attempt++) {
      if (aborted) fail('CANCELLED', 'cancelled');
      if (!link.othersPresent) {
        // The sender left the room (crashed, closed, lost its network): wait for it to come back, but not forever.
        const back = await senderPresent(options.senderGoneMs ?? 120_000);
        if (aborted) fail('CANCELLED', 'cancelled');
        if (!back) fail('TRANSPORT_CLOSED', 'the sender is gone');
      }
      const transport = await connect();
      if (!transport) {
        if (attempt >= attemptLimit()) fail('TRANSPORT_CLOSED', 'no path to the sender');
        await sleep(Math.min(500 * attempt, 3000));
        continue;
      }
      const notes: { sinkError?: string } = {};
      const outcome = await runSession(options, transport, room, accepted, (hash) => (accepted = hash), notes);
      if (outcome.handshake) verifiedOnce = true;
      if (outcome.ok) {
        await pinPeer(options.trust, outcome);
        options.report({ event: 'done', level: outcome.handshake!.level, path: transport.path, files: fileReports(outcome.manifest!) });
        return { ok: true, code: null };
      }
      const code = outcome.code ?? 'TRANSPORT_CLOSED';
      if (!isResumable(code) || attempt >= attemptLimit()) {
        const detail = code === 'DESTINATION_EXISTS' && notes.sinkError ? notes.sinkError : null;
        throw new SealdropError(code, detail ?? (outcome.errorFromPeer ? `the sender stopped the transfer (${code})` : `transfer failed (${code})`));
      }
      if (code === 'FRAME_TOO_LARGE') tooSmall.add(transport.path === 'turn' ? 'webrtc' : transport.path);
      options.report({ event: 'path-lost', path: transport.path, code, retry: attempt });
      await sleep(Math.min(250 * attempt, 2000));
    }
  } catch (error) {
    const code = errorCodeOf(error) ?? 'INTERNAL';
    options.report({ event: 'error', code, message: error instanceof Error ? error.message : String(error) });
    return { ok: false, code };
  } finally {
    (offerer as WebRtcPeer | null)?.close();
    relay?.close();
  }
}

async function runSession(
  options: ReceiveCommonOptions,
  transport: Transport,
  room: RoomPlan,
  accepted: Uint8Array | null,
  accept: (hash: Uint8Array) => void,
  notes: { sinkError?: string },
): Promise<SessionOutcomeView> {
  let sinkClose: (() => Promise<void>) | null = null;
  const session = (options.sessions ?? inProcessSessions).startReceiver({
    transport,
    clock: options.clock,
    random: options.random,
    signer: options.signer,
    handshakeRole: 'initiator',
    sessionId: room.roomId,
    ...(room.psk ? { psk: room.psk } : {}),
    expect: room.expect,
    requireLevel3: options.requireLevel3,
    name: options.name,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    decide: async ({ manifest, handshake: result }) => {
      const hash = await hashManifest(manifest);
      if (accepted && equalBytes(accepted, hash)) return true; // the same transfer, resumed
      const peer = await peerReport(options.trust, result);
      const totals = manifestTotals(manifest);
      options.report({ event: 'offer', files: fileReports(manifest), directories: totals.directories, bytes: totals.bytes });
      const yes = await options.confirm({ manifest, bytes: totals.bytes, level: result.level, peer });
      if (yes) accept(hash);
      return yes;
    },
    openSink: async ({ manifest, manifestHash }) => {
      const sink = await openFsSink(options.outDir, manifest, manifestHash);
      const conflicts = sink.conflicts();
      if (conflicts.length > 0) {
        await sink.close();
        notes.sinkError = `already exists in the output folder: ${conflicts.slice(0, 3).join(', ')}${conflicts.length > 3 ? ', …' : ''}`;
        fail('DESTINATION_EXISTS', notes.sinkError);
      }
      sinkClose = () => sink.close();
      return sink;
    },
    onEvent: (event) => {
      if (event.type === 'connected') {
        void peerReport(options.trust, event.handshake).then((peer) =>
          options.report({ event: 'connected', path: transport.path, level: event.handshake.level, peer }),
        );
      } else if (event.type === 'progress') {
        options.report({ event: 'progress', bytes: event.bytes, total: event.total });
      }
    },
  });
  void options.abort?.then(() => session.cancel());
  const outcome = await session.outcome;
  await (sinkClose as (() => Promise<void>) | null)?.().catch(() => undefined);
  return outcome;
}
