/**
 * The real session runner (handshake, STREAM, state machine) over the real network adapters: direct TCP on
 * 127.0.0.1 and the relay frame transport through the real relay, each carrying 20 MiB at Level 3; and a path
 * switch — a relay session cut mid-way, resumed over TCP into the same sink (docs/decisions/0003 §2).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { systemClock } from '../../src/ports/clock';
import type { Transport } from '../../src/ports/transport';
import { memorySource, MemorySink, type MemoryFile } from '../../src/testing/memory-files';
import { SeededRandom } from '../../src/testing/seeded-random';
import { startReceiver, startSender, type SessionEvent } from '../../src/transfer/session';
import { connectRelay, type RelayConnection } from '../../main/adapters/relay-client';
import { connectTcp, listenTcp, type TcpListener, type TcpTransport } from '../../main/adapters/tcp-transport';
import { startRelay, type RelayServer } from '../../relay/server';

const sessionId = new Uint8Array(16).fill(0x5a);
const psk = new Uint8Array(32).fill(0x42);
const MiB = 1024 * 1024;

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
  { path: 'big.bin', data: bytes(20 * MiB, 11) },
  { path: 'notes/readme.md', data: new TextEncoder().encode('over the network\n') },
];

let parties: Promise<{ sender: IdentitySigner; receiver: IdentitySigner }> | null = null;
function identities() {
  parties ??= (async () => ({
    sender: await identityFromSeed(new Uint8Array(32).fill(1)),
    receiver: await identityFromSeed(new Uint8Array(32).fill(2)),
  }))();
  return parties;
}

/** Count DATA frames a transport sends (frame type byte 0x11), to measure what a resumed session re-sent. */
function countingData(transport: Transport): { transport: Transport; count: () => number } {
  let data = 0;
  return {
    transport: {
      path: transport.path,
      binding: transport.binding,
      maxFrameBytes: transport.maxFrameBytes,
      send(frame) {
        if (frame[1] === 0x11) data++;
        return transport.send(frame);
      },
      listen: (handlers) => transport.listen(handlers),
      close: () => transport.close(),
    },
    count: () => data,
  };
}

/** One session: the sender is the handshake responder (it created the room), the receiver the initiator. */
async function transfer(
  senderEnd: Transport,
  receiverEnd: Transport,
  sink: MemorySink,
  onSenderEvent?: (event: SessionEvent) => void,
) {
  const { sender, receiver } = await identities();
  const { manifest, source } = memorySource(FILES);
  const s = await startSender({
    transport: senderEnd,
    clock: systemClock,
    random: new SeededRandom('sender'),
    signer: sender,
    handshakeRole: 'responder',
    sessionId,
    psk,
    expect: { linkIssued: true },
    manifest,
    source,
    ...(onSenderEvent ? { onEvent: onSenderEvent } : {}),
  });
  const r = startReceiver({
    transport: receiverEnd,
    clock: systemClock,
    random: new SeededRandom('receiver'),
    signer: receiver,
    handshakeRole: 'initiator',
    sessionId,
    psk,
    expect: { linkFingerprint: await fingerprintOf(sender.publicKey) },
    decide: () => Promise.resolve(true),
    openSink: ({ manifest: m }) => sink.open(m),
  });
  const [sent, received] = await Promise.all([s.outcome, r.outcome]);
  return { sent, received };
}

function expectDelivered(sink: MemorySink) {
  for (const file of FILES) {
    const got = sink.committed.get(file.path);
    expect(got, file.path).toBeDefined();
    expect(equalBytes(got!, file.data), file.path).toBe(true);
  }
  expect(sink.pendingParts).toBe(0);
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function tcpPair(): Promise<{ senderEnd: TcpTransport; receiverEnd: TcpTransport }> {
  // The sender listens (it advertises its addresses); the receiver dials.
  const listener: TcpListener = await listenTcp({ host: '127.0.0.1' });
  cleanup.push(() => listener.close());
  const accepted = new Promise<TcpTransport>((resolve) => listener.onConnection(resolve));
  const receiverEnd = await connectTcp('127.0.0.1', listener.port);
  const senderEnd = await accepted;
  cleanup.push(() => receiverEnd.close(), () => senderEnd.close());
  return { senderEnd, receiverEnd };
}

describe('session over the network adapters', () => {
  let relay: RelayServer;
  let senderRoom: RelayConnection;
  let receiverRoom: RelayConnection;

  beforeEach(async () => {
    relay = await startRelay({ host: '127.0.0.1', port: 0, logger: () => undefined });
    const url = relay.urls()[0]!;
    senderRoom = await connectRelay(url);
    receiverRoom = await connectRelay(url);
    const peerJoined = new Promise<void>((resolve) => senderRoom.onPeer((present) => present && resolve()));
    await senderRoom.join(sessionId);
    expect((await receiverRoom.join(sessionId)).othersPresent).toBe(true);
    await peerJoined;
    return async () => {
      senderRoom.close();
      receiverRoom.close();
      await relay.close();
    };
  });

  it('(a) direct TCP: 20 MiB arrive identical, at Level 3', async () => {
    const { senderEnd, receiverEnd } = await tcpPair();
    const sink = new MemorySink();
    const { sent, received } = await transfer(senderEnd, receiverEnd, sink);
    expect(received.code).toBeNull();
    expect(sent.code).toBeNull();
    expect(received.ok && sent.ok).toBe(true);
    expect(received.handshake?.level).toBe(3);
    expect(sent.handshake?.level).toBe(3);
    expectDelivered(sink);
  });

  it('(b) the relay frame transport: 20 MiB arrive identical, at Level 3', async () => {
    const sink = new MemorySink();
    const { sent, received } = await transfer(senderRoom.openFrameTransport(), receiverRoom.openFrameTransport(), sink);
    expect(received.code).toBeNull();
    expect(sent.code).toBeNull();
    expect(received.handshake?.level).toBe(3);
    expect(received.handshake?.verifiedBy).toBe('link-fingerprint');
    expect(sent.handshake?.level).toBe(3);
    expectDelivered(sink);
  });

  it('(c) path switch: a relay session cut mid-way, resumed over TCP into the same sink', async () => {
    const sink = new MemorySink();
    const senderRelay = senderRoom.openFrameTransport();
    // Cut the relay path once the sender has sent about 6 MiB: its frame transport closes under the running session
    // (its next send fails), and the receiver's side sees the close after the frames already on the way.
    let cut = false;
    const first = await transfer(senderRelay, receiverRoom.openFrameTransport(), sink, (event) => {
      if (!cut && event.type === 'progress' && event.bytes >= 6 * MiB) {
        cut = true;
        senderRelay.close();
      }
    });
    expect(cut).toBe(true);
    expect(first.received.code).toBe('TRANSPORT_CLOSED');
    expect(first.sent.code).toBe('TRANSPORT_CLOSED');
    expect(sink.committed.has('big.bin')).toBe(false);
    const bigIndex = memorySource(FILES).manifest.entries.findIndex((entry) => entry.path === 'big.bin');
    const verifiedBefore = (await sink.progress(bigIndex))?.verifiedChunks ?? 0;
    expect(verifiedBefore).toBeGreaterThan(16); // the cut really was mid-way
    expect(verifiedBefore).toBeLessThan(320);

    const { senderEnd, receiverEnd } = await tcpPair();
    const counted = countingData(senderEnd);
    const second = await transfer(counted.transport, receiverEnd, sink);
    expect(second.received.code).toBeNull();
    expect(second.sent.code).toBeNull();
    expect(second.received.handshake?.level).toBe(3);
    expectDelivered(sink);
    expect(sink.opened).toBe(2);
    // 20 MiB = 320 chunks of 64 KiB, plus the small file: the chunks verified before the cut were not sent again.
    expect(counted.count()).toBeLessThanOrEqual(321 - verifiedBefore);
  });
});
