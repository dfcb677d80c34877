import { promises as fsp, readFileSync } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openFsSink, type FsSink } from '../../main/adapters/fs-sink';
import { toHex } from '../../src/bytes';
import { expectCode } from '../helpers/expect-code';
import { ChunkFeeder, exists, indexOf, offer, pattern, tempDir } from './fs-fixtures';

const CHUNK = 1024;
const realRename = fs.promises.rename.bind(fs.promises);
let out: string;
const sinks: FsSink[] = [];

beforeEach(async () => {
  out = await tempDir('sink');
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const sink of sinks.splice(0)) await sink.close().catch(() => undefined);
  await fsp.rm(out, { recursive: true, force: true });
});

async function open(o: { manifest: Parameters<typeof openFsSink>[1]; hash: Uint8Array }, options = {}): Promise<FsSink> {
  const sink = await openFsSink(out, o.manifest, o.hash, options);
  sinks.push(sink);
  return sink;
}

function stateFile(hash: Uint8Array): string {
  return path.join(out, '.sealdrop', `${toHex(hash).slice(0, 16)}.json`);
}

describe('FsSink: writing and committing', () => {
  it('writes chunks to a part file and makes the final name appear only on commit', async () => {
    const o = await offer({ 'docs/report.pdf': pattern(4500, 1), 'empty.txt': '' }, ['docs/attachments']);
    const sink = await open(o);
    const report = indexOf(o, 'docs/report.pdf');
    const final = path.join(out, 'docs/report.pdf');

    await sink.createDirectory(indexOf(o, 'docs/attachments'));
    await sink.createDirectory(indexOf(o, 'docs/attachments')); // an existing folder is fine
    const feeder = new ChunkFeeder(sink, report, o.data.get(report)!, CHUNK);
    await feeder.write();
    expect(await exists(final)).toBe(false);
    expect(new Uint8Array(await fsp.readFile(`${final}.sealdrop-part`))).toEqual(o.data.get(report));

    await sink.commit(report);
    expect(new Uint8Array(await fsp.readFile(final))).toEqual(o.data.get(report));
    expect(await exists(`${final}.sealdrop-part`)).toBe(false);
    expect((await sink.progress(report))?.committed).toBe(true);

    // An empty file is one empty chunk, then a commit.
    const empty = indexOf(o, 'empty.txt');
    await new ChunkFeeder(sink, empty, new Uint8Array(0), CHUNK).write();
    await sink.commit(empty);
    expect((await fsp.stat(path.join(out, 'empty.txt'))).size).toBe(0);
    expect((await fsp.stat(path.join(out, 'docs/attachments'))).isDirectory()).toBe(true);
  });

  it('refuses chunks out of order, of the wrong length, and a commit before the last chunk', async () => {
    const o = await offer({ 'a.bin': pattern(3000, 2) });
    const sink = await open(o);
    const progress = (n: number) => ({ verifiedChunks: n, chunkSize: CHUNK, hashState: new Uint8Array(42).fill(0), committed: false });
    await expectCode(sink.writeChunk(0, 1, new Uint8Array(CHUNK), progress(2)), 'SINK_FAILED');
    await expectCode(sink.writeChunk(0, 0, new Uint8Array(CHUNK + 1), progress(1)), 'SINK_FAILED');
    const feeder = new ChunkFeeder(sink, 0, o.data.get(0)!, CHUNK);
    await feeder.write(2);
    await expectCode(sink.commit(0), 'SINK_FAILED');
    await expectCode(sink.writeChunk(0, 2, new Uint8Array(CHUNK), progress(3)), 'SINK_FAILED'); // last chunk is 952 bytes
  });

  it('discard removes the part and its progress', async () => {
    const o = await offer({ 'a.bin': pattern(3000, 3) });
    const sink = await open(o, { persistEveryChunks: 1 });
    await new ChunkFeeder(sink, 0, o.data.get(0)!, CHUNK).write(2);
    expect((await sink.progress(0))?.verifiedChunks).toBe(2);
    await sink.discard(0);
    expect(await sink.progress(0)).toBeNull();
    expect(await exists(path.join(out, 'a.bin.sealdrop-part'))).toBe(false);
    await sink.close();
    const again = await open(o);
    expect(await again.progress(0)).toBeNull();
  });

  it('refuses a manifest hash that is not the manifest\'s', async () => {
    const o = await offer({ 'a.bin': 'x' });
    await expectCode(openFsSink(out, o.manifest, new Uint8Array(32)), 'MANIFEST_HASH_MISMATCH');
  });
});

describe('FsSink: resume', () => {
  it('after close: progress survives, and an over-long part is cut back to the verified chunks', async () => {
    const o = await offer({ 'big.bin': pattern(5 * CHUNK + 100, 4) });
    const first = await open(o);
    const feeder = new ChunkFeeder(first, 0, o.data.get(0)!, CHUNK);
    await feeder.write(3);
    await first.close();
    const part = path.join(out, 'big.bin.sealdrop-part');
    await fsp.appendFile(part, pattern(1500, 99)); // bytes no state ever counted

    const second = await open(o);
    const progress = await second.progress(0);
    expect(progress).toMatchObject({ verifiedChunks: 3, chunkSize: CHUNK, committed: false });
    expect((await fsp.stat(part)).size).toBe(3 * CHUNK);
    await new ChunkFeeder(second, 0, o.data.get(0)!, CHUNK).resume(progress!).write();
    await second.commit(0);
    expect(new Uint8Array(await fsp.readFile(path.join(out, 'big.bin')))).toEqual(o.data.get(0));
  });

  it('after a crash: progress() reports only what was persisted, and reopening truncates to it', async () => {
    const o = await offer({ 'big.bin': pattern(8 * CHUNK, 5) });
    const crashed = await open(o, { persistEveryChunks: 2, persistIntervalMs: 600_000 });
    await new ChunkFeeder(crashed, 0, o.data.get(0)!, CHUNK).write(3);
    expect((await crashed.progress(0))?.verifiedChunks).toBe(2); // chunk 3 is on disk but not yet recorded
    const part = path.join(out, 'big.bin.sealdrop-part');
    expect((await fsp.stat(part)).size).toBe(3 * CHUNK);

    // No close(): the process died. A new process opens the same transfer.
    sinks.splice(sinks.indexOf(crashed), 1);
    const resumed = await open(o);
    const progress = await resumed.progress(0);
    expect(progress?.verifiedChunks).toBe(2);
    expect((await fsp.stat(part)).size).toBe(2 * CHUNK);
    await new ChunkFeeder(resumed, 0, o.data.get(0)!, CHUNK).resume(progress!).write();
    await resumed.commit(0);
    expect(new Uint8Array(await fsp.readFile(path.join(out, 'big.bin')))).toEqual(o.data.get(0));
    await resumed.close();
    await crashed.close().catch(() => undefined); // the dead process's handles, released for the test runner
  });

  it('a part whose recorded chunks are missing from disk starts over', async () => {
    const o = await offer({ 'big.bin': pattern(4 * CHUNK, 6) });
    const first = await open(o);
    await new ChunkFeeder(first, 0, o.data.get(0)!, CHUNK).write(3);
    await first.close();
    await fsp.truncate(path.join(out, 'big.bin.sealdrop-part'), CHUNK);
    const second = await open(o);
    expect(await second.progress(0)).toBeNull();
    await new ChunkFeeder(second, 0, o.data.get(0)!, CHUNK).write();
    await second.commit(0);
    expect(new Uint8Array(await fsp.readFile(path.join(out, 'big.bin')))).toEqual(o.data.get(0));
  });

  it('a committed file is reported as committed to the next session, not as a conflict', async () => {
    const o = await offer({ 'a.txt': 'one', 'b.txt': 'two' });
    const first = await open(o);
    await new ChunkFeeder(first, 0, o.data.get(0)!, CHUNK).write();
    await first.commit(0);
    await first.close();
    const second = await open(o);
    expect(await second.progress(0)).toMatchObject({ verifiedChunks: 1, committed: true });
    expect(second.conflicts()).toEqual([]);
  });
});

describe('FsSink: conflicts()', () => {
  it('lists final names that already exist or are blocked, but not existing folders for folder entries', async () => {
    await fsp.writeFile(path.join(out, 'a.txt'), 'mine');
    await fsp.mkdir(path.join(out, 'photos'));
    await fsp.writeFile(path.join(out, 'notes'), 'a file where a folder should be');
    await fsp.mkdir(path.join(out, 'c.txt'));
    const o = await offer({ 'a.txt': 'theirs', 'b.txt': 'new', 'c.txt': 'x', 'notes/today.md': 'x' }, ['photos']);
    const sink = await open(o);
    expect(sink.conflicts()).toEqual(['a.txt', 'c.txt', 'notes/today.md']);
  });
});

describe('FsSink: the state file', () => {
  it('is replaced atomically: written complete under a temp name in the same folder, then renamed', async () => {
    const o = await offer({ 'big.bin': pattern(6 * CHUNK, 7) });
    const target = stateFile(o.hash);
    const renames: { from: string; content: string }[] = [];
    const rename = vi.spyOn(fs.promises, 'rename').mockImplementation((from, to) => {
      // What a reader would see at the instant the new state appears under its name.
      if (String(to) === target) renames.push({ from: String(from), content: readFileSync(from, 'utf8') });
      return realRename(from, to);
    });
    const openSpy = vi.spyOn(fs.promises, 'open');
    const sink = await open(o, { persistEveryChunks: 1 });
    await new ChunkFeeder(sink, 0, o.data.get(0)!, CHUNK).write(4);

    expect(rename).toHaveBeenCalled();
    expect(renames.length).toBe(4);
    for (const [i, { from, content }] of renames.entries()) {
      expect(path.dirname(from)).toBe(path.dirname(target));
      expect(from).not.toBe(target);
      const doc = JSON.parse(content) as { manifestHash: string; entries: Record<string, { verifiedChunks: number }> };
      expect(doc.manifestHash).toBe(toHex(o.hash));
      expect(doc.entries['0']?.verifiedChunks).toBe(i + 1);
    }
    // The state file itself is never opened for writing; no temp file is left behind.
    expect(openSpy.mock.calls.filter(([p]) => String(p) === target)).toEqual([]);
    expect(await fsp.readdir(path.dirname(target))).toEqual([path.basename(target)]);
  });

  it('refuses a state file that belongs to another transfer, or a damaged one', async () => {
    const o = await offer({ 'a.bin': 'x' });
    await fsp.mkdir(path.join(out, '.sealdrop'));
    const other = { version: 1, manifestHash: toHex(o.hash).slice(0, 16) + '0'.repeat(48), entries: {} };
    await fsp.writeFile(stateFile(o.hash), JSON.stringify(other));
    await expectCode(openFsSink(out, o.manifest, o.hash), 'SINK_FAILED');
    await fsp.writeFile(stateFile(o.hash), '{"version":1,');
    await expectCode(openFsSink(out, o.manifest, o.hash), 'SINK_FAILED');
    const lying = { version: 1, manifestHash: toHex(o.hash), entries: { '0': { verifiedChunks: 1, chunkSize: CHUNK, hashState: '00', committed: false, partId: '1:2' } } };
    await fsp.writeFile(stateFile(o.hash), JSON.stringify(lying));
    await expectCode(openFsSink(out, o.manifest, o.hash), 'SINK_FAILED');
  });

  it('close() after the last commit removes the state file and the .sealdrop folder', async () => {
    const o = await offer({ 'a.txt': 'one', 'b.txt': 'two' });
    const sink = await open(o, { persistEveryChunks: 1 });
    await new ChunkFeeder(sink, 0, o.data.get(0)!, CHUNK).write();
    await sink.commit(0);
    expect(await exists(stateFile(o.hash))).toBe(true);
    await new ChunkFeeder(sink, 1, o.data.get(1)!, CHUNK).write();
    await sink.commit(1);
    await sink.close();
    expect(await fsp.readdir(out)).toEqual(['a.txt', 'b.txt']);
    await expectCode(sink.progress(0), 'SINK_FAILED'); // closed
  });

  it('close() keeps the state of an unfinished transfer, and the folder while other transfers use it', async () => {
    const done = await offer({ 'a.txt': 'one' });
    const unfinished = await offer({ 'b.txt': pattern(3 * CHUNK, 8) });
    const u = await open(unfinished);
    await new ChunkFeeder(u, 0, unfinished.data.get(0)!, CHUNK).write(1);
    await u.close();
    expect(await exists(stateFile(unfinished.hash))).toBe(true);

    const d = await open(done);
    await new ChunkFeeder(d, 0, done.data.get(0)!, CHUNK).write();
    await d.commit(0);
    await d.close();
    expect(await exists(stateFile(done.hash))).toBe(false);
    expect(await fsp.readdir(path.join(out, '.sealdrop'))).toEqual([path.basename(stateFile(unfinished.hash))]);
  });
});
