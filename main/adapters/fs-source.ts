/**
 * The sender's file system: turns the paths given on the command line (or dropped on the window) into a manifest,
 * and reads chunks back for the session runner through `FileSource`.
 *
 * Naming: each argument becomes an entry named relative to its parent — `~/photos` offers `photos/…`, `~/a.txt`
 * offers `a.txt` — so two arguments with the same name (ignoring case and Unicode form, as every receiver does)
 * are refused up front with MANIFEST_DUPLICATE_PATH instead of colliding on the other side. Empty folders become
 * directory entries; other folders are implied by the files in them.
 *
 * Trust assumptions: the disk is ours, but names on it may come from anyone (a downloaded archive), so the
 * manifest goes through `buildManifest`, which applies the receiver's full validation. Nothing is followed: the
 * walk uses lstat, files are opened with O_NOFOLLOW (where the platform has it) and O_NONBLOCK (so a FIFO swapped
 * in after the lstat cannot hang the open), and the opened descriptor is fstat'ed again. Symlinks, devices,
 * sockets and FIFOs, at the top level or anywhere below, are MANIFEST_BAD_KIND naming the local path (local paths
 * may be shown locally; they never go to the peer except as the relative manifest name).
 *
 * Files may change between the scan and the send. The hash and the size come from one descriptor, and the scan
 * records (dev, ino, size, mtime); every `read` fstats the handle it reads through and refuses with SOURCE_FAILED
 * if any of them moved, so a changed file stops the transfer at the sender instead of after the receiver has
 * downloaded it all and failed the SHA-256. A rewrite that keeps size and mtime (within the file system's
 * timestamp resolution) is still caught, later, by the receiver's SHA-256 check.
 */

import { createHash } from 'node:crypto';
import { constants, promises as fsp, type BigIntStats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { fail, SealdropError } from '../../src/errors';
import { buildManifest, type ManifestSourceItem } from '../../src/manifest/build';
import { MANIFEST_LIMITS, type Manifest } from '../../src/manifest/manifest';
import type { FileSource } from '../../src/ports/files';

export interface ScanOptions {
  /**
   * Reserved, and only `false` is accepted: a symlink named on the command line is refused like any other. Kept
   * in the signature so that following them stays an explicit, reviewed decision, never a default.
   */
  readonly followTopLevelSymlinks?: false;
}

export interface FsFileSource extends FileSource {
  /** Closes every cached handle. Reads after `close` fail with SOURCE_FAILED. */
  close(): Promise<void>;
}

export interface ScanResult {
  readonly manifest: Manifest;
  readonly source: FsFileSource;
  /** `localPaths[i]` is the absolute local path of manifest entry `i` (for local display only). */
  readonly localPaths: string[];
}

/** O_NOFOLLOW and O_NONBLOCK do not exist on Windows; there, the lstat before the open is the only check. */
const OPTIONAL_FLAGS = constants as Partial<typeof constants>;
const READ_FLAGS = constants.O_RDONLY | (OPTIONAL_FLAGS.O_NOFOLLOW ?? 0) | (OPTIONAL_FLAGS.O_NONBLOCK ?? 0);
const HASH_BUFFER_BYTES = 1024 * 1024;
/** Cached read handles; the runner reads one file at a time, so a few are plenty and fds stay bounded. */
const MAX_OPEN_HANDLES = 8;

interface Found {
  readonly kind: 'file' | 'directory';
  /** '/'-separated manifest name, as found on disk (buildManifest normalises it to NFC). */
  readonly rel: string;
  readonly local: string;
  readonly size: number;
}

/** What a file was when it was hashed; a read through a handle whose fstat differs is refused. */
interface Stamp {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
}

interface ScannedFile {
  readonly local: string;
  readonly size: number;
  readonly stamp: Stamp;
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

function stampOf(stats: BigIntStats): Stamp {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs };
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;
}

function refuseKind(stats: BigIntStats, local: string): void {
  if (stats.isFile() || stats.isDirectory()) return;
  const what = stats.isSymbolicLink() ? 'a symlink' : 'not a regular file or folder';
  fail('MANIFEST_BAD_KIND', `${local} is ${what}; only files and folders can be sent`);
}

async function lstatLocal(local: string): Promise<BigIntStats> {
  try {
    return await fsp.lstat(local, { bigint: true });
  } catch (error) {
    return fail('SOURCE_FAILED', `cannot read ${local} (${errnoOf(error)})`, error);
  }
}

async function openForRead(local: string): Promise<FileHandle> {
  try {
    return await fsp.open(local, READ_FLAGS);
  } catch (error) {
    if (errnoOf(error) === 'ELOOP') fail('MANIFEST_BAD_KIND', `${local} became a symlink; only files and folders can be sent`);
    return fail('SOURCE_FAILED', `cannot open ${local} (${errnoOf(error)})`, error);
  }
}

/** The top-level manifest names, refusing two arguments that a receiver would see as one name. */
function topLevel(paths: readonly string[]): { local: string; name: string }[] {
  const seen = new Map<string, string>();
  return paths.map((given) => {
    if (typeof given !== 'string' || given.length === 0) fail('BAD_INPUT', 'a path to send is empty');
    const local = path.resolve(given);
    const name = path.basename(local);
    if (name === '') fail('BAD_INPUT', `${local} is a file-system root; pick the files or folders in it`);
    const key = name.normalize('NFC').toUpperCase().toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      fail('MANIFEST_DUPLICATE_PATH', `${earlier} and ${local} would both be sent as "${name}"; rename one or send them separately`);
    }
    seen.set(key, local);
    return { local, name };
  });
}

/** Depth-first walk by lstat with an explicit stack (folders may nest deeper than the call stack). */
async function walk(roots: readonly { local: string; name: string }[]): Promise<Found[]> {
  const found: Found[] = [];
  const stack = roots.map(({ local, name }) => ({ local, rel: name }));
  while (stack.length > 0) {
    const { local, rel } = stack.pop()!;
    const stats = await lstatLocal(local);
    refuseKind(stats, local);
    if (stats.isFile()) {
      found.push({ kind: 'file', rel, local, size: Number(stats.size) });
    } else {
      let names: string[];
      try {
        names = await fsp.readdir(local);
      } catch (error) {
        return fail('SOURCE_FAILED', `cannot list ${local} (${errnoOf(error)})`, error);
      }
      if (names.length === 0) found.push({ kind: 'directory', rel, local, size: 0 });
      for (const name of names.sort().reverse()) stack.push({ local: path.join(local, name), rel: `${rel}/${name}` });
    }
    if (found.length > MANIFEST_LIMITS.maxEntries) {
      fail('MANIFEST_TOO_MANY_ENTRIES', `more than ${MANIFEST_LIMITS.maxEntries} files and empty folders`);
    }
  }
  return found;
}

/** SHA-256 and size of one file, both from the same descriptor, refusing a file that changes while it is read. */
async function hashFile(local: string, buffer: Buffer): Promise<{ sha256: Uint8Array; file: ScannedFile }> {
  const handle = await openForRead(local);
  try {
    const before = await handle.stat({ bigint: true });
    refuseKind(before, local);
    if (!before.isFile()) fail('MANIFEST_BAD_KIND', `${local} became a folder while it was scanned`);
    const hash = createHash('sha256');
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    const after = await handle.stat({ bigint: true });
    if (BigInt(position) !== before.size || !sameStamp(stampOf(before), stampOf(after))) {
      fail('SOURCE_FAILED', `${local} changed while it was being scanned`);
    }
    return { sha256: new Uint8Array(hash.digest()), file: { local, size: position, stamp: stampOf(before) } };
  } catch (error) {
    if (error instanceof SealdropError) throw error;
    return fail('SOURCE_FAILED', `cannot read ${local} (${errnoOf(error)})`, error);
  } finally {
    await handle.close();
  }
}

/**
 * Scans `paths` into a manifest and a source over them.
 * @throws SealdropError: MANIFEST_DUPLICATE_PATH for two arguments with the same name (or two names on disk that
 *   differ only in case or Unicode form), MANIFEST_BAD_KIND for a symlink, device, socket or FIFO anywhere,
 *   SOURCE_FAILED for an unreadable path or a file that changed while it was hashed, BAD_INPUT for an empty path
 *   or a file-system root, and any `buildManifest` code (names the receiver would refuse, too many entries).
 */
export async function scanPaths(paths: string[], options: ScanOptions = {}): Promise<ScanResult> {
  if (options.followTopLevelSymlinks !== undefined && options.followTopLevelSymlinks !== false) {
    fail('BAD_INPUT', 'following symlinks is not supported');
  }
  if (paths.length === 0) fail('BAD_INPUT', 'nothing to send');
  const found = await walk(topLevel(paths));

  // Validate every name before hashing gigabytes: a name the receiver would refuse fails in milliseconds.
  const placeholder = new Uint8Array(32);
  buildManifest(found.map((f): ManifestSourceItem => ({ kind: f.kind, path: f.rel, size: f.size, sha256: placeholder })));

  const buffer = Buffer.allocUnsafe(HASH_BUFFER_BYTES);
  const items: ManifestSourceItem[] = [];
  const byName = new Map<string, { local: string; file: ScannedFile | null }>();
  for (const f of found) {
    if (f.kind === 'directory') {
      items.push({ kind: 'directory', path: f.rel });
      byName.set(f.rel.normalize('NFC'), { local: f.local, file: null });
      continue;
    }
    const { sha256, file } = await hashFile(f.local, buffer);
    items.push({ kind: 'file', path: f.rel, size: file.size, sha256 });
    byName.set(f.rel.normalize('NFC'), { local: f.local, file });
  }
  const manifest = buildManifest(items);

  // buildManifest sorted the entries; map each index back to what was scanned under its (NFC) name.
  const scanned = manifest.entries.map((entry) => byName.get(entry.path)!);
  return {
    manifest,
    source: new FsSource(scanned.map((s) => s.file)),
    localPaths: scanned.map((s) => s.local),
  };
}

interface CachedHandle {
  readonly handle: Promise<FileHandle>;
  users: number;
  evicted: boolean;
}

/** Reads through one cached handle per file (a small LRU), checking the file against its scan on every read. */
class FsSource implements FsFileSource {
  private readonly handles = new Map<number, CachedHandle>();
  private closed = false;

  constructor(private readonly files: readonly (ScannedFile | null)[]) {}

  async read(index: number, offset: number, length: number): Promise<Uint8Array> {
    if (this.closed) fail('SOURCE_FAILED', 'the source is closed');
    const file = Number.isInteger(index) ? this.files[index] : undefined;
    if (!file) fail('BAD_INPUT', `entry ${index} is not a file of this manifest`);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > file.size) {
      fail('BAD_INPUT', `entry ${index}: range ${offset}+${length} is outside the scanned file`);
    }
    if (length === 0) return new Uint8Array(0);

    const cached = this.acquire(index, file);
    try {
      const handle = await cached.handle;
      await checkUnchanged(handle, file);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, offset + done);
        if (bytesRead === 0) fail('SOURCE_FAILED', `${file.local} got shorter since it was scanned`);
        done += bytesRead;
      }
      return out;
    } catch (error) {
      if (error instanceof SealdropError) throw error;
      return fail('SOURCE_FAILED', `cannot read ${file.local} (${errnoOf(error)})`, error);
    } finally {
      this.release(cached);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.handles.values()];
    this.handles.clear();
    for (const cached of all) cached.evicted = true;
    await Promise.all(all.map((cached) => closeQuietly(cached.handle)));
  }

  private acquire(index: number, file: ScannedFile): CachedHandle {
    let cached = this.handles.get(index);
    if (cached) {
      this.handles.delete(index); // re-insert: Map order is the LRU order
    } else {
      const fresh: CachedHandle = { handle: openChecked(file), users: 0, evicted: false };
      // A failed open is reported to the reader awaiting it; forget it so the next read tries again.
      void fresh.handle.catch(() => {
        if (this.handles.get(index) === fresh) this.handles.delete(index);
      });
      cached = fresh;
    }
    this.handles.set(index, cached);
    cached.users++;
    for (const [oldest, entry] of this.handles) {
      if (this.handles.size <= MAX_OPEN_HANDLES) break;
      this.handles.delete(oldest);
      entry.evicted = true;
      if (entry.users === 0) void closeQuietly(entry.handle);
    }
    return cached;
  }

  private release(cached: CachedHandle): void {
    cached.users--;
    if (cached.evicted && cached.users === 0) void closeQuietly(cached.handle);
  }
}

async function openChecked(file: ScannedFile): Promise<FileHandle> {
  const handle = await openForRead(file.local);
  try {
    await checkUnchanged(handle, file);
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The descriptor must still be the scanned file: same device and inode, same size, same mtime. */
async function checkUnchanged(handle: FileHandle, file: ScannedFile): Promise<void> {
  const now = await handle.stat({ bigint: true });
  if (!now.isFile() || !sameStamp(stampOf(now), file.stamp)) {
    fail('SOURCE_FAILED', `${file.local} changed since it was scanned; scan it again to send the new version`);
  }
}

async function closeQuietly(handle: Promise<FileHandle>): Promise<void> {
  try {
    await (await handle).close();
  } catch {
    // Already closed, or the open itself failed (and reported to the reader that caused it).
  }
}
