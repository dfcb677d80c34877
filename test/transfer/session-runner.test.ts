/**
 * Session-runner behaviours that test/integration does not cover, through the real runner, handshake, STREAM and
 * state machine over the linked in-memory transport: declining, cancelling from either side mid-file, a failing
 * sink, a sender whose bytes do not match its own manifest, an OFFER that differs from the manifest hash the
 * handshake committed to, and timeouts that depend on the clock (FakeClock).
 */
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { decodeFrame, encodeFrame, FRAME_TYPES, type Frame } from '../../src/frames/frames';
import { ResponderHandshake, type PeerExpectation } from '../../src/handshake/handshake';
import { hashManifest } from '../../src/manifest/codec';
import type { Manifest } from '../../src/manifest/manifest';
import type { Clock } from '../../src/ports/clock';
import { systemClock } from '../../src/ports/clock';
import type { Transport } from '../../src/ports/transport';
import { FakeClock } from '../../src/testing/fake-clock';
import { memorySource, MemorySink, type MemoryFile } from '../../src/testing/memory-files';
import { linkedTransports, type Tamper } from '../../src/testing/memory-transport';
import { SeededRandom } from '../../src/testing/seeded-random';
import { decodeControl, encodeControl, type ControlMessage } from '../../src/transfer/control';
import { ControlOpener, ControlSealer } from '../../src/transfer/control-channel';
import { DEFAULT_TIMEOUTS, type Phase } from '../../src/transfer/machine';
import { startReceiver, startSender, type RunningSession, type SessionEvent } from '../../src/transfer/session';

const sessionId = new Uint8Array(16).fill(0x5a);
const psk = new Uint8Array(32).fill(0x42);
const CHUNK = 64 * 1024;

function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Sorted by path, so a.txt (one chunk) is file 0 and big.bin (32 chunks) is file 1. */
const SMALL: MemoryFile = { path: 'a.txt', data: new TextEncoder().encode('first, and small\n') };
const BIG: MemoryFile = { path: 'big.bin', data: bytes(32 * CHUNK, 11) };
const FILES = [SMALL, BIG];

let identities: Promise<{ sender: IdentitySigner; receiver: IdentitySigner }> | null = null;
function parties() {
  identities ??= (async () => ({
    sender: await identityFromSeed(new Uint8Array(32).fill(1)),
    receiver: await identityFromSeed(new Uint8Array(32).fill(2)),
  }))();
  return identities;
}

async function receiverExpect(): Promise<PeerExpectation> {
  const { sender } = await parties();
  return { linkFingerprint: await fingerprintOf(sender.publicKey) };
}

interface PairOptions {
  files?: readonly MemoryFile[];
  /** Manifest and source may come from different contents (a hostile sender). */
  manifest?: Manifest;
  sink?: MemorySink;
  clock?: Clock;
  /** The receiver's clock, when it must not move with the sender's. */
  receiverClock?: Clock;
  /** Stand between the sender's session and its transport. */
  wrapSenderTransport?: (transport: Transport) => Transport;
  decide?: () => Promise<boolean>;
  tamper?: Tamper;
  onSenderEvent?: (event: SessionEvent, session: RunningSession) => void;
  onReceiverEvent?: (event: SessionEvent, session: RunningSession) => void;
}

/** A link-verified sender (responder) and receiver (initiator) over a fresh linked pair. */
async function startPair(options: PairOptions = {}) {
  const { sender, receiver } = await parties();
  const [senderEnd, receiverEnd] = linkedTransports(options.tamper ? { tamper: options.tamper } : {});
  const { manifest: honest, source } = memorySource(options.files ?? FILES);
  const manifest = options.manifest ?? honest;
  const sink = options.sink ?? new MemorySink();
  const clock = options.clock ?? systemClock;
  const decisions: Manifest[] = [];
  const senderPhases: Phase[] = [];
  const receiverPhases: Phase[] = [];
  let s: RunningSession | null = null;
  let r: RunningSession | null = null;
  s = await startSender({
    transport: options.wrapSenderTransport ? options.wrapSenderTransport(senderEnd) : senderEnd,
    clock,
    random: new SeededRandom('sender'),
    signer: sender,
    handshakeRole: 'responder',
    sessionId,
    psk,
    expect: { linkIssued: true },
    manifest,
    source,
    onEvent: (event) => {
      if (event.type === 'phase') senderPhases.push(event.phase);
      options.onSenderEvent?.(event, s!);
    },
  });
  r = startReceiver({
    transport: receiverEnd,
    clock: options.receiverClock ?? clock,
    random: new SeededRandom('receiver'),
    signer: receiver,
    handshakeRole: 'initiator',
    sessionId,
    psk,
    expect: await receiverExpect(),
    decide: ({ manifest: offered }) => {
      decisions.push(offered);
      return options.decide ? options.decide() : Promise.resolve(true);
    },
    openSink: ({ manifest: m }) => sink.open(m),
    onEvent: (event) => {
      if (event.type === 'phase') receiverPhases.push(event.phase);
      options.onReceiverEvent?.(event, r!);
    },
  });
  return { s, r, sink, decisions, senderPhases, receiverPhases };
}

const settle = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition: () => boolean) {
  for (let i = 0; i < 2000 && !condition(); i++) await settle(2);
  expect(condition()).toBe(true);
}

describe('session runner: the receiver declines', () => {
  it('sender ends declined (DECLINED, from the peer); the receiver never opens its sink', async () => {
    const { s, r, sink, decisions } = await startPair({ decide: () => Promise.resolve(false) });
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect(decisions).toHaveLength(1);
    expect(sent).toMatchObject({ phase: 'declined', ok: false, code: 'DECLINED', errorFromPeer: true });
    expect(received).toMatchObject({ phase: 'declined', ok: false, code: 'DECLINED', errorFromPeer: false });
    expect(sink.opened).toBe(0);
    expect(sink.committed.size).toBe(0);
  });
});

describe('session runner: cancel mid-transfer', () => {
  it('cancel() at the sender while big.bin is on its way: both end cancelled, big.bin not committed', async () => {
    let cancelled = false;
    const { s, r, sink } = await startPair({
      onSenderEvent: (event, session) => {
        if (event.type === 'progress' && event.bytes > 8 * CHUNK && !cancelled) {
          cancelled = true;
          session.cancel();
        }
      },
    });
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect(cancelled).toBe(true);
    expect({ sent, received }).toMatchObject({
      sent: { phase: 'cancelled', code: 'CANCELLED', errorFromPeer: false },
      received: { phase: 'cancelled', code: 'CANCELLED', errorFromPeer: true },
    });
    // Frames are processed in order, so the small file before the cancel was delivered whole.
    expect(sink.committed.get(SMALL.path)).toEqual(SMALL.data);
    expect(sink.committed.has(BIG.path)).toBe(false);
  });

  it('cancel() at the receiver while big.bin arrives: both end cancelled, big.bin not committed', async () => {
    let cancelled = false;
    const { s, r, sink } = await startPair({
      onReceiverEvent: (event, session) => {
        if (event.type === 'progress' && event.bytes > 8 * CHUNK && !cancelled) {
          cancelled = true;
          session.cancel();
        }
      },
    });
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect(cancelled).toBe(true);
    expect(received).toMatchObject({ phase: 'cancelled', code: 'CANCELLED', errorFromPeer: false });
    expect(sent).toMatchObject({ phase: 'cancelled', code: 'CANCELLED', errorFromPeer: true });
    expect(sink.committed.get(SMALL.path)).toEqual(SMALL.data);
    expect(sink.committed.has(BIG.path)).toBe(false);
    // What was written stays as a part, for a later session to resume.
    expect(sink.pendingParts).toBe(1);
    expect((await sink.progress(1))?.verifiedChunks).toBeGreaterThanOrEqual(8);
  });
});

describe('session runner: the disk fails', () => {
  it('writes that fail → receiver SINK_FAILED, and the sender learns it as a peer cancel with that code', async () => {
    const sink = new MemorySink();
    sink.failAfterChunks = 5; // a.txt, then four chunks of big.bin
    const { s, r } = await startPair({ sink });
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect(received).toMatchObject({ phase: 'failed', code: 'SINK_FAILED', errorFromPeer: false });
    expect(sent).toMatchObject({ phase: 'failed', code: 'SINK_FAILED', errorFromPeer: true });
    expect(sink.committed.has(SMALL.path)).toBe(true);
    expect(sink.committed.has(BIG.path)).toBe(false);
    expect((await sink.progress(1))?.verifiedChunks).toBe(4);
  });
});

describe('session runner: a hostile sender', () => {
  it('serves bytes that do not match its own manifest → FILE_HASH_MISMATCH, that file discarded, not committed', async () => {
    const swapped = { path: BIG.path, data: bytes(BIG.data.length, 12) }; // same size, other content
    const { manifest } = memorySource(FILES); // commits to BIG's SHA-256 …
    const { s, r, sink } = await startPair({ manifest, files: [SMALL, swapped] }); // … but sends `swapped`
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect(received).toMatchObject({ phase: 'failed', code: 'FILE_HASH_MISMATCH', errorFromPeer: false });
    expect(sent).toMatchObject({ phase: 'failed', code: 'FILE_HASH_MISMATCH', errorFromPeer: true });
    expect(sink.committed.get(SMALL.path)).toEqual(SMALL.data);
    expect(sink.committed.has(BIG.path)).toBe(false);
    expect(sink.pendingParts).toBe(0); // the unverifiable part was discarded, not kept for resume
  });

  /**
   * A sender built from the real pieces (responder handshake, control sealer) that commits to one manifest hash in
   * the handshake and then offers another manifest. The session runner cannot be made to do this without a test
   * hook, since it derives both from one manifest.
   */
  async function offerAfterCommitting(transport: Transport, committed: Manifest, offered: Manifest) {
    const { sender } = await parties();
    const received: ControlMessage[] = [];
    let handshake: ResponderHandshake | null = null;
    let opener: ControlOpener | null = null;
    let done!: () => void;
    const closed = new Promise<void>((resolve) => (done = resolve));
    const send = (frame: Frame) => transport.send(encodeFrame(frame));
    const onFrame = async (frame: Frame) => {
      if (frame.type === 'HELLO') {
        const config = {
          signer: sender,
          random: new SeededRandom('mallory'),
          sessionId,
          psk,
          binding: { kind: 'none' } as const,
          intent: 'send' as const,
          manifestHash: await hashManifest(committed),
          expect: { linkIssued: true },
        };
        const started = await ResponderHandshake.onHello(config, frame.payload);
        handshake = started.handshake;
        await send({ type: 'HANDSHAKE_REPLY', payload: started.reply });
      } else if (frame.type === 'HANDSHAKE_FINISH' && handshake) {
        const result = await handshake.onFinish(frame.payload);
        const sealer = await ControlSealer.create(result.secrets.controlResponder);
        opener = await ControlOpener.create(result.secrets.controlInitiator);
        const offer: ControlMessage = { kind: 'offer', chunkSize: CHUNK, manifest: offered, manifestBytes: new Uint8Array(0) };
        await send({ type: 'CONTROL', payload: await sealer.seal(encodeControl(offer)) });
      } else if (frame.type === 'CONTROL' && opener) {
        received.push(decodeControl(await opener.open(frame.payload)));
      }
    };
    let chain = Promise.resolve();
    transport.listen({
      frame: (bytes) => {
        chain = chain.then(() => onFrame(decodeFrame(bytes)));
      },
      close: () => void chain.then(done),
    });
    return { received, closed };
  }

  async function hostileOffer(committed: Manifest, offered: Manifest, decide = false) {
    const [malloryEnd, receiverEnd] = linkedTransports();
    const mallory = await offerAfterCommitting(malloryEnd, committed, offered);
    const { receiver } = await parties();
    const sink = new MemorySink();
    const decisions: Manifest[] = [];
    const r = startReceiver({
      transport: receiverEnd,
      clock: systemClock,
      random: new SeededRandom('receiver'),
      signer: receiver,
      handshakeRole: 'initiator',
      sessionId,
      psk,
      expect: await receiverExpect(),
      decide: ({ manifest }) => {
        decisions.push(manifest);
        return Promise.resolve(decide);
      },
      openSink: ({ manifest }) => sink.open(manifest),
    });
    const outcome = await r.outcome;
    await mallory.closed;
    return { outcome, sink, decisions, mallory };
  }

  it('the harness is honest when both manifests agree: the offer reaches decide (control for the next case)', async () => {
    const { manifest } = memorySource(FILES);
    const { outcome, decisions, mallory } = await hostileOffer(manifest, manifest);
    expect(decisions).toEqual([manifest]);
    expect(outcome).toMatchObject({ phase: 'declined', code: 'DECLINED' });
    expect(mallory.received).toEqual([{ kind: 'decline' }]);
  });

  it('an OFFER whose manifest differs from the hash committed in the handshake → MANIFEST_HASH_MISMATCH, nothing shown or opened', async () => {
    const { manifest: committed } = memorySource(FILES);
    const { manifest: offered } = memorySource([SMALL, { path: 'payload.exe', data: bytes(100, 3) }]);
    const { outcome, sink, decisions, mallory } = await hostileOffer(committed, offered, true);
    expect(outcome).toMatchObject({ phase: 'failed', code: 'MANIFEST_HASH_MISMATCH', errorFromPeer: false });
    expect(outcome.handshake?.level).toBe(3); // the peer was authenticated: the lie is the sender's own
    expect(decisions).toEqual([]);
    expect(sink.opened).toBe(0);
    expect(mallory.received).toEqual([{ kind: 'cancel', code: 'MANIFEST_HASH_MISMATCH' }]);
  });
});

describe('session runner: timeouts through the injected clock', () => {
  it('a user who never decides: the sender gives up after the response window and tells the receiver', async () => {
    const clock = new FakeClock();
    const { s, r, sink, receiverPhases } = await startPair({
      clock,
      decide: () => new Promise<boolean>(() => undefined), // the prompt stays open forever
    });
    await until(() => receiverPhases.includes('deciding'));
    clock.advance(DEFAULT_TIMEOUTS.responseMs - 1);
    await settle(20);
    expect(receiverPhases).not.toContain('failed');
    clock.advance(1);
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect(sent).toMatchObject({ phase: 'failed', code: 'TIMEOUT', errorFromPeer: false });
    expect(received).toMatchObject({ phase: 'failed', code: 'TIMEOUT', errorFromPeer: true });
    expect(sink.opened).toBe(0);
    expect(clock.pending).toBe(0); // every timer cleared at close
  });

  it('a relay that stalls the data: the receiver times out after the idle window, not before', async () => {
    const clock = new FakeClock();
    let data = 0;
    // The relay passes five DATA frames (a.txt and four chunks of big.bin) and then swallows the rest.
    const stall: Tamper = (frame, info) =>
      info.direction === 'a-to-b' && frame[1] === FRAME_TYPES.DATA && ++data > 5 ? [] : [frame];
    const { s, r, sink, receiverPhases } = await startPair({ clock, tamper: stall });
    await until(() => sink.committed.has(SMALL.path) && (sink.pendingParts === 1) && data >= 32);
    await settle(20);
    clock.advance(DEFAULT_TIMEOUTS.idleMs - 1);
    await settle(20);
    expect(receiverPhases).not.toContain('failed');
    clock.advance(1);
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect(received).toMatchObject({ phase: 'failed', code: 'TIMEOUT', errorFromPeer: false });
    expect(sent).toMatchObject({ phase: 'failed', code: 'TIMEOUT' });
    expect(sink.committed.has(BIG.path)).toBe(false);
    expect((await sink.progress(1))?.verifiedChunks).toBe(4);
  });

  /**
   * The sender hears nothing but the receiver's heartbeat (PROGRESS, every third of the idle window) while one
   * large file is on its way. Here big.bin takes over two and a half idle windows on the clock: 5 s pass per chunk
   * received (a step that stays well above the few milliseconds a PROGRESS needs to reach the sender).
   * Without the heartbeat the sender would give up with TIMEOUT while the receiver was still happily receiving.
   */
  it('a single file that takes longer than the idle window: the heartbeat keeps the sender waiting', async () => {
    const clock = new FakeClock();
    let chunks = 0;
    const { s, r, sink } = await startPair({
      clock,
      onReceiverEvent: (event) => {
        if (event.type === 'progress' && ++chunks > 1) clock.advance(DEFAULT_TIMEOUTS.idleMs / 12);
      },
    });
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect({ sent: [sent.phase, sent.code, sent.errorFromPeer], received: [received.phase, received.code, received.errorFromPeer] }).toEqual({
      sent: ['complete', null, false],
      received: ['complete', null, false],
    });
    expect(equalBytes(sink.committed.get(BIG.path)!, BIG.data)).toBe(true); // toEqual on 2 MiB takes seconds
  });

  it('an expiry that fires while the message disarming it is already being processed is ignored', async () => {
    // The sender's response deadline passes exactly while the receiver's ACCEPT is being opened: the timer's
    // expiry is queued behind the ACCEPT, which clears the timer. That queued expiry is stale and must not end a
    // transfer that has meanwhile started.
    const clock = new FakeClock();
    let raced = false;
    const atDeadline = (transport: Transport): Transport => ({
      path: transport.path,
      binding: transport.binding,
      maxFrameBytes: transport.maxFrameBytes,
      send: (frame) => transport.send(frame),
      close: () => transport.close(),
      listen: (handlers) =>
        transport.listen({
          close: (reason) => handlers.close(reason),
          frame: (bytes) => {
            const consumed = handlers.frame(bytes); // the session starts opening the record (asynchronously)
            if (!raced && bytes[1] === FRAME_TYPES.CONTROL) {
              raced = true; // the first CONTROL from the receiver is its ACCEPT
              clock.advance(DEFAULT_TIMEOUTS.responseMs);
            }
            return consumed; // keep the session's receive backpressure
          },
        }),
    });
    const { s, r, sink } = await startPair({ clock, receiverClock: new FakeClock(), wrapSenderTransport: atDeadline });
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect(raced).toBe(true);
    expect({ sent: [sent.phase, sent.code], received: [received.phase, received.code] }).toEqual({
      sent: ['complete', null],
      received: ['complete', null],
    });
    expect(equalBytes(sink.committed.get(BIG.path)!, BIG.data)).toBe(true);
  });
});
