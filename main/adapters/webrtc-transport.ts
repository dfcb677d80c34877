/**
 * WebRTC path (node-datachannel / libdatachannel): one ordered, reliable DataChannel per peer connection, exposed
 * as a `Transport` (src/ports/transport.ts). Decision 0003 §2, §6; PROTOCOL.md §5.5 (transport binding).
 *
 * Trust assumptions: the signalling channel is untrusted (it is the relay). It can drop, inject or rewrite signals.
 * What it must not achieve is a path whose DTLS peer differs from what the handshake binds. So:
 *   - each side binds `{ local, remote }` = the sha-256 fingerprints of its own and the peer's SDP (sdp.ts refuses
 *     an SDP with anything but exactly one sha-256 `a=fingerprint` line);
 *   - libdatachannel checks the peer's DTLS certificate against the remote SDP (a rewritten line → DTLS fails);
 *   - once open, this adapter checks again that `pc.remoteFingerprint()` — the certificate DTLS actually saw —
 *     equals the remote SDP's fingerprint, and closes with TRANSCRIPT_MISMATCH otherwise (defence in depth against
 *     a stack that skipped verification; the binding would catch it one step later anyway, with the same code);
 *   - a rewrite of BOTH fingerprints by a relay that also terminates both DTLS connections leaves each side with a
 *     different binding → the Level 3 handshake fails with TRANSCRIPT_MISMATCH (key-schedule.ts).
 *   - only one remote description is ever accepted (no renegotiation: it could swap the fingerprint mid-path).
 *
 * Signalling (opaque to the caller, UTF-8 JSON, ≤ 64 KiB):
 *   { "t": "sdp", "type": "offer" | "answer", "sdp": "…" }      the offerer creates the DataChannel → offer
 *   { "t": "cand", "c": "a=candidate:…", "mid": "0" }           trickled ICE candidates
 * Malformed or unexpected signals are ignored and logged; an SDP whose fingerprint is unusable closes the peer with
 * that code (BAD_INPUT / BAD_ENCODING). With `forceRelay`, only `typ relay` candidates are sent or accepted, because
 * libdatachannel's `iceTransportPolicy: 'relay'` does not stop libjuice pairing host candidates
 * (paullouisageneau/libdatachannel#1587).
 *
 * Flow control, both directions: binary messages are frames, text messages are transport control — `credit:<n>`
 * returns n bytes of a credit window, `close` ends the path (below). The window and the Transport itself are in
 * webrtc-flow-control.ts; this module owns the peer connection and the DataChannel under it.
 *
 * Close, like a TCP FIN: `close()` sends `close` behind the frames already sent; the peer delivers them, reports
 * `close` to its handler once, and answers `close`; the answer (or CLOSE_LIMIT_MS) lets the closing side tear down
 * the channel and then the peer connection. Simultaneous closes answer each other.
 *
 * Measured pitfalls (node-datachannel 0.33.4), each handled here (the frame-size check: webrtc-flow-control.ts):
 *   - a PeerConnection or DataChannel that becomes unreachable from JS can be garbage collected and then closes
 *     without telling anyone (murat-dogan/node-datachannel#76): every live peer sits in LIVE until torn down;
 *   - a DataChannel collected without onClosed/onError handlers made node-datachannel's `cleanup()` crash the
 *     process later (measured in test/adapters/webrtc-transport.test.ts): every channel, even a refused one, gets
 *     both handlers;
 *   - a throw inside a native callback aborts the process; `sendMessageBinary` throws synchronously on a closed
 *     channel or a message above the peer's limit (murat-dogan/node-datachannel#86): every callback is guarded and
 *     no frame above `maxFrameBytes` is handed over;
 *   - `dc.maxMessageSize()` reports the remote's `a=max-message-size` (65 536 when the peer sets that; libdatachannel's
 *     default is 262 144, paullouisageneau/libdatachannel#702; RFC 8841 §6): maxFrameBytes = min(that, 256 KiB);
 *   - closing the PeerConnection right after the DataChannel drops data SCTP has not delivered yet (the local
 *     channel reports closed at once): hence the `close` exchange above;
 *   - callbacks must be registered before `createDataChannel`, which produces the offer at once;
 *   - the default MTU is kept (no `mtu` in the configuration);
 *   - `remoteFingerprint()` (paullouisageneau/libdatachannel#1206) returns `{ value: '', algorithm: 'sha-1' }` before
 *     DTLS completes; after, the SHA-256 of the certificate DTLS saw.
 */

import { PeerConnection, type DataChannel, type RtcConfig } from 'node-datachannel';
import { equalBytes } from '../../src/bytes';
import { errorCodeOf, SealdropError, type ErrorCode } from '../../src/errors';
import { systemClock, type Clock, type TimerId } from '../../src/ports/clock';
import { silentLogger, type Logger } from '../../src/ports/logger';
import type { PathKind, Transport } from '../../src/ports/transport';
import {
  candidateEndpoint,
  endpointKey,
  filterSdpCandidates,
  isRelayCandidate,
  parseDtlsFingerprint,
  parseFingerprintHex,
  sdpCandidates,
} from './sdp';
import { CLOSE_MESSAGE, DataChannelTransport, HIGH_WATER_BYTES, MAX_FRAME_BYTES, type DataChannelLink } from './webrtc-flow-control';

const MAX_SIGNAL_BYTES = 64 * 1024;
const MAX_REMOTE_CANDIDATES = 64;
/** A graceful close waits this long for the peer's `close` before tearing the connection down anyway. */
const CLOSE_LIMIT_MS = 5000;

export type WebRtcSignal =
  | { readonly t: 'sdp'; readonly type: 'offer' | 'answer'; readonly sdp: string }
  | { readonly t: 'cand'; readonly c: string; readonly mid: string };

export function encodeSignal(signal: WebRtcSignal): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(signal));
}

/** The signal in `bytes`, or null if it is not one (wrong shape, too large, not UTF-8 JSON). */
export function decodeSignal(bytes: Uint8Array): WebRtcSignal | null {
  if (bytes.length > MAX_SIGNAL_BYTES) return null;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.t === 'sdp' && (v.type === 'offer' || v.type === 'answer') && typeof v.sdp === 'string') {
    return { t: 'sdp', type: v.type, sdp: v.sdp };
  }
  if (v.t === 'cand' && typeof v.c === 'string' && typeof v.mid === 'string' && v.c.length <= 1024 && v.mid.length <= 64) {
    return { t: 'cand', c: v.c, mid: v.mid };
  }
  return null;
}

export interface WebRtcPeerOptions {
  readonly role: 'offerer' | 'answerer';
  /** node-datachannel URLs: 'stun:host:port', 'turn:user:pass@host:port?transport=udp'. */
  readonly iceServers: readonly string[];
  /** Use TURN only: send and accept relay candidates only, and refuse a selected pair without a relay candidate. */
  readonly forceRelay?: boolean;
  /** Deliver one signalling message to the other side. Must not block; a throw is logged, not propagated. */
  readonly signal: (message: Uint8Array) => void;
  /** DataChannel label (both sides must agree) and peer name in logs. Default 'sealdrop'. */
  readonly label?: string;
  /** Bind ICE to one local address (tests use '127.0.0.1'; libjuice gathers no loopback candidate otherwise). */
  readonly bindAddress?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Injected for tests; production uses node-datachannel's PeerConnection. */
  readonly createPeerConnection?: (name: string, config: RtcConfig) => PeerConnection;
}

/** Strong references to every peer until it is torn down: node-datachannel objects must not be collected early. */
const LIVE = new Set<WebRtcPeer>();

/** Number of peers not yet torn down (for tests and leak checks). */
export function liveWebRtcPeers(): number {
  return LIVE.size;
}

/**
 * 'turn' when either end of the selected ICE pair is a TURN relay candidate: then the TURN server carries it. A check
 * that arrives before the candidate it came from was signalled makes libjuice record a *peer-reflexive* candidate, so
 * the type alone can say `prflx` for what is a relay address: the endpoints of every relay candidate seen (ours and
 * the peer's) are compared as well.
 */
function selectedPath(pc: PeerConnection, relayEndpoints: ReadonlySet<string>): { path: PathKind; relayed: boolean; pair: string } {
  const selected = pc.getSelectedCandidatePair();
  if (selected === null) return { path: 'webrtc', relayed: false, pair: 'none' };
  const isRelay = (end: { type: string; address: string; port: number }): boolean =>
    end.type === 'relay' || relayEndpoints.has(endpointKey(end.address, end.port));
  const relayed = isRelay(selected.local) || isRelay(selected.remote);
  return { path: relayed ? 'turn' : 'webrtc', relayed, pair: `${selected.local.type}/${selected.remote.type}` };
}

/**
 * One side of a WebRTC connection. Create it, wire `signal` / `handleSignal` to the other side through any channel,
 * then await `connected(timeout)`.
 */
export class WebRtcPeer implements DataChannelLink {
  private readonly pc: PeerConnection;
  private dc: DataChannel | null = null;
  /** Channels the peer opened beyond ours: closed at once, referenced until teardown. */
  private readonly refused: DataChannel[] = [];
  private readonly transport: DataChannelTransport;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly label: string;
  private localFingerprint: Uint8Array | null = null;
  private remoteFingerprint: Uint8Array | null = null;
  private readonly pendingCandidates: { c: string; mid: string }[] = [];
  private remoteCandidates = 0;
  /** `address:port` of every relay candidate seen, ours and the peer's (see `selectedPath`). */
  private readonly relayEndpoints = new Set<string>();
  private opened = false;
  /** `connected` has settled negatively or the user closed: no more state changes are reported. */
  private ended = false;
  private tornDown = false;
  private closeSent = false;
  private timer: TimerId | null = null;
  private closeTimer: TimerId | null = null;
  private resolveOpen!: (transport: Transport) => void;
  private rejectOpen!: (error: SealdropError) => void;
  private readonly open: Promise<Transport>;

  constructor(private readonly options: WebRtcPeerOptions) {
    this.log = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.label = options.label ?? 'sealdrop';
    this.open = new Promise<Transport>((resolve, reject) => {
      this.resolveOpen = resolve;
      this.rejectOpen = reject;
    });
    this.open.catch(() => undefined); // a peer nobody awaits must not raise an unhandled rejection
    this.transport = new DataChannelTransport(this, this.clock, this.log);
    const config: RtcConfig = {
      iceServers: [...options.iceServers],
      ...(options.forceRelay ? { iceTransportPolicy: 'relay' as const } : {}),
      ...(options.bindAddress !== undefined ? { bindAddress: options.bindAddress } : {}),
    };
    const create = options.createPeerConnection ?? ((name, c) => new PeerConnection(name, c));
    this.pc = create(this.label, config);
    LIVE.add(this);
    this.pc.onLocalDescription(this.guard((sdp: string, type: string) => this.onLocalDescription(sdp, type)));
    this.pc.onLocalCandidate(this.guard((candidate: string, mid: string) => this.onLocalCandidate(candidate, mid)));
    this.pc.onStateChange(this.guard((state: string) => this.onStateChange(state)));
    // Only the offerer opens a channel; any channel the peer opens on its own is closed (one channel per path).
    this.pc.onDataChannel(this.guard((dc: DataChannel) => this.onRemoteChannel(dc)));
    if (options.role === 'offerer') this.attach(this.pc.createDataChannel(this.label, {}));
  }

  /** Resolves with the transport once the channel is open and checked; rejects with a coded SealdropError. */
  connected(timeoutMs: number): Promise<Transport> {
    if (this.timer === null && !this.opened && !this.ended) {
      this.timer = this.clock.setTimer(timeoutMs, () => this.fail('TRANSPORT_CLOSED', 'WebRTC connection timed out'));
    }
    return this.open;
  }

  /** Feed one message from the other side's `signal`. Never throws. */
  handleSignal(message: Uint8Array): void {
    try {
      this.onSignal(message);
    } catch (error) {
      this.log.warn('webrtc.signal.error', { code: errorCodeOf(error) ?? 'INTERNAL' });
    }
  }

  /**
   * Close the path. Frames already accepted by `send` still arrive: a `close` text message follows them on the
   * ordered channel, and the connection is torn down when the peer answers with its own `close` (or after
   * CLOSE_LIMIT_MS). Closing the DataChannel or the PeerConnection directly would not do: node-datachannel reports
   * the local channel closed at once, and closing the PeerConnection then drops whatever SCTP had not yet delivered
   * (measured: the last frames of a transfer went missing).
   */
  close(): void {
    if (this.ended) return;
    this.end(new SealdropError('TRANSPORT_CLOSED', 'closed locally'));
    this.transport.closeLocal();
    if (!this.opened || this.tornDown) return this.teardown();
    this.sendClose();
  }

  private sendClose(): void {
    if (this.closeSent) return;
    this.closeSent = true;
    if (!this.write(CLOSE_MESSAGE)) return this.teardown();
    this.closeTimer = this.clock.setTimer(CLOSE_LIMIT_MS, () => this.teardown());
  }

  /** The peer's `close`: everything it sent has arrived. An answer to ours ends the connection; else answer it. */
  onRemoteClose(): void {
    this.transport.finish({ code: 'TRANSPORT_CLOSED', message: 'closed by the peer' });
    if (this.closeSent) return this.teardown();
    // Answer, and let the closing side tear down (our answer must not be cut off by our own teardown).
    this.sendClose();
  }

  // ------------------------------------------------------------ signalling

  private onSignal(message: Uint8Array): void {
    if (this.ended) return;
    const signal = decodeSignal(message);
    if (!signal) return this.log.warn('webrtc.signal.ignored', { reason: 'malformed' });
    if (signal.t === 'cand') return this.onRemoteCandidate(signal.c, signal.mid);
    const expected = this.options.role === 'offerer' ? 'answer' : 'offer';
    if (signal.type !== expected) return this.log.warn('webrtc.signal.ignored', { reason: `unexpected ${signal.type}` });
    if (this.remoteFingerprint) return this.log.warn('webrtc.signal.ignored', { reason: 'renegotiation refused' });
    let fingerprint: Uint8Array;
    try {
      fingerprint = parseDtlsFingerprint(signal.sdp);
    } catch (error) {
      return this.fail(errorCodeOf(error) ?? 'BAD_INPUT', 'remote SDP refused: unusable DTLS fingerprint');
    }
    const sdp = this.options.forceRelay ? filterSdpCandidates(signal.sdp, isRelayCandidate) : signal.sdp;
    try {
      this.pc.setRemoteDescription(sdp, signal.type);
    } catch {
      return this.fail('BAD_INPUT', 'remote SDP refused by libdatachannel');
    }
    this.remoteFingerprint = fingerprint;
    sdpCandidates(sdp).slice(0, MAX_REMOTE_CANDIDATES).forEach((candidate) => this.noteCandidate(candidate));
    for (const { c, mid } of this.pendingCandidates.splice(0)) this.addCandidate(c, mid);
  }

  /**
   * Remember a relay candidate's endpoint. One that arrives after the channel opened may be what the selected pair
   * already uses (as peer-reflexive), so the path is classified again.
   */
  private noteCandidate(candidate: string): void {
    const endpoint = isRelayCandidate(candidate) ? candidateEndpoint(candidate) : null;
    if (endpoint === null || this.relayEndpoints.has(endpoint)) return;
    this.relayEndpoints.add(endpoint);
    if (!this.opened || this.ended) return;
    const { path, pair } = this.safe(() => selectedPath(this.pc, this.relayEndpoints), null) ?? { path: this.transport.path, pair: 'none' };
    if (path !== this.transport.path) {
      this.transport.path = path;
      this.log.info('webrtc.path.reclassified', { path, pair });
    }
  }

  private onRemoteCandidate(candidate: string, mid: string): void {
    if (this.options.forceRelay && !isRelayCandidate(candidate)) {
      return this.log.debug('webrtc.candidate.ignored', { reason: 'not relay' });
    }
    if (++this.remoteCandidates > MAX_REMOTE_CANDIDATES) {
      return this.log.warn('webrtc.candidate.ignored', { reason: 'too many' });
    }
    this.noteCandidate(candidate);
    // libdatachannel refuses candidates before the remote description; trickle may deliver them first.
    if (!this.remoteFingerprint) this.pendingCandidates.push({ c: candidate, mid });
    else this.addCandidate(candidate, mid);
  }

  private addCandidate(candidate: string, mid: string): void {
    try {
      this.pc.addRemoteCandidate(candidate, mid);
    } catch {
      this.log.warn('webrtc.candidate.ignored', { reason: 'refused by libdatachannel' });
    }
  }

  private send(signal: WebRtcSignal): void {
    try {
      this.options.signal(encodeSignal(signal));
    } catch {
      this.log.warn('webrtc.signal.send-failed');
    }
  }

  private onLocalDescription(sdp: string, type: string): void {
    if (this.ended) return;
    if (type !== 'offer' && type !== 'answer') return this.log.warn('webrtc.local-description.ignored', { type });
    try {
      this.localFingerprint = parseDtlsFingerprint(sdp);
    } catch (error) {
      return this.fail(errorCodeOf(error) ?? 'INTERNAL', 'local SDP has no usable DTLS fingerprint');
    }
    sdpCandidates(sdp).forEach((candidate) => this.noteCandidate(candidate));
    this.send({ t: 'sdp', type, sdp: this.options.forceRelay ? filterSdpCandidates(sdp, isRelayCandidate) : sdp });
  }

  private onLocalCandidate(candidate: string, mid: string): void {
    if (this.ended) return;
    if (this.options.forceRelay && !isRelayCandidate(candidate)) return;
    this.noteCandidate(candidate);
    this.send({ t: 'cand', c: candidate, mid });
  }

  // ------------------------------------------------------------ connection life

  private onStateChange(state: string): void {
    if (state === 'failed' || state === 'closed') this.fail('TRANSPORT_CLOSED', `peer connection ${state}`);
  }

  private onRemoteChannel(dc: DataChannel): void {
    if (this.dc || this.ended || dc.getLabel() !== this.label) {
      this.log.warn('webrtc.channel.refused', { label: dc.getLabel().slice(0, 64) });
      // Handlers and a reference even for a refused channel: collected without them, it crashed cleanup().
      dc.onClosed(() => undefined);
      dc.onError(() => undefined);
      this.refused.push(dc);
      this.safe(() => dc.close(), undefined);
      return;
    }
    this.attach(dc);
  }

  private attach(dc: DataChannel): void {
    this.dc = dc;
    dc.onOpen(this.guard(() => this.onOpen()));
    dc.onClosed(this.guard(() => {
      this.fail('TRANSPORT_CLOSED', 'data channel closed');
      this.teardown();
    }));
    dc.onError(this.guard(() => this.fail('TRANSPORT_CLOSED', 'data channel error')));
    dc.onBufferedAmountLow(this.guard(() => this.transport.wake()));
    dc.setBufferedAmountLowThreshold(HIGH_WATER_BYTES);
    dc.onMessage(this.guard((message: string | Buffer | ArrayBuffer) => this.transport.receive(message)));
    // A channel announced by the peer is usually open already; its open event may not fire again.
    if (dc.isOpen()) this.onOpen();
  }

  private onOpen(): void {
    if (this.opened || this.ended) return;
    this.opened = true;
    this.clearTimer();
    const local = this.localFingerprint;
    const remote = this.remoteFingerprint;
    if (!local || !remote) return this.fail('INTERNAL', 'channel open before both descriptions');
    // The certificate DTLS actually verified must be the one the SDP (and so the binding) names.
    const live = this.pc.remoteFingerprint();
    let liveBytes: Uint8Array | null = null;
    try {
      if (live.algorithm === 'sha-256') liveBytes = parseFingerprintHex(live.value);
    } catch {
      liveBytes = null;
    }
    if (!liveBytes || !equalBytes(liveBytes, remote)) {
      return this.fail('TRANSCRIPT_MISMATCH', 'the DTLS peer certificate differs from the remote SDP fingerprint');
    }
    const { path, relayed, pair } = selectedPath(this.pc, this.relayEndpoints);
    if (this.options.forceRelay && !relayed) return this.fail('TRANSPORT_CLOSED', 'relay required, direct pair selected');
    const advertised = this.dc!.maxMessageSize();
    const maxFrameBytes = Math.min(Number.isSafeInteger(advertised) && advertised > 0 ? advertised : 65_536, MAX_FRAME_BYTES);
    this.transport.activate(path, { kind: 'dtls', local, remote }, maxFrameBytes);
    this.log.info('webrtc.open', { path, pair, maxFrameBytes });
    this.resolveOpen(this.transport);
  }

  /**
   * End this peer with a coded reason: before open, `connected` rejects; after open, the handler gets `close`.
   * Internal to this module (the transport calls it); callers use `close()`.
   */
  fail(code: ErrorCode, message: string): void {
    if (this.ended) return;
    this.log.warn('webrtc.closed', { code, message });
    this.end(new SealdropError(code, message));
    this.transport.finish({ code, message });
    this.teardown();
  }

  private end(error: SealdropError): void {
    this.ended = true;
    this.clearTimer();
    this.rejectOpen(error);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.clock.clearTimer(this.timer);
    this.timer = null;
  }

  /** Close the channel, then the peer connection; drop the strong reference last. Idempotent. */
  private teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    this.clearTimer();
    if (this.closeTimer !== null) this.clock.clearTimer(this.closeTimer);
    const dc = this.dc;
    if (dc) this.safe(() => dc.close(), undefined);
    this.safe(() => this.pc.close(), undefined);
    LIVE.delete(this);
  }

  // ------------------------------------------------------------ used by the transport

  /** Hand one frame (binary) or control message (text) to libdatachannel; false if it refused. */
  write(message: Uint8Array | string): boolean {
    const dc = this.dc;
    if (!dc || this.tornDown) return false;
    try {
      if (typeof message === 'string') dc.sendMessage(message);
      else dc.sendMessageBinary(message);
      return true;
    } catch {
      return false;
    }
  }

  bufferedAmount(): number {
    const dc = this.dc;
    return dc ? this.safe(() => dc.bufferedAmount(), 0) : 0;
  }

  /** Run `fn`; a throw becomes `fallback`. libdatachannel throws on objects that closed underneath us. */
  private safe<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch {
      return fallback;
    }
  }

  /** Wrap a native callback: an exception escaping into node-datachannel would abort the process. */
  private guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (error) {
        this.log.error('webrtc.callback.error', { code: errorCodeOf(error) ?? 'INTERNAL' });
        try {
          this.fail('INTERNAL', 'unexpected error in a WebRTC callback');
        } catch {
          // nothing more can be done inside a native callback
        }
      }
    };
  }
}
