/**
 * File ports. The sender reads plaintext through `FileSource`; the receiver writes through `FileSink`.
 *
 * FileSink contract — the receiver's safety guarantees live here as much as in the core:
 * - entries are addressed by manifest index only; the adapter maps an index to a path under the chosen folder,
 *   using the already-validated manifest path, and must refuse to follow symlinks or leave that folder;
 * - chunks are written to a temporary part file (never under the final name) together with the persisted
 *   progress `{ verifiedChunks, hashState }`, so a crash resumes from the last verified chunk;
 * - `commit` is called only after the whole file verified (STREAM + SHA-256); it atomically renames the part file
 *   to its final name and must fail (SINK_FAILED) rather than overwrite something that appeared there meanwhile;
 * - `discard` removes an entry's partial state (used when verification fails).
 * Progress is scoped by the adapter to one transfer (the manifest hash), so parts of different transfers never mix.
 */

export interface PartProgress {
  /** Chunks 0..verifiedChunks-1 are verified and on disk. */
  readonly verifiedChunks: number;
  /** The chunk size those chunks were cut with; a session with another chunk size cannot resume from them. */
  readonly chunkSize: number;
  /** Serialised incremental SHA-256 state after those chunks (crypto/sha256.ts exportState). */
  readonly hashState: Uint8Array;
  /** The file is already under its final name (a previous session committed it). */
  readonly committed: boolean;
}

export interface FileSource {
  /** Exactly `length` bytes of entry `index` at `offset`; SOURCE_FAILED if the file changed or is unreadable. */
  read(index: number, offset: number, length: number): Promise<Uint8Array>;
}

export interface FileSink {
  progress(index: number): Promise<PartProgress | null>;
  createDirectory(index: number): Promise<void>;
  /** Append chunk `chunkIndex` (must equal the current verified count) and persist `progress` with it. */
  writeChunk(index: number, chunkIndex: number, plaintext: Uint8Array, progress: PartProgress): Promise<void>;
  commit(index: number): Promise<void>;
  discard(index: number): Promise<void>;
}
