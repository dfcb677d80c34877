import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes';
import { SealdropError, type ErrorCode } from '../../src/errors';
import { buildManifest } from '../../src/manifest/build';
import { decodeManifest, encodeManifest, hashManifest } from '../../src/manifest/codec';
import { MANIFEST_LIMITS, manifestTotals, type Manifest, type ManifestEntry } from '../../src/manifest/manifest';
import { validatePath } from '../../src/manifest/validate';

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealdropError) return error.code;
    throw error;
  }
  return undefined;
}

const HASH_11 = new Uint8Array(32).fill(0x11);

const SMALL: Manifest = {
  entries: [
    { kind: 'directory', path: 'docs' },
    { kind: 'file', path: 'docs/a.txt', size: 5, sha256: HASH_11 },
  ],
};

// Written out by hand from the layout in src/manifest/codec.ts; frozen. Changing either literal is a protocol change.
const SMALL_HEX =
  '01' + '00000002' + //                                   format 1, two entries
  '02' + '0004' + '646f6373' + //                          directory "docs"
  '01' + '000a' + '646f63732f612e747874' + //              file "docs/a.txt"
  '0000000000000005' + //                                  size 5
  '11'.repeat(32); //                                      sha256
// SHA-256("sealdrop/v1 manifest" ‖ 0x00 ‖ SMALL_HEX), computed independently with Python's hashlib.
const SMALL_HASH_HEX = '17cda693459928c77893a410f3376e3d2759b0ba64b8ded2181eb9343249a0cb';

// ---------------------------------------------------------------- arbitraries

/** Names from lowercase or caseless characters, so distinct generated paths never clash after case folding. */
const nameChar = fc.constantFrom(...[...'abcdefghijklmnopqrstuvwxyz0123456789-_éß日😀']);
const segment = fc
  .tuple(
    fc.array(nameChar, { minLength: 1, maxLength: 8 }),
    fc.option(fc.array(nameChar, { minLength: 1, maxLength: 4 }), { nil: undefined }),
  )
  .map(([stem, ext]) => stem.join('') + (ext === undefined ? '' : `.${ext.join('')}`))
  .filter((s) => codeOf(() => validatePath(s)) === undefined); // drops the odd `con`, `lpt1`

const size = fc.oneof(fc.nat(), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, 2 ** 38));

const validManifest: fc.Arbitrary<Manifest> = fc
  .uniqueArray(
    fc.record({
      file: fc.boolean(),
      segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
      size,
      sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    }),
    { selector: (e) => e.segments.join('/'), maxLength: 12 },
  )
  .map((items) => {
    const files = new Set(items.filter((e) => e.file).map((e) => e.segments.join('/')));
    const underAFile = (segments: string[]) =>
      segments.slice(0, -1).some((_, i) => files.has(segments.slice(0, i + 1).join('/')));
    const entries: ManifestEntry[] = items
      .filter((e) => !underAFile(e.segments))
      .map((e) =>
        e.file
          ? { kind: 'file', path: e.segments.join('/'), size: e.size, sha256: e.sha256 }
          : { kind: 'directory', path: e.segments.join('/') },
      );
    return { entries };
  });

// ---------------------------------------------------------------- tests

describe('manifest codec: canonical bytes', () => {
  it('encodes a small manifest to the frozen bytes', () => {
    expect(toHex(encodeManifest(SMALL))).toBe(SMALL_HEX);
  });

  it('hashes a small manifest to the frozen digest', async () => {
    expect(toHex(await hashManifest(SMALL))).toBe(SMALL_HASH_HEX);
  });

  it('decodes the frozen bytes back to the manifest, frozen and detached from the input', () => {
    const bytes = fromHex(SMALL_HEX);
    const decoded = decodeManifest(bytes);
    expect(decoded).toEqual(SMALL);
    expect(Object.isFrozen(decoded.entries)).toBe(true);
    bytes.fill(0);
    expect(decoded).toEqual(SMALL);
  });

  it('round-trips an empty manifest', () => {
    const bytes = encodeManifest({ entries: [] });
    expect(toHex(bytes)).toBe('0100000000');
    expect(decodeManifest(bytes)).toEqual({ entries: [] });
  });

  it('round-trips non-ASCII names and the largest file size', () => {
    const m: Manifest = {
      entries: [
        { kind: 'directory', path: '日本語' },
        { kind: 'file', path: '日本語/😀 café.txt', size: MANIFEST_LIMITS.maxFileSize, sha256: HASH_11 },
      ],
    };
    expect(decodeManifest(encodeManifest(m))).toEqual(m);
  });

  it('round-trips every valid manifest, and re-encodes decoded bytes identically', () => {
    fc.assert(
      fc.property(validManifest, (m) => {
        const bytes = encodeManifest(m);
        const decoded = decodeManifest(bytes);
        expect(decoded).toEqual(m);
        expect(toHex(encodeManifest(decoded))).toBe(toHex(bytes));
      }),
      { numRuns: 300 },
    );
  });
});

describe('manifest codec: tampering', () => {
  async function decodeOrCode(bytes: Uint8Array): Promise<{ code: ErrorCode } | { hash: string }> {
    try {
      return { hash: toHex(await hashManifest(decodeManifest(bytes))) };
    } catch (error) {
      if (error instanceof SealdropError) return { code: error.code };
      throw error;
    }
  }

  it('every single-byte change of the small manifest is refused or changes the hash', async () => {
    const original = fromHex(SMALL_HEX);
    for (let i = 0; i < original.length; i++) {
      for (let delta = 1; delta < 256; delta++) {
        const mutated = original.slice();
        mutated[i] = ((original[i] as number) + delta) & 0xff;
        const result = await decodeOrCode(mutated);
        if ('hash' in result) expect(result.hash).not.toBe(SMALL_HASH_HEX);
      }
    }
  });

  it('a single-byte change of any valid manifest is refused with a coded error or changes the hash', async () => {
    await fc.assert(
      fc.asyncProperty(validManifest, fc.nat(), fc.integer({ min: 1, max: 255 }), async (m, at, delta) => {
        const bytes = encodeManifest(m);
        const i = at % bytes.length;
        const mutated = bytes.slice();
        mutated[i] = ((bytes[i] as number) + delta) & 0xff;
        const result = await decodeOrCode(mutated);
        if ('hash' in result) expect(result.hash).not.toBe(toHex(await hashManifest(m)));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a truncated encoding and trailing bytes', () => {
    const bytes = fromHex(SMALL_HEX);
    for (let n = 0; n < bytes.length; n++) {
      expect(codeOf(() => decodeManifest(bytes.subarray(0, n)))).toBe('BAD_ENCODING');
    }
    expect(codeOf(() => decodeManifest(fromHex(`${SMALL_HEX}00`)))).toBe('BAD_ENCODING');
  });

  it('refuses an unknown format byte', () => {
    for (const format of ['00', '02', 'ff']) {
      expect(codeOf(() => decodeManifest(fromHex(`${format}${SMALL_HEX.slice(2)}`)))).toBe('BAD_ENCODING');
    }
  });

  it('refuses invalid UTF-8 in a path (overlong, surrogate, truncated sequences)', () => {
    for (const path of ['c0af', 'eda080', 'e282', 'ff']) {
      const hex = `01000000010200${(path.length / 2).toString(16).padStart(2, '0')}${path}`;
      expect(codeOf(() => decodeManifest(fromHex(hex)))).toBe('BAD_ENCODING');
    }
  });

  it('the encoder refuses a manifest whose encoding would pass maxEncodedBytes', () => {
    const deep = Array.from({ length: 15 }, () => 'a'.repeat(255)).join('/');
    const entries: ManifestEntry[] = Array.from({ length: 4200 }, (_, i) => ({
      kind: 'file' as const,
      path: `${deep}/${String(i).padStart(250, '0')}`,
      size: 1,
      sha256: HASH_11,
    }));
    expect(codeOf(() => encodeManifest({ entries }))).toBe('MANIFEST_TOO_MANY_ENTRIES');
  });
});

describe('buildManifest', () => {
  it('normalises to NFC, sorts by path bytes so directories precede their contents, and copies hashes', () => {
    const hash = new Uint8Array(32).fill(7);
    const m = buildManifest([
      { kind: 'file', path: 'a/z.txt', size: 3, sha256: hash },
      { kind: 'file', path: 'a-b', size: 1, sha256: hash },
      { kind: 'directory', path: 'a' },
      { kind: 'file', path: 'cafe\u0301.txt', size: 0, sha256: hash }, // NFD in, NFC out
      { kind: 'file', path: '\u{1F600}', size: 0, sha256: hash }, // U+1F600 sorts after U+FF5E in UTF-8...
      { kind: 'file', path: '\uff5e', size: 0, sha256: hash }, // ...though not in UTF-16 code units
    ]);
    expect(m.entries.map((e) => e.path)).toEqual(['a', 'a-b', 'a/z.txt', 'caf\u00e9.txt', '\uff5e', '\u{1F600}']);
    hash.fill(0);
    const file = m.entries[2];
    expect(file?.kind === 'file' && file.sha256[0]).toBe(7);
    expect(Object.isFrozen(m.entries)).toBe(true);
  });

  it('is independent of input order', () => {
    fc.assert(
      fc.property(
        validManifest.chain((m) =>
          fc.tuple(fc.constant(m), fc.shuffledSubarray([...m.entries], { minLength: m.entries.length })),
        ),
        ([m, shuffled]) => {
          expect(encodeManifest(buildManifest(shuffled))).toEqual(encodeManifest(buildManifest(m.entries)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses files without size or hash', () => {
    expect(codeOf(() => buildManifest([{ kind: 'file', path: 'a', sha256: HASH_11 }]))).toBe('MANIFEST_BAD_SIZE');
    expect(codeOf(() => buildManifest([{ kind: 'file', path: 'a', size: 1 }]))).toBe('MANIFEST_BAD_HASH');
  });

  it('refuses two spellings of one name once both are NFC', () => {
    const items = [
      { kind: 'directory', path: 'caf\u00e9' },
      { kind: 'directory', path: 'cafe\u0301' },
    ] as const;
    expect(codeOf(() => buildManifest(items))).toBe('MANIFEST_DUPLICATE_PATH');
  });
});

describe('manifestTotals', () => {
  it('counts files, directories and bytes', () => {
    const m = buildManifest([
      { kind: 'directory', path: 'd' },
      { kind: 'file', path: 'd/x', size: 10, sha256: HASH_11 },
      { kind: 'file', path: 'y', size: MANIFEST_LIMITS.maxFileSize, sha256: HASH_11 },
    ]);
    expect(manifestTotals(m)).toEqual({ files: 2, directories: 1, bytes: 10 + MANIFEST_LIMITS.maxFileSize });
  });
});
