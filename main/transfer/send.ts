/**
 * The sending side of a transfer, end to end: scan the files, create the link, meet the receiver in the relay room,
 * offer every path this side allows (a signed TCP address list, WebRTC answers, the relay channel), and run a
 * session on whichever path the receiver uses. The sender is the handshake responder on every path and keeps
 * accepting sessions until one completes, so a receiver that lost its path — or crashed and was started again —
 * resumes where it stopped (docs/decisions/0003).
 *
 * Trust: the relay is untrusted; everything that reaches a session is authenticated by the handshake (the link
 * secret is the psk, the receiver proves it holds the link). A session that fails before or during the handshake
 * (a stranger, a replay, a relay playing games) does not end the transfer; one that fails after it with a
 * tampering code does, loudly.
 */

import { toHex } from '../../src/bytes';
import { errorCodeOf, SealdropError, type ErrorCode } from '../../src/errors';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { createLink, encodeLink } from '../../src/identity/link';
import { manifestTotals } from '../../src/manifest/manifest';
import type { Clock } from '../../src/ports/clock';
import type { RandomSource } from '../../src/ports/random';
import type { Transport } from '../../src/ports/transport';
import { decodePathSignal, encodePathSignal, sealPaths } from '../../src/signaling/path-messages';

import type { IdentitySigner } from '../../src/identity/identity';
import type { TrustStore } from '../../src/trust/trust-store';
import { scanPaths } from '../adapters/fs-source';
import { listenTcp, type TcpListener } from '../adapters/tcp-transport';
import { WebRtcPeer } from '../adapters/webrtc-transport';
import type { TransferReport } from './events';
import { whenFirstFrame } from './gate';
import { fileReports, inProcessSessions, isResumable, peerReport, type PathMode, type SessionOutcomeView, type SessionRunner } from './common';
import { RelayLink } from './relay-link';

export interface SendOptions {
  readonly paths: readonly string[];
  readonly signer: IdentitySigner;
  readonly name: string;
  readonly trust: TrustStore;
  /** Relay addresses written into the link (where the receiver should meet us). */
  readonly relayUrls: readonly string[];
  /** The relay this side connects to (usually the first of relayUrls, or the embedded relay on loopback). */
  readonly connectUrl: string;
  readonly relayCa?: string;
  readonly pathMode: PathMode;
  readonly iceServers: readonly string[];
  readonly forceTurn: boolean;
  readonly requireLevel3: boolean;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly report: (report: TransferReport) => void;
  /** Resolves to abort the transfer (Ctrl-C). */
  readonly abort?: Promise<void>;
  /** Where sessions run (default: in this process). */
  readonly sessions?: SessionRunner;
}

export interface SendResult {
  readonly ok: boolean;
  readonly code: ErrorCode | null;
}

/** Codes after which the transfer stops instead of waiting for another session. */
function isFatal(outcome: SessionOutcomeView): boolean {
  if (outcome.ok || outcome.code === null) return false;
  if (!outcome.handshake) return false; // a failed handshake: a stranger or an attack on this attempt only
  return !isResumable(outcome.code);
}

export async function runSend(options: SendOptions): Promise<SendResult> {
  const scanned = await scanPaths([...options.paths]);
  const { manifest, source } = scanned;
  const fingerprint = await fingerprintOf(options.signer.publicKey);
  const link = createLink(options.random, 'transfer', fingerprint, options.relayUrls);
  const totals = manifestTotals(manifest);
  options.report({ event: 'ready', link: encodeLink(link), fingerprint: toHex(fingerprint), files: totals.files, bytes: totals.bytes });

  const incoming: Transport[] = [];
  let wake: (() => void) | null = null;
  const offer = (transport: Transport) => {
    incoming.push(transport);
    wake?.();
  };

  // ---- direct TCP
  let tcp: TcpListener | null = null;
  if (options.pathMode === 'auto' || options.pathMode === 'direct') {
    tcp = await listenTcp({ port: 0 });
    tcp.onConnection((transport) => {
      const gate = whenFirstFrame(transport);
      void gate.ready.then((t) => t && offer(t));
    });
  }

  // ---- the relay room: rendezvous, signalling, and the relay path
  const relay = new RelayLink(options.connectUrl, link.roomId, options.relayCa);
  let answerer: WebRtcPeer | null = null;
  let relayGate: { ready: Promise<Transport | null>; cancel(): void } | null = null;
  let relayIdle = false; // a relay-path transport is open and no session has used it yet
  const openRelayPath = () => {
    if (options.pathMode !== 'auto' && options.pathMode !== 'relay') return;
    (relayGate as { cancel(): void } | null)?.cancel();
    const gate = whenFirstFrame(relay.openFrameTransport());
    relayGate = gate;
    relayIdle = true;
    void gate.ready.then((t) => {
      if (relayGate === gate) relayIdle = false;
      if (t) offer(t);
    });
  };
  const advertise = async () => {
    if (!tcp) return;
    try {
      const encoded = await sealPaths(options.signer, link.roomId, link.secret, tcp.addresses(), options.random);
      await relay.sendSignal(encodePathSignal({ type: 'paths', encoded }));
    } catch {
      // no direct path offered this time; WebRTC and the relay remain
    }
  };
  relay.onPeer((present) => {
    if (present) void advertise();
  });
  relay.onReconnect(() => {
    openRelayPath();
  });
  relay.onSignal((bytes) => {
    let signal;
    try {
      signal = decodePathSignal(bytes);
    } catch {
      return; // forged or garbled signalling: ignore, the handshake protects what matters
    }
    if (signal.type === 'want' && signal.path === 'webrtc' && (options.pathMode === 'auto' || options.pathMode === 'webrtc')) {
      answerer?.close();
      const peer = new WebRtcPeer({
        role: 'answerer',
        iceServers: [...options.iceServers],
        forceRelay: options.forceTurn,
        signal: (data) => void relay.sendSignal(encodePathSignal({ type: 'webrtc', data })).catch(() => undefined),
      });
      answerer = peer;
      peer.connected(30_000).then(
        (transport) => {
          const gate = whenFirstFrame(transport);
          void gate.ready.then((t) => t && offer(t));
        },
        () => undefined,
      );
    } else if (signal.type === 'webrtc') {
      answerer?.handleSignal(signal.data);
    } else if (signal.type === 'want' && signal.path === 'relay') {
      if (!relayIdle) openRelayPath();
    }
  });
  await relay.start();
  options.report({ event: 'waiting', relay: options.connectUrl });
  openRelayPath();
  if (relay.othersPresent) void advertise();

  let aborted = false;
  void options.abort?.then(() => {
    aborted = true;
    wake?.();
  });

  try {
    let attempt = 0;
    for (;;) {
      while (incoming.length === 0 && !aborted) await new Promise<void>((resolve) => (wake = resolve));
      if (aborted) return { ok: false, code: 'CANCELLED' };
      const transport = incoming.shift()!;
      const path = transport.path;
      const session = await (options.sessions ?? inProcessSessions).startSender({
        transport,
        clock: options.clock,
        random: options.random,
        signer: options.signer,
        handshakeRole: 'responder',
        sessionId: link.roomId,
        psk: link.secret,
        expect: { linkIssued: true, isPinned: (key) => options.trust.isPinned(key) },
        requireLevel3: options.requireLevel3,
        name: options.name,
        manifest,
        source,
        onEvent: (event) => {
          if (event.type === 'connected') {
            void peerReport(options.trust, event.handshake).then((peer) =>
              options.report({ event: 'connected', path, level: event.handshake.level, peer }),
            );
          } else if (event.type === 'progress') {
            options.report({ event: 'progress', bytes: event.bytes, total: event.total });
          }
        },
      });
      void options.abort?.then(() => session.cancel());
      const outcome = await session.outcome;
      if (outcome.ok) {
        await pinPeer(options.trust, outcome);
        options.report({ event: 'done', level: outcome.handshake!.level, path, files: fileReports(manifest) });
        return { ok: true, code: null };
      }
      if (isFatal(outcome)) {
        throw new SealdropError(outcome.code!, describeFailure(outcome));
      }
      attempt++;
      options.report({ event: 'path-lost', path, code: outcome.code ?? 'TRANSPORT_CLOSED', retry: attempt });
      if (transport.path === 'relay') openRelayPath();
    }
  } catch (error) {
    const code = errorCodeOf(error) ?? 'INTERNAL';
    options.report({ event: 'error', code, message: error instanceof Error ? error.message : String(error) });
    return { ok: false, code };
  } finally {
    (answerer as WebRtcPeer | null)?.close();
    (relayGate as { cancel(): void } | null)?.cancel();
    await tcp?.close();
    relay.close();
    await source.close();
  }
}

function describeFailure(outcome: SessionOutcomeView): string {
  return outcome.errorFromPeer ? `the receiver stopped the transfer (${outcome.code})` : `transfer failed (${outcome.code})`;
}

/** After a verified transfer, remember the peer (state 'seen'; verification is the user's act). */
async function pinPeer(trust: TrustStore, outcome: SessionOutcomeView): Promise<void> {
  const handshake = outcome.handshake;
  if (!handshake || handshake.level !== 3) return;
  if (trust.findByKey(handshake.peer.identityKey)) return;
  await trust.pin(handshake.peer.identityKey, handshake.peer.name || 'unnamed device', 'seen').catch(() => undefined);
}

export { pinPeer };
