/**
 * The decoder is the first code to touch a hostile manifest. Whatever the bytes, it must return a validated
 * manifest or throw a SealdropError with a known code: never a TypeError or RangeError, never a hang, never an
 * allocation the input does not pay for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter, utf8 } from '../../src/bytes';
import { isErrorCode, SealdropError, type ErrorCode } from '../../src/errors';
import { decodeManifest, encodeManifest } from '../../src/manifest/codec';
import { MANIFEST_LIMITS } from '../../src/manifest/manifest';

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealdropError) return error.code;
    throw error;
  }
  return undefined;
}

/** Decodes; a non-SealdropError or an unknown code fails the property. */
function decodeOrCode(bytes: Uint8Array): void {
  try {
    const m = decodeManifest(bytes);
    expect(encodeManifest(m)).toEqual(bytes); // anything accepted is canonical
  } catch (error) {
    expect(error).toBeInstanceOf(SealdropError);
    expect(isErrorCode((error as SealdropError).code)).toBe(true);
  }
}

const HEADER = Uint8Array.of(1);

/** Random entries that are structurally plausible, so fuzzing reaches past the header. */
const plausibleEntry = fc.record({
  kind: fc.constantFrom(1, 2, 0, 3, 255),
  path: fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('..', 'a/b', 'CON', 'a//b', 'A', 'a', 'cafe\u0301'),
  ),
  size: fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 42, 2 ** 42 + 1, 2 ** 53 - 1)),
  hashLength: fc.constantFrom(32, 32, 32, 31, 0),
});

describe('hostile manifest: decoder fuzz', () => {
  it('random bytes never throw anything but a coded SealdropError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), decodeOrCode), { numRuns: 5000 });
  });

  it('random bytes after a valid format byte never throw anything but a coded SealdropError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (tail) => {
        const bytes = new Uint8Array(1 + tail.length);
        bytes.set(HEADER);
        bytes.set(tail, 1);
        decodeOrCode(bytes);
      }),
      { numRuns: 5000 },
    );
  });

  it('plausible but hostile entries, with any count, never throw anything but a coded SealdropError', () => {
    fc.assert(
      fc.property(fc.array(plausibleEntry, { maxLength: 8 }), fc.nat({ max: 10 }), (entries, countSkew) => {
        const w = new ByteWriter().u8(1).u32(Math.max(0, entries.length + countSkew - 5));
        for (const e of entries) {
          w.u8(e.kind).bytes16(utf8(e.path));
          if (e.kind !== 2) w.u64(e.size).bytes(new Uint8Array(e.hashLength));
        }
        decodeOrCode(w.finish());
      }),
      { numRuns: 3000 },
    );
  });

  it('a count field of 2^32 - 1 (the largest a u32 can claim) is rejected at once', () => {
    const bytes = new ByteWriter().u8(1).u32(0xffff_ffff).finish();
    const started = performance.now();
    expect(codeOf(() => decodeManifest(bytes))).toBe('MANIFEST_TOO_MANY_ENTRIES');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('a count within maxEntries but beyond the bytes that follow is rejected before the loop', () => {
    const bytes = new ByteWriter().u8(1).u32(MANIFEST_LIMITS.maxEntries).u8(2).bytes16(utf8('a')).finish();
    const started = performance.now();
    expect(codeOf(() => decodeManifest(bytes))).toBe('BAD_ENCODING');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('a path length beyond the bytes that follow is a truncated encoding', () => {
    const bytes = new ByteWriter().u8(1).u32(1).u8(2).u16(0xffff).bytes(utf8('short')).finish();
    expect(codeOf(() => decodeManifest(bytes))).toBe('BAD_ENCODING');
  });

  it('an empty input, and a lone format byte, are truncated encodings', () => {
    expect(codeOf(() => decodeManifest(new Uint8Array(0)))).toBe('BAD_ENCODING');
    expect(codeOf(() => decodeManifest(HEADER))).toBe('BAD_ENCODING');
  });

  it('an input that is not a Uint8Array is refused with a code', () => {
    for (const input of [null, undefined, '01', [1, 0, 0, 0, 0], new ArrayBuffer(5)]) {
      expect(codeOf(() => decodeManifest(input as unknown as Uint8Array))).toBe('BAD_INPUT');
    }
  });

  it('decodes a view into a larger buffer at its own offset', () => {
    const inner = encodeManifest({ entries: [{ kind: 'directory', path: 'd' }] });
    const outer = new Uint8Array(inner.length + 10).fill(0xee);
    outer.set(inner, 5);
    const decoded = decodeManifest(outer.subarray(5, 5 + inner.length));
    expect(decoded).toEqual({ entries: [{ kind: 'directory', path: 'd' }] });
  });
});
