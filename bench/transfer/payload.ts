/**
 * Benchmark payloads, made once per run and shared by every path and baseline: one large file, and a folder of
 * many small files. Content is random (a 64 MiB random block repeated; nothing on any path compresses or
 * deduplicates, so repetition past 64 MiB changes nothing and keeps generation to seconds).
 */

import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface FilePayload {
  readonly kind: 'file';
  readonly label: string;
  /** The file to send. */
  readonly path: string;
  readonly bytes: number;
  readonly files: 1;
}

export interface FolderPayload {
  readonly kind: 'files';
  readonly label: string;
  /** The folder to send; its files are `names` directly inside it. */
  readonly path: string;
  readonly names: readonly string[];
  readonly bytes: number;
  readonly files: number;
}

export type Payload = FilePayload | FolderPayload;

const BLOCK = 64 * 1024 * 1024;

export function makeFile(dir: string, bytes: number, label: string): FilePayload {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `big-${bytes}.bin`);
  const block = randomBytes(Math.min(BLOCK, bytes));
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < bytes; ) {
      const n = Math.min(block.length, bytes - written);
      written += writeSync(fd, block, 0, n);
    }
  } finally {
    closeSync(fd);
  }
  return { kind: 'file', label, path, bytes, files: 1 };
}

export function makeFolder(dir: string, count: number, size: number, label: string): FolderPayload {
  const path = join(dir, `files-${count}x${size}`);
  mkdirSync(path, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `f${String(i).padStart(6, '0')}.bin`;
    writeFileSync(join(path, name), randomBytes(size));
    names.push(name);
  }
  return { kind: 'files', label, path, names, bytes: count * size, files: count };
}
