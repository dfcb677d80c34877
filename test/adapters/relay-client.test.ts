/**
 * The relay client against the real relay (relay/server.ts) on 127.0.0.1: rooms and signalling, the relay frame
 * transport (frames, close markers, held and stale frames, backpressure), mailboxes, and the relay's close codes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { encodeFrame, MAX_FRAME_PAYLOAD } from '../../src/frames/frames';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import type { Transport, TransportCloseReason } from '../../src/ports/transport';
import { RELAY_CLOSE } from '../../src/signaling/relay-protocol';
import { connectRelay, DEFAULT_RELAY_MAX_MESSAGE_BYTES, type RelayCloseInfo, type RelayConnection } from '../../main/adapters/relay-client';
import { startRelay, type RelayServer } from '../../relay/server';
import { expectCode } from '../helpers/expect-code';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function dataFrame(chunkIndex: number, sealedBytes: number): Uint8Array {
  return encodeFrame({ type: 'DATA', fileIndex: 0, chunkIndex, sealed: pattern(sealedBytes, chunkIndex + 1) });
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Records what a transport delivers; `block()` holds every frame in the handler until `release()`. */
function recorder(transport: Transport, options: { delayMs?: number } = {}) {
  const frames: Uint8Array[] = [];
  const closes: TransportCloseReason[] = [];
  const log: string[] = [];
  let gate: Promise<void> | null = null;
  let open: (() => void) | null = null;
  transport.listen({
    async frame(bytes) {
      frames.push(bytes);
      log.push('frame');
      if (gate) await gate;
      if (options.delayMs) await sleep(options.delayMs);
    },
    close(reason) {
      closes.push(reason);
      log.push('close');
    },
  });
  return {
    frames,
    closes,
    log,
    block() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release() {
      gate = null;
      open?.();
    },
    waitFor: (count: number) => until(() => frames.length >= count, `${count} frames`, 30_000),
    waitClosed: () => until(() => closes.length > 0, 'close'),
  };
}

let relay: RelayServer;
let url: string;
const opened: RelayConnection[] = [];

beforeEach(async () => {
  relay = await startRelay({ host: '127.0.0.1', port: 0, logger: () => undefined });
  url = relay.urls()[0]!;
});

afterEach(async () => {
  for (const connection of opened.splice(0)) connection.close();
  await relay.close();
});

async function connect(): Promise<RelayConnection> {
  const connection = await connectRelay(url, { timeoutMs: 5000 });
  opened.push(connection);
  return connection;
}

let roomCounter = 0;
function newRoom(): Uint8Array {
  return new Uint8Array(16).fill(++roomCounter);
}

/** Two members of one room: [creator, joiner], both knowing the other is there. */
async function room(): Promise<[RelayConnection, RelayConnection]> {
  const roomId = newRoom();
  const a = await connect();
  const b = await connect();
  let aSawPeer = false;
  a.onPeer((present) => (aSawPeer = present));
  expect(await a.join(roomId)).toEqual({ othersPresent: false });
  expect(await b.join(roomId)).toEqual({ othersPresent: true });
  await until(() => aSawPeer, 'PEER(1)');
  return [a, b];
}

describe('relay client: rooms and signalling', () => {
  it('joins, announces the peer, and carries signals both ways (channel 0)', async () => {
    const [a, b] = await room();
    expect(a.url).toBe(url);
    const atA: Uint8Array[] = [];
    const atB: Uint8Array[] = [];
    a.onSignal((bytes) => atA.push(bytes));
    b.onSignal((bytes) => atB.push(bytes));
    await a.sendSignal(pattern(100, 1));
    await b.sendSignal(pattern(3, 2));
    await b.sendSignal(new Uint8Array(0));
    await until(() => atA.length === 2 && atB.length === 1, 'signals');
    expect(equalBytes(atB[0]!, pattern(100, 1))).toBe(true);
    expect(equalBytes(atA[0]!, pattern(3, 2))).toBe(true);
    expect(atA[1]!.length).toBe(0);

    const peers: boolean[] = [];
    a.onPeer((present) => peers.push(present));
    b.close();
    await until(() => peers.length === 1, 'PEER(0)');
    expect(peers).toEqual([false]);
  });

  it('reports the relay close code: a third member gets 4002 ROOM_FULL', async () => {
    const roomId = newRoom();
    const a = await connect();
    const b = await connect();
    await a.join(roomId);
    await b.join(roomId);
    const c = await connect();
    const closes: RelayCloseInfo[] = [];
    c.onClose((info) => closes.push(info));
    await expectCode(c.join(roomId), 'TRANSPORT_CLOSED');
    await until(() => closes.length === 1, 'close');
    expect(closes[0]!.code).toBe(RELAY_CLOSE.ROOM_FULL);
    // onClose after the fact is still told, once.
    const late: RelayCloseInfo[] = [];
    c.onClose((info) => late.push(info));
    await until(() => late.length === 1, 'late close');
    await expectCode(c.sendSignal(new Uint8Array(1)), 'TRANSPORT_CLOSED');
  });

  it('the relay shutting down closes everything with 1001 GOING_AWAY, frame transports included', async () => {
    const [a, b] = await room();
    const closes: RelayCloseInfo[] = [];
    a.onClose((info) => closes.push(info));
    const atA = recorder(a.openFrameTransport());
    b.openFrameTransport();
    await relay.close();
    await until(() => closes.length === 1, 'close');
    expect(closes[0]!.code).toBe(RELAY_CLOSE.GOING_AWAY);
    await atA.waitClosed();
    expect(atA.closes).toEqual([{ code: 'TRANSPORT_CLOSED', message: 'relay connection closed' }]);
    // A frame transport opened afterwards is closed from the start.
    const late = recorder(a.openFrameTransport());
    await late.waitClosed();
  });

  it('unreachable relays and bad URLs are refused with codes', async () => {
    const port = relay.port;
    await relay.close();
    await expectCode(connectRelay(`ws://127.0.0.1:${port}/v1`, { timeoutMs: 2000 }), 'TRANSPORT_CLOSED');
    await expectCode(connectRelay('http://127.0.0.1/v1'), 'LINK_BAD_RELAY');
    await expectCode(connectRelay('not a url'), 'LINK_BAD_RELAY');
    relay = await startRelay({ host: '127.0.0.1', port: 0, logger: () => undefined });
  });

  it('a bare relay origin (as links carry it) reaches the /v1 endpoint', async () => {
    const connection = await connectRelay(`ws://127.0.0.1:${relay.port}`);
    opened.push(connection);
    expect(await connection.join(newRoom())).toEqual({ othersPresent: false });
  });
});

describe('relay client: the relay frame transport', () => {
  it('carries frames both ways up to a max-size DATA frame, in order', async () => {
    const [a, b] = await room();
    const ta = a.openFrameTransport();
    const tb = b.openFrameTransport();
    expect(ta.path).toBe('relay');
    expect(ta.binding).toEqual({ kind: 'none' });
    expect(ta.maxFrameBytes).toBe(DEFAULT_RELAY_MAX_MESSAGE_BYTES - 2);
    const atA = recorder(ta);
    const atB = recorder(tb);
    const toB = [...Array.from({ length: 40 }, (_, i) => dataFrame(i, 16 + i * 1013)), dataFrame(40, MAX_FRAME_PAYLOAD - 8)];
    const toA = Array.from({ length: 20 }, (_, i) => encodeFrame({ type: 'CONTROL', payload: pattern(10 + i, i) }));
    await Promise.all([
      (async () => { for (const f of toB) await ta.send(f); })(),
      (async () => { for (const f of toA) await tb.send(f); })(),
    ]);
    await atB.waitFor(toB.length);
    await atA.waitFor(toA.length);
    expect(atB.frames.every((f, i) => equalBytes(f, toB[i]!))).toBe(true);
    expect(atA.frames.every((f, i) => equalBytes(f, toA[i]!))).toBe(true);
    await expectCode(ta.send(new Uint8Array(ta.maxFrameBytes + 1)), 'FRAME_TOO_LARGE');
  });

  it('close() ends the peer’s transport after its pending frames: close({ code: TRANSPORT_CLOSED }) once', async () => {
    const [a, b] = await room();
    const ta = a.openFrameTransport();
    const atB = recorder(b.openFrameTransport(), { delayMs: 10 });
    const frames = Array.from({ length: 15 }, (_, i) => dataFrame(i, 500));
    for (const f of frames) await ta.send(f);
    ta.close();
    ta.close();
    await atB.waitClosed();
    await sleep(50);
    expect(atB.frames.every((f, i) => equalBytes(f, frames[i]!))).toBe(true);
    expect(atB.log).toEqual([...frames.map(() => 'frame'), 'close']);
    expect(atB.closes).toEqual([{ code: 'TRANSPORT_CLOSED' }]);
    await expectCode(ta.send(frames[0]!), 'TRANSPORT_CLOSED');
  });

  it('only one frame transport at a time; after a close, the next one opens', async () => {
    const [a] = await room();
    const first = a.openFrameTransport();
    await expectCode(() => a.openFrameTransport(), 'BAD_INPUT');
    first.close();
    a.openFrameTransport().close();
  });

  it('holds frames that arrive before the transport opens, and before listen', async () => {
    const [a, b] = await room();
    const tb = b.openFrameTransport();
    const early = [dataFrame(0, 100), dataFrame(1, 200)];
    for (const f of early) await tb.send(f);
    await sleep(100);
    const ta = a.openFrameTransport();
    await sleep(50);
    const atA = recorder(ta);
    await atA.waitFor(2);
    expect(atA.frames.every((f, i) => equalBytes(f, early[i]!))).toBe(true);
  });

  it('drops held frames of a session that ended before this side opened (stale frames)', async () => {
    const [a, b] = await room();
    const old = b.openFrameTransport();
    await old.send(dataFrame(0, 100));
    await old.send(dataFrame(1, 100));
    old.close(); // marker: that session is over
    await sleep(100);
    const fresh = b.openFrameTransport();
    const next = dataFrame(7, 300);
    await fresh.send(next);
    await sleep(100);
    const atA = recorder(a.openFrameTransport());
    await atA.waitFor(1);
    await sleep(100);
    expect(atA.frames.length).toBe(1);
    expect(equalBytes(atA.frames[0]!, next)).toBe(true);
    expect(atA.closes).toEqual([]);
  });

  it('a transport opened right after a close gets neither the old session’s frames nor its close', async () => {
    const [a, b] = await room();
    const ta = a.openFrameTransport();
    const tb = b.openFrameTransport();
    const atB = recorder(tb);
    recorder(ta);
    // b keeps sending in its session while a closes and reopens at once.
    const oldFrames = Array.from({ length: 10 }, (_, i) => dataFrame(i, 1000));
    const sending = (async () => {
      for (const f of oldFrames) await tb.send(f).catch(() => undefined);
    })();
    ta.close();
    const ta2 = a.openFrameTransport();
    const atA2 = recorder(ta2);
    await sending;
    await atB.waitClosed();
    // b's side ended; b starts a new session on a new transport.
    const tb2 = b.openFrameTransport();
    const atB2 = recorder(tb2);
    const fresh = dataFrame(99, 64);
    await tb2.send(fresh);
    await ta2.send(fresh);
    await atA2.waitFor(1);
    await atB2.waitFor(1);
    await sleep(100);
    expect(atA2.frames.length).toBe(1);
    expect(equalBytes(atA2.frames[0]!, fresh)).toBe(true);
    expect(atA2.closes).toEqual([]);
    expect(atB2.closes).toEqual([]);
  });

  it('both sides closing at once leaves no marker behind for the next pair of transports', async () => {
    const [a, b] = await room();
    const ta = a.openFrameTransport();
    const tb = b.openFrameTransport();
    ta.close();
    tb.close();
    await sleep(100);
    const atA = recorder(a.openFrameTransport());
    const tb2 = b.openFrameTransport();
    const atB = recorder(tb2);
    await tb2.send(dataFrame(1, 32));
    await atA.waitFor(1);
    await sleep(100);
    expect(atA.closes).toEqual([]);
    expect(atB.closes).toEqual([]);
  });

  it('closing twice before the peer answers owes two answers: no ping-pong, the next pair works', async () => {
    const [a, b] = await room();
    const atB = recorder(b.openFrameTransport());
    a.openFrameTransport().close();
    a.openFrameTransport().close();
    await atB.waitClosed();
    await sleep(300); // a marker ping-pong would be running by now, and would close the transports below
    const ta = a.openFrameTransport();
    const atA = recorder(ta);
    const tb = b.openFrameTransport();
    const atB2 = recorder(tb);
    await tb.send(dataFrame(1, 32));
    await ta.send(dataFrame(2, 32));
    await atA.waitFor(1);
    await atB2.waitFor(1);
    await sleep(200);
    expect(atA.closes).toEqual([]);
    expect(atB2.closes).toEqual([]);
  });

  it('the peer leaving the room closes the frame transport', async () => {
    const [a, b] = await room();
    const atA = recorder(a.openFrameTransport());
    b.close();
    await atA.waitClosed();
    expect(atA.closes[0]!.code).toBe('TRANSPORT_CLOSED');
  });

  it('backpressure: a slow handler makes the sender wait, end to end through the relay', async () => {
    const [a, b] = await room();
    const ta = a.openFrameTransport();
    const atB = recorder(b.openFrameTransport());
    atB.block();
    const FRAME = 64 * 1024;
    const COUNT = 800; // 50 MiB
    const frame = dataFrame(0, FRAME - 14);
    let sent = 0;
    const sending = (async () => {
      for (let i = 0; i < COUNT; i++) {
        await ta.send(frame);
        sent++;
      }
    })();
    let last = -1;
    while (sent !== last) {
      last = sent;
      await sleep(300);
    }
    expect(atB.frames.length).toBe(1);
    expect(sent).toBeLessThan(COUNT);
    // Socket buffers on both hops, the relay's per-receiver mark and the client's own: a few MiB, not 50.
    expect(sent * FRAME).toBeLessThan(32 * 1024 * 1024);
    atB.release();
    await sending;
    await atB.waitFor(COUNT);
    expect(atB.frames.every((f) => equalBytes(f, frame))).toBe(true);
  });
});

describe('relay client: mailboxes', () => {
  let device: IdentitySigner;
  let other: IdentitySigner;
  beforeEach(async () => {
    device = await identityFromSeed(new Uint8Array(32).fill(7));
    other = await identityFromSeed(new Uint8Array(32).fill(8));
  });

  it('registers with a signed challenge, and NOTIFY reaches the device as INCOMING', async () => {
    const mailbox = await connect();
    await mailbox.register(device);
    const incoming: Uint8Array[] = [];
    mailbox.onIncoming((roomId) => incoming.push(roomId));
    const sender = await connect();
    const roomId = newRoom();
    await sender.join(roomId);
    expect(await sender.notify(await fingerprintOf(device.publicKey), roomId)).toBe(true);
    expect(await sender.notify(await fingerprintOf(other.publicKey), roomId)).toBe(false);
    await until(() => incoming.length === 1, 'INCOMING');
    expect(equalBytes(incoming[0]!, roomId)).toBe(true);
  });

  it('a proof signed by another key is refused: 4007 BAD_PROOF, register rejects', async () => {
    const mailbox = await connect();
    const closes: RelayCloseInfo[] = [];
    mailbox.onClose((info) => closes.push(info));
    const impostor: IdentitySigner = { publicKey: device.publicKey, signHash: (context, hash) => other.signHash(context, hash) };
    await expectCode(mailbox.register(impostor), 'TRANSPORT_CLOSED');
    await until(() => closes.length === 1, 'close');
    expect(closes[0]!.code).toBe(RELAY_CLOSE.BAD_PROOF);
  });
});
