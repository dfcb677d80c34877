/**
 * The sending side of a transfer, end to end: scan the files, create the room, meet the receiver in it, offer every
 * path this side allows (a signed TCP address list, WebRTC answers, the relay channel), and run a session on
 * whichever path the receiver uses. The sender is the handshake responder on every path and keeps accepting
 * sessions until one completes, so a receiver that lost its path — or crashed and was started again — resumes where
 * it stopped (docs/decisions/0003).
 *
 * Two ways to find the receiver (docs/PROTOCOL.md §13.4, §13.9):
 *   link send     a transfer link (fresh room id + one-time secret + our fingerprint) that the user hands over.
 *                 The secret is the handshake psk; the receiver proves it holds the link (Level 3 by link-secret).
 *   contact send  `to`: a pinned contact. A fresh random room, then NOTIFY for the contact's fingerprint so a device
 *                 registered in its relay mailbox joins. No psk: only the peer holding exactly the pinned key can
 *                 complete the handshake (expectation pinnedKey → IDENTITY_MISMATCH for anyone else).
 *                 No direct TCP path: PATHS is sealed under a key derived from the link secret (§13.3.1), and without
 *                 a link the two sides share no secret before the handshake — sealing under anything the relay
 *                 could also derive would hand it our identity key and addresses. So a contact send offers WebRTC
 *                 and the relay path only (its DTLS fingerprints are bound into the handshake, §13.5).
 *
 * Trust: the relay is untrusted; everything that reaches a session is authenticated by the handshake. A session that
 * fails before or during the handshake (a stranger, a replay, a relay playing games) does not end the transfer; one
 * that fails after it with a tampering code does, loudly. Without a psk, whoever joins the room can make us reveal
 * our identity, name and manifest hash in the handshake reply (SIGMA-I responder exposure, §12.1) — never the files.
 */

import { toHex } from '../../src/bytes';
import { errorCodeOf, fail, SealdropError, type ErrorCode } from '../../src/errors';
import type { PeerExpectation } from '../../src/handshake/handshake';
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
import { fileReports, inProcessSessions, isResumable, peerReport, pinPeer, sleep, type PathMode, type SessionOutcomeView, type SessionRunner } from './common';
import { keepNotifying } from './notify';
import { RelayLink } from './relay-link';

export interface SendOptions {
  readonly paths: readonly string[];
  readonly signer: IdentitySigner;
  readonly name: string;
  readonly trust: TrustStore;
  /** Relay addresses written into the link (where the receiver should meet us). Unused for a contact send. */
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
  /**
   * A contact send (PROTOCOL.md §13.9): no link; a fresh room on `connectUrl`, NOTIFY for this key's fingerprint,
   * and only the holder of exactly this (pinned) key can complete the handshake. Offers WebRTC and the relay path,
   * never direct TCP: BAD_INPUT with pathMode 'direct'. The caller refuses contacts whose key changed.
   */
  readonly to?: { readonly identityKey: Uint8Array };
  /** Contact sends: NOTIFY again this often while nobody is in the room. Default 30 s. */
  readonly renotifyMs?: number;
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

/** The room this transfer meets in, and what the handshake takes from how the receiver was told about it. */
interface SendRoom {
  readonly roomId: Uint8Array;
  /** The link secret (link sends); contact sends have none. */
  readonly psk: Uint8Array | undefined;
  readonly link: string | null;
  readonly expect: PeerExpectation;
  /** Contact sends: the mailbox to NOTIFY. */
  readonly mailbox: Uint8Array | null;
}

async function planRoom(options: SendOptions, fingerprint: Uint8Array): Promise<SendRoom> {
  const isPinned = (key: Uint8Array) => options.trust.isPinned(key);
  if (options.to) {
    if (options.to.identityKey.length !== 32) fail('BAD_KEY', 'identity keys are 32 bytes');
    if (options.pathMode === 'direct') fail('BAD_INPUT', 'a contact send has no direct path: use auto, webrtc or relay');
    const pinnedKey = options.to.identityKey.slice();
    return {
      roomId: options.random.bytes(16),
      psk: undefined,
      link: null,
      expect: { pinnedKey, linkIssued: false, isPinned },
      mailbox: await fingerprintOf(pinnedKey),
    };
  }
  const link = createLink(options.random, 'transfer', fingerprint, options.relayUrls);
  return { roomId: link.roomId, psk: link.secret, link: encodeLink(link), expect: { linkIssued: true, isPinned }, mailbox: null };
}

/**
 * Send `paths` by link, or to `options.to` through its mailbox, until one session completes, the transfer fails, or
 * `abort` resolves. Failures after the start are reported (`error`) and returned.
 * @throws SealdropError BAD_INPUT / BAD_KEY for a contact send that cannot work (direct mode, a malformed key);
 *   TRANSPORT_CLOSED when the relay cannot be reached at the start; the scanner's errors for unreadable paths.
 */
export async function runSend(options: SendOptions): Promise<SendResult> {
  const fingerprint = await fingerprintOf(options.signer.publicKey);
  const room = await planRoom(options, fingerprint);
  const scanned = await scanPaths([...options.paths]);
  const { manifest, source } = scanned;
  const totals = manifestTotals(manifest);
  options.report({ event: 'ready', link: room.link, fingerprint: toHex(fingerprint), files: totals.files, bytes: totals.bytes });

  const incoming: Transport[] = [];
  let wake: (() => void) | null = null;
  const offer = (transport: Transport) => {
    incoming.push(transport);
    wake?.();
  };

  // ---- direct TCP (link sends only: PATHS is sealed under the link secret)
  let tcp: TcpListener | null = null;
  const psk = room.psk;
  if (psk && (options.pathMode === 'auto' || options.pathMode === 'direct')) {
    tcp = await listenTcp({ port: 0 });
    tcp.onConnection((transport) => {
      const gate = whenFirstFrame(transport);
      void gate.ready.then((t) => t && offer(t));
    });
  }

  // ---- the relay room: rendezvous, signalling, and the relay path
  const relay = new RelayLink(options.connectUrl, room.roomId, options.relayCa);
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
    if (!tcp || !psk) return;
    try {
      const encoded = await sealPaths(options.signer, room.roomId, psk, tcp.addresses(), options.random);
      await relay.sendSignal(encodePathSignal({ type: 'paths', encoded }));
    } catch {
      // no direct path offered this time; WebRTC and the relay remain
    }
  };
  relay.onPeer((present) => {
    if (present) void advertise();
  });
  const notifier = room.mailbox
    ? keepNotifying(relay, room.mailbox, room.roomId, options.clock, options.renotifyMs ?? 30_000, (delivered) =>
        options.report({ event: 'notified', delivered }),
      )
    : null;
  relay.onReconnect(() => {
    openRelayPath();
    notifier?.now();
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
  try {
    await relay.start();
  } catch (error) {
    notifier?.stop();
    await tcp?.close();
    await source.close();
    throw error;
  }
  options.report({ event: 'waiting', relay: options.connectUrl });
  openRelayPath();
  if (relay.othersPresent) void advertise();
  notifier?.now(); // after the JOIN: a woken device must find us in the room

  let aborted = false;
  void options.abort?.then(() => {
    aborted = true;
    wake?.();
  });

  // One cancel hook for the whole transfer (not one per session: each would keep its session alive until the end).
  let current: { cancel(): void } | null = null;
  void options.abort?.then(() => current?.cancel());

  try {
    let attempt = 0;
    /** Sessions in a row that failed before the handshake finished: strangers, replays, a relay playing games. */
    let unverified = 0;
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
        sessionId: room.roomId,
        ...(room.psk ? { psk: room.psk } : {}),
        expect: room.expect,
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
      current = session;
      if (aborted) session.cancel();
      const outcome = await session.outcome;
      current = null;
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
      // A failure before the handshake never ends the transfer (anyone can knock), but repeated ones slow the next
      // attempt down, so a relay that answers every new path with garbage cannot make this loop spin.
      unverified = outcome.handshake ? 0 : unverified + 1;
      if (unverified > 1) await sleep(Math.min(250 * 2 ** (unverified - 2), 5_000));
      if (transport.path === 'relay') openRelayPath();
    }
  } catch (error) {
    const code = errorCodeOf(error) ?? 'INTERNAL';
    options.report({ event: 'error', code, message: error instanceof Error ? error.message : String(error) });
    return { ok: false, code };
  } finally {
    notifier?.stop();
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
