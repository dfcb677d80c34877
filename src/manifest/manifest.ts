/**
 * The transfer manifest: the files and folders a sender offers, and the limits a receiver holds it to.
 *
 * Purpose: before any file content moves, the sender describes the whole transfer as an ordered list of entries.
 * An entry's position in `entries` is its *file index*, the number every later protocol message uses to name it
 * (directories have indices too, so indices never shift when a folder is empty). Files carry their plaintext size and
 * SHA-256 so the receiver can show the total up front and check each file once it has been written.
 *
 * Trust assumptions: the sending peer may be hostile. The relay cannot forge or alter a manifest (it travels inside
 * the authenticated channel and is bound by `hashManifest`), but the sender itself can put anything in it: `../`
 * paths, absolute paths, Windows device names, names that collide on a case-insensitive disk, sizes in the
 * petabytes. A receiver therefore touches no disk until `decodeManifest` (which ends in `validateManifest`) has
 * accepted the manifest, and even then treats each path only as a name to create, with exclusive create and
 * without following links, inside a directory the receiver chose. Validation makes each path relative, canonical
 * and portable; it cannot know what already exists on the receiver's disk, which is the file sink's job.
 *
 * Wire layout: see `codec.ts` (format 1). Validation rules: see `validate.ts`.
 */

/**
 * One offered item. Only regular files and directories exist here: symlinks, devices, sockets and FIFOs are never
 * transferable, so there is no way to express them.
 */
export type ManifestEntry =
  | { readonly kind: 'file'; readonly path: string; readonly size: number; readonly sha256: Uint8Array }
  | { readonly kind: 'directory'; readonly path: string };

/** The whole offer. `entries[i]` is file index `i`. */
export interface Manifest {
  readonly entries: readonly ManifestEntry[];
}

/**
 * Hard limits. A manifest past any of them is rejected, not truncated.
 *
 * - `maxEntries`: entries of either kind.
 * - `maxPathBytes`: UTF-8 bytes of a whole path (Linux PATH_MAX); `maxSegmentBytes`: of one name (ext4, APFS and,
 *   since UTF-8 is never shorter than UTF-16, NTFS's 255 UTF-16 units).
 * - `maxFileSize` 4 TiB and `maxTotalSize` 16 TiB: far above any real transfer, far below 2^53 so every size and
 *   every running total stays an exact JavaScript number.
 * - `maxEncodedBytes`: the encoded manifest, so a receiver never buffers more than 16 MiB before validating.
 */
export const MANIFEST_LIMITS = {
  maxEntries: 100_000,
  maxPathBytes: 4096,
  maxSegmentBytes: 255,
  maxFileSize: 2 ** 42,
  maxTotalSize: 2 ** 44,
  maxEncodedBytes: 16 * 1024 * 1024,
} as const;

/**
 * Counts of a manifest for display and progress: number of files, number of directories, total file bytes.
 * Meant for validated manifests (whose total is at most `maxTotalSize`, hence exact); it does not validate and
 * does not throw.
 */
export function manifestTotals(m: Manifest): { files: number; directories: number; bytes: number } {
  let files = 0;
  let directories = 0;
  let bytes = 0;
  for (const entry of m.entries) {
    if (entry.kind === 'file') {
      files += 1;
      bytes += entry.size;
    } else {
      directories += 1;
    }
  }
  return { files, directories, bytes };
}
