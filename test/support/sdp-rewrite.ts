/**
 * Tampers for the WebRTC signalling a malicious relay forwards on channel 0 (src/signaling/path-messages.ts type 2,
 * the WebRTC adapter's JSON signals in main/adapters/webrtc-transport.ts: `{t:'sdp',type,sdp}` and `{t:'cand',…}`).
 *
 * Two attacks on the DTLS binding (PROTOCOL.md §5.5; the adapter's header lists the defences):
 *   - `rewriteFingerprints`: replace the `a=fingerprint` line of forwarded SDPs with one the relay chose, and forward
 *     everything else. The peers' DTLS stacks then see certificates that do not match what they were told.
 *   - `dtlsManInTheMiddle`: the relay terminates WebRTC itself, with a peer connection (the real adapter) facing each
 *     side, so each side is told — and DTLS confirms — the fingerprint of the relay's certificate; it then bridges
 *     the data channels and forwards the Sealdrop frames untouched. DTLS is happy on both hops; the Level 3
 *     handshake binds both fingerprints as each side sees them, and the two views differ (TRANSCRIPT_MISMATCH).
 */

import { concatBytes } from '../../src/bytes';
import { webCryptoRandom } from '../../src/ports/random';
import type { Transport } from '../../src/ports/transport';
import { decodeSignal, encodeSignal, WebRtcPeer } from '../../main/adapters/webrtc-transport';
import { formatFingerprint } from '../../main/adapters/sdp';
import { CHANNEL_SIGNAL, type Payload, type Side, type Tamper } from './malicious-relay';

const SIGNAL_WEBRTC = 2;
const SIGNAL_WANT = 3;
const PATH_WEBRTC = 2;

function isWebRtcSignal(p: Payload): boolean {
  return p.channel === CHANNEL_SIGNAL && p.bytes[1] === SIGNAL_WEBRTC;
}

/** The channel-0 payload carrying WebRTC signal bytes `data`. */
function webRtcPayload(data: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(CHANNEL_SIGNAL, SIGNAL_WEBRTC), data);
}

/** The `a=fingerprint:sha-256 …` line an SDP would carry for `bytes`. */
export function fingerprintLine(bytes: Uint8Array): string {
  return `a=fingerprint:sha-256 ${formatFingerprint(bytes)}`;
}

/** Replace every `a=fingerprint` line in the SDPs `from` sends (default: both sides) with a fresh random one. */
export function rewriteFingerprints(from?: Side): Tamper & { readonly rewritten: () => number } {
  let rewritten = 0;
  const tamper: Tamper = (p) => {
    if (!isWebRtcSignal(p) || (from !== undefined && p.from !== from)) return undefined;
    const signal = decodeSignal(p.bytes.subarray(2));
    if (signal?.t !== 'sdp') return undefined;
    const forged = fingerprintLine(webCryptoRandom.bytes(32));
    const sdp = signal.sdp.replace(/^a=fingerprint:.*$/gim, forged);
    if (sdp === signal.sdp) return undefined;
    rewritten++;
    return [webRtcPayload(encodeSignal({ ...signal, sdp }))];
  };
  return Object.assign(tamper, { rewritten: () => rewritten });
}

export interface DtlsManInTheMiddle {
  readonly tamper: Tamper;
  /** Resolves once both hops are open and bridged. */
  readonly bridged: Promise<void>;
  /** Frames carried each way (the relay reads their types, never their contents). */
  readonly frames: { toSender: number; toReceiver: number };
  close(): void;
}

/**
 * The relay as a WebRTC man in the middle (see the header). The receiver's WANT webrtc is forwarded (the real sender
 * must create its answerer), every WebRTC signal is diverted to the relay's own peers, and theirs are injected.
 */
export function dtlsManInTheMiddle(): DtlsManInTheMiddle {
  let towardsReceiver: WebRtcPeer | null = null; // answers the receiver's offer
  let towardsSender: WebRtcPeer | null = null; // offers to the sender's answerer
  const frames = { toSender: 0, toReceiver: 0 };
  let markBridged!: () => void;
  const bridged = new Promise<void>((resolve) => (markBridged = resolve));

  const bridge = (a: Transport, b: Transport, count: (n: number) => void) =>
    a.listen({
      frame: async (bytes) => {
        count(1);
        await b.send(bytes).catch(() => undefined);
      },
      close: () => b.close(),
    });

  const tamper: Tamper = (p, relay) => {
    if (p.channel !== CHANNEL_SIGNAL) return undefined;
    if (p.from === 'receiver' && p.bytes[1] === SIGNAL_WANT && p.bytes[2] === PATH_WEBRTC && !towardsReceiver) {
      const inject = (to: 'sender' | 'receiver') => (data: Uint8Array) => void relay.inject(p.room, to, webRtcPayload(data));
      towardsReceiver = new WebRtcPeer({ role: 'answerer', iceServers: [], signal: inject('receiver'), label: 'sealdrop' });
      towardsSender = new WebRtcPeer({ role: 'offerer', iceServers: [], signal: inject('sender'), label: 'sealdrop' });
      const receiverHop = towardsReceiver.connected(20_000);
      const senderHop = towardsSender.connected(20_000);
      void Promise.all([receiverHop, senderHop]).then(
        ([r, s]) => {
          bridge(r, s, (n) => (frames.toSender += n));
          bridge(s, r, (n) => (frames.toReceiver += n));
          markBridged();
        },
        () => undefined,
      );
      return undefined; // the real sender gets the WANT and starts its answerer, which will meet our offerer
    }
    if (!isWebRtcSignal(p)) return undefined;
    const data = p.bytes.subarray(2);
    if (p.from === 'receiver') towardsReceiver?.handleSignal(data);
    else if (p.from === 'sender') towardsSender?.handleSignal(data);
    return []; // neither side ever hears the other's SDP or candidates
  };

  return {
    tamper,
    bridged,
    frames,
    close() {
      towardsReceiver?.close();
      towardsSender?.close();
    },
  };
}
