/**
 * A hostile sender offers two entries that a receiver's disk would store as one file, so the second write lands on
 * (or inside) the first: exact duplicates, case variants on case-insensitive NTFS/APFS, Unicode case-fold
 * variants, HFS+'s ignorable invisible characters, a directory and a file of one name, or entries under a file.
 */
import { describe, expect, it } from 'vitest';
import { ByteWriter, utf8 } from '../../src/bytes';
import { SealdropError, type ErrorCode } from '../../src/errors';
import { decodeManifest } from '../../src/manifest/codec';
import type { Manifest, ManifestEntry } from '../../src/manifest/manifest';
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
const file = (path: string): ManifestEntry => ({ kind: 'file', path, size: 1, sha256: HASH });
const dir = (path: string): ManifestEntry => ({ kind: 'directory', path });

/** Encodes without validating, as a hostile sender would. */
function wire(m: Manifest): Uint8Array {
  const w = new ByteWriter().u8(1).u32(m.entries.length);
  for (const e of m.entries) {
    w.u8(e.kind === 'file' ? 1 : 2).bytes16(utf8(e.path));
    if (e.kind === 'file') w.u64(e.size).bytes(e.sha256);
  }
  return w.finish();
}

/** Asserts the code from validateManifest and from decodeManifest, in both entry orders. */
function expectBoth(entries: ManifestEntry[], code: ErrorCode | undefined): void {
  for (const order of [entries, [...entries].reverse()]) {
    expect(codeOf(() => validateManifest({ entries: order }))).toBe(code);
    expect(codeOf(() => decodeManifest(wire({ entries: order })))).toBe(code);
  }
}

describe('hostile manifest: duplicate paths', () => {
  it.each([
    ['exact duplicate files', [file('a.txt'), file('a.txt')]],
    ['exact duplicate directories', [dir('d'), dir('d')]],
    ['a directory and a file of one name', [dir('report'), file('report')]],
    ['ASCII case variants', [file('README.md'), file('readme.md')]],
    ['case variants of a directory', [dir('Photos'), dir('PHOTOS')]],
    ['case variants deep in the path', [file('a/B/c.txt'), file('a/b/C.TXT')]],
    ['non-ASCII case variants', [file('ÉTÉ.txt'), file('été.txt')]],
    ['Greek final and medial sigma', [file('ΟΔΟΣ'), file('οδος')]],
    ['final sigma against capital', [file('οδος'), file('οδοσ')]],
    ['long s against s', [file('\u017fecret'), file('secret')]],
    ['sharp s against SS (full upper-casing)', [file('straße'), file('STRASSE')]],
    ['Cyrillic case variants', [file('Файл'), file('файл')]],
    ['Deseret (astral) case variants', [file('\u{10400}'), file('\u{10428}')]],
    ['a zero-width non-joiner that HFS+ ignores', [file('.g\u200cit'), file('.git')]],
    ['a BOM that HFS+ ignores', [file('\ufeffname'), file('name')]],
    ['an invisible character in a parent directory', [file('x\u200d/y'), file('x/y')]],
  ])('refuses %s', (_name, entries) => {
    expectBoth(entries, 'MANIFEST_DUPLICATE_PATH');
  });

  it('refuses two spellings of one name: the decomposed one is not NFC', () => {
    expectBoth([file('caf\u00e9'), file('cafe\u0301')], 'BAD_ENCODING');
  });

  it('finds a duplicate among many entries and reports it without echoing the path', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => file(`f${i}`));
    entries.splice(1234, 0, file('Quarterly-Secret.xlsx'));
    entries.push(file('quarterly-secret.XLSX'));
    try {
      validateManifest({ entries });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SealdropError);
      expect((error as SealdropError).code).toBe('MANIFEST_DUPLICATE_PATH');
      expect((error as SealdropError).message.toLowerCase()).not.toContain('secret');
    }
  });

  it.each([
    ['names that merely look alike', [file('a'), file('а')]], // Latin a, Cyrillic a: distinct on every disk
    ['dotted capital I against i', [file('\u0130'), file('i')]],
    ['a prefix that is not a parent', [file('a'), file('ab/c')]],
    ['a sibling sorting between parent and child', [dir('a'), file('a-b'), file('a/b')]],
    ['a file beside a directory', [dir('a'), file('a/x'), file('b')]],
  ])('accepts %s', (_name, entries) => {
    expectBoth(entries, undefined);
  });
});

describe('hostile manifest: entries under a file', () => {
  it.each([
    ['a file under a file', [file('a'), file('a/b')]],
    ['a directory under a file', [file('a'), dir('a/b')]],
    ['a deep entry under a file, no directory between', [file('a'), file('a/b/c/d')]],
    ['a case variant of the file as parent', [file('Notes'), file('notes/x')]],
    ['a fold variant of the file as parent', [file('straße'), file('STRASSE/x')]],
    ['an ignorable-character variant as parent', [file('a\u200c'), file('a/x')]],
    ['a file amid siblings that sort between', [file('a'), file('a!'), file('a-'), file('a.b'), file('a/z')]],
  ])('refuses %s', (_name, entries) => {
    expectBoth(entries, 'MANIFEST_PARENT_IS_FILE');
  });

  it('reports the duplicate rule before the parent rule', () => {
    expectBoth([file('a'), file('a'), file('a/b')], 'MANIFEST_DUPLICATE_PATH');
  });

  it('stays fast on a manifest of maximal depth', () => {
    const deep = Array.from({ length: 2000 }, () => 'd').join('/');
    const entries = Array.from({ length: 2000 }, (_, i) => dir(`${deep}/${i}`));
    entries.push(file(deep.slice(0, 3)), dir(`${deep}/x`));
    const started = performance.now();
    expect(codeOf(() => validateManifest({ entries }))).toBe('MANIFEST_PARENT_IS_FILE');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
