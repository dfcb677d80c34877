import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, equalBytes } from '../../src/bytes';
import {
  decodeFrame,
  encodeFrame,
  FRAME_HEADER_BYTES,
  FRAME_TYPES,
  FrameReader,
  MAX_CONTROL_PAYLOAD,
  MAX_FRAME_PAYLOAD,
  MAX_HANDSHAKE_PAYLOAD,
  PROTOCOL_VERSION,
  type Frame,
  type FrameTypeName,
} from '../../src/frames/frames';
import { ERROR_CODES } from '../../src/errors';
import { expectCode } from '../helpers/expect-code';

function header(version: number, type: number, length: number): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES);
  out[0] = version;
  out[1] = type;
  new DataView(out.buffer).setUint32(2, length);
  return out;
}

function raw(type: number, payload: Uint8Array, version = PROTOCOL_VERSION): Uint8Array {
  return concatBytes(header(version, type, payload.length), payload);
}

const samples: Frame[] = [
  { type: 'HELLO', payload: Uint8Array.from({ length: 51 }, (_, i) => i) },
  { type: 'HANDSHAKE_REPLY', payload: new Uint8Array(200).fill(2) },
  { type: 'HANDSHAKE_FINISH', payload: new Uint8Array(MAX_HANDSHAKE_PAYLOAD).fill(3) },
  { type: 'CONTROL', payload: new Uint8Array(40).fill(4) },
  { type: 'DATA', fileIndex: 7, chunkIndex: 0xffff_ffff, sealed: new Uint8Array(16).fill(5) },
  { type: 'DATA', fileIndex: 0, chunkIndex: 0, sealed: new Uint8Array(100).fill(6) },
  { type: 'ABORT', code: 'CHUNK_AUTH_FAILED' },
  { type: 'ABORT', code: 'UNKNOWN' },
];

const frameArb: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({
    type: fc.constantFrom('HELLO' as const, 'HANDSHAKE_REPLY' as const, 'HANDSHAKE_FINISH' as const, 'CONTROL' as const),
    payload: fc.uint8Array({ minLength: 1, maxLength: 80 }),
  }),
  fc.record({
    type: fc.constant('DATA' as const),
    fileIndex: fc.nat({ max: 0xffff_ffff }),
    chunkIndex: fc.nat({ max: 0xffff_ffff }),
    sealed: fc.uint8Array({ minLength: 16, maxLength: 80 }),
  }),
  fc.record({ type: fc.constant('ABORT' as const), code: fc.constantFrom(...ERROR_CODES, 'UNKNOWN' as const) }),
);

function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    parts.push(bytes.subarray(last, p));
    last = p;
  }
  parts.push(bytes.subarray(last));
  return parts;
}

describe('frames: encode/decode', () => {
  for (const frame of samples) {
    it(`round-trips ${frame.type}${frame.type === 'ABORT' ? ` ${frame.code}` : ''}`, () => {
      const bytes = encodeFrame(frame);
      expect(bytes[0]).toBe(PROTOCOL_VERSION);
      expect(bytes[1]).toBe(FRAME_TYPES[frame.type]);
      expect(new DataView(bytes.buffer).getUint32(2)).toBe(bytes.length - FRAME_HEADER_BYTES);
      expect(decodeFrame(bytes)).toEqual(frame);
    });
  }

  it('lays out DATA as fileIndex ‖ chunkIndex ‖ sealed', () => {
    const bytes = encodeFrame({ type: 'DATA', fileIndex: 0x01020304, chunkIndex: 0x0a0b0c0d, sealed: new Uint8Array(16).fill(0xee) });
    expect([...bytes.subarray(0, 14)]).toEqual([1, 0x11, 0, 0, 0, 24, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d]);
  });

  it('maps an ABORT with text that is not one of our codes to UNKNOWN (advisory, never trusted)', () => {
    const text = new TextEncoder().encode('rm -rf /');
    expect(decodeFrame(raw(FRAME_TYPES.ABORT, concatBytes(Uint8Array.of(text.length), text)))).toEqual({ type: 'ABORT', code: 'UNKNOWN' });
    expect(decodeFrame(raw(FRAME_TYPES.ABORT, Uint8Array.of(0)))).toEqual({ type: 'ABORT', code: 'UNKNOWN' });
  });

  it('wrong version → FRAME_BAD_VERSION', async () => {
    const good = encodeFrame(samples[0]!);
    for (const version of [0, 2, 0xff]) {
      const bad = good.slice();
      bad[0] = version;
      await expectCode(() => decodeFrame(bad), 'FRAME_BAD_VERSION');
      await expectCode(() => new FrameReader().push(bad), 'FRAME_BAD_VERSION');
    }
  });

  it('unknown type → FRAME_UNKNOWN_TYPE', async () => {
    const known = new Set<number>(Object.values(FRAME_TYPES));
    for (let type = 0; type < 256; type++) {
      if (known.has(type)) continue;
      await expectCode(() => decodeFrame(raw(type, new Uint8Array(20))), 'FRAME_UNKNOWN_TYPE');
    }
  });

  it('length mismatch → FRAME_BAD_LENGTH', async () => {
    const good = encodeFrame(samples[3]!);
    await expectCode(() => decodeFrame(concatBytes(good, Uint8Array.of(0))), 'FRAME_BAD_LENGTH');
    await expectCode(() => decodeFrame(good.subarray(0, good.length - 1)), 'FRAME_BAD_LENGTH');
    await expectCode(() => decodeFrame(good.subarray(0, FRAME_HEADER_BYTES)), 'FRAME_BAD_LENGTH');
    // ABORT's inner u8 length must match its payload exactly.
    await expectCode(() => decodeFrame(raw(FRAME_TYPES.ABORT, Uint8Array.of(5, 65, 66))), 'FRAME_BAD_LENGTH');
    await expectCode(() => decodeFrame(raw(FRAME_TYPES.ABORT, Uint8Array.of(1, 65, 66))), 'FRAME_BAD_LENGTH');
    await expectCode(() => decodeFrame(raw(FRAME_TYPES.ABORT, new Uint8Array(0))), 'FRAME_BAD_LENGTH');
  });

  it('too short → FRAME_TOO_SHORT', async () => {
    for (let n = 0; n < FRAME_HEADER_BYTES; n++) {
      await expectCode(() => decodeFrame(encodeFrame(samples[0]!).subarray(0, n)), 'FRAME_TOO_SHORT');
    }
    for (const type of ['HELLO', 'HANDSHAKE_REPLY', 'HANDSHAKE_FINISH', 'CONTROL'] as const) {
      await expectCode(() => decodeFrame(raw(FRAME_TYPES[type], new Uint8Array(0))), 'FRAME_TOO_SHORT');
    }
    for (const n of [0, 7, 8, 8 + 15]) {
      await expectCode(() => decodeFrame(raw(FRAME_TYPES.DATA, new Uint8Array(n))), 'FRAME_TOO_SHORT');
    }
    expect(decodeFrame(raw(FRAME_TYPES.DATA, new Uint8Array(8 + 16))).type).toBe('DATA');
  });

  it('oversize header length → FRAME_TOO_LARGE from the header alone', async () => {
    const limits: [FrameTypeName, number][] = [
      ['HELLO', MAX_HANDSHAKE_PAYLOAD],
      ['HANDSHAKE_REPLY', MAX_HANDSHAKE_PAYLOAD],
      ['HANDSHAKE_FINISH', MAX_HANDSHAKE_PAYLOAD],
      ['CONTROL', MAX_CONTROL_PAYLOAD],
      ['DATA', MAX_FRAME_PAYLOAD],
      ['ABORT', 256],
    ];
    for (const [type, limit] of limits) {
      // Only the 6 header bytes exist: the decoder must refuse before it looks for (or buffers) the payload.
      await expectCode(() => decodeFrame(header(PROTOCOL_VERSION, FRAME_TYPES[type], limit + 1)), 'FRAME_TOO_LARGE');
      await expectCode(() => decodeFrame(header(PROTOCOL_VERSION, FRAME_TYPES[type], 0xffff_ffff)), 'FRAME_TOO_LARGE');
      // At the limit the header is acceptable; the missing payload is then a length mismatch.
      await expectCode(() => decodeFrame(header(PROTOCOL_VERSION, FRAME_TYPES[type], limit)), 'FRAME_BAD_LENGTH');
      // FrameReader fails as soon as the header is complete, holding nothing for the claimed payload.
      const reader = new FrameReader();
      await expectCode(() => reader.push(header(PROTOCOL_VERSION, FRAME_TYPES[type], 0xffff_ffff)), 'FRAME_TOO_LARGE');
    }
  });

  it('FrameReader rejects an oversize header fed byte by byte at its sixth byte', async () => {
    const reader = new FrameReader();
    const bytes = header(PROTOCOL_VERSION, FRAME_TYPES.CONTROL, 0xffff_ffff);
    for (let i = 0; i < FRAME_HEADER_BYTES - 1; i++) expect(reader.push(bytes.subarray(i, i + 1))).toEqual([]);
    await expectCode(() => reader.push(bytes.subarray(FRAME_HEADER_BYTES - 1)), 'FRAME_TOO_LARGE');
  });

  it('encoder refuses oversize payloads and out-of-range indexes', async () => {
    await expectCode(() => encodeFrame({ type: 'HELLO', payload: new Uint8Array(MAX_HANDSHAKE_PAYLOAD + 1) }), 'FRAME_TOO_LARGE');
    await expectCode(
      () => encodeFrame({ type: 'DATA', fileIndex: 0, chunkIndex: 0, sealed: new Uint8Array(MAX_FRAME_PAYLOAD - 7) }),
      'FRAME_TOO_LARGE',
    );
    await expectCode(() => encodeFrame({ type: 'DATA', fileIndex: 2 ** 32, chunkIndex: 0, sealed: new Uint8Array(16) }), 'BAD_INPUT');
    await expectCode(() => encodeFrame({ type: 'DATA', fileIndex: 0, chunkIndex: -1, sealed: new Uint8Array(16) }), 'BAD_INPUT');
  });
});

describe('frames: FrameReader on byte streams', () => {
  it('yields the same frames when fed byte by byte', () => {
    const wire = concatBytes(...samples.map(encodeFrame));
    const reader = new FrameReader();
    const frames: Frame[] = [];
    for (const byte of wire) frames.push(...reader.push(Uint8Array.of(byte)));
    expect(frames).toEqual(samples);
    expect(reader.pending).toBe(0);
  });

  it('yields the same frames in one push', () => {
    const reader = new FrameReader();
    expect(reader.push(concatBytes(...samples.map(encodeFrame)))).toEqual(samples);
    expect(reader.pending).toBe(0);
  });

  it('reports a stream cut mid-frame through pending', () => {
    const wire = encodeFrame(samples[0]!);
    const reader = new FrameReader();
    expect(reader.push(wire.subarray(0, 10))).toEqual([]);
    expect(reader.pending).toBe(10);
  });

  it('does not keep a reference to the caller’s buffer', () => {
    const wire = encodeFrame(samples[3]!);
    const reader = new FrameReader();
    const part = wire.slice(0, 10);
    reader.push(part);
    part.fill(0xff);
    expect(reader.push(wire.subarray(10))).toEqual([samples[3]]);
  });

  it('yields the same frames under random splits (property)', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, cuts) => {
        const wire = concatBytes(...frames.map(encodeFrame));
        const reader = new FrameReader();
        const out: Frame[] = [];
        for (const part of splitAt(wire, cuts)) out.push(...reader.push(part));
        expect(out).toEqual(frames);
        expect(reader.pending).toBe(0);
        for (const frame of frames) expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
      }),
    );
  });
});

describe('frames: FrameReader cost', () => {
  // Regression: the reader used to re-copy its whole buffer on every push, quadratic in the frame size.
  it('cuts a max-size DATA frame pushed in 1-byte pieces in linear time', () => {
    const sealed = new Uint8Array(MAX_FRAME_PAYLOAD - 8);
    for (let i = 0; i < sealed.length; i++) sealed[i] = i & 0xff;
    const frame: Frame = { type: 'DATA', fileIndex: 3, chunkIndex: 9, sealed };
    const wire = concatBytes(encodeFrame(frame), encodeFrame(samples[0]!));
    const reader = new FrameReader();
    const out: Frame[] = [];
    const started = performance.now();
    for (let i = 0; i < wire.length; i++) out.push(...reader.push(wire.subarray(i, i + 1)));
    const elapsed = performance.now() - started;
    // Measured (tsx, this machine): ~0.6 s for the pushes; the quadratic version copies ~8 TiB and never finishes.
    // The bound is generous for slow CI machines.
    expect(elapsed).toBeLessThan(10_000);
    expect(out.length).toBe(2);
    const got = out[0]!;
    expect(got.type === 'DATA' && got.fileIndex === 3 && got.chunkIndex === 9 && equalBytes(got.sealed, sealed)).toBe(true);
    expect(out[1]).toEqual(samples[0]);
    expect(reader.pending).toBe(0);
  });

  it('pushEncoded returns the wire bytes of each frame, cut the same way under any split', () => {
    const wires = samples.map(encodeFrame);
    const stream = concatBytes(...wires);
    for (const step of [1, 5, 7, 1000, stream.length]) {
      const reader = new FrameReader();
      const out: Uint8Array[] = [];
      for (let i = 0; i < stream.length; i += step) out.push(...reader.pushEncoded(stream.subarray(i, i + step)));
      expect(out).toEqual(wires);
      expect(reader.pending).toBe(0);
    }
  });
});
