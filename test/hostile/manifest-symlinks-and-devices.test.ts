/**
 * Only regular files and directories are transferable. A sender that offers a symlink (which would let a later
 * entry write through it, outside the receiver's directory), a device, a socket or a FIFO is refused, whether the
 * kind arrives as a wire byte, as an in-process object, or from the sender's own file walker.
 */
import { describe, expect, it } from 'vitest';
import { ByteWriter, utf8 } from '../../src/bytes';
import { SealdropError, type ErrorCode } from '../../src/errors';
import { buildManifest, type ManifestSourceItem } from '../../src/manifest/build';
import { decodeManifest } from '../../src/manifest/codec';
import type { ManifestEntry } from '../../src/manifest/manifest';
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

const HASH = new Uint8Array(32);

/** A manifest with one entry of raw kind byte `kind`, followed by what a file entry would carry. */
function wireKind(kind: number): Uint8Array {
  return new ByteWriter().u8(1).u32(1).u8(kind).bytes16(utf8('link')).u64(0).bytes(HASH).finish();
}

describe('hostile manifest: symlinks, devices, sockets', () => {
  it.each([0, 3, 4, 5, 6, 7, 0x7f, 0x80, 0xff])('refuses the unknown wire kind %i', (kind) => {
    expect(codeOf(() => decodeManifest(wireKind(kind)))).toBe('MANIFEST_BAD_KIND');
  });

  it('refuses an unknown kind after valid entries, naming it by index', () => {
    const bytes = new ByteWriter()
      .u8(1).u32(2)
      .u8(2).bytes16(utf8('d'))
      .u8(3).bytes16(utf8('d/evil')).bytes16(utf8('/etc'))
      .finish();
    expect(codeOf(() => decodeManifest(bytes))).toBe('MANIFEST_BAD_KIND');
  });

  it.each(['symlink', 'other', 'device', 'socket', 'fifo', 'File', 'dir', '', undefined, null, 1])(
    'refuses the in-process kind %j',
    (kind) => {
      const entries = [{ kind, path: 'x', size: 0, sha256: HASH }] as unknown as ManifestEntry[];
      expect(codeOf(() => validateManifest({ entries }))).toBe('MANIFEST_BAD_KIND');
    },
  );

  it('refuses an entry that is not an object', () => {
    for (const entry of [null, undefined, 'file', 42]) {
      const entries = [entry] as unknown as ManifestEntry[];
      expect(codeOf(() => validateManifest({ entries }))).toBe('MANIFEST_BAD_KIND');
    }
  });

  it.each(['symlink', 'other'] as const)('the sender refuses a walked %s, even amid valid items', (kind) => {
    const items: ManifestSourceItem[] = [
      { kind: 'directory', path: 'photos' },
      { kind: 'file', path: 'photos/a.jpg', size: 1, sha256: HASH },
      { kind, path: 'photos/link-to-home' },
    ];
    expect(codeOf(() => buildManifest(items))).toBe('MANIFEST_BAD_KIND');
  });

  it('refuses a manifest that is not shaped like one', () => {
    for (const m of [null, undefined, {}, { entries: 'x' }, { entries: {} }]) {
      expect(codeOf(() => validateManifest(m as never))).toBe('BAD_INPUT');
    }
  });

  it.each([
    ['/dev/sda', 'MANIFEST_ABSOLUTE_PATH'],
    ['/proc/self/mem', 'MANIFEST_ABSOLUTE_PATH'],
    ['\\\\.\\PhysicalDrive0', 'MANIFEST_ABSOLUTE_PATH'],
    ['\\\\.\\pipe\\x', 'MANIFEST_ABSOLUTE_PATH'],
    ['\\\\?\\GLOBALROOT\\Device', 'MANIFEST_ABSOLUTE_PATH'],
    ['logs/CONOUT$', 'MANIFEST_RESERVED_NAME'],
    ['COM1', 'MANIFEST_RESERVED_NAME'],
  ] as const)('refuses the device path %j', (path, code) => {
    expect(codeOf(() => validatePath(path))).toBe(code);
  });
});
