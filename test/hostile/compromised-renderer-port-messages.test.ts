/**
 * A compromised renderer posts whatever it likes on its end of the frame port. Main's PortTransport
 * (src/transport/port-transport.ts) must end the path with a stable code, tell the renderer why, close the port, never
 * throw from its listener, and — through pipeTransports — close the network path too.
 */
import type { MessagePort } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import type { ErrorCode } from '../../src/errors';
import type { TransportCloseReason } from '../../src/ports/transport';
import { linkedTransports } from '../../src/testing/memory-transport';
import {
  createPortTransport,
  pipeTransports,
  PORT_MESSAGE_COST_BYTES,
  type PortTransportOptions,
} from '../../src/transport/port-transport';
import { expectCode } from '../helpers/expect-code';
import { hostilePortPair } from '../helpers/node-port';

const KiB = 1024;
const MAX_FRAME = 64 * KiB;
const WINDOW = 256 * KiB;
const OPTIONS: PortTransportOptions = { path: 'memory', binding: { kind: 'none' }, maxFrameBytes: MAX_FRAME, windowBytes: WINDOW };

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Main's port transport facing a hostile raw port; `closes` records every close its handler was told. */
function facingHostile() {
  const { endpoint, raw, inbox, rawClosed } = hostilePortPair();
  const main = createPortTransport(endpoint, OPTIONS);
  const frames: Uint8Array[] = [];
  const closes: TransportCloseReason[] = [];
  const listen = () => main.listen({ frame: (f) => void frames.push(f), close: (reason) => void closes.push(reason) });
  return { main, endpoint, raw, inbox, rawClosed, frames, closes, listen };
}

/** The transport ended with `code`: handler told once, the hostile side told the same code, its port closed. */
async function expectEnded(side: ReturnType<typeof facingHostile>, code: ErrorCode) {
  await vi.waitFor(() => expect(side.closes.length).toBe(1));
  expect(side.closes[0]!.code).toBe(code);
  await side.rawClosed;
  expect(side.inbox.filter((m) => (m as { t?: unknown }).t === 'close')).toEqual([
    { t: 'close', code, message: expect.any(String) as unknown },
  ]);
  expect(side.endpoint.closed).toBe(true);
  expect(side.endpoint.thrown).toEqual([]);
  await expectCode(side.main.send(new Uint8Array(1)), 'TRANSPORT_CLOSED');
  await delay(5);
  expect(side.closes.length).toBe(1);
}

const frame = (length: number) => ({ t: 'frame', data: new Uint8Array(length) });

/** Each malformed message, and the code it must end the path with. */
const CASES: [string, (raw: MessagePort) => void, ErrorCode][] = [
  ['a number', (raw) => raw.postMessage(42), 'BAD_INPUT'],
  ['a string', (raw) => raw.postMessage('frame'), 'BAD_INPUT'],
  ['null', (raw) => raw.postMessage(null), 'BAD_INPUT'],
  ['an array', (raw) => raw.postMessage(['frame', new Uint8Array(1)]), 'BAD_INPUT'],
  ['bare bytes', (raw) => raw.postMessage(new Uint8Array(8)), 'BAD_INPUT'],
  ['an unknown t', (raw) => raw.postMessage({ t: 'hello' }), 'BAD_INPUT'],
  ['no t at all', (raw) => raw.postMessage({ data: new Uint8Array(1) }), 'BAD_INPUT'],
  ['a frame with an extra field', (raw) => raw.postMessage({ ...frame(4), extra: 1 }), 'BAD_INPUT'],
  ['a frame without data', (raw) => raw.postMessage({ t: 'frame' }), 'BAD_INPUT'],
  ['frame data as an array', (raw) => raw.postMessage({ t: 'frame', data: [1, 2, 3] }), 'BAD_INPUT'],
  ['frame data as a string', (raw) => raw.postMessage({ t: 'frame', data: 'abc' }), 'BAD_INPUT'],
  ['frame data as a Uint16Array', (raw) => raw.postMessage({ t: 'frame', data: new Uint16Array(4) }), 'BAD_INPUT'],
  ['frame data as an ArrayBuffer', (raw) => raw.postMessage({ t: 'frame', data: new ArrayBuffer(4) }), 'BAD_INPUT'],
  ['frame data over a SharedArrayBuffer',
    (raw) => raw.postMessage({ t: 'frame', data: new Uint8Array(new SharedArrayBuffer(8)) }), 'BAD_INPUT'],
  ['a frame over maxFrameBytes', (raw) => raw.postMessage(frame(MAX_FRAME + 1)), 'FRAME_TOO_LARGE'],
  ['a small view on a huge buffer',
    (raw) => raw.postMessage({ t: 'frame', data: new Uint8Array(4 * MAX_FRAME).subarray(0, 10) }), 'FRAME_TOO_LARGE'],
  ['credit of zero', (raw) => raw.postMessage({ t: 'credit', bytes: 0 }), 'BAD_INPUT'],
  ['negative credit', (raw) => raw.postMessage({ t: 'credit', bytes: -1 }), 'BAD_INPUT'],
  ['fractional credit', (raw) => raw.postMessage({ t: 'credit', bytes: 1.5 }), 'BAD_INPUT'],
  ['NaN credit', (raw) => raw.postMessage({ t: 'credit', bytes: NaN }), 'BAD_INPUT'],
  ['credit beyond safe integers', (raw) => raw.postMessage({ t: 'credit', bytes: 2 ** 53 }), 'BAD_INPUT'],
  ['credit as a string', (raw) => raw.postMessage({ t: 'credit', bytes: '100' }), 'BAD_INPUT'],
  ['credit with an extra field', (raw) => raw.postMessage({ t: 'credit', bytes: 1, more: true }), 'BAD_INPUT'],
  ['credit nobody was owed', (raw) => raw.postMessage({ t: 'credit', bytes: 100 }), 'UNEXPECTED_MESSAGE'],
  ['close with an unknown code', (raw) => raw.postMessage({ t: 'close', code: 'NOPE', message: '' }), 'BAD_INPUT'],
  ['close with a number for a code', (raw) => raw.postMessage({ t: 'close', code: 7, message: '' }), 'BAD_INPUT'],
  ['close with a non-string message',
    (raw) => raw.postMessage({ t: 'close', code: 'CANCELLED', message: 42 }), 'BAD_INPUT'],
  ['close with an over-long message',
    (raw) => raw.postMessage({ t: 'close', code: 'CANCELLED', message: 'x'.repeat(201) }), 'BAD_INPUT'],
  ['close without a message', (raw) => raw.postMessage({ t: 'close', code: 'CANCELLED' }), 'BAD_INPUT'],
];

describe('compromised renderer: malformed port messages', () => {
  for (const [name, attack, code] of CASES) {
    it(`${name} → ${code}`, async () => {
      const side = facingHostile();
      side.listen();
      attack(side.raw);
      await expectEnded(side, code);
    });
  }

  it('a well-formed close is honoured with its code (the validation is not rejecting everything)', async () => {
    const side = facingHostile();
    side.listen();
    side.raw.postMessage(frame(3));
    side.raw.postMessage({ t: 'close', code: 'CANCELLED', message: 'x'.repeat(200) });
    await vi.waitFor(() => expect(side.closes).toEqual([{ code: 'CANCELLED', message: 'x'.repeat(200) }]));
    expect(side.frames.length).toBe(1);
    // Told of the close, main does not answer with one of its own.
    await side.rawClosed;
    expect(side.inbox.filter((m) => (m as { t?: unknown }).t === 'close')).toEqual([]);
  });

  it('credit forgery: more credit than main has outstanding → UNEXPECTED_MESSAGE', async () => {
    const side = facingHostile();
    side.listen();
    await side.main.send(new Uint8Array(100)); // outstanding: 100 + the per-message cost
    const outstanding = 100 + PORT_MESSAGE_COST_BYTES;
    side.raw.postMessage({ t: 'credit', bytes: outstanding - 10 }); // fine
    await delay(5);
    expect(side.closes).toEqual([]);
    side.raw.postMessage({ t: 'credit', bytes: 11 }); // one byte more than was ever owed
    await expectEnded(side, 'UNEXPECTED_MESSAGE');
  });

  it('window overrun: the frame past windowBytes + maxFrameBytes without credit → UNEXPECTED_MESSAGE, queue dropped', async () => {
    const side = facingHostile();
    // What an honest sender may have in flight: full frames until the window is reached (the last one overshoots).
    const honest = Math.ceil(WINDOW / (MAX_FRAME + PORT_MESSAGE_COST_BYTES));
    for (let i = 0; i < honest; i++) side.raw.postMessage(frame(MAX_FRAME));
    await vi.waitFor(() => expect(side.endpoint.received.length).toBe(honest));
    await delay(5);
    expect(side.inbox).toEqual([]); // no close: that much is within the rules
    side.raw.postMessage(frame(MAX_FRAME));
    await side.rawClosed;
    side.listen();
    await expectEnded(side, 'UNEXPECTED_MESSAGE');
    expect(side.frames).toEqual([]); // what a rule-breaker queued is not handed on
  });

  it('a flood of empty frames also overruns the window (every message costs)', async () => {
    const side = facingHostile();
    const allowed = Math.floor((WINDOW + MAX_FRAME + PORT_MESSAGE_COST_BYTES) / PORT_MESSAGE_COST_BYTES);
    for (let i = 0; i <= allowed; i++) side.raw.postMessage(frame(0));
    // Not listening yet, so nothing is handled and credited while the flood arrives.
    await vi.waitFor(() => expect(side.endpoint.received.length).toBe(allowed + 1));
    side.listen();
    await expectEnded(side, 'UNEXPECTED_MESSAGE');
  });

  it('garbage after the path ended is ignored, and nothing throws', async () => {
    const side = facingHostile();
    side.listen();
    side.raw.postMessage({ t: 'bogus' });
    for (const junk of [1, null, { t: 'credit', bytes: -1 }, frame(MAX_FRAME * 2)]) side.raw.postMessage(junk);
    await expectEnded(side, 'BAD_INPUT');
  });
});

describe('compromised renderer: through pipeTransports the network path is closed too', () => {
  const PIPED: [string, unknown, ErrorCode][] = [
    ['an unknown t', { t: 'exfiltrate' }, 'BAD_INPUT'],
    ['an oversized frame', frame(MAX_FRAME + 1), 'FRAME_TOO_LARGE'],
    ['forged credit', { t: 'credit', bytes: 1 << 20 }, 'UNEXPECTED_MESSAGE'],
    ['an unknown close code', { t: 'close', code: 'SHUTDOWN_MAIN', message: '' }, 'BAD_INPUT'],
  ];
  for (const [name, message, code] of PIPED) {
    it(`${name}: the pipe resolves with ${code} and the network peer sees its path close`, async () => {
      const { endpoint, raw, rawClosed } = hostilePortPair();
      const [far, near] = linkedTransports({ maxFrameBytes: MAX_FRAME });
      const farCloses: TransportCloseReason[] = [];
      far.listen({ frame: () => undefined, close: (reason) => void farCloses.push(reason) });
      const piping = pipeTransports(near, createPortTransport(endpoint, OPTIONS));
      raw.postMessage(frame(10)); // an honest frame first: forwarded
      raw.postMessage(message);
      expect((await piping).code).toBe(code);
      await rawClosed;
      expect(near.isClosed).toBe(true);
      await vi.waitFor(() => expect(farCloses.length).toBe(1));
      expect(farCloses[0]!.code).toBe('TRANSPORT_CLOSED');
      expect(endpoint.thrown).toEqual([]);
    });
  }

  it('a window overrun through the pipe closes the network path', async () => {
    const { endpoint, raw } = hostilePortPair();
    const [far, near] = linkedTransports({ maxFrameBytes: MAX_FRAME });
    // The network peer does not read yet: the memory path fills, the pipe stops taking frames, credit stops.
    const piping = pipeTransports(near, createPortTransport(endpoint, OPTIONS));
    for (let i = 0; i < 64; i++) raw.postMessage(frame(MAX_FRAME));
    expect((await piping).code).toBe('UNEXPECTED_MESSAGE');
    expect(near.isClosed).toBe(true);
    const farCloses: TransportCloseReason[] = [];
    let forwarded = 0;
    far.listen({ frame: () => void forwarded++, close: (reason) => void farCloses.push(reason) });
    await vi.waitFor(() => expect(farCloses.map((r) => r.code)).toEqual(['TRANSPORT_CLOSED']));
    // Only what fit the path before the overrun went on; the rest of the flood was dropped.
    expect(forwarded).toBeLessThan(64);
  });
});
