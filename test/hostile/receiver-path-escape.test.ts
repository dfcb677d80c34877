/**
 * Hostile: a sender whose manifest is valid (no '..', nothing absolute — test/hostile/manifest-* cover those) tries
 * to make the receiver write outside its chosen folder, or over something already there, by aiming at what
 * exists on the receiver's disk: symlinks planted at folder, file or part names, a folder where a file goes, a
 * file that appears under a final name just before the commit. Every attempt must end in SINK_FAILED with nothing
 * written outside the folder and nothing overwritten.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFsSink, type FsSink } from '../../main/adapters/fs-sink';
import { ChunkFeeder, exists, indexOf, offer, pattern, runSession, tempDir, type Offer } from '../adapters/fs-fixtures';
import { memorySource } from '../../src/testing/memory-files';
import { linkedTransports } from '../../src/testing/memory-transport';
import { expectCode } from '../helpers/expect-code';

const CHUNK = 1024;
let out: string;
let outside: string;
const sinks: FsSink[] = [];

beforeEach(async () => {
  out = await tempDir('victim');
  outside = await tempDir('outside');
});
afterEach(async () => {
  for (const sink of sinks.splice(0)) await sink.close().catch(() => undefined);
  await fsp.rm(out, { recursive: true, force: true });
  await fsp.rm(outside, { recursive: true, force: true });
});

async function open(o: Offer): Promise<FsSink> {
  const sink = await openFsSink(out, o.manifest, o.hash);
  sinks.push(sink);
  return sink;
}

async function writeAll(sink: FsSink, o: Offer, name: string): Promise<number> {
  const index = indexOf(o, name);
  await new ChunkFeeder(sink, index, o.data.get(index)!, CHUNK).write();
  return index;
}

async function outsideIsUntouched(expected: string[] = []): Promise<void> {
  expect((await fsp.readdir(outside, { recursive: true })).sort()).toEqual(expected);
}

describe('receiver path escape: a symlink planted at a folder name', () => {
  it('pointing outside: no chunk, no folder and no file lands outside (SINK_FAILED)', async () => {
    await fsp.symlink(outside, path.join(out, 'photos'));
    const o = await offer({ 'photos/a.jpg': pattern(3000, 1) }, ['photos/sub']);
    const sink = await open(o);
    expect(sink.conflicts()).toEqual(['photos/a.jpg', 'photos/sub']);

    await expectCode(writeAll(sink, o, 'photos/a.jpg'), 'SINK_FAILED');
    await expect(writeAll(sink, o, 'photos/a.jpg')).rejects.toThrow(/refusing to follow a symlink/);
    await expectCode(sink.createDirectory(indexOf(o, 'photos/sub')), 'SINK_FAILED');
    await expectCode(sink.commit(indexOf(o, 'photos/a.jpg')), 'SINK_FAILED');
    await outsideIsUntouched();
  });

  it('deeper down, below a real folder', async () => {
    await fsp.mkdir(path.join(out, 'docs'));
    await fsp.symlink(outside, path.join(out, 'docs/inner'));
    const o = await offer({ 'docs/inner/deeper/x.txt': 'payload' });
    const sink = await open(o);
    await expectCode(writeAll(sink, o, 'docs/inner/deeper/x.txt'), 'SINK_FAILED');
    await outsideIsUntouched();
  });

  it('at the state folder: the sink refuses to open', async () => {
    await fsp.symlink(outside, path.join(out, '.sealdrop'));
    const o = await offer({ 'a.txt': 'x' });
    await expectCode(openFsSink(out, o.manifest, o.hash), 'SINK_FAILED');
    await outsideIsUntouched();
  });

  it('through the real session runner: the receiver stops with SINK_FAILED, nothing lands outside', async () => {
    await fsp.symlink(outside, path.join(out, 'photos'));
    const { manifest, source } = memorySource([{ path: 'photos/a.jpg', data: pattern(200_000, 2) }]);
    const { received } = await runSession(linkedTransports(), manifest, source, async ({ manifest, manifestHash }) => {
      const sink = await openFsSink(out, manifest, manifestHash);
      sinks.push(sink);
      return sink;
    });
    expect(received.code).toBe('SINK_FAILED');
    await outsideIsUntouched();
  });
});

describe('receiver path escape: the part file name', () => {
  it('a symlink planted at <name>.sealdrop-part is refused, dangling or not, and its target is untouched', async () => {
    const target = path.join(outside, 'victim.txt');
    await fsp.writeFile(target, 'precious');
    await fsp.symlink(target, path.join(out, 'a.txt.sealdrop-part'));
    await fsp.symlink(path.join(outside, 'new.txt'), path.join(out, 'b.txt.sealdrop-part'));
    const o = await offer({ 'a.txt': 'attacker bytes', 'b.txt': 'attacker bytes' });
    const sink = await open(o);

    await expectCode(writeAll(sink, o, 'a.txt'), 'SINK_FAILED');
    await expectCode(writeAll(sink, o, 'b.txt'), 'SINK_FAILED');
    expect(await fsp.readFile(target, 'utf8')).toBe('precious');
    await outsideIsUntouched(['victim.txt']);
  });

  it('a hard link planted at <name>.sealdrop-part is refused, and the linked file is untouched', async () => {
    const target = path.join(outside, 'victim.txt');
    await fsp.writeFile(target, 'precious');
    try {
      await fsp.link(target, path.join(out, 'a.txt.sealdrop-part'));
    } catch {
      return; // the two temp folders are on different devices: nothing to test here
    }
    const o = await offer({ 'a.txt': 'attacker bytes' });
    const sink = await open(o);
    await expectCode(writeAll(sink, o, 'a.txt'), 'SINK_FAILED');
    expect(await fsp.readFile(target, 'utf8')).toBe('precious');
  });

  it('a manifest naming Sealdrop\'s own files (part names, the state folder) is refused at open', async () => {
    for (const files of [{ 'a.txt': 'x', 'a.txt.sealdrop-part': 'y' }, { 'dir/B.SEALDROP-PART': 'y' }, { '.sealdrop/0123456789abcdef.json': '{}' }, { '.SealDrop/x': '' }]) {
      const o = await offer(files);
      await expectCode(openFsSink(out, o.manifest, o.hash), 'SINK_FAILED');
    }
  });
});

describe('receiver path escape: something in the way of a final name', () => {
  it('a folder where a file should go: SINK_FAILED at commit, the folder untouched', async () => {
    await fsp.mkdir(path.join(out, 'a.txt'));
    await fsp.writeFile(path.join(out, 'a.txt/keep'), 'keep');
    const o = await offer({ 'a.txt': 'payload' });
    const sink = await open(o);
    const index = await writeAll(sink, o, 'a.txt');
    await expectCode(sink.commit(index), 'SINK_FAILED');
    expect(await fsp.readFile(path.join(out, 'a.txt/keep'), 'utf8')).toBe('keep');
  });

  it('a file where a folder should go: SINK_FAILED, for file and folder entries alike', async () => {
    await fsp.writeFile(path.join(out, 'notes'), 'a file');
    const o = await offer({ 'notes/today.md': 'x' }, ['notes']);
    const sink = await open(o);
    await expectCode(writeAll(sink, o, 'notes/today.md'), 'SINK_FAILED');
    await expectCode(sink.createDirectory(indexOf(o, 'notes')), 'SINK_FAILED');
    expect(await fsp.readFile(path.join(out, 'notes'), 'utf8')).toBe('a file');
  });

  it('a symlink at the final name: the commit refuses, and the link target is untouched', async () => {
    const target = path.join(outside, 'victim.txt');
    await fsp.writeFile(target, 'precious');
    await fsp.symlink(target, path.join(out, 'a.txt'));
    const o = await offer({ 'a.txt': 'attacker bytes' });
    const sink = await open(o);
    const index = await writeAll(sink, o, 'a.txt');
    await expectCode(sink.commit(index), 'SINK_FAILED');
    expect(await fsp.readFile(target, 'utf8')).toBe('precious');
  });

  it('a file that appears under the final name between verification and commit is not overwritten', async () => {
    const o = await offer({ 'report.pdf': pattern(5000, 3) });
    const sink = await open(o);
    const index = await writeAll(sink, o, 'report.pdf');
    expect(sink.conflicts()).toEqual([]);
    await fsp.writeFile(path.join(out, 'report.pdf'), 'written by someone else meanwhile');
    await expectCode(sink.commit(index), 'SINK_FAILED');
    expect(await fsp.readFile(path.join(out, 'report.pdf'), 'utf8')).toBe('written by someone else meanwhile');
    expect(await exists(path.join(out, 'report.pdf.sealdrop-part'))).toBe(true); // still ours, still unverified-safe
  });
});
