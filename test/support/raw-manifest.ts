/**
 * Manifests an honest sender cannot produce, for hostile-sender suites that drive the REAL session runner.
 *
 * Why this exists: a hostile sender chooses every byte of its OFFER, but our own encoder refuses to write anything a
 * receiver would refuse (`encodeManifest` validates first) — which is right for production and in the way here. So
 * a hostile suite replaces the manifest codec for its own process (`vi.mock` with `withRawManifests`, below): a
 * manifest carrying `RAW_MANIFEST` bytes is put on the wire — and committed to in the handshake — exactly as given,
 * while the session runner keeps using its `entries` (the "shadow") for what it actually sends. Every other
 * manifest goes through the real codec. The receiver is a separate `sealdrop` process, untouched.
 *
 *   vi.mock('../../src/manifest/codec', async (importOriginal) =>
 *     (await import('../support/raw-manifest')).withRawManifests(await importOriginal()));
 *
 * Wire layout written by `encodeRawManifest` (src/manifest/codec.ts, format 1, big-endian):
 *   u8 format = 1 ‖ u32 count ‖ count × (u8 kind ‖ u16 pathLength ‖ path UTF-8 ‖ [kind ≠ 2: u64 size ‖ sha256[32]])
 * Kind 3 is how a symlink would look if the format had one (it does not: only 1 file and 2 directory exist); it is
 * written with a size and hash like a file, which the decoder never reaches.
 */

import { ByteWriter, concatBytes, utf8 } from '../../src/bytes';
import { sha256 } from '../../src/crypto/primitives';
import type { Manifest } from '../../src/manifest/manifest';

export const RAW_MANIFEST = Symbol.for('sealdrop.test.raw-manifest');

export const KIND = { file: 1, directory: 2, symlink: 3 } as const;

export interface RawEntry {
  readonly kind: number;
  readonly path: string;
  readonly size?: number;
  readonly sha256?: Uint8Array;
}

/** Format-1 bytes for `entries`, with no validation at all. */
export function encodeRawManifest(entries: readonly RawEntry[]): Uint8Array {
  const w = new ByteWriter(256).u8(1).u32(entries.length);
  for (const entry of entries) {
    w.u8(entry.kind).bytes16(utf8(entry.path));
    if (entry.kind !== KIND.directory) w.u64(entry.size ?? 0).bytes(entry.sha256 ?? new Uint8Array(32));
  }
  return w.finish();
}

/** A manifest whose wire form is `wire` while the session runner works from `shadow.entries`. */
export function rawManifest(shadow: Manifest, wire: Uint8Array): Manifest {
  return Object.freeze({ entries: shadow.entries, [RAW_MANIFEST]: wire });
}

function rawOf(manifest: Manifest): Uint8Array | undefined {
  return (manifest as Manifest & { [RAW_MANIFEST]?: Uint8Array })[RAW_MANIFEST];
}

interface ManifestCodec {
  encodeManifest(manifest: Manifest): Uint8Array;
  hashManifest(manifest: Manifest): Promise<Uint8Array>;
}

/** The manifest codec module with raw manifests passed through (see the header). */
export function withRawManifests<C extends ManifestCodec>(codec: C): C {
  return {
    ...codec,
    encodeManifest: (manifest: Manifest) => rawOf(manifest)?.slice() ?? codec.encodeManifest(manifest),
    hashManifest: async (manifest: Manifest) => {
      const raw = rawOf(manifest);
      // The manifest hash of codec.ts: SHA-256("sealdrop/v1 manifest" ‖ 0x00 ‖ encoding), over the raw bytes.
      return raw ? sha256(concatBytes(utf8('sealdrop/v1 manifest'), Uint8Array.of(0), raw)) : codec.hashManifest(manifest);
    },
  };
}
