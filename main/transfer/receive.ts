/**
 * The receiving side of a transfer, end to end: parse the link, meet the sender in its relay room, pick the best
 * path (direct TCP to the sender's signed addresses → WebRTC, directly or through TURN → the relay), and run a
 * session over it; when a path breaks, try again (the next session resumes from the verified chunks on disk).
 *
 * Trust: the link is the root of trust — its fingerprint names the sender (Level 3 on first contact), its secret
 * is the handshake psk. Direct addresses are dialled only when signed by that identity; WebRTC is safe to try on
 * any signalling because the DTLS fingerprints are bound into the handshake. Security failures (IDENTITY_MISMATCH,
 * tampering) end the transfer at once; only path failures are retried.
 */

import { equalBytes } from '../../src/bytes';
import { errorCodeOf, fail, SealdropError, type ErrorCode } from '../../src/errors';
import { parseLink } from '../../src/identity/link';
import type { PeerExpectation } from '../../src/handshake/handshake';
import type { IdentitySigner } from '../../src/identity/identity';
import { hashManifest } from '../../src/manifest/codec';
import { manifestTotals, type Manifest } from '../../src/manifest/manifest';
import type { Clock } from '../../src/ports/clock';
import type { RandomSource } from '../../src/ports/random';
import type { Transport } from '../../src/ports/transport';
import { decodePathSignal, encodePathSignal, verifyPaths, type DirectAddress, type PathName } from '../../src/signaling/path-messages';

import type { TrustStore } from '../../src/trust/trust-store';
import { openFsSink } from '../adapters/fs-sink';
import { connectTcp } from '../adapters/tcp-transport';
import { WebRtcPeer } from '../adapters/webrtc-transport';
import { fileReports, inProcessSessions, isResumable, peerReport, sleep, type PathMode, type SessionOutcomeView, type SessionRunner } from './common';
import type { PeerReport, TransferReport } from './events';
import { RelayLink } from './relay-link';
import { pinPeer } from './send';

export interface OfferSummary {
  readonly manifest: Manifest;
  readonly bytes: number;
  readonly level: 2 | 3;
  readonly peer: PeerReport;
}

export interface ReceiveOptions {
  readonly link: string;
  readonly outDir: string;
  readonly signer: IdentitySigner;
  readonly name: string;
  readonly trust: TrustStore;
  /** Use these relays instead of the ones in the link. */
  readonly relayOverride?: readonly string[];
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
}

export interface ReceiveResult {
  readonly ok: boolean;
  readonly code: ErrorCode | null;
}

const ORDER: Record<PathMode, PathName[]> = {
  auto: ['direct', 'webrtc', 'relay'],
  direct: ['direct'],
  webrtc: ['webrtc'],
  relay: ['relay'],
};

export async function runReceive(options: ReceiveOptions): Promise<ReceiveResult> {
  let relay: RelayLink | null = null;
  let offerer: WebRtcPeer | null = null;
  try {
    const link = parseLink(options.link);
    if (link.kind !== 'transfer') fail('LINK_BAD_KIND', 'this is a pairing link: use `sealdrop pair <link>`');
    const relays = options.relayOverride?.length ? options.relayOverride : link.relays;
    if (relays.length === 0) fail('LINK_BAD_RELAY', 'the link names no relay; pass --relay URL');
    const contact = options.trust.findByFingerprint(link.fingerprint);
    const expect: PeerExpectation = {
      linkFingerprint: link.fingerprint,
      ...(contact ? { pinnedKey: options.trust.expectationFor(contact.id).pinnedKey } : {}),
    };

    let addresses: readonly DirectAddress[] | null = null;
    let addressesArrived: (() => void) | null = null;
    relay = new RelayLink(relays, link.roomId, options.relayCa);
    const room = relay;
    relay.onSignal((bytes) => {
      let signal;
      try {
        signal = decodePathSignal(bytes);
      } catch {
        return;
      }
      if (signal.type === 'paths') {
        void verifyPaths(signal, link.roomId, link.secret, expect).then((verified) => {
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
    if (!relay.othersPresent) await new Promise<void>((resolve) => (peerPresent = resolve));

    let accepted: Uint8Array | null = null; // manifest hash the user accepted
    let aborted = false;
    void options.abort?.then(() => (aborted = true));
    const maxAttempts = options.maxAttempts ?? 12;

    /** Paths that cannot carry this transfer (its OFFER is larger than their largest message). */
    const tooSmall = new Set<string>();
    /** Open the best available path, in the configured order. */
    const connect = async (): Promise<Transport | null> => {
      for (const path of ORDER[options.pathMode]) {
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
          await room.sendSignal(encodePathSignal({ type: 'want', path: 'webrtc' })).catch(() => undefined);
          offerer?.close();
          offerer = new WebRtcPeer({
            role: 'offerer',
            iceServers: [...options.iceServers],
            forceRelay: options.forceTurn,
            signal: (data) => void room.sendSignal(encodePathSignal({ type: 'webrtc', data })).catch(() => undefined),
          });
          try {
            return await offerer.connected(options.forceTurn ? 30_000 : 15_000);
          } catch (error) {
            offerer.close();
            offerer = null;
            options.report({ event: 'path-failed', path: 'webrtc', reason: errorCodeOf(error) ?? 'no connection' });
          }
        } else {
          if (!room.connected) continue;
          await room.sendSignal(encodePathSignal({ type: 'want', path: 'relay' })).catch(() => undefined);
          return room.openFrameTransport();
        }
      }
      return null;
    };

    for (let attempt = 1; ; attempt++) {
      if (aborted) fail('CANCELLED', 'cancelled');
      if (!room.othersPresent) {
        // The sender left the room (crashed, closed, lost its network): wait for it to come back, but not forever.
        const back = await Promise.race([
          new Promise<boolean>((resolve) => (peerPresent = () => resolve(true))),
          sleep(options.senderGoneMs ?? 120_000).then(() => false),
          ...(options.abort ? [options.abort.then(() => false)] : []),
        ]);
        if (aborted) fail('CANCELLED', 'cancelled');
        if (!back) fail('TRANSPORT_CLOSED', 'the sender is gone');
      }
      const transport = await connect();
      if (!transport) {
        if (attempt >= maxAttempts) fail('TRANSPORT_CLOSED', 'no path to the sender');
        await sleep(Math.min(500 * attempt, 3000));
        continue;
      }
      const notes: { sinkError?: string } = {};
      const outcome = await runSession(options, transport, link.roomId, link.secret, expect, accepted, (hash) => (accepted = hash), notes);
      if (outcome.ok) {
        await pinPeer(options.trust, outcome);
        options.report({ event: 'done', level: outcome.handshake!.level, path: transport.path, files: fileReports(outcome.manifest!) });
        return { ok: true, code: null };
      }
      const code = outcome.code ?? 'TRANSPORT_CLOSED';
      if (!isResumable(code) || attempt >= maxAttempts) {
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
  options: ReceiveOptions,
  transport: Transport,
  roomId: Uint8Array,
  psk: Uint8Array,
  expect: PeerExpectation,
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
    sessionId: roomId,
    psk,
    expect,
    requireLevel3: options.requireLevel3,
    name: options.name,
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
        fail('DESTINATION_EXISTS', `already exists in the output folder: ${conflicts.slice(0, 3).join(', ')}${conflicts.length > 3 ? ', …' : ''}`);
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
