/**
 * A hostile relay sends arbitrary bytes where frames belong. Whatever arrives, the decoder either returns a frame
 * or throws a SealdropError with a frame code — never a TypeError, RangeError or anything the caller cannot map.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes } from '../../src/bytes';
import { SealdropError, type ErrorCode } from '../../src/errors';
import { decodeFrame, encodeFrame, FRAME_HEADER_BYTES, FRAME_TYPES, FrameReader, PROTOCOL_VERSION } from '../../src/frames/frames';

const FRAME_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'FRAME_TOO_SHORT',
  'FRAME_TOO_LARGE',
  'FRAME_BAD_VERSION',
  'FRAME_UNKNOWN_TYPE',
  'FRAME_BAD_LENGTH',
]);

function onlyFrameErrors(work: () => unknown): void {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SealdropError);
    expect(FRAME_CODES.has((error as SealdropError).code)).toBe(true);
  }
}

/** Bytes that get past the header check more often than uniform noise does. */
const plausibleFrame = fc
  .tuple(
    fc.constantFrom(PROTOCOL_VERSION, PROTOCOL_VERSION, PROTOCOL_VERSION, 0, 2),
    fc.constantFrom(...Object.values(FRAME_TYPES), 0x00, 0x04, 0x12, 0xff),
    fc.uint8Array({ maxLength: 300 }),
    fc.integer({ min: -3, max: 3 }),
  )
  .map(([version, type, payload, skew]) => {
    const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
    out[0] = version;
    out[1] = type;
    new DataView(out.buffer).setUint32(2, Math.max(0, payload.length + skew));
    out.set(payload, FRAME_HEADER_BYTES);
    return out;
  });

const mutatedFrame = fc
  .tuple(
    fc.constantFrom(
      encodeFrame({ type: 'HELLO', payload: new Uint8Array(51).fill(1) }),
      encodeFrame({ type: 'DATA', fileIndex: 1, chunkIndex: 2, sealed: new Uint8Array(40).fill(3) }),
      encodeFrame({ type: 'ABORT', code: 'TIMEOUT' }),
      encodeFrame({ type: 'CONTROL', payload: new Uint8Array(30).fill(4) }),
    ),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
  )
  .map(([frame, edits]) => {
    const out = frame.slice();
    for (const [at, value] of edits) out[at % out.length] = value;
    return out;
  });

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 400 }), plausibleFrame, mutatedFrame);

describe('frame decoder under random input', () => {
  it('decodeFrame: random bytes never throw anything but a frame SealdropError', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => onlyFrameErrors(() => decodeFrame(bytes))),
      { numRuns: 5000 },
    );
  });

  it('FrameReader: random byte streams in random pieces never throw anything but a frame SealdropError', () => {
    fc.assert(
      fc.property(fc.array(anyBytes, { maxLength: 10 }), fc.array(fc.nat(), { maxLength: 10 }), (pieces, cuts) => {
        const wire = concatBytes(...pieces);
        const reader = new FrameReader();
        let last = 0;
        const points = [...cuts.map((c) => c % (wire.length + 1)), wire.length].sort((a, b) => a - b);
        onlyFrameErrors(() => {
          for (const p of points) {
            reader.push(wire.subarray(last, p));
            last = p;
          }
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('every decoded frame re-encodes to bytes that decode to the same frame', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        let frame;
        try {
          frame = decodeFrame(bytes);
        } catch {
          return;
        }
        expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
      }),
      { numRuns: 3000 },
    );
  });
});
