/**
 * Canonical binary encoding of the transfer manifest, and the manifest hash.
 *
 * Purpose: the sender encodes its manifest once; the receiver decodes it, validates it, shows it, and both sides
 * bind `hashManifest` into what they agree on. The encoding is canonical: every manifest has exactly one encoding
 * and a decoder accepts nothing else (no unknown kinds, no slack bytes, strict shortest-form UTF-8, exact integer
 * widths), so `encodeManifest(decodeManifest(b))` equals `b` byte for byte and the hash of a decoded manifest is
 * the hash of the bytes received.
 *
 * Trust assumptions: the bytes come from a possibly hostile sender. The decoder refuses input over
 * `maxEncodedBytes` before reading it, checks the entry count against both `maxEntries` and the bytes that follow
 * before allocating anything per entry (each entry takes at least 3 bytes), reads every length through
 * `ByteReader`, and finishes with `validateManifest`, so a decoded manifest has passed every rule in
 * `validate.ts`. Every failure is a SealdropError.
 *
 * Wire layout, format 1 (all integers big-endian):
 *
 *   offset  size  field
 *   0       1     format        u8, = 1
 *   1       4     count         u32, number of entries, at most 100 000
 *   5       …     entry × count
 *
 *   entry:
 *   0       1     kind          u8, 1 = file, 2 = directory
 *   1       2     pathLength    u16, bytes of path
 *   3       n     path          UTF-8, NFC, '/'-separated, relative (rules in validate.ts)
 *   file only:
 *   3+n     8     size          u64, plaintext bytes, at most 2^42
 *   11+n    32    sha256        SHA-256 of the file's plaintext
 *
 * Manifest hash: SHA-256( utf8("sealdrop/v1 manifest") ‖ 0x00 ‖ encodeManifest(m) ). The label separates this hash
 * from every other SHA-256 the protocol computes; the zero byte ends the label.
 *
 * Error codes: an unknown format, truncation, trailing bytes and invalid UTF-8 are BAD_ENCODING; an unknown kind
 * byte is MANIFEST_BAD_KIND; a size beyond 2^53 − 1 is MANIFEST_BAD_SIZE (like any other absurd size, not an
 * encoding fault). An encoding over `maxEncodedBytes` is MANIFEST_TOO_MANY_ENTRIES, on both sides: the manifest is
 * well-formed but too big to accept, which is the same answer (and the same remedy, split the transfer) as too
 * many entries, and the sender hears it from `encodeManifest` before it sends anything a receiver would refuse.
 */

import { ByteReader, ByteWriter, concatBytes, fromUtf8, utf8 } from '../bytes';
import { sha256 } from '../crypto/primitives';
import { fail } from '../errors';
import { MANIFEST_LIMITS, type Manifest, type ManifestEntry } from './manifest';
import { validateManifest } from './validate';

/** The only manifest format this code reads or writes. */
export const MANIFEST_FORMAT = 1;

const KIND_FILE = 1;
const KIND_DIRECTORY = 2;
/** kind (1) + pathLength (2): the least an entry can occupy, used to bound `count` before the loop. */
const MIN_ENTRY_BYTES = 3;
const HASH_LABEL = utf8('sealdrop/v1 manifest');

function tooBig(): never {
  return fail('MANIFEST_TOO_MANY_ENTRIES', `encoded manifest exceeds ${MANIFEST_LIMITS.maxEncodedBytes} bytes`);
}

/**
 * The canonical encoding of `m`. Validates first, so nothing a receiver would refuse is ever produced.
 * @throws SealdropError: any `validateManifest` code; MANIFEST_TOO_MANY_ENTRIES if the encoding would pass
 *   `maxEncodedBytes`.
 */
export function encodeManifest(m: Manifest): Uint8Array {
  validateManifest(m);
  const writer = new ByteWriter(1024);
  writer.u8(MANIFEST_FORMAT).u32(m.entries.length);
  for (const entry of m.entries) {
    writer.u8(entry.kind === 'file' ? KIND_FILE : KIND_DIRECTORY).bytes16(utf8(entry.path));
    if (entry.kind === 'file') writer.u64(entry.size).bytes(entry.sha256);
    if (writer.length > MANIFEST_LIMITS.maxEncodedBytes) tooBig();
  }
  return writer.finish();
}

/**
 * Decodes and fully validates a manifest received from the other side. The result is frozen and shares no memory
 * with `bytes`.
 * @throws SealdropError: BAD_ENCODING (unknown format, truncated, trailing bytes, invalid UTF-8),
 *   MANIFEST_BAD_KIND (kind byte not 1 or 2), MANIFEST_BAD_SIZE (size past 2^53 − 1),
 *   MANIFEST_TOO_MANY_ENTRIES (count over `maxEntries`, or input over `maxEncodedBytes`), then any
 *   `validateManifest` code.
 */
export function decodeManifest(bytes: Uint8Array): Manifest {
  if (!(bytes instanceof Uint8Array)) fail('BAD_INPUT', 'manifest encoding must be a Uint8Array');
  if (bytes.length > MANIFEST_LIMITS.maxEncodedBytes) tooBig();

  const reader = new ByteReader(bytes, 'BAD_ENCODING');
  const format = reader.u8();
  if (format !== MANIFEST_FORMAT) fail('BAD_ENCODING', `unknown manifest format ${format}`);
  const count = reader.u32();
  if (count > MANIFEST_LIMITS.maxEntries) {
    fail('MANIFEST_TOO_MANY_ENTRIES', `manifest claims more than ${MANIFEST_LIMITS.maxEntries} entries`);
  }
  if (count * MIN_ENTRY_BYTES > reader.remaining) fail('BAD_ENCODING', 'entry count exceeds the bytes that follow');

  const entries: ManifestEntry[] = [];
  for (let i = 0; i < count; i++) {
    const kind = reader.u8();
    if (kind !== KIND_FILE && kind !== KIND_DIRECTORY) {
      fail('MANIFEST_BAD_KIND', `entry ${i}: unknown kind ${kind}; only files and directories can be transferred`);
    }
    const path = fromUtf8(reader.bytes16(), 'BAD_ENCODING');
    if (kind === KIND_DIRECTORY) {
      entries.push(Object.freeze({ kind: 'directory', path }));
      continue;
    }
    // Read the u64 as two halves so an absurd size is reported as a size, not as an encoding fault.
    const high = reader.u32();
    const low = reader.u32();
    if (high > 0x1f_ffff) fail('MANIFEST_BAD_SIZE', `entry ${i}: size is not an integer from 0 to 2^42`);
    const size = high * 0x1_0000_0000 + low;
    const hash = reader.bytes(32);
    entries.push(Object.freeze({ kind: 'file', path, size, sha256: hash }));
  }
  reader.end();

  const manifest: Manifest = Object.freeze({ entries: Object.freeze(entries) });
  validateManifest(manifest);
  return manifest;
}

/**
 * SHA-256( utf8("sealdrop/v1 manifest") ‖ 0x00 ‖ encodeManifest(m) ), the 32-byte digest that names a manifest.
 * @throws (rejects with) whatever `encodeManifest` throws.
 */
export async function hashManifest(m: Manifest): Promise<Uint8Array> {
  return sha256(concatBytes(HASH_LABEL, Uint8Array.of(0), encodeManifest(m)));
}
