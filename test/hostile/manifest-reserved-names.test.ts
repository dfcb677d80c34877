/**
 * A hostile sender offers names that Windows opens as devices (writing `NUL.tar.gz` writes nowhere; `COM1` talks
 * to a serial port; `CONOUT$` is the console) or that Windows silently renames (trailing dots and spaces), and
 * characters Windows forbids or that disguise a name. Each is refused with its own code, wherever it appears.
 */
import { describe, expect, it } from 'vitest';
import { ByteWriter, utf8 } from '../../src/bytes';
import { SealdropError, type ErrorCode } from '../../src/errors';
import { buildManifest } from '../../src/manifest/build';
import { decodeManifest } from '../../src/manifest/codec';
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

function wireFile(path: string): Uint8Array {
  return new ByteWriter().u8(1).u32(1).u8(1).bytes16(utf8(path)).u64(0).bytes(new Uint8Array(32)).finish();
}

const DEVICES = [
  'CON', 'PRN', 'AUX', 'NUL',
  ...[...'0123456789¹²³'].flatMap((d) => [`COM${d}`, `LPT${d}`]),
  'CONIN$', 'CONOUT$',
];

describe('hostile manifest: Windows device names', () => {
  const spellings = (name: string) => [
    name,
    name.toLowerCase(),
    name.charAt(0) + name.slice(1).toLowerCase(),
    `${name}.txt`,
    `${name.toLowerCase()}.tar.gz`,
    `${name} .txt`,
    `${name}   .log`,
    `dir/${name}`,
    `dir/${name.toLowerCase()}.json/inner`,
  ];

  it.each(DEVICES)('refuses %s in every spelling and position', (name) => {
    for (const path of spellings(name)) {
      expect(codeOf(() => validatePath(path)), path).toBe('MANIFEST_RESERVED_NAME');
      expect(codeOf(() => decodeManifest(wireFile(path))), path).toBe('MANIFEST_RESERVED_NAME');
    }
  });

  it('reports a device name with a trailing space or dot as a device name', () => {
    expect(codeOf(() => validatePath('nul '))).toBe('MANIFEST_RESERVED_NAME');
    expect(codeOf(() => validatePath('Aux.'))).toBe('MANIFEST_RESERVED_NAME');
  });

  it('refuses the dotless-i spelling that upper-cases to CONIN$', () => {
    expect(codeOf(() => validatePath('con\u0131n$'))).toBe('MANIFEST_RESERVED_NAME');
  });

  it('refuses them on the sender side too', () => {
    expect(codeOf(() => buildManifest([{ kind: 'directory', path: 'backup/NUL' }]))).toBe('MANIFEST_RESERVED_NAME');
  });

  it.each([
    'CONSOLE', 'nullable', 'auxiliary.txt', 'COM10', 'LPT', 'COM', 'xcon', 'con_x', 'con-1.txt', '.con', '_nul',
    'COM1a', 'LPT⁴', 'COM₁', 'CONIN', 'CONOUT',
  ])('accepts the merely similar %j', (path) => {
    expect(codeOf(() => validatePath(path))).toBeUndefined();
  });
});

describe('hostile manifest: reserved characters', () => {
  it.each([...'<>:"|?*\\'].map((c) => [c]))('refuses %j inside a name', (c) => {
    expect(codeOf(() => validatePath(`ab${c}cd`))).toBe('MANIFEST_RESERVED_CHARACTER');
    expect(codeOf(() => decodeManifest(wireFile(`dir/ab${c}cd`)))).toBe('MANIFEST_RESERVED_CHARACTER');
  });

  it.each(['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'].map((c) => [c]))(
    'refuses the bidi control %j that disguises an extension',
    (c) => {
      expect(codeOf(() => validatePath(`invoice${c}fdp.exe`))).toBe('MANIFEST_RESERVED_CHARACTER');
    },
  );

  it('refuses every control character, NUL included', () => {
    const controls = [
      ...Array.from({ length: 0x20 }, (_, i) => i),
      ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i),
    ];
    for (const cp of controls) {
      const path = `a${String.fromCharCode(cp)}b`;
      expect(codeOf(() => validatePath(path)), cp.toString(16)).toBe('MANIFEST_CONTROL_CHARACTER');
    }
    expect(codeOf(() => validatePath('a\u00a0b'))).toBeUndefined(); // U+00A0 is the first printable after them
  });
});

describe('hostile manifest: names Windows would silently rename', () => {
  it.each(['file.', 'file ', 'file. ', 'file .', 'dir./x', 'dir /x', 'a/b..', 'x/y   '])(
    'refuses %j',
    (path) => {
      expect(codeOf(() => validatePath(path))).toBe('MANIFEST_TRAILING_DOT_OR_SPACE');
      expect(codeOf(() => decodeManifest(wireFile(path)))).toBe('MANIFEST_TRAILING_DOT_OR_SPACE');
    },
  );

  it.each([' leading', 'in side', '.dotfile', 'a.b.c'])('accepts %j', (path) => {
    expect(codeOf(() => validatePath(path))).toBeUndefined();
  });
});
