/**
 * The receiver's file system: a `FileSink` (ports/files.ts) that writes an accepted transfer under a folder the
 * user chose, resumable across sessions and crashes.
 *
 * Layout under `out` (resolved once with realpath; everything below is checked, nothing followed):
 *
 *   out/<manifest path>                     final names; appear only through `commit`
 *   out/<manifest path>.sealdrop-part       a file being received, chunk k at offset k × chunkSize
 *   out/.sealdrop/<16 hex of hash>.json     progress of the whole transfer (one file per manifest hash)
 *
 * The state file (its format and atomic replacement: fs-sink-state.ts) is rewritten at most `persistIntervalMs`
 * (250 ms) or `persistEveryChunks` (64 chunks) after a chunk, and always before a commit or a discard and on
 * `close`. Before it claims any chunk, the part holding that chunk is fdatasync'ed, so even after a power cut it
 * never counts bytes that are not on disk; on open every part is cut back to what the state counts, so a part never
 * holds unverified bytes. `partId` ties the progress to the one part file it describes, and recognises our own file
 * under the final name if a crash fell between `link` and recording the commit.
 *
 * Trust assumptions: the manifest comes from a sender that may be hostile. It has passed `validateManifest`
 * (checked again here), so every path is relative, canonical and free of '..'; what validation cannot know is
 * what already exists in `out` — a symlink at a folder's name pointing at ~/.ssh, a file or folder at a final
 * name, a symlink or hard link at a part name. So:
 * - every component between `out` and a target is lstat'ed and created one at a time with mkdir (never
 *   recursively through components nobody checked); a symlink or a non-folder in the way is SINK_FAILED, and the
 *   parent's realpath must still lie inside `out` (safe-paths.ts);
 * - a part is created with O_CREAT|O_EXCL|O_NOFOLLOW; one left by an earlier crash is reused only if it is a
 *   regular file with a single link, checked by lstat and again on the open descriptor (safe-paths.ts);
 * - the final name appears only through link(part, final), which fails with EEXIST instead of replacing
 *   anything that appeared meanwhile; where hard links are unsupported, rename after an lstat found nothing;
 * - a manifest that names our own namespace (a top-level `.sealdrop`, any `*.sealdrop-part`) is refused at open,
 *   so a sender cannot aim one entry at another entry's part file or at the state.
 * Local races (another local process swapping a checked folder for a symlink) are out of scope: safe-paths.ts.
 */

import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { equalBytes, toHex } from '../../src/bytes';
import { Sha256 } from '../../src/crypto/sha256';
import { chunkCount, chunkPlaintextLength, DEFAULT_CHUNK_SIZE } from '../../src/crypto/stream';
import { fail, SealdropError } from '../../src/errors';
import type { Manifest, ManifestEntry } from '../../src/manifest/manifest';
import { hashManifest } from '../../src/manifest/codec';
import { pathExcerpt } from '../../src/manifest/validate';
import type { FileSink, PartProgress } from '../../src/ports/files';
import { bytesFor, STATE_FOLDER, StateFile, type EntryState, type FileEntry } from './fs-sink-state';
import {
  createExclusive,
  ensureFolders,
  errnoOf,
  idOf,
  inspectFolders,
  lstatOrNull,
  openSingleLinkFile,
  syncDirectory,
  unlinkQuietly,
  type CheckedFile,
  type FolderKind,
} from './safe-paths';

export const PART_SUFFIX = '.sealdrop-part';

export interface FsSink extends FileSink {
  /** Manifest paths whose final name already exists (or is blocked) and is not a file this transfer committed. */
  conflicts(): string[];
  /** Persists progress and closes parts; once every file is committed, removes the state file (and folder). */
  close(): Promise<void>;
}

export interface FsSinkOptions {
  /** Longest a written chunk goes unrecorded in the state file. Default 250 ms. */
  readonly persistIntervalMs?: number;
  /** Most chunks written between two state-file writes. Default 64. */
  readonly persistEveryChunks?: number;
}

/** errno values meaning "this file system has no hard links", where commit falls back to a checked rename. */
const LINK_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
/** Characters that HFS+ and APFS ignore in names; stripped before comparing with our reserved names. */
const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

interface Located<E extends ManifestEntry = ManifestEntry> {
  readonly entry: E;
  readonly segments: readonly string[];
  readonly final: string;
  readonly part: string;
  /** How messages name the entry: its index and an inert excerpt of the sender's name. */
  readonly where: string;
}

/** An open part file and its identity ("dev:ino"). */
type OpenPart = CheckedFile;

function sinkFail(message: string, cause?: unknown): never {
  return fail('SINK_FAILED', message, cause);
}

async function writeFully(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    if (bytesWritten <= 0) sinkFail('the disk accepted no bytes');
    done += bytesWritten;
  }
}

function refuseReservedNames(manifest: Manifest): void {
  manifest.entries.forEach((entry, index) => {
    const stripped = entry.path.replace(HFS_IGNORABLE, '');
    for (const folded of [stripped.toLowerCase(), stripped.toUpperCase().toLowerCase()]) {
      const segments = folded.split('/');
      if (segments[0] === STATE_FOLDER || segments.some((s) => s.endsWith(PART_SUFFIX))) {
        sinkFail(`entry ${index} ${pathExcerpt(entry.path)} uses a name Sealdrop reserves for its own files`);
      }
    }
  });
}

/**
 * Opens (or resumes) the sink for one transfer under `outDir`, which must exist.
 * @throws SealdropError: SINK_FAILED if `outDir` is missing or not a folder, if `.sealdrop` there is a symlink or
 *   a file, if the state file is damaged or belongs to another transfer, or if the manifest uses a reserved name;
 *   BAD_INPUT for a manifest hash that is not 32 bytes, MANIFEST_HASH_MISMATCH if it is not `manifest`'s hash;
 *   any `validateManifest` code.
 */
export async function openFsSink(outDir: string, manifest: Manifest, manifestHash: Uint8Array, options: FsSinkOptions = {}): Promise<FsSink> {
  if (!(manifestHash instanceof Uint8Array) || manifestHash.length !== 32) fail('BAD_INPUT', 'a manifest hash is 32 bytes');
  // hashManifest validates the manifest too; a mismatched pair would scope progress to the wrong transfer.
  if (!equalBytes(await hashManifest(manifest), manifestHash)) fail('MANIFEST_HASH_MISMATCH', 'the hash is not this manifest\'s');
  refuseReservedNames(manifest);
  let root: string;
  try {
    root = await fsp.realpath(outDir);
    if (!(await fsp.stat(root)).isDirectory()) sinkFail(`${outDir} is not a folder`);
  } catch (error) {
    if (error instanceof SealdropError) throw error;
    return sinkFail(`cannot use ${outDir} as the output folder (${errnoOf(error)})`, error);
  }
  const sink = new FileSystemSink(root, manifest, toHex(manifestHash), options);
  await sink.load();
  return sink;
}

class FileSystemSink implements FsSink {
  private readonly state: StateFile;
  private readonly intervalMs: number;
  private readonly everyChunks: number;
  /** Progress including chunks written since the last state write. */
  private current = new Map<number, EntryState>();
  /** Exactly what the state file on disk says: what `progress` reports. */
  private persisted = new Map<number, EntryState>();
  private readonly parts = new Map<number, OpenPart>();
  private readonly dirty = new Set<number>();
  private unsaved = false;
  private chunksSincePersist = 0;
  private lastPersistAt = 0;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private conflicting = new Set<number>();
  private chain: Promise<unknown> = Promise.resolve();
  private failure: unknown = null;
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly manifest: Manifest,
    manifestHash: string,
    options: FsSinkOptions,
  ) {
    this.state = new StateFile(root, manifestHash);
    this.intervalMs = options.persistIntervalMs ?? 250;
    this.everyChunks = options.persistEveryChunks ?? 64;
  }

  // ------------------------------------------------------------ FileSink

  progress(index: number): Promise<PartProgress | null> {
    return this.op(() => {
      if (this.locate(index).entry.kind !== 'file') return Promise.resolve(null);
      const s = this.persisted.get(index);
      if (!s) return Promise.resolve(null);
      const { verifiedChunks, chunkSize, committed } = s;
      return Promise.resolve({ verifiedChunks, chunkSize, committed, hashState: s.hashState.slice() });
    });
  }

  createDirectory(index: number): Promise<void> {
    return this.op(async () => {
      const loc = this.locate(index);
      if (loc.entry.kind !== 'directory') sinkFail(`${loc.where} is not a folder`);
      await ensureFolders(this.root, loc.segments, loc.where);
    });
  }

  writeChunk(index: number, chunkIndex: number, plaintext: Uint8Array, progress: PartProgress): Promise<void> {
    return this.op(async () => {
      const loc = this.locateFile(index);
      const state = this.current.get(index);
      if (state?.committed) sinkFail(`${loc.where} is already committed`);
      const expected = state?.verifiedChunks ?? 0;
      if (chunkIndex !== expected) sinkFail(`${loc.where}: chunk ${chunkIndex} written, chunk ${expected} expected`);
      if (progress.verifiedChunks !== chunkIndex + 1 || progress.committed) {
        sinkFail(`${loc.where}: progress does not describe chunk ${chunkIndex}`);
      }
      const { chunkSize } = progress;
      if (state && state.chunkSize !== chunkSize) sinkFail(`${loc.where}: chunk size changed within the file`);
      let length: number;
      try {
        length = chunkPlaintextLength(loc.entry.size, chunkIndex, chunkSize);
      } catch (error) {
        return sinkFail(`${loc.where}: chunk ${chunkIndex} does not fit the file`, error);
      }
      // The session checks this too; the sink holds the line itself so a bug upstream cannot fill the disk.
      if (plaintext.length !== length) sinkFail(`${loc.where}: chunk ${chunkIndex} is not the length the manifest implies`);

      const part = await this.openPart(index, loc, state);
      await writeFully(part.handle, plaintext, chunkIndex * chunkSize);
      this.setState(index, {
        verifiedChunks: chunkIndex + 1,
        chunkSize,
        hashState: progress.hashState.slice(),
        committed: false,
        partId: part.id,
      });
      this.chunksSincePersist++;
      if (this.chunksSincePersist >= this.everyChunks || Date.now() - this.lastPersistAt >= this.intervalMs) {
        await this.persist();
      } else {
        this.scheduleFlush();
      }
    });
  }

  commit(index: number): Promise<void> {
    return this.op(async () => {
      const loc = this.locateFile(index);
      const state = this.current.get(index);
      if (state?.committed) sinkFail(`${loc.where} is already committed`);
      if (state ? state.verifiedChunks !== chunkCount(loc.entry.size, state.chunkSize) : loc.entry.size !== 0) {
        sinkFail(`${loc.where}: not every chunk has been written`);
      }
      const part = await this.openPart(index, loc, state);
      const stats = await part.handle.stat({ bigint: true });
      if (stats.size !== BigInt(loc.entry.size)) sinkFail(`${loc.where}: the part file is not the size the manifest says`);
      await part.handle.datasync();
      // Record the part's identity before its name appears, so a crash right after the link is recognised.
      const committing: EntryState = state ?? {
        verifiedChunks: 1,
        chunkSize: DEFAULT_CHUNK_SIZE,
        hashState: new Sha256().exportState(),
        committed: false,
        partId: part.id,
      };
      this.setState(index, committing);
      await this.persist();
      await this.closePart(index);

      await ensureFolders(this.root, loc.segments.slice(0, -1), loc.where);
      await this.placeFinal(loc, part.id);
      this.setState(index, { ...committing, committed: true });
      await this.persist();
    });
  }

  discard(index: number): Promise<void> {
    return this.op(async () => {
      const loc = this.locateFile(index);
      const state = this.current.get(index);
      if (state?.committed) sinkFail(`${loc.where} is committed; there is nothing to discard`);
      const id = this.parts.get(index)?.id ?? state?.partId;
      await this.closePart(index);
      // Remove only the part we wrote: never through a symlinked folder, never a file someone put there.
      if (id !== undefined && (await inspectFolders(this.root, loc.segments.slice(0, -1))) === 'folder') {
        const stats = await lstatOrNull(loc.part);
        if (stats?.isFile() && idOf(stats) === id) await unlinkQuietly(loc.part);
      }
      this.current.delete(index);
      this.dirty.delete(index);
      this.unsaved = true;
      await this.persist();
    });
  }

  // ------------------------------------------------------------ FsSink

  conflicts(): string[] {
    return [...this.conflicting]
      .filter((index) => this.current.get(index)?.committed !== true)
      .sort((a, b) => a - b)
      .map((index) => this.manifest.entries[index]!.path);
  }

  close(): Promise<void> {
    return this.op(async () => {
      if (this.closed) return;
      this.clearFlushTimer();
      const complete = this.manifest.entries.every((e, i) => e.kind !== 'file' || this.current.get(i)?.committed === true);
      try {
        if (complete) {
          await this.state.remove();
        } else if (this.unsaved) {
          await this.persist();
        }
      } finally {
        for (const index of [...this.parts.keys()]) await this.closePart(index);
        this.closed = true;
      }
    }, { evenWhenClosed: true });
  }

  // ------------------------------------------------------------ opening and reconciling

  /** Reads the state file, if any, and makes every part agree with it. Called once, by `openFsSink`. */
  async load(): Promise<void> {
    const recorded = await this.state.read(this.manifest);
    if (recorded) this.current = recorded;
    for (const [index, state] of [...this.current]) {
      const next = await this.reconcile(index, state);
      if (next === state) continue;
      if (next) this.current.set(index, next);
      else this.current.delete(index);
      this.unsaved = true;
    }
    this.persisted = new Map(this.current);
    if (this.unsaved) await this.persist();
    this.conflicting = await this.findConflicts();
    this.lastPersistAt = Date.now();
  }

  /** What the disk says about one recorded entry: the same state, an updated one, or null to start it over. */
  private async reconcile(index: number, state: EntryState): Promise<EntryState | null> {
    if (state.committed) return state;
    const loc = this.locateFile(index);
    if ((await inspectFolders(this.root, loc.segments.slice(0, -1))) !== 'folder') return null;
    const part = await lstatOrNull(loc.part);
    const final = await lstatOrNull(loc.final);
    if (final?.isFile() && idOf(final) === state.partId) {
      // A crash between link(part, final) and recording it: the file under the final name is ours, complete.
      if (part?.isFile() && idOf(part) === state.partId) await unlinkQuietly(loc.part);
      return { ...state, committed: true };
    }
    if (!part?.isFile() || idOf(part) !== state.partId || part.nlink !== 1n) return null;
    const expected = BigInt(bytesFor(loc.entry, state.verifiedChunks, state.chunkSize));
    if (part.size < expected) return null;
    if (part.size > expected) {
      // Chunks written after the last state write were never counted: drop them, never keep unverified bytes.
      const { handle } = await this.openExistingPart(loc, state.partId);
      try {
        await handle.truncate(Number(expected));
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    return state;
  }

  /** Entries whose final name is already taken, or blocked by a symlink or a file on the way to it. */
  private async findConflicts(): Promise<Set<number>> {
    const folders = new Map<string, FolderKind>();
    const out = new Set<number>();
    for (const [index, entry] of this.manifest.entries.entries()) {
      const segments = entry.path.split('/');
      const parents = await inspectFolders(this.root, segments.slice(0, -1), folders);
      if (parents === 'blocked') out.add(index);
      if (parents !== 'folder') continue;
      const stats = await lstatOrNull(path.join(this.root, ...segments));
      if (!stats) continue;
      const ours = entry.kind === 'directory' ? stats.isDirectory() : this.current.get(index)?.committed === true;
      if (!ours) out.add(index);
    }
    return out;
  }

  // ------------------------------------------------------------ paths

  private locate(index: number): Located {
    const entry = Number.isInteger(index) ? this.manifest.entries[index] : undefined;
    if (!entry) sinkFail(`there is no entry ${index} in this transfer`);
    const segments = entry.path.split('/');
    const final = path.join(this.root, ...segments);
    return { entry, segments, final, part: final + PART_SUFFIX, where: `entry ${index} ${pathExcerpt(entry.path)}` };
  }

  private locateFile(index: number): Located<FileEntry> {
    const loc = this.locate(index);
    if (loc.entry.kind !== 'file') sinkFail(`${loc.where} is not a file`);
    return loc as Located<FileEntry>;
  }

  // ------------------------------------------------------------ part files

  private async openPart(index: number, loc: Located<FileEntry>, state: EntryState | undefined): Promise<OpenPart> {
    const open = this.parts.get(index);
    if (open) return open;
    await ensureFolders(this.root, loc.segments.slice(0, -1), loc.where);
    let part: OpenPart;
    if (state) {
      part = await this.openExistingPart(loc, state.partId);
      const size = (await part.handle.stat({ bigint: true })).size;
      if (size !== BigInt(bytesFor(loc.entry, state.verifiedChunks, state.chunkSize))) {
        await part.handle.close();
        sinkFail(`${loc.where}: the part file does not match the recorded progress`);
      }
    } else {
      part = await this.createPart(loc);
    }
    this.parts.set(index, part);
    return part;
  }

  private async createPart(loc: Located<FileEntry>): Promise<OpenPart> {
    const created = await createExclusive(loc.part);
    if (created) return created;
    // A part with no recorded progress: a session crashed before its first state write. Start it over.
    const part = await this.openExistingPart(loc, null);
    await part.handle.truncate(0);
    return part;
  }

  /** Opens an existing part only if it is a regular file with one link (and the expected one, when known). */
  private openExistingPart(loc: Located<FileEntry>, expectedId: string | null): Promise<OpenPart> {
    return openSingleLinkFile(loc.part, `${loc.where}: its part file`, expectedId);
  }

  private async closePart(index: number): Promise<void> {
    const part = this.parts.get(index);
    if (!part) return;
    this.parts.delete(index);
    await part.handle.close();
  }

  /** Gives the part its final name without ever replacing what is there. */
  private async placeFinal(loc: Located<FileEntry>, partId: string): Promise<void> {
    const taken = `${loc.where}: something appeared under its final name; not overwriting it`;
    const now = await lstatOrNull(loc.part);
    if (!now?.isFile() || idOf(now) !== partId) sinkFail(`${loc.where}: its part file was replaced before the commit`);
    try {
      await fsp.link(loc.part, loc.final);
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'EEXIST') sinkFail(taken, error);
      if (!LINK_UNSUPPORTED.has(code)) throw error;
      // No hard links here (FAT, some network shares). rename would replace, so look first; a file created in
      // the moment between the two calls is the one race this fallback cannot close.
      if (await lstatOrNull(loc.final)) sinkFail(taken);
      await fsp.rename(loc.part, loc.final);
      await syncDirectory(path.dirname(loc.final));
      return;
    }
    await fsp.unlink(loc.part);
    await syncDirectory(path.dirname(loc.final));
  }

  // ------------------------------------------------------------ progress, and when it is written

  private setState(index: number, state: EntryState): void {
    this.current.set(index, state);
    this.dirty.add(index);
    this.unsaved = true;
  }

  /** Writes the state file atomically, after making every part it describes durable. */
  private async persist(): Promise<void> {
    this.clearFlushTimer();
    for (const index of this.dirty) await this.parts.get(index)?.handle.datasync();
    await this.state.write(this.current);
    this.persisted = new Map(this.current);
    this.dirty.clear();
    this.unsaved = false;
    this.chunksSincePersist = 0;
    this.lastPersistAt = Date.now();
  }

  /** Records trailing chunks even if no further chunk arrives (a cut path) and nobody calls `close`. */
  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const delay = Math.max(0, this.intervalMs - (Date.now() - this.lastPersistAt));
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.op(async () => {
        if (this.unsaved && !this.closed) await this.persist();
      }, { evenWhenClosed: true }).catch((error: unknown) => {
        this.failure = error; // reported by the next call
      });
    }, delay);
    this.flushTimer.unref();
  }

  private clearFlushTimer(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }

  /** Runs `work` after every earlier call finished; anything thrown that is not coded becomes SINK_FAILED. */
  private op<T>(work: () => Promise<T>, { evenWhenClosed = false } = {}): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed && !evenWhenClosed) sinkFail('the sink is closed');
      if (this.failure !== null && !evenWhenClosed) sinkFail('an earlier state write failed', this.failure);
      try {
        return await work();
      } catch (error) {
        if (error instanceof SealdropError) throw error;
        return sinkFail(`file system error (${errnoOf(error)})`, error);
      }
    };
    const result = this.chain.then(run);
    this.chain = result.catch(() => undefined);
    return result;
  }
}
