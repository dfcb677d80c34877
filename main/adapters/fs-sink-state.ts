/**
 * The receiver's progress file: what fs-sink.ts records about one transfer so it can resume across sessions and
 * crashes. When to write it is the sink's business; this module is the format and the file.
 *
 *   out/.sealdrop/<16 hex of hash>.json     one file per manifest hash; the folder is private (0700, file 0600):
 *                                           a hash state holds up to 63 bytes of plaintext
 *
 * Format (JSON, version 1): { version, manifestHash: 64 hex, entries: { "<index>": { verifiedChunks, chunkSize,
 * hashState: hex, committed, partId: "dev:ino" } } }. `partId` ties the progress to the one part file it describes.
 *
 * Writes are atomic: a fresh temp file (O_CREAT|O_EXCL|O_NOFOLLOW), fsync, rename over the old one, fsync of the
 * folder; temps a crash left behind are removed when the file is next read. The caller makes every part the state
 * describes durable before writing it, so the file never counts bytes that are not on disk.
 *
 * Trust assumptions: the file is ours, but it lives in a folder other programs (and an earlier, crashed run) can
 * write to. It is read without following a symlink and with a size limit, and every field is checked against the
 * manifest before it is believed; a damaged file or one belonging to another transfer is SINK_FAILED, never a guess.
 */

import { randomBytes } from 'node:crypto';
import { constants, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fromHex, toHex } from '../../src/bytes';
import { Sha256 } from '../../src/crypto/sha256';
import { chunkCount, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from '../../src/crypto/stream';
import { fail } from '../../src/errors';
import type { Manifest, ManifestEntry } from '../../src/manifest/manifest';
import { ensureFolders, errnoOf, lstatOrNull, NOFOLLOW, syncDirectory, unlinkQuietly } from './safe-paths';

export const STATE_FOLDER = '.sealdrop';

const STATE_VERSION = 1;
const MAX_STATE_BYTES = 64 * 1024 * 1024;
const TEMP_SUFFIX = '.tmp';

export type FileEntry = Extract<ManifestEntry, { kind: 'file' }>;

/** What the state file records about one file entry. */
export interface EntryState {
  readonly verifiedChunks: number;
  readonly chunkSize: number;
  readonly hashState: Uint8Array;
  readonly committed: boolean;
  readonly partId: string;
}

function sinkFail(message: string, cause?: unknown): never {
  return fail('SINK_FAILED', message, cause);
}

/** Plaintext bytes in the first `verifiedChunks` chunks of `entry`. */
export function bytesFor(entry: FileEntry, verifiedChunks: number, chunkSize: number): number {
  return verifiedChunks >= chunkCount(entry.size, chunkSize) ? entry.size : verifiedChunks * chunkSize;
}

function encodeState(manifestHash: string, entries: ReadonlyMap<number, EntryState>): string {
  const out: Record<string, unknown> = {};
  for (const [index, s] of [...entries].sort((a, b) => a[0] - b[0])) {
    out[String(index)] = {
      verifiedChunks: s.verifiedChunks,
      chunkSize: s.chunkSize,
      hashState: toHex(s.hashState),
      committed: s.committed,
      partId: s.partId,
    };
  }
  return JSON.stringify({ version: STATE_VERSION, manifestHash, entries: out });
}

/** Parses our own state file, trusting nothing in it: every field is checked against the manifest. */
function decodeState(text: string, manifestHash: string, manifest: Manifest, file: string): Map<number, EntryState> {
  const corrupt: (why: string) => never = (why) => sinkFail(`${file} is damaged (${why}); delete it to start this transfer over`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    corrupt('not JSON');
  }
  const record: (value: unknown) => Record<string, unknown> | null = (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  const top = record(doc) ?? corrupt('not an object');
  if (top['version'] !== STATE_VERSION) corrupt('unknown version');
  if (top['manifestHash'] !== manifestHash) sinkFail(`${file} belongs to another transfer; refusing to resume from it`);
  const entries = record(top['entries']) ?? corrupt('no entries');

  const out = new Map<number, EntryState>();
  for (const [key, value] of Object.entries(entries)) {
    const index = /^(0|[1-9][0-9]{0,8})$/.test(key) ? Number(key) : -1;
    const entry = manifest.entries[index];
    const fields = record(value);
    if (!entry || entry.kind !== 'file' || !fields) corrupt(`entry "${key.slice(0, 12)}"`);
    const { verifiedChunks, chunkSize, hashState, committed, partId } = fields;
    if (typeof chunkSize !== 'number' || !Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
      corrupt(`entry ${index}: chunk size`);
    }
    const count = chunkCount(entry.size, chunkSize);
    if (typeof verifiedChunks !== 'number' || !Number.isInteger(verifiedChunks) || verifiedChunks < 1 || verifiedChunks > count) {
      corrupt(`entry ${index}: chunk count`);
    }
    if (typeof committed !== 'boolean' || (committed && verifiedChunks !== count)) corrupt(`entry ${index}: committed`);
    if (typeof partId !== 'string' || !/^[0-9]+:[0-9]+$/.test(partId)) corrupt(`entry ${index}: part id`);
    if (typeof hashState !== 'string') corrupt(`entry ${index}: hash state`);
    let state: Uint8Array;
    try {
      state = fromHex(hashState);
      if (Sha256.fromState(state).bytesHashed !== bytesFor(entry, verifiedChunks, chunkSize)) throw new Error('length');
    } catch {
      return corrupt(`entry ${index}: hash state`);
    }
    out.set(index, { verifiedChunks, chunkSize, hashState: state, committed, partId });
  }
  return out;
}

/** The state file of one transfer under `root` (a realpath), named by the manifest hash in hex. */
export class StateFile {
  readonly dir: string;
  readonly file: string;

  constructor(
    private readonly root: string,
    private readonly manifestHash: string,
  ) {
    this.dir = path.join(root, STATE_FOLDER);
    this.file = path.join(this.dir, `${manifestHash.slice(0, 16)}.json`);
  }

  /**
   * The recorded progress, or null if this transfer has none. Removes temps a crashed write left behind.
   * @throws SealdropError SINK_FAILED if `.sealdrop` is a symlink or a file, or the state file is not a regular file,
   *   is too large, is damaged, or belongs to another transfer.
   */
  async read(manifest: Manifest): Promise<Map<number, EntryState> | null> {
    const folder = await lstatOrNull(this.dir);
    if (folder && (folder.isSymbolicLink() || !folder.isDirectory())) {
      sinkFail(`${this.dir} is not a folder; refusing to follow a symlink or write into a file`);
    }
    if (!folder) return null;
    await this.removeStaleTemps();
    const text = await this.readText();
    return text === null ? null : decodeState(text, this.manifestHash, manifest, this.file);
  }

  /** Replaces the state file atomically with `entries`. The caller has made every part they describe durable. */
  async write(entries: ReadonlyMap<number, EntryState>): Promise<void> {
    if (!(await lstatOrNull(this.dir))) {
      // Private: a hash state holds up to 63 bytes of plaintext.
      await fsp.mkdir(this.dir, 0o700).catch((error: unknown) => {
        if (errnoOf(error) !== 'EEXIST') throw error;
      });
    }
    await ensureFolders(this.root, [STATE_FOLDER], 'the state folder');
    const temp = `${this.file}.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`;
    const handle = await fsp.open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
    try {
      await handle.writeFile(encodeState(this.manifestHash, entries), 'utf8');
      await handle.sync();
      await handle.close();
      await fsp.rename(temp, this.file);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await unlinkQuietly(temp).catch(() => undefined);
      throw error;
    }
    await syncDirectory(this.dir);
  }

  /** Removes the state file, and the folder if no other transfer's state is in it. */
  async remove(): Promise<void> {
    await unlinkQuietly(this.file);
    await fsp.rmdir(this.dir).catch(() => undefined); // other transfers' state, or never created
  }

  private async readText(): Promise<string | null> {
    const stats = await lstatOrNull(this.file);
    if (!stats) return null;
    if (!stats.isFile()) sinkFail(`${this.file} is not a regular file; refusing to follow a symlink`);
    if (stats.size > BigInt(MAX_STATE_BYTES)) sinkFail(`${this.file} is too large to be a Sealdrop state file`);
    const handle = await fsp.open(this.file, constants.O_RDONLY | NOFOLLOW);
    try {
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }

  /** Temp files of this transfer left by a crash in the middle of a state write. */
  private async removeStaleTemps(): Promise<void> {
    const prefix = `${path.basename(this.file)}.`;
    for (const name of await fsp.readdir(this.dir)) {
      if (name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX)) await unlinkQuietly(path.join(this.dir, name));
    }
  }
}
