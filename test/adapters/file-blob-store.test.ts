import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { utf8 } from '../../src/bytes';
import { fileBlobStore } from '../../main/adapters/file-blob-store';
import { expectCode } from '../helpers/expect-code';

// The one way to make a rename fail on demand, also as root (CI runs as root, so permissions cannot do it).
const renameFault = vi.hoisted(() => ({ failNext: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...actual,
    rename: (from: string, to: string) => {
      if (renameFault.failNext > 0) {
        renameFault.failNext--;
        return Promise.reject(Object.assign(new Error('simulated EIO on rename'), { code: 'EIO' }));
      }
      return actual.rename(from, to);
    },
  };
});

const posixOnly = it.skipIf(process.platform === 'win32');

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sealdrop-blobs-'));
  renameFault.failNext = 0;
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('fileBlobStore', () => {
  it('reads null for a document never written, without creating anything', async () => {
    const dir = join(root, 'profile');
    expect(await fileBlobStore(dir).read('trust-store')).toBeNull();
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('writes <dir>/<name>.json and reads the same bytes back, through a new store too', async () => {
    const dir = join(root, 'a', 'b');
    await fileBlobStore(dir).write('trust-store', utf8('{"v":1}'));
    expect(await readFile(join(dir, 'trust-store.json'), 'utf8')).toBe('{"v":1}');
    expect(await fileBlobStore(dir).read('trust-store')).toEqual(utf8('{"v":1}'));
  });

  it('copies in and out', async () => {
    const store = fileBlobStore(root);
    const data = utf8('original');
    await store.write('settings', data);
    data.fill(0);
    const first = (await store.read('settings'))!;
    first.fill(0);
    expect(await store.read('settings')).toEqual(utf8('original'));
  });

  it('replaces the whole document and leaves no temporary files', async () => {
    const store = fileBlobStore(root);
    await store.write('trust-store', utf8('a much longer first document'));
    await store.write('trust-store', utf8('short'));
    expect(await store.read('trust-store')).toEqual(utf8('short'));
    expect(await readdir(root)).toEqual(['trust-store.json']);
  });

  it('keeps documents apart by name', async () => {
    const store = fileBlobStore(root);
    await store.write('trust-store', utf8('t'));
    await store.write('settings-2', utf8('s'));
    expect(await store.read('trust-store')).toEqual(utf8('t'));
    expect(await store.read('settings-2')).toEqual(utf8('s'));
  });

  posixOnly('creates the directory 0700 and documents 0600', async () => {
    const dir = join(root, 'profile');
    await fileBlobStore(dir).write('trust-store', utf8('x'));
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'trust-store.json'))).mode & 0o777).toBe(0o600);
  });

  it('a write that fails before the rename keeps the old document and cleans up', async () => {
    const store = fileBlobStore(root);
    await store.write('trust-store', utf8('old'));
    renameFault.failNext = 1;
    await expect(store.write('trust-store', utf8('new'))).rejects.toMatchObject({ code: 'EIO' });
    expect(await store.read('trust-store')).toEqual(utf8('old'));
    expect(await readdir(root)).toEqual(['trust-store.json']);
  });

  it('concurrent writes end with one whole document', async () => {
    const store = fileBlobStore(root);
    const versions = Array.from({ length: 20 }, (_, i) => utf8(`version ${i} `.repeat(i + 1)));
    await Promise.all(versions.map((v) => store.write('trust-store', v)));
    const final = (await store.read('trust-store'))!;
    expect(versions.some((v) => v.length === final.length && v.every((b, i) => b === final[i]))).toBe(true);
    expect(await readdir(root)).toEqual(['trust-store.json']);
  });

  it.each(['', 'Trust', '../escape', 'a/b', 'a\\b', 'a.b', 'a b', '.hidden', 'trust-store.json', 'ä', 'a\0b'])(
    'refuses the name %j with BAD_INPUT, touching nothing',
    async (name) => {
      const store = fileBlobStore(join(root, 'profile'));
      await expectCode(store.write(name, utf8('x')), 'BAD_INPUT');
      await expectCode(store.read(name), 'BAD_INPUT');
      expect(await readdir(root)).toEqual([]);
    },
  );
});
