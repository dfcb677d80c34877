/**
 * In-memory file source and sink for tests, implementing the FileSink contract of ports/files.ts faithfully:
 * chunks land in a part area with their progress, nothing appears under a final name before `commit`, and a
 * sink keeps its part state across sessions so resume can be tested. Failure injection covers a full disk.
 */

import { fail } from '../errors';
import { sha256Sync } from '../crypto/sha256';
import type { FileSink, FileSource, PartProgress } from '../ports/files';
import type { Manifest, ManifestEntry } from '../manifest/manifest';
import { buildManifest } from '../manifest/build';

export interface MemoryFile {
  readonly path: string;
  readonly data: Uint8Array;
}

/** A manifest (with real SHA-256s) and a source over in-memory files and empty directories. */
export function memorySource(files: readonly MemoryFile[], directories: readonly string[] = []) {
  const manifest = buildManifest([
    ...files.map((f) => ({ kind: 'file' as const, path: f.path, size: f.data.length, sha256: sha256Sync(f.data) })),
    ...directories.map((path) => ({ kind: 'directory' as const, path })),
  ]);
  const byPath = new Map(files.map((f) => [f.path.normalize('NFC'), f.data]));
  const source: FileSource = {
    read(index, offset, length) {
      const entry = manifest.entries[index];
      const data = entry ? byPath.get(entry.path) : undefined;
      if (!entry || entry.kind !== 'file' || !data || offset + length > data.length) {
        return Promise.reject(new Error('no such range'));
      }
      return Promise.resolve(data.slice(offset, offset + length));
    },
  };
  return { manifest, source };
}

interface Part {
  chunks: Uint8Array[];
  progress: PartProgress;
}

export class MemorySink implements FileSink {
  /** Files under their final names: path → contents. */
  readonly committed = new Map<string, Uint8Array>();
  readonly directories = new Set<string>();
  private readonly parts = new Map<number, Part>();
  /** Make writeChunk fail (SINK_FAILED) once this many chunks have been written in total. */
  failAfterChunks: number | null = null;
  private written = 0;

  private manifest: Manifest | null = null;
  /** How many times a session opened this sink. */
  opened = 0;

  /** Bind to the accepted manifest (what ReceiverOptions.openSink does); returns this sink. */
  open(manifest: Manifest): Promise<FileSink> {
    this.manifest = manifest;
    this.opened++;
    return Promise.resolve(this);
  }

  private entry(index: number): ManifestEntry {
    const entry = this.manifest?.entries[index];
    if (!entry) fail('SINK_FAILED', 'unknown entry');
    return entry;
  }

  progress(index: number): Promise<PartProgress | null> {
    return Promise.resolve(this.parts.get(index)?.progress ?? null);
  }

  createDirectory(index: number): Promise<void> {
    this.directories.add(this.entry(index).path);
    return Promise.resolve();
  }

  writeChunk(index: number, chunkIndex: number, plaintext: Uint8Array, progress: PartProgress): Promise<void> {
    if (this.failAfterChunks !== null && this.written >= this.failAfterChunks) {
      return Promise.reject(new Error('disk full'));
    }
    const part = this.parts.get(index) ?? { chunks: [], progress };
    if (chunkIndex !== part.chunks.length) fail('SINK_FAILED', 'chunk written out of order');
    part.chunks.push(plaintext.slice());
    part.progress = { ...progress, committed: false };
    this.parts.set(index, part);
    this.written++;
    return Promise.resolve();
  }

  commit(index: number): Promise<void> {
    const entry = this.entry(index);
    const part = this.parts.get(index);
    if (this.committed.has(entry.path)) fail('SINK_FAILED', 'final name already exists');
    const size = part ? part.chunks.reduce((n, c) => n + c.length, 0) : 0;
    const data = new Uint8Array(size);
    let offset = 0;
    for (const chunk of part?.chunks ?? []) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    this.committed.set(entry.path, data);
    if (part) part.progress = { ...part.progress, committed: true };
    return Promise.resolve();
  }

  discard(index: number): Promise<void> {
    this.parts.delete(index);
    return Promise.resolve();
  }

  /** Part files that exist and are not committed (what a crash would leave behind). */
  get pendingParts(): number {
    return [...this.parts.values()].filter((p) => !p.progress.committed).length;
  }
}
