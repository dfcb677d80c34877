/**
 * The Transport over a message port (src/transport/port-transport.ts), over real Node MessageChannels: ordering,
 * holding before `listen`, the credit window under a slow reader, close semantics, the pipe to a network transport,
 * and whole sessions with the renderer's half behind memory → pipe → port.
 */
import { describe, expect, it, vi } from 'vitest';
import { equalBytes } from '../../src/bytes';
import type { Transport, TransportCloseReason } from '../../src/ports/transport';
import { memorySource, MemorySink, type MemoryFile } from '../../src/testing/memory-files';
import { linkedTransports } from '../../src/testing/memory-transport';
import {
  createPortTransport,
  pipeTransports,
  type PortMessage,
  type PortTransport,
  type PortTransportOptions,
} from '../../src/transport/port-transport';
import { runSession } from '../adapters/fs-fixtures';
import { expectCode } from '../helpers/expect-code';
import { nodePortPair, type ObservedEndpoint } from '../helpers/node-port';

const KiB = 1024;
const MiB = 1024 * KiB;

function options(overrides: Partial<PortTransportOptions> = {}): PortTransportOptions {
  return { path: 'memory', binding: { kind: 'none' }, maxFrameBytes: 64 * KiB, ...overrides };
}

function portPair(overrides: Partial<PortTransportOptions> = {}) {
  const [endA, endB] = nodePortPair();
  return { a: createPortTransport(endA, options(overrides)), b: createPortTransport(endB, options(overrides)), endA, endB };
}

/** Listen on `transport`, recording frames and the close reason (`closes` counts how often close was reported). */
function collect(transport: Transport, handle?: (frame: Uint8Array) => Promise<void>) {
  const frames: Uint8Array[] = [];
  const seen = { closes: 0, reason: null as TransportCloseReason | null };
  const closed = new Promise<TransportCloseReason>((resolve) => {
    transport.listen({
      frame: async (frame) => {
        if (handle) await handle(frame);
        frames.push(frame);
      },
      close: (reason) => {
        seen.closes++;
        seen.reason = reason;
        resolve(reason);
      },
    });
  });
  return { frames, seen, closed };
}

const frameOf = (index: number, length = 32) => new Uint8Array(length).fill(index & 0xff).map((v, i) => (v + i) & 0xff);
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const posted = (end: ObservedEndpoint, t: PortMessage['t']) => end.posted.filter((m) => m.t === t);

describe('port transport: delivery', () => {
  it('carries frames both ways at once, in order and intact', async () => {
    const { a, b } = portPair();
    const atA = collect(a);
    const atB = collect(b);
    const count = 200;
    await Promise.all([
      (async () => { for (let i = 0; i < count; i++) await a.send(frameOf(i, 1 + (i % 97))); })(),
      (async () => { for (let i = 0; i < count; i++) await b.send(frameOf(1000 + i, 5 + (i % 13))); })(),
    ]);
    await vi.waitFor(() => expect(atA.frames.length + atB.frames.length).toBe(2 * count));
    atB.frames.forEach((frame, i) => expect(equalBytes(frame, frameOf(i, 1 + (i % 97))), `a→b ${i}`).toBe(true));
    atA.frames.forEach((frame, i) => expect(equalBytes(frame, frameOf(1000 + i, 5 + (i % 13))), `b→a ${i}`).toBe(true));
    a.close();
    await atB.closed;
  });

  it('holds frames that arrive before listen, then delivers them in order', async () => {
    const { a, b, endB } = portPair();
    for (let i = 0; i < 5; i++) await a.send(frameOf(i));
    await vi.waitFor(() => expect(endB.received.length).toBe(5));
    await delay(5);
    const atB = collect(b);
    await vi.waitFor(() => expect(atB.frames.length).toBe(5));
    atB.frames.forEach((frame, i) => expect(equalBytes(frame, frameOf(i))).toBe(true));
    a.close();
  });

  it('sends a plain copy of a view, not the whole buffer behind it', async () => {
    const { a, b, endA } = portPair();
    const atB = collect(b);
    const big = new Uint8Array(1000).map((_, i) => i & 0xff);
    await a.send(big.subarray(10, 20));
    await vi.waitFor(() => expect(atB.frames.length).toBe(1));
    const sent = posted(endA, 'frame')[0] as { data: Uint8Array };
    expect(sent.data.buffer.byteLength).toBe(10);
    expect([...atB.frames[0]!]).toEqual([...big.subarray(10, 20)]);
    a.close();
  });

  it('rejects a frame over maxFrameBytes with FRAME_TOO_LARGE and stays open', async () => {
    const { a, b } = portPair({ maxFrameBytes: 100 });
    const atB = collect(b);
    await expectCode(a.send(new Uint8Array(101)), 'FRAME_TOO_LARGE');
    await a.send(new Uint8Array(100));
    await vi.waitFor(() => expect(atB.frames.length).toBe(1));
    a.close();
  });
});

describe('port transport: backpressure', () => {
  it('16 MiB to a slow reader: never more than windowBytes + maxFrameBytes outstanding, every byte intact', async () => {
    const windowBytes = 1 * MiB;
    const maxFrameBytes = 64 * KiB;
    const { a, b, endA, endB } = portPair({ windowBytes, maxFrameBytes });
    // Outstanding at the receiver: frames that reached its endpoint and whose handler has not finished; and from the
    // sender's view, frames posted and not yet handled (which also counts frames still inside the channel).
    let postedBytes = 0;
    let arrivedBytes = 0;
    let handledBytes = 0;
    let maxInReceiver = 0;
    let maxOutstanding = 0;
    endA.onPost = (m) => {
      if (m.t !== 'frame') return;
      postedBytes += m.data.length;
      maxOutstanding = Math.max(maxOutstanding, postedBytes - handledBytes);
    };
    endB.onReceive = (m) => {
      arrivedBytes += (m as { data?: Uint8Array }).data?.length ?? 0;
      maxInReceiver = Math.max(maxInReceiver, arrivedBytes - handledBytes);
    };
    let checked = 0;
    let corrupt = 0;
    const atB = collect(b, async (frame) => {
      await delay(1); // the slow reader
      if (!equalBytes(frame, frameOf(checked++, maxFrameBytes))) corrupt++;
      handledBytes += frame.length;
    });
    const total = 16 * MiB;
    for (let i = 0; i < total / maxFrameBytes; i++) await a.send(frameOf(i, maxFrameBytes));
    await vi.waitFor(() => expect(handledBytes).toBe(total), { timeout: 30_000 });
    expect(corrupt).toBe(0);
    expect(atB.frames.length).toBe(total / maxFrameBytes);
    expect(maxInReceiver).toBeLessThanOrEqual(windowBytes + maxFrameBytes);
    expect(maxOutstanding).toBeLessThanOrEqual(windowBytes + maxFrameBytes);
    // Not vacuous: the sender did fill its window while the reader lagged.
    expect(maxOutstanding).toBeGreaterThanOrEqual(windowBytes / 2);
    // Credit came back in batches, not one message per frame.
    expect(posted(endB, 'credit').length).toBeLessThan(atB.frames.length);
    a.close();
  });

  it('a sender whose window is full waits until the receiver handles frames', async () => {
    const { a, b } = portPair({ windowBytes: 4 * KiB, maxFrameBytes: 1 * KiB });
    let resolved = 0;
    const sending = (async () => {
      for (let i = 0; i < 40; i++) {
        await a.send(frameOf(i, 1 * KiB));
        resolved++;
      }
    })();
    await delay(30);
    // The window is 4 KiB and every frame costs 1 KiB + 64: the fourth send cannot resolve without credit.
    expect(resolved).toBeLessThanOrEqual(3);
    // Listening is not enough: credit comes back only once the handler has finished with a frame.
    let release = () => {};
    const stuck = new Promise<void>((resolve) => (release = resolve));
    const atB = collect(b, (frame) => (frame[0] === 0 ? stuck : Promise.resolve()));
    await delay(30);
    expect(resolved).toBeLessThanOrEqual(3);
    release();
    await sending;
    await vi.waitFor(() => expect(atB.frames.length).toBe(40));
    a.close();
  });
});

describe('port transport: close', () => {
  it('close(): the far side gets every earlier frame, then close once; this side is not told; sends reject', async () => {
    const { a, b, endA, endB } = portPair();
    const atA = collect(a);
    for (let i = 0; i < 3; i++) await a.send(frameOf(i));
    a.close();
    a.close();
    expect(posted(endA, 'close')).toEqual([{ t: 'close', code: 'TRANSPORT_CLOSED', message: 'closed' }]);
    expect(endA.closed).toBe(true);
    await expectCode(a.send(frameOf(9)), 'TRANSPORT_CLOSED');
    const atB = collect(b);
    const reason = await atB.closed;
    expect(reason.code).toBe('TRANSPORT_CLOSED');
    expect(atB.frames.map((f) => f[0])).toEqual([0, 1, 2]);
    await expectCode(b.send(frameOf(9)), 'TRANSPORT_CLOSED');
    await delay(10);
    expect(atB.seen.closes).toBe(1);
    expect(atA.seen.closes).toBe(0);
    expect(posted(endB, 'close')).toEqual([]); // the side told of a close does not echo one
  });

  it('close() rejects a send that is waiting for credit', async () => {
    const { a } = portPair({ windowBytes: 1 * KiB, maxFrameBytes: 1 * KiB });
    const pending = a.send(new Uint8Array(1 * KiB)); // fills the window; the far side never reads
    let settled = false;
    void pending.then(() => (settled = true), () => (settled = true));
    await delay(10);
    expect(settled).toBe(false);
    a.close();
    await expectCode(pending, 'TRANSPORT_CLOSED');
  });

  it('closeWith carries the code, and the message cut to 200 characters', async () => {
    const { a, b } = portPair();
    const atB = collect(b);
    a.closeWith({ code: 'PEER_ABORTED', message: 'x'.repeat(500) });
    const reason = await atB.closed;
    expect(reason.code).toBe('PEER_ABORTED');
    expect(reason.message).toBe('x'.repeat(200));
  });

  it('the far end going away without a close message ends the path with TRANSPORT_CLOSED', async () => {
    const { b, endA } = portPair();
    const atB = collect(b);
    endA.close(); // the renderer died: its port closed, nothing was posted
    expect((await atB.closed).code).toBe('TRANSPORT_CLOSED');
    await expectCode(b.send(frameOf(1)), 'TRANSPORT_CLOSED');
  });
});

describe('pipeTransports: network ↔ port', () => {
  function piped(portOverrides: Partial<PortTransportOptions> = {}) {
    const [far, near] = linkedTransports({ maxFrameBytes: 64 * KiB });
    const [mainEnd, rendererEnd] = nodePortPair();
    const mainPort = createPortTransport(mainEnd, options(portOverrides));
    const renderer = createPortTransport(rendererEnd, options(portOverrides));
    const piping = pipeTransports(near, mainPort);
    return { far, near, mainPort, renderer, piping, rendererEnd };
  }

  it('carries frames both ways; the far close reaches the renderer and resolves the pipe', async () => {
    const { far, renderer, piping } = piped();
    const atFar = collect(far);
    const atRenderer = collect(renderer);
    for (let i = 0; i < 50; i++) {
      await far.send(frameOf(i, 100 + i));
      await renderer.send(frameOf(500 + i, 7 + i));
    }
    await vi.waitFor(() => expect(atRenderer.frames.length + atFar.frames.length).toBe(100));
    atRenderer.frames.forEach((f, i) => expect(equalBytes(f, frameOf(i, 100 + i))).toBe(true));
    atFar.frames.forEach((f, i) => expect(equalBytes(f, frameOf(500 + i, 7 + i))).toBe(true));
    far.close();
    expect((await piping).code).toBe('TRANSPORT_CLOSED');
    expect((await atRenderer.closed).code).toBe('TRANSPORT_CLOSED');
  });

  it('the renderer closing closes the network path', async () => {
    const { far, near, renderer, piping } = piped();
    const atFar = collect(far);
    await renderer.send(frameOf(1));
    renderer.closeWith({ code: 'CANCELLED', message: 'user cancelled' });
    expect(await piping).toEqual({ code: 'CANCELLED', message: 'user cancelled' });
    expect((await atFar.closed).code).toBe('TRANSPORT_CLOSED');
    expect(atFar.frames.length).toBe(1);
    expect(near.isClosed).toBe(true);
  });

  it('a renderer that does not read stops the network sender (the backpressure crosses the pipe)', async () => {
    const { far, renderer } = piped({ windowBytes: 64 * KiB, maxFrameBytes: 64 * KiB });
    const frames = 200;
    let resolved = 0;
    const sending = (async () => {
      for (let i = 0; i < frames; i++) {
        await far.send(frameOf(i, 16 * KiB));
        resolved++;
      }
    })();
    await delay(50);
    // At most: the port window (4 frames of 16 KiB + cost), one frame in the pipe's hands, the memory path's 16.
    expect(resolved).toBeLessThanOrEqual(4 + 1 + 16 + 1);
    const atRenderer = collect(renderer);
    await sending;
    await vi.waitFor(() => expect(atRenderer.frames.length).toBe(frames));
    atRenderer.frames.forEach((f, i) => expect(f[0]).toBe(i & 0xff));
    far.close();
  });
});

describe('a whole session with the renderer behind memory → pipe → port', () => {
  const FILES: MemoryFile[] = [
    { path: 'empty.txt', data: new Uint8Array(0) },
    { path: 'big.bin', data: new Uint8Array(3 * MiB + 17).map((_, i) => (i * 31 + (i >>> 9)) & 0xff) },
    { path: 'notes/readme.md', data: new TextEncoder().encode('hello, sealdrop\n') },
  ];

  async function run(rendererRole: 'sender' | 'receiver') {
    const [far, near] = linkedTransports({ maxFrameBytes: 256 * KiB });
    const [mainEnd, rendererEnd] = nodePortPair();
    const portOptions = options({ maxFrameBytes: 256 * KiB, windowBytes: 1 * MiB });
    const piping = pipeTransports(near, createPortTransport(mainEnd, portOptions));
    const rendererTransport: PortTransport = createPortTransport(rendererEnd, portOptions);
    const { manifest, source } = memorySource(FILES, ['empty-folder']);
    const sink = new MemorySink();
    const ends = rendererRole === 'sender' ? ([rendererTransport, far] as const) : ([far, rendererTransport] as const);
    const { sent, received } = await runSession(ends, manifest, source, ({ manifest: m }) => sink.open(m));
    return { sent, received, sink, piping };
  }

  for (const role of ['receiver', 'sender'] as const) {
    it(`the renderer as ${role}: files arrive identical, at Level 3, and the pipe ends`, async () => {
      const { sent, received, sink, piping } = await run(role);
      expect(received.code).toBeNull();
      expect(sent.code).toBeNull();
      expect(received.ok && sent.ok).toBe(true);
      expect(received.handshake?.level).toBe(3);
      expect(sent.handshake?.level).toBe(3);
      for (const file of FILES) {
        const got = sink.committed.get(file.path);
        expect(got, file.path).toBeDefined();
        expect(equalBytes(got!, file.data), file.path).toBe(true);
      }
      expect(sink.directories.has('empty-folder')).toBe(true);
      expect((await piping).code).toBe('TRANSPORT_CLOSED');
    });
  }
});
