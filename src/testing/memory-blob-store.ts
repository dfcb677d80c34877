/**
 * In-memory BlobStore for tests. Writes are atomic by construction (a document is replaced whole), as the port
 * requires, and documents are copied in and out.
 *
 * Failure simulation: `failNextWrites(n)` makes the next n writes reject with `SimulatedWriteFailure` and leave the
 * stored document as it was — the "disk full / rename failed" case that callers must survive without diverging
 * from what is on disk.
 */

import type { BlobStore } from '../ports/blob-store';

/** What a simulated failed write rejects with (the port defines no error code; adapters choose their own). */
export class SimulatedWriteFailure extends Error {
  override readonly name = 'SimulatedWriteFailure';
}

export class MemoryBlobStore implements BlobStore {
  private readonly documents = new Map<string, Uint8Array>();
  private failuresLeft = 0;
  /** Successful writes so far (tests use it to check that every change is persisted, and nothing else is). */
  writeCount = 0;

  read(name: string): Promise<Uint8Array | null> {
    return Promise.resolve(this.documents.get(name)?.slice() ?? null);
  }

  write(name: string, data: Uint8Array): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return Promise.reject(new SimulatedWriteFailure(`simulated failure writing ${name}`));
    }
    this.documents.set(name, data.slice());
    this.writeCount++;
    return Promise.resolve();
  }

  /** Make the next `count` writes fail, keeping the old documents. */
  failNextWrites(count = 1): void {
    this.failuresLeft = count;
  }

  /** Test access: the stored bytes of `name` (a copy), or null. */
  peek(name: string): Uint8Array | null {
    return this.documents.get(name)?.slice() ?? null;
  }

  /** Test access: store `data` directly, e.g. a corrupt document, without counting a write. */
  put(name: string, data: Uint8Array): void {
    this.documents.set(name, data.slice());
  }
}
