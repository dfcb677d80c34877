/**
 * Touching names inside the receiver's output folder without following anything a hostile sender could have aimed
 * us at — the file-system primitives fs-sink.ts and fs-sink-state.ts are built on.
 *
 * Trust assumptions: the names come from a manifest that passed validateManifest (relative, canonical, no '..'),
 * but what already exists under the root is unknown: a symlink at a folder's name pointing at ~/.ssh, a file where a
 * folder should be, a symlink or hard link where we mean to create a file. So:
 * - folders are walked one component at a time with lstat, and created one mkdir at a time (never recursively
 *   through components nobody checked); a symlink or a non-folder in the way is SINK_FAILED;
 * - after the walk, the folder's realpath must still lie inside the root;
 * - files are opened with O_NOFOLLOW (where the platform has it; on Windows the lstat before each open is the check)
 *   and checked again on the open descriptor: a regular file, one link, the same dev:ino as the lstat saw.
 * Local races: Node has no openat()/O_BENEATH, so another *local* process able to write under the root could swap a
 * checked folder for a symlink between our lstat and our use of it. The threat here is the sending peer, which
 * touches our disk only through these calls; a hostile local user is out of scope (THREAT-MODEL.md).
 */

import { constants, promises as fsp, type BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { fail } from '../../src/errors';
import { pathExcerpt } from '../../src/manifest/validate';

const OPTIONAL_FLAGS = constants as Partial<typeof constants>;
/** O_NOFOLLOW is missing on Windows; there the lstat before each open is the check. */
export const NOFOLLOW = OPTIONAL_FLAGS.O_NOFOLLOW ?? 0;
const CREATE_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;
const REOPEN_FLAGS = constants.O_RDWR | NOFOLLOW;

/** What a walk below the root found: every component a real folder, one missing, or one that is not a folder. */
export type FolderKind = 'folder' | 'missing' | 'blocked';

/** An open file and its identity ("dev:ino"), as checked on the descriptor. */
export interface CheckedFile {
  readonly handle: FileHandle;
  readonly id: string;
}

function sinkFail(message: string, cause?: unknown): never {
  return fail('SINK_FAILED', message, cause);
}

export function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

/** A file's identity: "dev:ino". */
export function idOf(stats: BigIntStats): string {
  return `${stats.dev}:${stats.ino}`;
}

export async function lstatOrNull(target: string): Promise<BigIntStats | null> {
  try {
    return await fsp.lstat(target, { bigint: true });
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
}

/** unlink (which removes a symlink itself, never its target); a name already gone is fine. */
export async function unlinkQuietly(target: string): Promise<void> {
  try {
    await fsp.unlink(target);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
}

/** Makes a rename or link in `dir` durable. Folders cannot be opened for fsync on Windows: best effort there. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await fsp.open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // Durability of the name only; the data itself was synced before.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Walks `segments` below `root` by lstat without creating anything. `cache` remembers folders across walks. */
export async function inspectFolders(
  root: string,
  segments: readonly string[],
  cache?: Map<string, FolderKind>,
): Promise<FolderKind> {
  let current = root;
  for (const segment of segments) {
    current = path.join(current, segment);
    let kind = cache?.get(current);
    if (kind === undefined) {
      const stats = await lstatOrNull(current);
      kind = !stats ? 'missing' : stats.isDirectory() ? 'folder' : 'blocked';
      cache?.set(current, kind);
    }
    if (kind !== 'folder') return kind;
  }
  return 'folder';
}

/**
 * Makes every folder in `segments` exist below `root`, one mkdir at a time, refusing a symlink or a file in the way;
 * then checks the result still resolves inside `root` (which must itself be a realpath). Returns the folder's path.
 * @throws SealdropError SINK_FAILED naming `where` and an inert excerpt of the offending component.
 */
export async function ensureFolders(root: string, segments: readonly string[], where: string): Promise<string> {
  let current = root;
  for (const [i, segment] of segments.entries()) {
    current = path.join(current, segment);
    let stats = await lstatOrNull(current);
    if (!stats) {
      try {
        await fsp.mkdir(current);
      } catch (error) {
        if (errnoOf(error) !== 'EEXIST') throw error;
      }
      stats = await lstatOrNull(current);
    }
    const name = pathExcerpt(segments.slice(0, i + 1).join('/'));
    if (!stats) sinkFail(`${where}: folder ${name} vanished while it was created`);
    if (stats.isSymbolicLink()) sinkFail(`${where}: ${name} is a symlink; refusing to follow a symlink`);
    if (!stats.isDirectory()) sinkFail(`${where}: ${name} exists and is not a folder`);
  }
  const relative = path.relative(root, await fsp.realpath(current));
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    sinkFail(`${where}: resolves outside the output folder`);
  }
  return current;
}

/** Creates `file` for reading and writing with O_CREAT|O_EXCL|O_NOFOLLOW; null if something is already there. */
export async function createExclusive(file: string): Promise<CheckedFile | null> {
  try {
    const handle = await fsp.open(file, CREATE_FLAGS, 0o666);
    return { handle, id: idOf(await handle.stat({ bigint: true })) };
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error;
  }
  return null;
}

/**
 * Opens an existing `file` for reading and writing only if it is a regular file with one link — checked by lstat and
 * again on the descriptor — and, when `expectedId` is given, that very file.
 * @throws SealdropError SINK_FAILED, each message starting with `label` (e.g. "entry 3 'a.txt': its part file").
 */
export async function openSingleLinkFile(file: string, label: string, expectedId: string | null): Promise<CheckedFile> {
  const before = await lstatOrNull(file);
  if (!before) sinkFail(`${label} is missing`);
  if (before.isSymbolicLink()) sinkFail(`${label} is a symlink; refusing to follow a symlink`);
  if (!before.isFile()) sinkFail(`${label} is not a regular file`);
  let handle: FileHandle;
  try {
    handle = await fsp.open(file, REOPEN_FLAGS);
  } catch (error) {
    if (errnoOf(error) === 'ELOOP') sinkFail(`${label} is a symlink; refusing to follow a symlink`);
    throw error;
  }
  try {
    const stats = await handle.stat({ bigint: true });
    const id = idOf(stats);
    if (!stats.isFile() || id !== idOf(before)) sinkFail(`${label} changed while it was opened`);
    if (stats.nlink !== 1n) sinkFail(`${label} has other hard links; refusing to write through it`);
    if (expectedId !== null && id !== expectedId) sinkFail(`${label} was replaced`);
    return { handle, id };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
