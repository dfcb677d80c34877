/**
 * Sender-side construction of a manifest from what the sender's file walker found.
 *
 * Purpose: turn a list of walked items into the one manifest this sender will offer: paths normalised to NFC
 * (macOS hands out NFD names; receivers reject anything not NFC so that two spellings of one name cannot both
 * appear), symlinks and special files refused, and entries in a deterministic order, sorted by the UTF-8 bytes of
 * their path. Byte order puts every directory before its contents, because a path sorts before every path it is
 * a prefix of, and makes the manifest (hence its hash and its file indices) independent of walk order.
 *
 * Trust assumptions: the items come from our own file walker, but the names in them come from the local disk,
 * which may hold files someone else named (a downloaded archive, a shared folder), so they get the same full
 * validation a receiver applies; a sender never offers what an honest receiver would refuse.
 * Paths must already be relative and '/'-separated; converting an OS path (and its '\' separators on Windows) is
 * the walker's job, and a '\' left in a path is refused as a reserved character.
 *
 * Wire layout: none here; `codec.ts` encodes the result.
 */

import { utf8 } from '../bytes';
import { fail } from '../errors';
import { MANIFEST_LIMITS, type Manifest, type ManifestEntry } from './manifest';
import { validateManifest } from './validate';

/** One item found by the sender's walker. `size` and `sha256` are required for files and ignored otherwise. */
export interface ManifestSourceItem {
  readonly kind: 'file' | 'directory' | 'symlink' | 'other';
  readonly path: string;
  readonly size?: number;
  readonly sha256?: Uint8Array;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

function toEntry(item: ManifestSourceItem, where: string): ManifestEntry {
  if (item.kind !== 'file' && item.kind !== 'directory') {
    // Never follow a link or read a device on the sender's behalf: the user must pick the target itself.
    fail('MANIFEST_BAD_KIND', `${where}: only files and directories can be transferred`);
  }
  if (typeof item.path !== 'string') fail('BAD_INPUT', `${where}: path is not a string`);
  const path = item.path.normalize('NFC');
  if (item.kind === 'directory') return Object.freeze({ kind: 'directory', path });

  if (item.size === undefined) fail('MANIFEST_BAD_SIZE', `${where}: file has no size`);
  if (!(item.sha256 instanceof Uint8Array)) fail('MANIFEST_BAD_HASH', `${where}: file has no sha256`);
  // Copy the hash so a caller reusing its buffer cannot change the manifest after the fact.
  return Object.freeze({ kind: 'file', path, size: item.size, sha256: item.sha256.slice() });
}

/**
 * Builds the sender's manifest: NFC paths, files and directories only, sorted by UTF-8 path bytes, validated.
 * The result is frozen; entry `i` is file index `i`.
 * @throws SealdropError: MANIFEST_BAD_KIND for a symlink or other special file, MANIFEST_BAD_SIZE or
 *   MANIFEST_BAD_HASH for a file without size or hash, MANIFEST_TOO_MANY_ENTRIES, and any `validateManifest` code.
 */
export function buildManifest(items: readonly ManifestSourceItem[]): Manifest {
  const max = MANIFEST_LIMITS.maxEntries;
  if (items.length > max) fail('MANIFEST_TOO_MANY_ENTRIES', `more than ${max} items`);

  const keyed = items.map((item, i) => {
    const entry = toEntry(item, `item ${i}`);
    return { entry, key: utf8(entry.path) };
  });
  keyed.sort((a, b) => compareBytes(a.key, b.key)); // stable, and ties are duplicates that validation refuses

  const manifest: Manifest = Object.freeze({ entries: Object.freeze(keyed.map(({ entry }) => entry)) });
  validateManifest(manifest);
  return manifest;
}
