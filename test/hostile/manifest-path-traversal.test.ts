/**
 * A hostile sender names entries so that writing them would escape the receiver's chosen directory, or land
 * somewhere other than the name shown. Every such path is refused by validatePath, by validateManifest, and by
 * decodeManifest on the wire, each with its own code.
 */
import { describe, expect, it } from 'vitest';
import { ByteWriter, utf8 } from '../../src/bytes';
import { SealdropError, type ErrorCode } from '../../src/errors';
import { decodeManifest } from '../../src/manifest/codec';
import { validateManifest, validatePath } from '../../src/manifest/validate';

function codeOf(fn: () => unknown): ErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof SealdropError) return error.code;
    throw error;
  }
  return undefined;
}

/** One directory entry with raw path bytes, bypassing the encoder's own validation. */
function wireDirectory(path: string): Uint8Array {
  return new ByteWriter().u8(1).u32(1).u8(2).bytes16(utf8(path)).finish();
}

const RAW_CASES: readonly (readonly [string, ErrorCode])[] = [
  // climbing out
  ['..', 'MANIFEST_TRAVERSAL'],
  ['../x', 'MANIFEST_TRAVERSAL'],
  ['a/../../etc/passwd', 'MANIFEST_TRAVERSAL'],
  ['a/b/..', 'MANIFEST_TRAVERSAL'],
  ['a/../', 'MANIFEST_TRAVERSAL'], // traversal outranks the trailing empty segment
  ['.', 'MANIFEST_TRAVERSAL'],
  ['./a', 'MANIFEST_TRAVERSAL'],
  ['a/./b', 'MANIFEST_TRAVERSAL'],
  // Windows strips trailing dots and spaces: each of these would become '..' or '.' or '' there
  ['.. ', 'MANIFEST_TRAILING_DOT_OR_SPACE'],
  ['a/.. /b', 'MANIFEST_TRAILING_DOT_OR_SPACE'],
  ['...', 'MANIFEST_TRAILING_DOT_OR_SPACE'],
  ['a/. /b', 'MANIFEST_TRAILING_DOT_OR_SPACE'],
  [' ', 'MANIFEST_TRAILING_DOT_OR_SPACE'],
  // absolute
  ['/etc/passwd', 'MANIFEST_ABSOLUTE_PATH'],
  ['/', 'MANIFEST_ABSOLUTE_PATH'],
  ['//server/share', 'MANIFEST_ABSOLUTE_PATH'],
  ['\\Windows\\System32', 'MANIFEST_ABSOLUTE_PATH'],
  ['\\\\server\\share\\x', 'MANIFEST_ABSOLUTE_PATH'],
  ['\\\\?\\C:\\x', 'MANIFEST_ABSOLUTE_PATH'],
  ['\\\\.\\PhysicalDrive0', 'MANIFEST_ABSOLUTE_PATH'],
  ['C:\\Windows\\win.ini', 'MANIFEST_ABSOLUTE_PATH'],
  ['C:/Windows/win.ini', 'MANIFEST_ABSOLUTE_PATH'],
  ['c:foo', 'MANIFEST_ABSOLUTE_PATH'], // drive-relative
  ['z:', 'MANIFEST_ABSOLUTE_PATH'],
  // backslash is not a separator here, and is refused so Windows can never read it as one
  ['..\\x', 'MANIFEST_RESERVED_CHARACTER'],
  ['a\\..\\..\\x', 'MANIFEST_RESERVED_CHARACTER'],
  ['a:stream', 'MANIFEST_ABSOLUTE_PATH'], // on Windows, drive A: relative
  // NTFS alternate data streams
  ['ab:stream', 'MANIFEST_RESERVED_CHARACTER'],
  ['a/b.txt::$DATA', 'MANIFEST_RESERVED_CHARACTER'],
  // empty names
  ['', 'MANIFEST_EMPTY_PATH'],
  ['a//b', 'MANIFEST_EMPTY_SEGMENT'],
  ['a/', 'MANIFEST_EMPTY_SEGMENT'],
  // NUL truncation and other control characters
  ['safe.txt\u0000.exe', 'MANIFEST_CONTROL_CHARACTER'],
  ['safe.txt\u0000../../x', 'MANIFEST_TRAVERSAL'], // the '..' segment is found first
  ['a\nb', 'MANIFEST_CONTROL_CHARACTER'],
  ['a\rb', 'MANIFEST_CONTROL_CHARACTER'],
  ['a\u001bb', 'MANIFEST_CONTROL_CHARACTER'],
  ['a\u007fb', 'MANIFEST_CONTROL_CHARACTER'],
  ['a\u0085b', 'MANIFEST_CONTROL_CHARACTER'],
  ['a\u009fb', 'MANIFEST_CONTROL_CHARACTER'],
  // disguised extensions: "invoice\u202Efdp.exe" displays as "invoiceexe.pdf"
  ['invoice\u202efdp.exe', 'MANIFEST_RESERVED_CHARACTER'],
  ['a\u202ab', 'MANIFEST_RESERVED_CHARACTER'],
  ['a\u202db', 'MANIFEST_RESERVED_CHARACTER'],
  ['a\u2066b', 'MANIFEST_RESERVED_CHARACTER'],
  ['a\u2069b', 'MANIFEST_RESERVED_CHARACTER'],
  // two spellings of one name, and broken UTF-16
  ['cafe\u0301', 'BAD_ENCODING'],
  ['a\ud800b', 'BAD_ENCODING'],
  ['a\udc00', 'BAD_ENCODING'],
  ['\ud83d', 'BAD_ENCODING'],
  // length
  ['a'.repeat(256), 'MANIFEST_SEGMENT_TOO_LONG'],
  ['é'.repeat(128), 'MANIFEST_SEGMENT_TOO_LONG'], // 128 UTF-16 units, 256 UTF-8 bytes
  [Array.from({ length: 17 }, () => 'a'.repeat(255)).join('/'), 'MANIFEST_PATH_TOO_LONG'],
  ['😀'.repeat(1025), 'MANIFEST_PATH_TOO_LONG'], // 2,050 UTF-16 units, 4,100 UTF-8 bytes
  ['a'.repeat(1_000_000), 'MANIFEST_PATH_TOO_LONG'],
];

/** [short printable label, path, code]: test names never carry a whole hostile path. */
const CASES = RAW_CASES.map(([path, code]) => {
  const shown = JSON.stringify(path);
  return [shown.length > 40 ? `${shown.slice(0, 30)}… (${path.length} units)` : shown, path, code] as const;
});

describe('hostile manifest: path traversal and escaping names', () => {
  it.each(CASES)('validatePath(%s) → %s', (_label, path, code) => {
    expect(codeOf(() => validatePath(path))).toBe(code);
  });

  it.each(CASES)('validateManifest with %s → %s', (_label, path, code) => {
    expect(codeOf(() => validateManifest({ entries: [{ kind: 'directory', path }] }))).toBe(code);
  });

  it.each(CASES.filter(([, path]) => !/[\ud800-\udfff]/.test(path) && path.length < 65_536))(
    'decodeManifest with %s on the wire → %s',
    (_label, path, code) => {
      expect(codeOf(() => decodeManifest(wireDirectory(path)))).toBe(code);
    },
  );

  it('a lone surrogate cannot even be sent: its UTF-8 form is invalid', () => {
    const bytes = new ByteWriter().u8(1).u32(1).u8(2).bytes16(Uint8Array.of(0x61, 0xed, 0xa0, 0x80)).finish();
    expect(codeOf(() => decodeManifest(bytes))).toBe('BAD_ENCODING');
  });

  it.each([
    'a',
    'a/b/c.txt',
    '.hidden/.config',
    'a..b',
    '..a', // only whole segments '.' and '..' climb
  ])('accepts the ordinary name %j', (path) => {
    expect(codeOf(() => validatePath(path))).toBeUndefined();
  });

  it.each([
    '%2e%2e/x', // no percent-decoding happens anywhere, so this is a literal name
    '\uff0e\uff0e/x', // fullwidth full stops: a literal name for the wide-char file APIs the receiver uses
    'x/\u2024\u2024', // one-dot leaders
    'a b/c d.txt',
    '日本語/ファイル.txt',
    '😀/ok',
    'a'.repeat(255),
  ])('accepts the look-alike but harmless name %j', (path) => {
    expect(codeOf(() => validatePath(path))).toBeUndefined();
  });

  it('accepts a path of exactly maxPathBytes UTF-8 bytes', () => {
    const path = `${Array.from({ length: 15 }, () => 'a'.repeat(255)).join('/')}/${'a'.repeat(254)}/b`;
    expect(utf8(path).length).toBe(4096);
    expect(codeOf(() => validatePath(path))).toBeUndefined();
  });
});
