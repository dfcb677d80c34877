/**
 * keychainKeyStore against a REAL Secret Service (gnome-keyring over D-Bus), Linux only.
 *
 * Where the keyring comes from: .ci/test-all runs vitest inside a private `dbus-run-session` with a throwaway
 * gnome-keyring (its files in a temporary directory, unlocked with a fixed password) and sets
 * CI_REQUIRE_KEYCHAIN=1, which turns "no keychain here" into a failure instead of a skip. To run these locally in
 * the same way (needs the Debian packages gnome-keyring, dbus, dbus-x11, libsecret-1-0):
 *
 *   dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null;
 *                               exec npx vitest run test/keychain'
 *
 * Against a desktop session's own keyring the tests also run; they write only under a random service name
 * ("sealdrop-test-<hex>") and remove what they wrote. The locked-keyring test locks the whole login keyring, so it
 * runs only where SEALDROP_TEST_KEYRING_THROWAWAY=1 says the keyring is disposable (.ci/test-all sets it).
 *
 * The "no keychain at all" test needs no keyring: it runs the adapter in a child process whose D-Bus address
 * points nowhere.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AsyncEntry } from '@napi-rs/keyring';
import { afterAll, describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { identityFromSeed } from '../../src/identity/identity';
import {
  confirmRotation,
  loadOrCreateIdentity,
  previousAccountOf,
  rotateIdentity,
  verifyRotationStatement,
} from '../../src/identity/identity-store';
import type { KeyStore } from '../../src/ports/key-store';
import { webCryptoRandom } from '../../src/ports/random';
import { FakeClock } from '../../src/testing/fake-clock';
import { keychainKeyStore } from '../../main/adapters/keychain';
import { expectCode } from '../helpers/expect-code';

const SERVICE = `sealdrop-test-${randomBytes(8).toString('hex')}`;
const LINUX_SECRET_SERVICE = { linux: { store: 'secret-service' as const } };
const required = process.env.CI_REQUIRE_KEYCHAIN === '1';
const throwaway = process.env.SEALDROP_TEST_KEYRING_THROWAWAY === '1';
const execFileAsync = promisify(execFile);

/** Is there a Secret Service here that stores, returns and deletes a value? The reason when not. */
async function probeKeychain(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: 'these tests drive gnome-keyring, on Linux only' };
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    return { ok: false, reason: 'DBUS_SESSION_BUS_ADDRESS is not set: there is no D-Bus session' };
  }
  const store = keychainKeyStore({ service: SERVICE });
  const probe = randomBytes(16);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer within 20 s (an unlock prompt waiting?)')), 20_000);
  });
  try {
    await Promise.race([
      (async () => {
        await store.save('probe', probe);
        const back = await store.load('probe');
        await store.remove('probe');
        if (back === null || !equalBytes(back, probe)) throw new Error('a stored value did not come back');
      })(),
      timeout,
    ]);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `no usable Secret Service: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

const keychain = await probeKeychain();
if (!keychain.ok && !required) {
  console.warn(`[keychain] real-keyring tests skipped: ${keychain.reason}. Set CI_REQUIRE_KEYCHAIN=1 to fail instead.`);
}

function wallClock(): FakeClock {
  const clock = new FakeClock();
  clock.advance(Date.now());
  return clock;
}

describe('keychain environment', () => {
  it.runIf(required)('a Secret Service is reachable (CI_REQUIRE_KEYCHAIN=1)', () => {
    expect(keychain.ok ? 'reachable' : keychain.reason).toBe('reachable');
  });
});

describe.skipIf(!keychain.ok)(
  `keychainKeyStore over a real Secret Service${keychain.ok ? '' : ` (skipped: ${keychain.reason})`}`,
  () => {
    const store: KeyStore = keychainKeyStore({ service: SERVICE });
    const written = new Set<string>();
    const save = async (target: KeyStore, account: string, secret: Uint8Array) => {
      written.add(account);
      await target.save(account, secret);
    };
    afterAll(async () => {
      // A throwaway keyring is deleted with its session (and is locked by now, so removing would only fail).
      if (throwaway) return;
      for (const account of [...written, 'identity', previousAccountOf('identity'), 'corrupt']) {
        await store.remove(account).catch(() => undefined);
      }
    });

    it('stores, loads and removes bytes, copying in and out; remove is idempotent', async () => {
      const original = Uint8Array.from([0, 1, 2, 127, 128, 254, 255, ...randomBytes(32)]);
      const secret = original.slice();
      await save(store, 'bytes', secret);
      secret.fill(0);
      const loaded = (await store.load('bytes'))!;
      expect(loaded).toEqual(original);
      loaded.fill(0);
      expect(await keychainKeyStore({ service: SERVICE }).load('bytes')).toEqual(original);

      // A Node Buffer too, whose slice() is a view: the adapter must neither keep nor wipe the caller's bytes.
      const asBuffer = Buffer.from(original);
      await save(store, 'bytes', asBuffer);
      expect(new Uint8Array(asBuffer)).toEqual(original);

      await save(store, 'bytes', Uint8Array.from([9]));
      expect(await store.load('bytes')).toEqual(Uint8Array.from([9]));
      await store.remove('bytes');
      expect(await store.load('bytes')).toBeNull();
      await store.remove('bytes');
    });

    it('keeps accounts and services apart', async () => {
      await save(store, 'apart', Uint8Array.from([1]));
      expect(await store.load('apart-2')).toBeNull();
      expect(await keychainKeyStore({ service: `${SERVICE}-other` }).load('apart')).toBeNull();
      await store.remove('apart');
    });

    it('creates an identity once, loads it after a "restart", rotates it and confirms the rotation', async () => {
      written.add('identity');
      const created = await loadOrCreateIdentity(store, webCryptoRandom);
      expect(created.created).toBe(true);
      const restarted = keychainKeyStore({ service: SERVICE });
      const loaded = await loadOrCreateIdentity(restarted, webCryptoRandom);
      expect(loaded.created).toBe(false);
      expect(equalBytes(loaded.signer.publicKey, created.signer.publicKey)).toBe(true);

      const { signer, rotation } = await rotateIdentity(restarted, webCryptoRandom, loaded.signer, wallClock());
      await verifyRotationStatement(rotation, created.signer.publicKey);
      const previous = (await store.load(previousAccountOf('identity')))!;
      expect(equalBytes((await identityFromSeed(previous)).publicKey, created.signer.publicKey)).toBe(true);
      const afterRotation = await loadOrCreateIdentity(keychainKeyStore({ service: SERVICE }), webCryptoRandom);
      expect(afterRotation.created).toBe(false);
      expect(equalBytes(afterRotation.signer.publicKey, signer.publicKey)).toBe(true);
      // A second rotation before confirming would lose the key contacts still pin.
      await expectCode(rotateIdentity(store, webCryptoRandom, signer, wallClock()), 'BAD_INPUT');

      await confirmRotation(store);
      expect(await store.load(previousAccountOf('identity'))).toBeNull();
      await confirmRotation(store);
      await rotateIdentity(store, webCryptoRandom, signer, wallClock());
    });

    it('deletes the identity: the next start creates a new one', async () => {
      written.add('deleted');
      const first = await loadOrCreateIdentity(store, webCryptoRandom, 'deleted');
      await store.remove('deleted');
      expect(await store.load('deleted')).toBeNull();
      const second = await loadOrCreateIdentity(store, webCryptoRandom, 'deleted');
      expect(second.created).toBe(true);
      expect(equalBytes(second.signer.publicKey, first.signer.publicKey)).toBe(false);
    });

    it('a stored value that is not a 32-byte seed is KEYSTORE_CORRUPT and is left as it was', async () => {
      // Written as text by another client, as a look-alike entry or an old tool would.
      written.add('corrupt');
      const foreign = new AsyncEntry(SERVICE, 'corrupt', LINUX_SECRET_SERVICE);
      await foreign.setPassword('not a seed');
      await expectCode(loadOrCreateIdentity(store, webCryptoRandom, 'corrupt'), 'KEYSTORE_CORRUPT');
      await expectCode(
        rotateIdentity(store, webCryptoRandom, (await identityFromSeed(new Uint8Array(32))), wallClock(), 'corrupt'),
        'KEYSTORE_CORRUPT',
      );
      expect(await foreign.getPassword()).toBe('not a seed');
    });

    // Last in the file: it locks the (throwaway) login keyring for the rest of the session.
    it.runIf(throwaway)('a locked keyring is KEYSTORE_UNAVAILABLE, and nothing is created in its place', async () => {
      await save(store, 'before-lock', Uint8Array.from([1]));
      await execFileAsync('dbus-send', [
        '--session', '--print-reply', '--dest=org.freedesktop.secrets', '/org/freedesktop/secrets',
        'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login',
      ]);
      await expectCode(store.load('before-lock'), 'KEYSTORE_UNAVAILABLE');
      await expectCode(store.save('identity', Uint8Array.from([2])), 'KEYSTORE_UNAVAILABLE');
      await expectCode(loadOrCreateIdentity(store, webCryptoRandom, 'before-lock'), 'KEYSTORE_UNAVAILABLE');
      await expect(store.load('before-lock')).rejects.toThrow(/Unlock your keyring.*SEALDROP_KEY_FILE/);
    });
  },
);

describe.runIf(process.platform === 'linux')('without any keychain', () => {
  it('every operation is KEYSTORE_UNAVAILABLE, saying how to fix it (resolveKeyStore picks the keychain)', async () => {
    const home = fileURLToPath(new URL('../../main/adapters/home.ts', import.meta.url));
    const keychainModule = fileURLToPath(new URL('../../main/adapters/keychain.ts', import.meta.url));
    // A fresh process, so no D-Bus connection of this one is reused; the address leads nowhere.
    const script = `
      const { resolveKeyStore } = await import(${JSON.stringify(home)});
      const { keychainKeyStore } = await import(${JSON.stringify(keychainModule)});
      const store = keychainKeyStore({ service: ${JSON.stringify(SERVICE)} });
      const results = [];
      for (const work of [
        () => resolveKeyStore({}).load('identity'),
        () => store.save('identity', new Uint8Array(32)),
        () => store.remove('identity'),
      ]) {
        try { await work(); results.push({ ok: true }); }
        catch (error) { results.push({ code: error.code, name: error.name, message: error.message }); }
      }
      console.log(JSON.stringify(results));`;
    const env: NodeJS.ProcessEnv = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/sealdrop/bus' };
    delete env.SEALDROP_KEY_FILE;
    const args = ['--import', 'tsx', '--input-type=module', '-e', script];
    const { stdout } = await execFileAsync(process.execPath, args, { env });
    type Outcome = { ok?: true; code?: string; name?: string; message?: string };
    const results = JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome[];
    expect(results).toHaveLength(3);
    for (const result of results) {
      expect(result).toMatchObject({ name: 'SealdropError', code: 'KEYSTORE_UNAVAILABLE' });
      // The message is the user's only guide here, so its advice is part of the contract.
      expect(result.message).toMatch(/^no OS keychain reachable \(Secret Service over D-Bus\)\. Unlock your keyring/);
      expect(result.message).toContain('SEALDROP_KEY_FILE=<path>');
    }
  });
});
