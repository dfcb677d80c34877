/**
 * In-memory end-to-end transfers through the real session runner, handshake, STREAM and state machine, over the
 * linked fake transport. (i) honest path, (ii) a man in the middle that substitutes keys, (iii) every tamper class.
 */
import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { systemClock } from '../../src/ports/clock';
import { DEFAULT_TIMEOUTS } from '../../src/transfer/machine';
import { FakeClock } from '../../src/testing/fake-clock';
import { corruptFrame, dropFrame, duplicateFrame, swapWithNext } from '../../src/testing/faults';
import { memorySource, MemorySink, type MemoryFile } from '../../src/testing/memory-files';
import { linkedTransports, type MemoryTransport, type Tamper } from '../../src/testing/memory-transport';
import { SeededRandom } from '../../src/testing/seeded-random';
import { startReceiver, startSender, type SessionOutcome } from '../../src/transfer/session';
import type { PeerExpectation } from '../../src/handshake/handshake';

const sessionId = new Uint8Array(16).fill(0x5a);
const psk = new Uint8Array(32).fill(0x42);

function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const FILES: MemoryFile[] = [
  { path: 'empty.txt', data: new Uint8Array(0) },
  { path: 'big.bin', data: bytes(10 * 1024 * 1024, 7) },
  { path: 'notes/readme.md', data: new TextEncoder().encode('hello, sealdrop\n') },
];
const DIRECTORIES = ['empty-folder'];

let identities: Promise<{ sender: IdentitySigner; receiver: IdentitySigner; mallory: IdentitySigner }> | null = null;
function parties() {
  identities ??= (async () => ({
    sender: await identityFromSeed(new Uint8Array(32).fill(1)),
    receiver: await identityFromSeed(new Uint8Array(32).fill(2)),
    mallory: await identityFromSeed(new Uint8Array(32).fill(3)),
  }))();
  return identities;
}

interface SideConfig {
  signer: IdentitySigner;
  psk?: Uint8Array;
  expect: PeerExpectation;
  requireLevel3?: boolean;
}

/** Run a sender (responder) and a receiver (initiator) over the given transports. */
async function transfer(
  [senderEnd, receiverEnd]: [MemoryTransport, MemoryTransport],
  sender: SideConfig,
  receiver: SideConfig,
  files: MemoryFile[] = FILES,
  sink = new MemorySink(),
) {
  const { manifest, source } = memorySource(files, DIRECTORIES);
  const s = await startSender({
    transport: senderEnd,
    clock: systemClock,
    random: new SeededRandom('sender'),
    signer: sender.signer,
    handshakeRole: 'responder',
    sessionId,
    ...(sender.psk ? { psk: sender.psk } : {}),
    expect: sender.expect,
    requireLevel3: sender.requireLevel3 ?? true,
    manifest,
    source,
  });
  const r = startReceiver({
    transport: receiverEnd,
    clock: systemClock,
    random: new SeededRandom('receiver'),
    signer: receiver.signer,
    handshakeRole: 'initiator',
    sessionId,
    ...(receiver.psk ? { psk: receiver.psk } : {}),
    expect: receiver.expect,
    requireLevel3: receiver.requireLevel3 ?? true,
    decide: () => Promise.resolve(true),
    openSink: ({ manifest: m }) => sink.open(m),
  });
  const [sent, received] = await Promise.all([s.outcome, r.outcome]);
  return { sent, received, sink };
}

function expectDelivered(sink: MemorySink, files = FILES) {
  for (const file of files) {
    const got = sink.committed.get(file.path);
    expect(got, file.path).toBeDefined();
    expect(equalBytes(got!, file.data), file.path).toBe(true);
  }
  for (const dir of DIRECTORIES) expect(sink.directories.has(dir)).toBe(true);
  expect(sink.pendingParts).toBe(0);
}

async function linkSides() {
  const { sender, receiver } = await parties();
  return {
    sender: { signer: sender, psk, expect: { linkIssued: true } },
    receiver: { signer: receiver, psk, expect: { linkFingerprint: await fingerprintOf(sender.publicKey) } },
  };
}

describe('in-memory transfer: honest path', () => {
  it('delivers an empty file, an empty folder, a nested file and 10 MiB identically, at Level 3', async () => {
    const { sender, receiver } = await linkSides();
    const { sent, received, sink } = await transfer(linkedTransports(), sender, receiver);
    expect(received.code).toBeNull();
    expect(sent.code).toBeNull();
    expect(received.ok && sent.ok).toBe(true);
    expect(received.handshake?.level).toBe(3);
    expect(received.handshake?.verifiedBy).toBe('link-fingerprint');
    expect(sent.handshake?.level).toBe(3);
    expectDelivered(sink);
  });

  it('resumes after the path breaks: the second session continues from the last verified chunk', async () => {
    const { sender, receiver } = await linkSides();
    const sink = new MemorySink();
    // First path dies after 40 DATA frames (a cut connection).
    let dataFrames = 0;
    const [a, b] = linkedTransports({
      tamper: (frame, info) => {
        if (info.direction === 'a-to-b' && frame[1] === 0x11 && ++dataFrames >= 40) {
          if (dataFrames === 40) setTimeout(() => a.close(), 0);
          return [];
        }
        return [frame];
      },
    });
    const first = await transfer([a, b], sender, receiver, FILES, sink);
    expect(first.received.code).toBe('TRANSPORT_CLOSED');
    expect(sink.committed.has('big.bin')).toBe(false);
    // Second session of the same transfer over a fresh path.
    let resent = 0;
    const counting: Tamper = (frame, info) => {
      if (info.direction === 'a-to-b' && frame[1] === 0x11) resent++;
      return [frame];
    };
    const second = await transfer(linkedTransports({ tamper: counting }), sender, receiver, FILES, sink);
    expect(second.received.code).toBeNull();
    // 10 MiB = 160 chunks + 2 small files; at least 30 verified chunks were not sent again.
    expect(resent).toBeLessThanOrEqual(162 - 30);
    expectDelivered(sink);
    expect(sink.opened).toBe(2);
  });
});

describe('in-memory transfer: a man in the middle substitutes keys', () => {
  /**
   * Mallory sits on the relay: she completes one handshake with the real sender (posing as the receiver) and
   * another with the real receiver (posing as the sender), and relays the files in between.
   */
  async function mitm(opts: { receiverExpect: PeerExpectation; receiverPsk?: Uint8Array; malloryPsk?: Uint8Array }) {
    const { sender, receiver, mallory } = await parties();
    const stolen = new MemorySink();
    const [senderEnd, malloryFront] = linkedTransports();
    const fromSender = await transfer(
      [senderEnd, malloryFront],
      { signer: sender, ...(opts.malloryPsk ? { psk: opts.malloryPsk } : {}), expect: { linkIssued: !!opts.malloryPsk }, requireLevel3: false },
      { signer: mallory, ...(opts.malloryPsk ? { psk: opts.malloryPsk } : {}), expect: {}, requireLevel3: false },
      FILES,
      stolen,
    );
    const relayed = FILES.map((f) => ({ path: f.path, data: stolen.committed.get(f.path) ?? new Uint8Array(0) }));
    const victimSink = new MemorySink();
    const toReceiver = await transfer(
      linkedTransports(),
      { signer: mallory, ...(opts.receiverPsk ? { psk: opts.receiverPsk } : {}), expect: {}, requireLevel3: false },
      { signer: receiver, ...(opts.receiverPsk ? { psk: opts.receiverPsk } : {}), expect: opts.receiverExpect, requireLevel3: false },
      relayed,
      victimSink,
    );
    return { fromSender, toReceiver, stolen, victimSink };
  }

  it('with the link fingerprint (even if Mallory stole the link secret): IDENTITY_MISMATCH, nothing committed', async () => {
    const { sender } = await parties();
    const { toReceiver, victimSink } = await mitm({
      receiverExpect: { linkFingerprint: await fingerprintOf(sender.publicKey) },
      receiverPsk: psk,
      malloryPsk: psk,
    });
    expect(toReceiver.received.code).toBe('IDENTITY_MISMATCH');
    expect(victimSink.committed.size).toBe(0);
    expect(victimSink.opened).toBe(0);
  });

  it('with a pinned key: IDENTITY_MISMATCH, nothing committed', async () => {
    const { sender } = await parties();
    const { toReceiver, victimSink } = await mitm({ receiverExpect: { pinnedKey: sender.publicKey } });
    expect(toReceiver.received.code).toBe('IDENTITY_MISMATCH');
    expect(victimSink.committed.size).toBe(0);
  });

  it('with neither: the transfer completes at Level 2 — and Mallory read every byte (why Level 3 exists)', async () => {
    const { fromSender, toReceiver, stolen, victimSink } = await mitm({ receiverExpect: {} });
    expect(fromSender.sent.handshake?.level).toBe(2);
    expect(toReceiver.received.ok).toBe(true);
    expect(toReceiver.received.handshake?.level).toBe(2);
    expect(toReceiver.received.handshake?.verifiedBy).toBe('none');
    expectDelivered(victimSink);
    expectDelivered(stolen); // the attacker holds the plaintext
  });

  it('with neither, by default (Level 3 required): the receiver refuses (LEVEL3_REQUIRED)', async () => {
    const { sender, receiver } = await parties();
    const { received, sink } = await transfer(
      linkedTransports(),
      { signer: sender, expect: {}, requireLevel3: false },
      { signer: receiver, expect: {} },
    );
    expect(received.code).toBe('LEVEL3_REQUIRED');
    expect(sink.opened).toBe(0);
  });
});

describe('in-memory transfer: every tamper class fails and commits nothing it should not', () => {
  const data = { direction: 'a-to-b', type: 'DATA' } as const;
  const cases: [string, Tamper, SessionOutcome['code']][] = [
    ['bit flip in a chunk', corruptFrame({ ...data, nth: 5 }), 'CHUNK_AUTH_FAILED'],
    ['bit flip in a chunk header (file index rewritten)', corruptFrame({ ...data, nth: 5 }, /* last byte of the u32 fileIndex */ 65536 + 16 + 4 + 1), 'CHUNK_OUT_OF_ORDER'],
    ['dropped chunk', dropFrame({ ...data, nth: 5 }), 'CHUNK_OUT_OF_ORDER'],
    ['duplicated chunk', duplicateFrame({ ...data, nth: 5 }), 'CHUNK_REPLAYED'],
    ['reordered chunks', swapWithNext({ ...data, nth: 5 }), 'CHUNK_OUT_OF_ORDER'],
    ['corrupted control record (offer)', corruptFrame({ direction: 'a-to-b', type: 'CONTROL', nth: 0 }), 'CONTROL_AUTH_FAILED'],
    ['replayed control record (offer sent twice)', duplicateFrame({ direction: 'a-to-b', type: 'CONTROL', nth: 0 }), 'CONTROL_AUTH_FAILED'],
    ['corrupted handshake reply', corruptFrame({ direction: 'a-to-b', type: 'HANDSHAKE_REPLY', nth: 0 }), 'TRANSCRIPT_MISMATCH'],
    ['corrupted handshake finish', corruptFrame({ direction: 'b-to-a', type: 'HANDSHAKE_FINISH', nth: 0 }), 'TRANSCRIPT_MISMATCH'],
  ];

  for (const [name, tamper, code] of cases) {
    it(`${name} → ${code}`, async () => {
      const { sender, receiver } = await linkSides();
      const { sent, received, sink } = await transfer(linkedTransports({ tamper }), sender, receiver);
      const codes = [sent.code, received.code];
      expect(codes).toContain(code);
      expect(received.ok).toBe(false);
      expect(sink.committed.has('big.bin')).toBe(false);
    });
  }
});

describe('in-memory transfer: timeouts through the injected clock', () => {
  it('a relay that swallows the offer: both sides stop with TIMEOUT once the response window passes', async () => {
    const { sender, receiver } = await linkSides();
    const clock = new FakeClock();
    const { manifest, source } = memorySource(FILES.slice(2));
    const [a, b] = linkedTransports({ tamper: dropFrame({ direction: 'a-to-b', type: 'CONTROL', nth: 0 }) });
    const phases: string[] = [];
    const senderPhases: string[] = [];
    const s = await startSender({
      transport: a, clock, random: new SeededRandom('s'), signer: sender.signer, handshakeRole: 'responder',
      sessionId, psk, expect: sender.expect, manifest, source,
      onEvent: (e) => { if (e.type === 'phase') senderPhases.push(e.phase); },
    });
    const r = startReceiver({
      transport: b, clock, random: new SeededRandom('r'), signer: receiver.signer, handshakeRole: 'initiator',
      sessionId, psk, expect: receiver.expect, decide: () => Promise.resolve(true),
      openSink: ({ manifest: m }) => new MemorySink().open(m),
      onEvent: (e) => { if (e.type === 'phase') phases.push(e.phase); },
    });
    // Both handshakes must be over (the responder finishes one message after the initiator) before time moves.
    while (!phases.includes('awaiting-offer') || !senderPhases.includes('awaiting-accept')) await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(DEFAULT_TIMEOUTS.responseMs - 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(phases).not.toContain('failed');
    clock.advance(1);
    const [sent, received] = await Promise.all([s.outcome, r.outcome]);
    expect(received.code).toBe('TIMEOUT');
    expect(sent.code === 'TIMEOUT' || sent.code === 'TRANSPORT_CLOSED' || sent.errorFromPeer).toBe(true);
  });
});

describe('in-memory transfer: an OFFER larger than the path carries', () => {
  it('fails with FRAME_TOO_LARGE on both sides (never a misleading CONTROL_AUTH_FAILED), nothing committed', async () => {
    const { sender, receiver } = await linkSides();
    // 3,000 files with long names: the OFFER is far above a 64 KiB path limit, every DATA frame fits.
    const many = Array.from({ length: 3000 }, (_, i) => ({ path: `folder/a-rather-long-file-name-number-${i}.txt`, data: Uint8Array.of(i & 255) }));
    const { sent, received, sink } = await transfer(linkedTransports({ maxFrameBytes: 64 * 1024 }), sender, receiver, many);
    expect(sent.code).toBe('FRAME_TOO_LARGE');
    expect(received.code).toBe('FRAME_TOO_LARGE');
    expect(received.errorFromPeer).toBe(true);
    expect(sink.committed.size).toBe(0);
  });
});
