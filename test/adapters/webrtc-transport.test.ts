/**
 * main/adapters/webrtc-transport.ts, two real node-datachannel peers in one process on loopback host candidates,
 * signalling through an in-memory function the tests can tamper with (it plays the untrusted relay).
 *
 * Covered: binding and path, frames both ways, 16 MiB each way with a slow reader (credit window + send buffer
 * high-water mark), close semantics, a relay that rewrites an SDP fingerprint (DTLS verification fails; with
 * verification disabled, the adapter's live check fails with TRANSCRIPT_MISMATCH), hostile signals, and the real
 * session runner over WebRTC at Level 3 — including a DTLS binding that differs between the two sides.
 */
import { cleanup, PeerConnection, type RtcConfig } from 'node-datachannel';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { equalBytes, toHex } from '../../src/bytes';
import { sha256Sync } from '../../src/crypto/sha256';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed } from '../../src/identity/identity';
import { systemClock } from '../../src/ports/clock';
import type { Transport, TransportCloseReason } from '../../src/ports/transport';
import { memorySource, MemorySink } from '../../src/testing/memory-files';
import { SeededRandom } from '../../src/testing/seeded-random';
import { startReceiver, startSender } from '../../src/transfer/session';
import { formatFingerprint, parseDtlsFingerprint } from '../../main/adapters/sdp';
import { MAX_FRAME_BYTES, MESSAGE_COST_BYTES, WINDOW_BYTES } from '../../main/adapters/webrtc-flow-control';
import {
  decodeSignal,
  encodeSignal,
  liveWebRtcPeers,
  WebRtcPeer,
  type WebRtcPeerOptions,
  type WebRtcSignal,
} from '../../main/adapters/webrtc-transport';
import { expectCode } from '../helpers/expect-code';

const CONNECT_MS = 10_000;

interface PairOptions {
  /** Rewrite (or drop, by returning null) a signal on its way; `from` is the sending side. */
  tamper?: (signal: WebRtcSignal, from: 'offerer' | 'answerer') => WebRtcSignal | null;
  offerer?: Partial<WebRtcPeerOptions>;
  answerer?: Partial<WebRtcPeerOptions>;
}

const peers: WebRtcPeer[] = [];

/** Two peers wired back to back. Signals are delivered asynchronously, like a network. */
function pair(options: PairOptions = {}) {
  const sdps: Record<'offerer' | 'answerer', string | null> = { offerer: null, answerer: null };
  const route = (from: 'offerer' | 'answerer') => (message: Uint8Array) => {
    const signal = decodeSignal(message)!;
    if (signal.t === 'sdp') sdps[from] = signal.sdp;
    const out = options.tamper ? options.tamper(signal, from) : signal;
    if (!out) return;
    const to = from === 'offerer' ? answerer : offerer;
    setTimeout(() => to.handleSignal(encodeSignal(out)), 0);
  };
  const offerer = new WebRtcPeer({
    role: 'offerer', iceServers: [], bindAddress: '127.0.0.1', signal: route('offerer'), ...options.offerer,
  });
  const answerer = new WebRtcPeer({
    role: 'answerer', iceServers: [], bindAddress: '127.0.0.1', signal: route('answerer'), ...options.answerer,
  });
  peers.push(offerer, answerer);
  return { offerer, answerer, sdps };
}

async function connectedPair(options: PairOptions = {}) {
  const p = pair(options);
  const [a, b] = await Promise.all([p.offerer.connected(CONNECT_MS), p.answerer.connected(CONNECT_MS)]);
  return { ...p, a, b };
}

/** Collect frames and closes of a transport; `delayMs` makes a slow reader. */
function collect(transport: Transport, delayMs = 0) {
  const frames: Uint8Array[] = [];
  const closes: TransportCloseReason[] = [];
  let bytes = 0;
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  transport.listen({
    frame: async (frame) => {
      frames.push(frame);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      bytes += frame.length;
    },
    close: (reason) => {
      closes.push(reason);
      closed();
    },
  });
  return { frames, closes, done, consumed: () => bytes };
}

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const flipFingerprint = (sdp: string) =>
  sdp.replace(/(a=fingerprint:sha-256 )(..)/, (_m, prefix: string, hex: string) => prefix + (hex === 'AA' ? 'BB' : 'AA'));

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.close();
  // Graceful teardown drains and then closes; every peer must leave the strong-reference set.
  for (let i = 0; i < 500 && liveWebRtcPeers() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(liveWebRtcPeers()).toBe(0);
});

afterAll(() => cleanup());

describe('WebRTC transport: connection, binding, frames', () => {
  it('connects on loopback host candidates; the DTLS bindings are the SDP fingerprints, swapped between sides', async () => {
    const { a, b, sdps } = await connectedPair();
    expect(a.path).toBe('webrtc');
    expect(b.path).toBe('webrtc');
    expect(a.maxFrameBytes).toBe(MAX_FRAME_BYTES); // libdatachannel advertises a=max-message-size:262144
    expect(b.maxFrameBytes).toBe(MAX_FRAME_BYTES);
    if (a.binding.kind !== 'dtls' || b.binding.kind !== 'dtls') throw new Error('expected DTLS bindings');
    const offerFp = parseDtlsFingerprint(sdps.offerer!);
    const answerFp = parseDtlsFingerprint(sdps.answerer!);
    expect(toHex(a.binding.local)).toBe(toHex(offerFp));
    expect(toHex(a.binding.remote)).toBe(toHex(answerFp));
    expect(toHex(b.binding.local)).toBe(toHex(answerFp));
    expect(toHex(b.binding.remote)).toBe(toHex(offerFp));
    expect(equalBytes(offerFp, answerFp)).toBe(false);
  });

  it('carries frames both ways in order, up to maxFrameBytes, including an empty frame', async () => {
    const { a, b } = await connectedPair();
    const atB = collect(b);
    const atA = collect(a);
    const toB = [pattern(1, 1), new Uint8Array(0), pattern(a.maxFrameBytes, 2), pattern(1000, 3)];
    const toA = [pattern(77, 4), pattern(b.maxFrameBytes, 5)];
    await Promise.all([...toB.map((f) => a.send(f)), ...toA.map((f) => b.send(f))]);
    while (atB.frames.length < toB.length || atA.frames.length < toA.length) await new Promise((r) => setTimeout(r, 5));
    expect(atB.frames.map(toHexShort)).toEqual(toB.map(toHexShort));
    expect(atA.frames.map(toHexShort)).toEqual(toA.map(toHexShort));
    expect(atB.frames[0]).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(atB.frames[0])).toBe(false); // plain Uint8Array: `slice` copies, as the core expects
    await expectCode(a.send(new Uint8Array(a.maxFrameBytes + 1)), 'FRAME_TOO_LARGE');
  });

  it('moves 16 MiB each way at once to slow readers; send never runs ahead of the reader by more than the window', async () => {
    const { a, b } = await connectedPair();
    const total = 16 * 1024 * 1024;
    const frame = MAX_FRAME_BYTES;
    const run = async (from: Transport, to: Transport, seed: number) => {
      const data = pattern(total, seed);
      const reader = collect(to, 2);
      let maxAhead = 0;
      for (let offset = 0; offset < total; offset += frame) {
        await from.send(data.subarray(offset, offset + frame));
        // Everything `send` let go of and the reader has not finished is uncredited window.
        const sentCost = (offset / frame + 1) * (frame + MESSAGE_COST_BYTES);
        const consumedCost = reader.consumed() + reader.frames.length * MESSAGE_COST_BYTES;
        maxAhead = Math.max(maxAhead, sentCost - consumedCost);
      }
      while (reader.consumed() < total) await new Promise((r) => setTimeout(r, 5));
      const received = new Uint8Array(total);
      let at = 0;
      for (const f of reader.frames) {
        received.set(f, at);
        at += f.length;
      }
      return { same: toHex(sha256Sync(received)) === toHex(sha256Sync(data)), maxAhead };
    };
    const [ab, ba] = await Promise.all([run(a, b, 11), run(b, a, 12)]);
    expect(ab.same).toBe(true);
    expect(ba.same).toBe(true);
    const bound = WINDOW_BYTES + 2 * (MAX_FRAME_BYTES + MESSAGE_COST_BYTES);
    expect(ab.maxAhead).toBeLessThanOrEqual(bound);
    expect(ba.maxAhead).toBeLessThanOrEqual(bound);
    // The reader (2 ms per 256 KiB frame) is the bottleneck, so the window was actually used.
    expect(ab.maxAhead).toBeGreaterThan(WINDOW_BYTES / 2);
  });

  it('close(): frames already sent arrive first, the peer gets close exactly once, later sends reject', async () => {
    const { a, b } = await connectedPair();
    const atB = collect(b, 1);
    const frames = Array.from({ length: 20 }, (_, i) => pattern(64 * 1024, i));
    for (const f of frames) await a.send(f);
    a.close();
    a.close();
    await expectCode(a.send(pattern(10, 1)), 'TRANSPORT_CLOSED');
    await atB.done;
    expect(atB.frames.length).toBe(frames.length);
    await new Promise((r) => setTimeout(r, 200));
    expect(atB.closes).toEqual([{ code: 'TRANSPORT_CLOSED', message: 'closed by the peer' }]);
    await expectCode(b.send(pattern(10, 1)), 'TRANSPORT_CLOSED');
  });

  it('frames that arrive before listen() are held, not lost', async () => {
    const { a, b } = await connectedPair();
    await a.send(pattern(100, 9));
    await new Promise((r) => setTimeout(r, 200));
    const atB = collect(b);
    while (atB.frames.length < 1) await new Promise((r) => setTimeout(r, 5));
    expect(toHexShort(atB.frames[0]!)).toBe(toHexShort(pattern(100, 9)));
  });
});

describe('WebRTC transport: a relay that rewrites the signalling', () => {
  const rewriteAnswerFingerprint = (signal: WebRtcSignal, from: 'offerer' | 'answerer') =>
    from === 'answerer' && signal.t === 'sdp' ? { ...signal, sdp: flipFingerprint(signal.sdp) } : signal;

  it('a rewritten a=fingerprint: libdatachannel refuses the DTLS peer, both sides fail with TRANSPORT_CLOSED', async () => {
    const { offerer, answerer } = pair({ tamper: rewriteAnswerFingerprint });
    await Promise.all([
      expectCode(offerer.connected(CONNECT_MS), 'TRANSPORT_CLOSED'),
      expectCode(answerer.connected(CONNECT_MS), 'TRANSPORT_CLOSED'),
    ]);
  });

  it('…and if the DTLS stack skipped that check, the live remoteFingerprint() check fails with TRANSCRIPT_MISMATCH', async () => {
    // Simulates a libdatachannel that does not verify (a regression, or disableFingerprintVerification).
    const unverified = (name: string, config: RtcConfig) =>
      new PeerConnection(name, { ...config, disableFingerprintVerification: true });
    const { offerer } = pair({ tamper: rewriteAnswerFingerprint, offerer: { createPeerConnection: unverified } });
    await expectCode(offerer.connected(CONNECT_MS), 'TRANSCRIPT_MISMATCH');
  });

  it('an SDP with two fingerprints is refused (BAD_INPUT); one with a malformed fingerprint too (BAD_ENCODING)', async () => {
    const other = `a=fingerprint:sha-256 ${formatFingerprint(new Uint8Array(32).fill(7))}`;
    const twice = pair({
      tamper: (s, from) => (from === 'answerer' && s.t === 'sdp' ? { ...s, sdp: s.sdp.replace('a=mid:0', `a=mid:0\r\n${other}`) } : s),
    });
    await expectCode(twice.offerer.connected(CONNECT_MS), 'BAD_INPUT');
    const malformed = pair({
      tamper: (s, from) => (from === 'offerer' && s.t === 'sdp' ? { ...s, sdp: s.sdp.replace(/(a=fingerprint:sha-256 )../, '$1ZZ') } : s),
    });
    await expectCode(malformed.answerer.connected(CONNECT_MS), 'BAD_ENCODING');
  });

  it('junk, unexpected and repeated signals are ignored without throwing; the connection still forms', async () => {
    let answerSdp: string | null = null;
    const { offerer, answerer } = pair({
      tamper: (s, from) => {
        if (from === 'answerer' && s.t === 'sdp') answerSdp = s.sdp;
        return s;
      },
    });
    const junk = [
      new Uint8Array([0xff, 0xfe]),
      new TextEncoder().encode('{"t":"sdp","type":"offer"}'),
      new TextEncoder().encode('{"t":"cand","c":"a=candidate:garbage","mid":"0"}'),
      new TextEncoder().encode('{"t":"sdp","type":"offer","sdp":"v=0"}'), // an offer to the offerer
      new Uint8Array(70 * 1024),
    ];
    for (const message of junk) expect(() => offerer.handleSignal(message)).not.toThrow();
    const [a] = await Promise.all([offerer.connected(CONNECT_MS), answerer.connected(CONNECT_MS)]);
    // A second answer (renegotiation with another fingerprint) is refused, the path stays up.
    expect(answerSdp).not.toBeNull();
    offerer.handleSignal(encodeSignal({ t: 'sdp', type: 'answer', sdp: flipFingerprint(answerSdp!) }));
    const atB = collect(await answerer.connected(CONNECT_MS));
    await a.send(pattern(10, 1));
    while (atB.frames.length < 1) await new Promise((r) => setTimeout(r, 5));
    expect(atB.closes).toEqual([]);
  });

  it('forceRelay without a TURN server never connects, although the peer offers reachable host candidates', async () => {
    // Measured on 0.33.4: a PeerConnection with iceTransportPolicy 'relay' alone connects host/host to a peer that
    // sends host candidates (libdatachannel#1587). The adapter drops non-relay candidates, so here nothing forms.
    const sent: string[] = [];
    const { offerer, answerer } = pair({
      offerer: { forceRelay: true },
      tamper: (s, from) => {
        if (s.t === 'cand') sent.push(`${from} ${s.c}`);
        return s;
      },
    });
    await expectCode(offerer.connected(3000), 'TRANSPORT_CLOSED');
    await expectCode(answerer.connected(100), 'TRANSPORT_CLOSED');
    expect(sent.some((c) => c.startsWith('answerer') && c.includes('typ host'))).toBe(true);
    expect(sent.filter((c) => c.startsWith('offerer'))).toEqual([]);
  });

  it('connected() rejects with TRANSPORT_CLOSED when nobody answers in time', async () => {
    const lonely = new WebRtcPeer({ role: 'offerer', iceServers: [], bindAddress: '127.0.0.1', signal: () => undefined });
    peers.push(lonely);
    await expectCode(lonely.connected(300), 'TRANSPORT_CLOSED');
  });
});

describe('WebRTC transport: a peer that ignores the flow-control rules', () => {
  /** A raw node-datachannel offerer speaking our signalling, so the test controls every message it sends. */
  async function rawOfferer() {
    // `answerer` is declared below; the raw side's callbacks only use it from timers, after it exists.
    const raw = new PeerConnection('raw', { iceServers: [], bindAddress: '127.0.0.1' });
    raw.onLocalDescription((sdp, type) => {
      const signal = encodeSignal({ t: 'sdp', type: type as 'offer', sdp });
      setTimeout(() => answerer.handleSignal(signal), 0);
    });
    raw.onLocalCandidate((c, mid) => {
      const signal = encodeSignal({ t: 'cand', c, mid });
      setTimeout(() => answerer.handleSignal(signal), 0);
    });
    const dc = raw.createDataChannel('sealdrop');
    const opened = new Promise<void>((resolve) => dc.onOpen(resolve));
    // Measured: without close/error handlers, this channel, once collected, crashes node-datachannel's cleanup().
    dc.onClosed(() => undefined);
    dc.onError(() => undefined);
    raw.onStateChange(() => undefined);
    // Candidates can overtake the answer; libdatachannel throws on a candidate before the remote description.
    const early: { c: string; mid: string }[] = [];
    let described = false;
    const answerer: WebRtcPeer = new WebRtcPeer({
      role: 'answerer', iceServers: [], bindAddress: '127.0.0.1',
      signal: (message) => {
        const s = decodeSignal(message)!;
        setTimeout(() => {
          if (s.t === 'cand' && !described) return void early.push(s);
          if (s.t === 'cand') return raw.addRemoteCandidate(s.c, s.mid);
          raw.setRemoteDescription(s.sdp, s.type);
          described = true;
          for (const c of early.splice(0)) raw.addRemoteCandidate(c.c, c.mid);
        }, 0);
      },
    });
    peers.push(answerer);
    const transport = await answerer.connected(CONNECT_MS);
    await opened;
    return { raw, dc, transport };
  }

  it('more than the window while the reader is busy → the path closes with UNEXPECTED_MESSAGE', async () => {
    const { raw, dc, transport } = await rawOfferer();
    try {
      const closes: TransportCloseReason[] = [];
      let delivered = 0;
      let release!: () => void;
      const stuck = new Promise<void>((resolve) => (release = resolve));
      transport.listen({
        frame: () => {
          delivered++;
          return stuck;
        },
        close: (reason) => closes.push(reason),
      });
      // 6 MiB while the handler holds the first frame: an honest sender would have stopped at WINDOW_BYTES.
      for (let i = 0; i < 24; i++) dc.sendMessageBinary(pattern(MAX_FRAME_BYTES, i));
      // The adapter tears the connection down on the violation; the handler hears of it when its frame is done.
      while (liveWebRtcPeers() > 0) await new Promise((r) => setTimeout(r, 10));
      expect(closes).toEqual([]);
      release();
      while (closes.length === 0) await new Promise((r) => setTimeout(r, 10));
      expect(closes).toEqual([{ code: 'UNEXPECTED_MESSAGE', message: 'peer exceeded its flow-control window' }]);
      expect(delivered).toBe(1); // the queued excess was dropped, not delivered
    } finally {
      dc.close();
      raw.close();
    }
  });

  it('a credit for bytes never sent → UNEXPECTED_MESSAGE', async () => {
    const { raw, dc, transport } = await rawOfferer();
    const closes: TransportCloseReason[] = [];
    transport.listen({ frame: () => undefined, close: (reason) => closes.push(reason) });
    try {
      dc.sendMessage('credit:1000');
      while (closes.length === 0) await new Promise((r) => setTimeout(r, 10));
      expect(closes).toEqual([{ code: 'UNEXPECTED_MESSAGE', message: 'malformed or excess credit' }]);
      await expectCode(transport.send(pattern(10, 1)), 'TRANSPORT_CLOSED');
    } finally {
      dc.close();
      raw.close();
    }
  });
});

describe('the session runner over WebRTC', () => {
  const sessionId = new Uint8Array(16).fill(0x5a);
  const psk = new Uint8Array(32).fill(0x42);

  async function runTransfer(senderEnd: Transport, receiverEnd: Transport, data: Uint8Array) {
    const sender = await identityFromSeed(new Uint8Array(32).fill(1));
    const receiver = await identityFromSeed(new Uint8Array(32).fill(2));
    const sink = new MemorySink();
    const { manifest, source } = memorySource([{ path: 'big.bin', data }]);
    const s = await startSender({
      transport: senderEnd, clock: systemClock, random: new SeededRandom('sender'), signer: sender,
      handshakeRole: 'responder', sessionId, psk, expect: { linkIssued: true }, manifest, source,
    });
    const r = startReceiver({
      transport: receiverEnd, clock: systemClock, random: new SeededRandom('receiver'), signer: receiver,
      handshakeRole: 'initiator', sessionId, psk, expect: { linkFingerprint: await fingerprintOf(sender.publicKey) },
      decide: () => Promise.resolve(true), openSink: ({ manifest: m }) => sink.open(m),
    });
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    return { sent, received, sink };
  }

  it('delivers 8 MiB identically at Level 3 (sender = offerer/responder, receiver = answerer/initiator)', async () => {
    const { a, b } = await connectedPair();
    const data = pattern(8 * 1024 * 1024, 21);
    const { sent, received, sink } = await runTransfer(a, b, data);
    expect(received.code).toBeNull();
    expect(sent.code).toBeNull();
    expect(received.ok && sent.ok).toBe(true);
    expect(received.handshake).not.toBeNull();
    expect(received.handshake?.level).toBe(3);
    expect(sent.handshake?.level).toBe(3);
    expect(equalBytes(sink.committed.get('big.bin')!, data)).toBe(true);
  });

  it('a DTLS binding that differs between the two sides fails the handshake with TRANSCRIPT_MISMATCH', async () => {
    const { a, b } = await connectedPair();
    if (b.binding.kind !== 'dtls') throw new Error('expected a DTLS binding');
    // What the receiver would see if the relay had terminated DTLS itself with certificate "mallory".
    const mallory = new Uint8Array(32).fill(0x66);
    const skewed: Transport = {
      path: b.path,
      binding: { kind: 'dtls', local: b.binding.local, remote: mallory },
      maxFrameBytes: b.maxFrameBytes,
      send: (frame) => b.send(frame),
      listen: (handlers) => b.listen(handlers),
      close: () => b.close(),
    };
    const { sent, received, sink } = await runTransfer(a, skewed, pattern(1024, 3));
    expect([sent.code, received.code]).toContain('TRANSCRIPT_MISMATCH');
    expect(received.ok || sent.ok).toBe(false);
    expect(sink.opened).toBe(0);
  });
});

function toHexShort(bytes: Uint8Array): string {
  return `${bytes.length}:${toHex(sha256Sync(bytes))}`;
}
