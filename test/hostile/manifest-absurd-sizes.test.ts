/**
 * A hostile sender claims sizes no disk holds, sizes that are not integers, totals that would make a receiver
 * pre-allocate or promise petabytes, hashes of the wrong length, or more entries and bytes than a receiver will
 * buffer. Each is refused before anything is written, with its own code.
 */
import { describe, expect, it } from 'vitest';
import { ByteWriter, utf8 } from '../../src/bytes';
import { SealdropError, type ErrorCode } from '../../src/errors';
import { buildManifest } from '../../src/manifest/build';
import { decodeManifest, encodeManifest } from '../../src/manifest/codec';
import { MANIFEST_LIMITS, type ManifestEntry } from '../../src/manifest/manifest';
import { validateManifest } from '../../src/manifest/validate';

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealdropError) return error.code;
    throw error;
  }
  return undefined;
}

const HASH = new Uint8Array(32);
const file = (path: string, size: number, sha256: Uint8Array = HASH): ManifestEntry => ({
  kind: 'file',
  path,
  size,
  sha256,
});

/** One file entry with a raw 64-bit size, as two 32-bit halves. */
function wireFileSize(high: number, low: number): Uint8Array {
  return new ByteWriter().u8(1).u32(1).u8(1).bytes16(utf8('big.bin')).u32(high).u32(low).bytes(HASH).finish();
}

describe('hostile manifest: absurd file sizes', () => {
  it.each([
    ['negative', -1],
    ['negative fraction', -0.5],
    ['fractional', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['one past maxFileSize', MANIFEST_LIMITS.maxFileSize + 1],
    ['a petabyte', 10 ** 15],
    ['2^53', 2 ** 53],
    ['1e300', 1e300],
  ])('refuses a %s size', (_name, size) => {
    expect(codeOf(() => validateManifest({ entries: [file('f', size)] }))).toBe('MANIFEST_BAD_SIZE');
    expect(codeOf(() => buildManifest([{ kind: 'file', path: 'f', size, sha256: HASH }]))).toBe('MANIFEST_BAD_SIZE');
  });

  it('refuses a size that is not a number at all', () => {
    const entries = [{ kind: 'file', path: 'f', size: '12', sha256: HASH }] as unknown as ManifestEntry[];
    expect(codeOf(() => validateManifest({ entries }))).toBe('MANIFEST_BAD_SIZE');
  });

  it.each([
    ['2^64 - 1', 0xffff_ffff, 0xffff_ffff],
    ['2^53', 0x20_0000, 0],
    ['2^53 - 1', 0x1f_ffff, 0xffff_ffff],
    ['10^15', Math.floor(1e15 / 2 ** 32), 1e15 % 2 ** 32],
    ['2^42 + 1', 0x400, 1],
  ])('refuses a wire size of %s as a size, not as an encoding fault', (_name, high, low) => {
    expect(codeOf(() => decodeManifest(wireFileSize(high, low)))).toBe('MANIFEST_BAD_SIZE');
  });

  it('accepts sizes 0 and exactly maxFileSize, on the wire too', () => {
    expect(decodeManifest(wireFileSize(0x400, 0)).entries[0]).toMatchObject({ size: 2 ** 42 });
    expect(decodeManifest(wireFileSize(0, 0)).entries[0]).toMatchObject({ size: 0 });
  });
});

describe('hostile manifest: absurd totals', () => {
  it('accepts a total of exactly maxTotalSize', () => {
    const entries = Array.from({ length: 4 }, (_, i) => file(`f${i}`, MANIFEST_LIMITS.maxFileSize));
    expect(codeOf(() => validateManifest({ entries }))).toBeUndefined();
  });

  it('refuses a total one byte over maxTotalSize', () => {
    const entries = Array.from({ length: 4 }, (_, i) => file(`f${i}`, MANIFEST_LIMITS.maxFileSize));
    entries.push(file('one-more', 1));
    expect(codeOf(() => validateManifest({ entries }))).toBe('MANIFEST_TOTAL_TOO_LARGE');
    expect(codeOf(() => encodeManifest({ entries }))).toBe('MANIFEST_TOTAL_TOO_LARGE');
  });

  it('refuses a manifest of many legal files claiming 10^15 bytes in all, on the wire', () => {
    const w = new ByteWriter().u8(1).u32(250);
    for (let i = 0; i < 250; i++) w.u8(1).bytes16(utf8(`part-${i}`)).u64(4e12).bytes(HASH);
    expect(codeOf(() => decodeManifest(w.finish()))).toBe('MANIFEST_TOTAL_TOO_LARGE');
  });

  it('directories add nothing to the total', () => {
    const entries: ManifestEntry[] = Array.from({ length: 4 }, (_, i) => file(`f${i}`, MANIFEST_LIMITS.maxFileSize));
    entries.push({ kind: 'directory', path: 'd' });
    expect(codeOf(() => validateManifest({ entries }))).toBeUndefined();
  });
});

describe('hostile manifest: bad hashes', () => {
  it.each([
    ['empty', new Uint8Array(0)],
    ['31 bytes', new Uint8Array(31)],
    ['33 bytes', new Uint8Array(33)],
    ['64 bytes', new Uint8Array(64)],
  ])('refuses a %s sha256', (_name, sha256) => {
    expect(codeOf(() => validateManifest({ entries: [file('f', 1, sha256)] }))).toBe('MANIFEST_BAD_HASH');
  });

  it('refuses a sha256 that is not a Uint8Array', () => {
    const entries = [
      { kind: 'file', path: 'f', size: 1, sha256: Array.from({ length: 32 }, () => 0) },
    ] as unknown as ManifestEntry[];
    expect(codeOf(() => validateManifest({ entries }))).toBe('MANIFEST_BAD_HASH');
  });

  it('a hash cut short on the wire is a truncated encoding', () => {
    const bytes = new ByteWriter().u8(1).u32(1).u8(1).bytes16(utf8('f')).u64(1).bytes(new Uint8Array(31)).finish();
    expect(codeOf(() => decodeManifest(bytes))).toBe('BAD_ENCODING');
  });
});

describe('hostile manifest: too many entries, too many bytes', () => {
  it('accepts exactly maxEntries entries and refuses one more', () => {
    const entries: ManifestEntry[] = Array.from({ length: MANIFEST_LIMITS.maxEntries }, (_, i) => file(`f${i}`, 0));
    expect(codeOf(() => validateManifest({ entries }))).toBeUndefined();
    entries.push(file('straw', 0));
    expect(codeOf(() => validateManifest({ entries }))).toBe('MANIFEST_TOO_MANY_ENTRIES');
    expect(codeOf(() => buildManifest(entries))).toBe('MANIFEST_TOO_MANY_ENTRIES');
  });

  it('refuses a count field over maxEntries before reading any entry', () => {
    const bytes = new ByteWriter().u8(1).u32(MANIFEST_LIMITS.maxEntries + 1).finish();
    expect(codeOf(() => decodeManifest(bytes))).toBe('MANIFEST_TOO_MANY_ENTRIES');
  });

  it('refuses an encoding longer than maxEncodedBytes before parsing it', () => {
    const bytes = new Uint8Array(MANIFEST_LIMITS.maxEncodedBytes + 1);
    bytes[0] = 1; // a valid format byte; the rest would be an empty manifest plus trailing zeros
    expect(codeOf(() => decodeManifest(bytes))).toBe('MANIFEST_TOO_MANY_ENTRIES');
  });
});
