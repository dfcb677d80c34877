/**
 * The direct TCP transport over real sockets on 127.0.0.1: framing across arbitrary byte boundaries, backpressure
 * in both directions, hostile streams, and the close contract (pending frames first, close reported once).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes, equalBytes } from '../../src/bytes';
import { encodeFrame, FRAME_HEADER_BYTES, FRAME_TYPES, MAX_FRAME_PAYLOAD, PROTOCOL_VERSION } from '../../src/frames/frames';
import type { TransportCloseReason } from '../../src/ports/transport';
import { connectTcp, listenTcp, type TcpListener, type TcpTransport } from '../../main/adapters/tcp-transport';
import { expectCode } from '../helpers/expect-code';

const HOST = '127.0.0.1';
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

function header(version: number, type: number, length: number): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES);
  out[0] = version;
  out[1] = type;
  new DataView(out.buffer).setUint32(2, length);
  return out;
}

/** Records what a transport delivers; `block()` makes the handler hold every frame until `release()`. */
function recorder(transport: TcpTransport, options: { delayMs?: number } = {}) {
  const frames: Uint8Array[] = [];
  const closes: TransportCloseReason[] = [];
  const log: string[] = [];
  let gate: Promise<void> | null = null;
  let open: (() => void) | null = null;
  let closed!: () => void;
  const whenClosed = new Promise<void>((resolve) => (closed = resolve));
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
      closed();
    },
  });
  return {
    frames,
    closes,
    log,
    whenClosed,
    block() {
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    release() {
      gate = null;
      open?.();
    },
    async waitFor(count: number, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (frames.length < count) {
        if (Date.now() > deadline) throw new Error(`only ${frames.length} of ${count} frames arrived`);
        await sleep(5);
      }
    },
  };
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function listener(): Promise<TcpListener> {
  const l = await listenTcp({ host: HOST });
  cleanup.push(() => l.close());
  return l;
}

/** A connected pair: [dialling side, accepting side]. */
async function pair(): Promise<[TcpTransport, TcpTransport]> {
  const l = await listener();
  const accepted = new Promise<TcpTransport>((resolve) => l.onConnection(resolve));
  const client = await connectTcp(HOST, l.port);
  const server = await accepted;
  cleanup.push(() => client.close(), () => server.close());
  return [client, server];
}

/** A raw socket to the listener, for writing bytes the transport would never produce. */
async function rawClient(l: TcpListener): Promise<{ socket: net.Socket; closed: Promise<void> }> {
  const socket = net.connect({ host: HOST, port: l.port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => undefined);
  socket.resume();
  cleanup.push(() => socket.destroy());
  return { socket, closed: new Promise<void>((resolve) => socket.once('close', () => resolve())) };
}

describe('tcp transport: frames', () => {
  it('carries frames both ways, in order and byte for byte, up to a max-size DATA frame', async () => {
    const [client, server] = await pair();
    expect(client.path).toBe('direct');
    expect(client.binding).toEqual({ kind: 'none' });
    expect(client.maxFrameBytes).toBe(FRAME_HEADER_BYTES + MAX_FRAME_PAYLOAD);
    const toServer = [
      encodeFrame({ type: 'HELLO', payload: pattern(51, 1) }),
      ...Array.from({ length: 50 }, (_, i) => dataFrame(i, 16 + i * 997)),
      dataFrame(99, MAX_FRAME_PAYLOAD - 8),
      encodeFrame({ type: 'ABORT', code: 'CANCELLED' }),
    ];
    const toClient = Array.from({ length: 30 }, (_, i) => encodeFrame({ type: 'CONTROL', payload: pattern(1 + i * 31, i) }));
    const atServer = recorder(server);
    const atClient = recorder(client);
    await Promise.all([
      (async () => { for (const f of toServer) await client.send(f); })(),
      (async () => { for (const f of toClient) await server.send(f); })(),
    ]);
    await atServer.waitFor(toServer.length);
    await atClient.waitFor(toClient.length);
    expect(atServer.frames.every((f, i) => equalBytes(f, toServer[i]!))).toBe(true);
    expect(atClient.frames.every((f, i) => equalBytes(f, toClient[i]!))).toBe(true);
    expect(atServer.closes).toEqual([]);
  });

  it('cuts frames out of any byte boundaries: 1-byte writes, odd pieces, several frames in one write', async () => {
    const l = await listener();
    const accepted = new Promise<TcpTransport>((resolve) => l.onConnection(resolve));
    const { socket } = await rawClient(l);
    const server = await accepted;
    cleanup.push(() => server.close());
    const frames = [
      encodeFrame({ type: 'HELLO', payload: pattern(40, 2) }),
      dataFrame(0, 70_000),
      encodeFrame({ type: 'CONTROL', payload: pattern(3, 3) }),
      dataFrame(1, 16),
      dataFrame(2, 5000),
    ];
    const wire = concatBytes(...frames);
    const got = recorder(server);
    // Header and first bytes one at a time (each its own TCP segment thanks to the pause), then odd sizes.
    let offset = 0;
    for (; offset < 20; offset++) {
      socket.write(wire.subarray(offset, offset + 1));
      await sleep(1);
    }
    for (const size of [7, 4093, 1, 65_537, 3]) {
      socket.write(wire.subarray(offset, offset + size));
      offset += size;
      await sleep(1);
    }
    socket.write(wire.subarray(offset)); // the rest, several frames in one write
    await got.waitFor(frames.length);
    expect(got.frames.every((f, i) => equalBytes(f, frames[i]!))).toBe(true);
  });

  it('holds frames that arrive before listen, and refuses a frame above maxFrameBytes', async () => {
    const [client, server] = await pair();
    const frames = Array.from({ length: 5 }, (_, i) => dataFrame(i, 100));
    for (const f of frames) await client.send(f);
    await sleep(100);
    const got = recorder(server);
    await got.waitFor(5);
    expect(got.frames.every((f, i) => equalBytes(f, frames[i]!))).toBe(true);
    await expectCode(client.send(new Uint8Array(client.maxFrameBytes + 1)), 'FRAME_TOO_LARGE');
  });
});

describe('tcp transport: backpressure', () => {
  const FRAME = 64 * 1024;
  const COUNT = 1000; // 64 MiB, far above what socket buffers hold

  for (const direction of ['dialler → acceptor', 'acceptor → dialler'] as const) {
    it(`${direction}: a slow handler makes send wait, and buffered data stays bounded`, async () => {
      const [client, server] = await pair();
      const [sender, receiver] = direction === 'dialler → acceptor' ? [client, server] : [server, client];
      const got = recorder(receiver);
      got.block();
      let sent = 0;
      let maxBuffered = 0;
      const frame = dataFrame(0, FRAME - 14);
      // Node's socket buffer, sampled while sends are pending too: at most one frame above the mark.
      const sampler = setInterval(() => (maxBuffered = Math.max(maxBuffered, sender.bufferedBytes)), 1);
      cleanup.push(() => clearInterval(sampler));
      const sending = (async () => {
        for (let i = 0; i < COUNT; i++) {
          await sender.send(frame);
          sent++;
        }
      })();
      // Wait until sending stalls: no progress for 300 ms.
      let last = -1;
      while (sent !== last) {
        last = sent;
        await sleep(300);
      }
      // Stalled with the handler holding the first frame: only kernel buffers and one read chunk in between.
      expect(got.frames.length).toBe(1);
      expect(sent).toBeLessThan(COUNT);
      expect(sent * FRAME).toBeLessThan(32 * 1024 * 1024);
      expect(maxBuffered).toBeGreaterThan(0);
      expect(maxBuffered).toBeLessThanOrEqual(FRAME + 16 * 1024);
      got.release();
      await sending;
      await got.waitFor(COUNT);
      expect(maxBuffered).toBeLessThanOrEqual(FRAME + 16 * 1024);
      expect(got.frames.every((f) => equalBytes(f, frame))).toBe(true);
    });
  }
});

describe('tcp transport: close', () => {
  it('delivers every frame that arrived before reporting close, once', async () => {
    const [client, server] = await pair();
    const got = recorder(server, { delayMs: 10 });
    const frames = Array.from({ length: 20 }, (_, i) => dataFrame(i, 1000 + i));
    for (const f of frames) await client.send(f);
    client.close();
    client.close(); // idempotent
    await got.whenClosed;
    await sleep(50);
    expect(got.frames.every((f, i) => equalBytes(f, frames[i]!))).toBe(true);
    expect(got.log).toEqual([...frames.map(() => 'frame'), 'close']);
    expect(got.closes).toEqual([{ code: 'TRANSPORT_CLOSED' }]);
    await expectCode(client.send(frames[0]!), 'TRANSPORT_CLOSED');
    await expectCode(server.send(frames[0]!), 'TRANSPORT_CLOSED');
  });

  it('a send waiting for drain rejects TRANSPORT_CLOSED when the path closes', async () => {
    const [client, server] = await pair();
    recorder(server).block();
    const frame = dataFrame(0, 1 << 20);
    const sending = (async () => {
      for (;;) await client.send(frame);
    })();
    sending.catch(() => undefined);
    await sleep(300);
    client.close();
    await expectCode(sending, 'TRANSPORT_CLOSED');
  });

  it('reports the close once when the peer vanishes (destroyed socket)', async () => {
    const l = await listener();
    const accepted = new Promise<TcpTransport>((resolve) => l.onConnection(resolve));
    const { socket } = await rawClient(l);
    const server = await accepted;
    const got = recorder(server);
    socket.write(dataFrame(0, 100));
    await got.waitFor(1);
    socket.destroy();
    await got.whenClosed;
    expect(got.closes).toEqual([{ code: 'TRANSPORT_CLOSED' }]);
  });
});

describe('tcp transport: hostile streams', () => {
  const cases: [string, Uint8Array, string][] = [
    ['a wrong version', header(9, FRAME_TYPES.CONTROL, 4), 'FRAME_BAD_VERSION'],
    ['an unknown frame type', header(PROTOCOL_VERSION, 0x42, 4), 'FRAME_UNKNOWN_TYPE'],
    ['a 4 GiB length (refused from the header alone)', header(PROTOCOL_VERSION, FRAME_TYPES.DATA, 0xffff_ffff), 'FRAME_TOO_LARGE'],
    ['a handshake frame above its limit', header(PROTOCOL_VERSION, FRAME_TYPES.HELLO, 1025), 'FRAME_TOO_LARGE'],
  ];
  for (const [name, bad, code] of cases) {
    it(`${name} → close({ code: ${code} }) after the good frames, and the socket is closed`, async () => {
      const l = await listener();
      const accepted = new Promise<TcpTransport>((resolve) => l.onConnection(resolve));
      const { socket, closed } = await rawClient(l);
      const server = await accepted;
      cleanup.push(() => server.close());
      const got = recorder(server);
      const good = [dataFrame(0, 64), encodeFrame({ type: 'CONTROL', payload: pattern(10, 1) })];
      socket.write(concatBytes(...good, bad));
      await got.whenClosed;
      expect(got.frames.every((f, i) => equalBytes(f, good[i]!))).toBe(true);
      expect(got.log).toEqual(['frame', 'frame', 'close']);
      expect(got.closes[0]!.code).toBe(code);
      await closed;
      await expectCode(server.send(good[0]!), 'TRANSPORT_CLOSED');
    });
  }
});

describe('tcp listener and dialling', () => {
  it('advertises every usable address of a wildcard listener, 127.0.0.1 included, with its port', async () => {
    const l = await listenTcp();
    cleanup.push(() => l.close());
    const addresses = l.addresses();
    expect(addresses).toContainEqual({ host: '127.0.0.1', port: l.port });
    expect(addresses.every((a) => a.port === l.port && !/^fe[89ab]/i.test(a.host))).toBe(true);
    const accepted = new Promise<TcpTransport>((resolve) => l.onConnection(resolve));
    const client = await connectTcp('127.0.0.1', l.port);
    const server = await accepted;
    client.close();
    server.close();
  });

  it('a listener bound to one host advertises only that host', async () => {
    const l = await listener();
    expect(l.addresses()).toEqual([{ host: HOST, port: l.port }]);
  });

  it('dialling a closed port rejects TRANSPORT_CLOSED', async () => {
    const l = await listenTcp({ host: HOST });
    const port = l.port;
    await l.close();
    await expectCode(connectTcp(HOST, port), 'TRANSPORT_CLOSED');
  });

  it('dialling an address that does not answer rejects TRANSPORT_CLOSED within the timeout', async () => {
    // TEST-NET-1 (RFC 5737) is never routed; depending on the sandbox it times out or fails at once.
    const started = Date.now();
    await expectCode(connectTcp('192.0.2.1', 9, { timeoutMs: 300 }), 'TRANSPORT_CLOSED');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('a closed listener refuses new connections but leaves handed-out transports open', async () => {
    const l = await listenTcp({ host: HOST });
    const accepted = new Promise<TcpTransport>((resolve) => l.onConnection(resolve));
    const client = await connectTcp(HOST, l.port);
    const server = await accepted;
    cleanup.push(() => client.close(), () => server.close());
    await l.close();
    await expectCode(connectTcp(HOST, l.port), 'TRANSPORT_CLOSED');
    const got = recorder(server);
    await client.send(dataFrame(0, 16));
    await got.waitFor(1);
  });
});
