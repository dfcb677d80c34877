/**
 * BlobStore on the local file system: one file per document, `<dir>/<name>.json` (the documents stored today, the
 * trust store and settings, are JSON; the store itself only moves bytes).
 *
 * Atomicity (the port's contract): a write goes to a temporary file in the same directory, is fsynced, renamed over
 * the old file, and then the directory is fsynced so the rename itself survives a power cut. A reader therefore
 * sees the old or the new document, never a mix. The rename is the commit point: once it has happened the write is
 * reported as done even if the directory fsync then fails, because reporting a failure for a document that is in
 * fact on disk would make callers (the trust store) keep an in-memory state that disagrees with the disk.
 *
 * Privacy: the trust store lists who the user exchanges files with, so the directory is created 0700 and files
 * 0600 (on POSIX; Windows ignores the modes and relies on the profile directory's ACL).
 *
 * Names are restricted to /^[a-z0-9-]+$/, so a name can never leave `dir` or collide with a temporary file.
 * Not handled: several processes writing the same document (last rename wins, which is still never a torn file).
 */

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fail } from '../../src/errors';
import type { BlobStore } from '../../src/ports/blob-store';

const NAME = /^[a-z0-9-]+$/;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * A BlobStore keeping each document in `<dir>/<name>.json`; `dir` is created (mode 0700) on the first write.
 * `read` and `write` throw SealdropError BAD_INPUT for a name outside /^[a-z0-9-]+$/, and reject with the file
 * system's own error when the disk fails; a missing document reads as null.
 */
export function fileBlobStore(dir: string): BlobStore {
  const root = resolve(dir);
  const fileOf = (name: string): string => {
    if (!NAME.test(name)) {
      fail('BAD_INPUT', `blob names are lowercase letters, digits and '-': ${JSON.stringify(name)}`);
    }
    return join(root, `${name}.json`);
  };
  return {
    async read(name) {
      const file = fileOf(name);
      try {
        return new Uint8Array(await readFile(file));
      } catch (error) {
        if (isErrno(error, 'ENOENT')) return null;
        throw error;
      }
    },
    async write(name, data) {
      const file = fileOf(name);
      await mkdir(root, { recursive: true, mode: DIR_MODE });
      await writeFileAtomically(file, data, FILE_MODE);
    },
  };
}

/**
 * Replace `path` with `data` atomically: temporary file in the same directory (created exclusively with `mode`),
 * fsync, rename, fsync of the directory (best effort, see the file header). The directory must exist.
 * On failure before the rename, the temporary file is removed and `path` is untouched.
 */
export async function writeFileAtomically(path: string, data: Uint8Array, mode: number): Promise<void> {
  const dir = dirname(path);
  // A leading dot and a random suffix: never a valid blob name, never a file someone else is writing.
  const temporary = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx', mode);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temporary, path);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync, and NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Best effort: the rename has already committed the document (file header).
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** True when `error` is a Node system error with errno code `code`. */
export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
