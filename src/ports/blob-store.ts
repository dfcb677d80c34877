/**
 * Small-document persistence port (trust store, settings). `write` must be atomic: after a crash, `read` returns
 * either the old or the new document, never a mix (adapters write a temporary file, fsync, rename).
 */

export interface BlobStore {
  read(name: string): Promise<Uint8Array | null>;
  write(name: string, data: Uint8Array): Promise<void>;
}
