import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { SealdropError } from '../../src/errors';
import { identityFromSeed } from '../../src/identity/identity';
import {
  confirmRotation,
  loadOrCreateIdentity,
  rotateIdentity,
  verifyRotationStatement,
} from '../../src/identity/identity-store';
import { FakeClock } from '../../src/testing/fake-clock';
import { SeededRandom } from '../../src/testing/seeded-random';
import { resolveKeyStore, sealdropHome } from '../../main/adapters/home';
import { fileKeyStore, KEY_FILE_FORMAT } from '../../main/adapters/key-file';
import { expectCode } from '../helpers/expect-code';

const posixOnly = it.skipIf(process.platform === 'win32');
const bytes = (...values: number[]) => new Uint8Array(values);

let root: string;
let keyFile: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sealdrop-key-file-'));
  keyFile = join(root, 'keys', 'sealdrop-key.json');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function writeKeyFile(content: unknown, mode = 0o600): Promise<void> {
  await mkdir(join(root, 'keys'), { recursive: true });
  await writeFile(keyFile, typeof content === 'string' ? content : JSON.stringify(content), { mode });
  await chmod(keyFile, mode);
}

describe('fileKeyStore', () => {
  it('loads null and removes nothing while the file does not exist, and creates nothing', async () => {
    const store = fileKeyStore(keyFile);
    expect(await store.load('identity')).toBeNull();
    await store.remove('identity');
    await expect(stat(join(root, 'keys'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('creates the file with the documented layout and reads it back through a new store', async () => {
    await fileKeyStore(keyFile).save('identity', bytes(0, 1, 2, 253, 254, 255));
    expect(JSON.parse(await readFile(keyFile, 'utf8'))).toEqual({
      format: 'sealdrop-key-file',
      version: 1,
      accounts: { identity: 'AAEC/f7/' },
    });
    expect(await fileKeyStore(keyFile).load('identity')).toEqual(bytes(0, 1, 2, 253, 254, 255));
  });

  posixOnly('creates the file 0600 in a 0700 directory', async () => {
    await fileKeyStore(keyFile).save('identity', bytes(1));
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'keys'))).mode & 0o777).toBe(0o700);
  });

  it('copies in and out', async () => {
    const store = fileKeyStore(keyFile);
    const secret = bytes(7, 7, 7);
    await store.save('identity', secret);
    secret.fill(0);
    const loaded = (await store.load('identity'))!;
    loaded.fill(0);
    expect(await store.load('identity')).toEqual(bytes(7, 7, 7));
  });

  it('keeps accounts apart; remove deletes only its own; rewrites leave no temporary files', async () => {
    const store = fileKeyStore(keyFile);
    await store.save('identity', bytes(1));
    await store.save('identity.previous', bytes(2));
    await store.save('__proto__', bytes(3));
    await store.remove('identity.previous');
    await store.remove('never-stored');
    expect(await store.load('identity')).toEqual(bytes(1));
    expect(await store.load('identity.previous')).toBeNull();
    expect(await store.load('__proto__')).toEqual(bytes(3));
    expect(await store.load('toString')).toBeNull();
    expect(await readdir(join(root, 'keys'))).toEqual(['sealdrop-key.json']);
  });

  it('runs concurrent changes one at a time, losing none', async () => {
    const store = fileKeyStore(keyFile);
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.save(`account-${i}`, bytes(i))));
    for (let i = 0; i < 10; i++) expect(await store.load(`account-${i}`)).toEqual(bytes(i));
  });

  it('an empty secret round-trips', async () => {
    await fileKeyStore(keyFile).save('empty', bytes());
    expect(await fileKeyStore(keyFile).load('empty')).toEqual(bytes());
  });

  posixOnly.each([0o640, 0o604, 0o620, 0o602, 0o644, 0o666])(
    'refuses a file with mode %o (KEYSTORE_UNAVAILABLE, saying chmod 600) and leaves it alone',
    async (mode) => {
      const document = { format: KEY_FILE_FORMAT, version: 1, accounts: { identity: 'AQ==' } };
      await writeKeyFile(document, mode);
      const store = fileKeyStore(keyFile);
      await expectCode(store.load('identity'), 'KEYSTORE_UNAVAILABLE');
      await expectCode(store.save('identity', bytes(9)), 'KEYSTORE_UNAVAILABLE');
      await expectCode(store.remove('identity'), 'KEYSTORE_UNAVAILABLE');
      // The way out is part of the contract here: a user who hits this must learn what to run.
      await expect(store.load('identity')).rejects.toThrow(/chmod 600/);
      expect(JSON.parse(await readFile(keyFile, 'utf8'))).toEqual(document);
      expect((await stat(keyFile)).mode & 0o777).toBe(mode);
    },
  );

  it('a path that is a directory is KEYSTORE_UNAVAILABLE', async () => {
    await mkdir(keyFile, { recursive: true });
    await expectCode(fileKeyStore(keyFile).load('identity'), 'KEYSTORE_UNAVAILABLE');
    await expectCode(fileKeyStore(keyFile).save('identity', bytes(1)), 'KEYSTORE_UNAVAILABLE');
  });

  const valid = { format: KEY_FILE_FORMAT, version: 1, accounts: { other: 'AQ==' } };
  it.each<[string, unknown]>([
    ['empty file', ''],
    ['not JSON', '{"format": "sealdrop-key-file",'],
    ['JSON null', 'null'],
    ['an array', [valid]],
    ['another format', { ...valid, format: 'sealdrop-trust-store' }],
    ['no format', { version: 1, accounts: {} }],
    ['version 2', { ...valid, version: 2 }],
    ['version "1"', { ...valid, version: '1' }],
    ['no accounts', { format: KEY_FILE_FORMAT, version: 1 }],
    ['accounts is an array', { ...valid, accounts: ['AQ=='] }],
    ['accounts is null', { ...valid, accounts: null }],
    ['an unknown field', { ...valid, comment: 'hi' }],
    ['a number value', { ...valid, accounts: { identity: 1 } }],
    ['a null value', { ...valid, accounts: { identity: null } }],
    ['unpadded base64', { ...valid, accounts: { identity: 'AQ' } }],
    ['base64url', { ...valid, accounts: { identity: '-_8=' } }],
    ['spaces in base64', { ...valid, accounts: { identity: 'AQ ==' } }],
    ['junk after base64', { ...valid, accounts: { identity: 'AQ==x' } }],
    ['non-zero padding bits', { ...valid, accounts: { identity: 'AR==' } }],
    ['not base64 at all', { ...valid, accounts: { identity: '@@@@' } }],
  ])('%s is KEYSTORE_CORRUPT for every account, and is never rewritten', async (_what, content) => {
    await writeKeyFile(content);
    const before = await readFile(keyFile);
    const store = fileKeyStore(keyFile);
    await expectCode(store.load('identity'), 'KEYSTORE_CORRUPT');
    await expectCode(store.load('other'), 'KEYSTORE_CORRUPT');
    await expectCode(store.save('identity', bytes(1)), 'KEYSTORE_CORRUPT');
    await expectCode(store.remove('other'), 'KEYSTORE_CORRUPT');
    expect(await readFile(keyFile)).toEqual(before);
  });

  it('a stored seed of the wrong length is KEYSTORE_CORRUPT for the identity, and is kept', async () => {
    await writeKeyFile({ format: KEY_FILE_FORMAT, version: 1, accounts: { identity: 'AAECAw==' } });
    await expectCode(loadOrCreateIdentity(fileKeyStore(keyFile), new SeededRandom('a')), 'KEYSTORE_CORRUPT');
    expect(await fileKeyStore(keyFile).load('identity')).toEqual(bytes(0, 1, 2, 3));
  });

  it('carries an identity through create, load, rotate and confirm', async () => {
    const clock = new FakeClock();
    clock.advance(1_700_000_000_000);
    const created = await loadOrCreateIdentity(fileKeyStore(keyFile), new SeededRandom('a'));
    expect(created.created).toBe(true);
    const loaded = await loadOrCreateIdentity(fileKeyStore(keyFile), new SeededRandom('b'));
    expect(loaded.created).toBe(false);
    expect(equalBytes(loaded.signer.publicKey, created.signer.publicKey)).toBe(true);

    const store = fileKeyStore(keyFile);
    const { signer, rotation } = await rotateIdentity(store, new SeededRandom('c'), loaded.signer, clock);
    await verifyRotationStatement(rotation, created.signer.publicKey);
    const previous = (await store.load('identity.previous'))!;
    expect(equalBytes((await identityFromSeed(previous)).publicKey, created.signer.publicKey)).toBe(true);
    const after = await loadOrCreateIdentity(fileKeyStore(keyFile), new SeededRandom('d'));
    expect(equalBytes(after.signer.publicKey, signer.publicKey)).toBe(true);

    await confirmRotation(store);
    expect(await store.load('identity.previous')).toBeNull();
    const document = JSON.parse(await readFile(keyFile, 'utf8')) as { accounts: Record<string, string> };
    expect(Object.keys(document.accounts)).toEqual(['identity']);
  });
});

describe('resolveKeyStore (main/adapters/home.ts)', () => {
  it('SEALDROP_KEY_FILE selects the key file', async () => {
    const store = resolveKeyStore({ SEALDROP_KEY_FILE: keyFile });
    await store.save('identity', bytes(5));
    expect(await fileKeyStore(keyFile).load('identity')).toEqual(bytes(5));
  });

  it('without SEALDROP_KEY_FILE it returns the keychain store without touching the keychain', () => {
    // Its first use needs a keychain: test/keychain/keychain.test.ts covers both outcomes.
    expect(() => resolveKeyStore({ SEALDROP_KEY_FILE: '' })).not.toThrow();
    expect(() => resolveKeyStore({})).not.toThrow();
  });

  it('errors from the store it picks are coded', async () => {
    await mkdir(keyFile, { recursive: true });
    await expect(resolveKeyStore({ SEALDROP_KEY_FILE: keyFile }).load('identity')).rejects.toBeInstanceOf(
      SealdropError,
    );
  });
});

describe('sealdropHome (main/adapters/home.ts)', () => {
  const ann = { HOME: '/home/ann' };
  it.each<[string, NodeJS.ProcessEnv, NodeJS.Platform, string]>([
    ['SEALDROP_HOME wins everywhere', { SEALDROP_HOME: '/srv/sd', XDG_CONFIG_HOME: '/x' }, 'linux', '/srv/sd'],
    ['XDG_CONFIG_HOME on Linux', { ...ann, XDG_CONFIG_HOME: '/home/ann/cfg' }, 'linux', '/home/ann/cfg/sealdrop'],
    ['~/.config without XDG_CONFIG_HOME', ann, 'linux', '/home/ann/.config/sealdrop'],
    ['a relative XDG_CONFIG_HOME is ignored', { ...ann, XDG_CONFIG_HOME: 'cfg' }, 'linux', '/home/ann/.config/sealdrop'],
    ['empty variables count as unset', { ...ann, SEALDROP_HOME: '', XDG_CONFIG_HOME: '' }, 'freebsd',
      '/home/ann/.config/sealdrop'],
    ['macOS', { HOME: '/Users/ann', XDG_CONFIG_HOME: '/x' }, 'darwin', '/Users/ann/Library/Application Support/Sealdrop'],
    ['Windows %APPDATA%', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32',
      'C:\\Users\\ann\\AppData\\Roaming\\Sealdrop'],
    ['Windows without %APPDATA%', { USERPROFILE: 'C:\\Users\\ann' }, 'win32',
      'C:\\Users\\ann\\AppData\\Roaming\\Sealdrop'],
  ])('%s', (_what, env, platform, expected) => {
    expect(sealdropHome(env, platform)).toBe(expected);
  });

  it('defaults to process.env and the running platform', () => {
    expect(sealdropHome()).toBe(sealdropHome(process.env, process.platform));
  });
});
