import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanPaths, type ScanResult } from '../../main/adapters/fs-source';
import { expectCode } from '../helpers/expect-code';

let tmp: string;
const opened: ScanResult[] = [];

beforeEach(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sealdrop-source-'));
});
afterEach(async () => {
  for (const scan of opened.splice(0)) await scan.source.close();
  await fsp.rm(tmp, { recursive: true, force: true });
});

async function put(rel: string, data: string | Uint8Array): Promise<string> {
  const file = path.join(tmp, rel);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, data);
  return file;
}

async function scan(paths: string[]): Promise<ScanResult> {
  const result = await scanPaths(paths);
  opened.push(result);
  return result;
}

function sha256(data: string | Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function entryNamed(result: ScanResult, name: string): number {
  const index = result.manifest.entries.findIndex((e) => e.path === name);
  expect(index, name).toBeGreaterThanOrEqual(0);
  return index;
}

describe('scanPaths', () => {
  it('names files and folders relative to their parent, with empty folders, empty files and node:crypto hashes', async () => {
    const big = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 31) & 0xff);
    await put('photos/2024/beach.jpg', big);
    await put('photos/readme.txt', 'hello');
    await put('photos/empty.txt', '');
    await fsp.mkdir(path.join(tmp, 'photos/nothing-here'), { recursive: true });
    const single = await put('a.txt', 'just a file');

    const result = await scan([path.join(tmp, 'photos'), single]);
    expect(result.manifest.entries.map((e) => [e.kind, e.path])).toEqual([
      ['file', 'a.txt'],
      ['file', 'photos/2024/beach.jpg'],
      ['file', 'photos/empty.txt'],
      ['directory', 'photos/nothing-here'],
      ['file', 'photos/readme.txt'],
    ]);
    expect(result.localPaths).toEqual([
      single,
      path.join(tmp, 'photos/2024/beach.jpg'),
      path.join(tmp, 'photos/empty.txt'),
      path.join(tmp, 'photos/nothing-here'),
      path.join(tmp, 'photos/readme.txt'),
    ]);
    const beach = result.manifest.entries[1]!;
    expect(beach.kind === 'file' && beach.size).toBe(big.length);
    expect(beach.kind === 'file' && beach.sha256).toEqual(sha256(big));
    const empty = result.manifest.entries[2]!;
    expect(empty.kind === 'file' && [empty.size, empty.sha256]).toEqual([0, sha256('')]);

    expect(await result.source.read(1, 1024 * 1024 - 3, 10)).toEqual(big.slice(1024 * 1024 - 3, 1024 * 1024 + 7));
    expect(await result.source.read(0, 0, 11)).toEqual(new TextEncoder().encode('just a file'));
  });

  it('an empty folder given on the command line is one directory entry', async () => {
    await fsp.mkdir(path.join(tmp, 'hollow'));
    const result = await scan([path.join(tmp, 'hollow')]);
    expect(result.manifest.entries).toEqual([{ kind: 'directory', path: 'hollow' }]);
  });

  it('two arguments with the same name (even differing in case) are MANIFEST_DUPLICATE_PATH', async () => {
    const one = await put('one/notes.txt', 'a');
    const two = await put('two/notes.txt', 'b');
    const three = await put('three/NOTES.txt', 'c');
    await expectCode(scanPaths([one, two]), 'MANIFEST_DUPLICATE_PATH');
    await expectCode(scanPaths([one, three]), 'MANIFEST_DUPLICATE_PATH');
    await expectCode(scanPaths([one, one]), 'MANIFEST_DUPLICATE_PATH');
  });

  it('refuses a symlink, at the top level or inside a folder, naming the local path', async () => {
    const target = await put('target.txt', 'secret');
    await put('folder/ok.txt', 'ok');
    await fsp.symlink(target, path.join(tmp, 'folder/link.txt'));
    await fsp.symlink(target, path.join(tmp, 'top-link'));

    await expectCode(scanPaths([path.join(tmp, 'folder')]), 'MANIFEST_BAD_KIND');
    await expect(scanPaths([path.join(tmp, 'folder')])).rejects.toThrow(path.join(tmp, 'folder/link.txt'));
    await expectCode(scanPaths([path.join(tmp, 'top-link')]), 'MANIFEST_BAD_KIND');
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO without blocking on it', async () => {
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [path.join(tmp, 'pipe')]);
    await expectCode(scanPaths([path.join(tmp, 'pipe')]), 'MANIFEST_BAD_KIND');
  });

  it('refuses a missing path with SOURCE_FAILED', async () => {
    await expectCode(scanPaths([path.join(tmp, 'nope')]), 'SOURCE_FAILED');
  });
});

describe('FileSource.read', () => {
  it('SOURCE_FAILED when the file got shorter after the scan, even through an already cached handle', async () => {
    const file = await put('data.bin', new Uint8Array(4096).fill(7));
    const result = await scan([file]);
    expect(await result.source.read(0, 0, 1024)).toEqual(new Uint8Array(1024).fill(7));
    await fsp.truncate(file, 2048);
    await expectCode(result.source.read(0, 1024, 1024), 'SOURCE_FAILED');
  });

  it('SOURCE_FAILED when the size or the mtime changed, or the file was replaced', async () => {
    const grown = await put('grown.bin', 'abcdef');
    const touched = await put('touched.bin', 'abcdef');
    const replaced = await put('replaced.bin', 'abcdef');
    const result = await scan([grown, touched, replaced]);
    await fsp.appendFile(grown, 'more');
    const later = new Date(Date.now() + 60_000);
    await fsp.utimes(touched, later, later);
    await put('new.bin', 'abcdef');
    await fsp.rename(path.join(tmp, 'new.bin'), replaced);

    await expectCode(result.source.read(entryNamed(result, 'grown.bin'), 0, 6), 'SOURCE_FAILED');
    await expectCode(result.source.read(entryNamed(result, 'touched.bin'), 0, 6), 'SOURCE_FAILED');
    await expectCode(result.source.read(entryNamed(result, 'replaced.bin'), 0, 6), 'SOURCE_FAILED');
  });

  it('reads exactly the requested bytes, refuses ranges past the scan, and fails after close', async () => {
    const file = await put('x.bin', 'hello world');
    const result = await scanPaths([file]);
    expect(new TextDecoder().decode(await result.source.read(0, 6, 5))).toBe('world');
    expect(await result.source.read(0, 11, 0)).toEqual(new Uint8Array(0));
    await expectCode(result.source.read(0, 6, 6), 'BAD_INPUT');
    await result.source.close();
    await expectCode(result.source.read(0, 0, 1), 'SOURCE_FAILED');
  });

  it('keeps reading correctly across more files than it caches handles for', async () => {
    const files = await Promise.all(Array.from({ length: 12 }, (_, i) => put(`f${String(i).padStart(2, '0')}.txt`, `file ${i}`)));
    const result = await scan(files);
    for (let round = 0; round < 2; round++) {
      await Promise.all(
        result.manifest.entries.map(async (entry, i) => {
          const text = new TextDecoder().decode(await result.source.read(i, 0, entry.kind === 'file' ? entry.size : 0));
          expect(text).toBe(`file ${Number(entry.path.slice(1, 3))}`);
        }),
      );
    }
  });
});
