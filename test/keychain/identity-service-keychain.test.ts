/**
 * The desktop identity service (main/services/identity-service.ts) against a REAL gnome-keyring through
 * keychainKeyStore: create, load after a "restart", sign (handshake contexts only), rotate, load the rotated key.
 * Linux only.
 *
 * Why a private keyring: .ci/test-all runs all of vitest in ONE D-Bus session with one throwaway keyring, and the
 * last test of keychain.test.ts locks that keyring. Test files run in parallel, so a test that shared the keyring
 * could find it locked at any moment (it did, on the first try). This file therefore starts its own
 * `dbus-run-session` with a fresh gnome-keyring (files in a temporary directory, unlocked with a fixed password,
 * no display, so no prompt can appear) and runs the scenario in a child process inside it
 * (test/services/keychain-scenario.ts), which prints what it observed for the assertions here.
 *
 * Skip logic as in keychain.test.ts: skipped with a reason when the tools are missing or no Secret Service answers
 * the child's probe; CI_REQUIRE_KEYCHAIN=1 (set by .ci/test-all) turns the skip into a failure. Needs the Debian
 * packages gnome-keyring, dbus, dbus-x11 and libsecret-1-0.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const required = process.env.CI_REQUIRE_KEYCHAIN === '1';
const SERVICE = `sealdrop-test-${randomBytes(8).toString('hex')}`;
const SCENARIO = fileURLToPath(new URL('../services/keychain-scenario.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ScenarioResults {
  readonly storedSeedBytes: number | null;
  readonly loadedSameIdentity: boolean;
  readonly signatureVerifies: boolean;
  readonly rotationContextRefused: string | null;
  readonly rotatedToNewKey: boolean;
  readonly statementVerifies: boolean;
  readonly previousLeft: boolean;
  readonly rotatedIdentityLoadedAfterRestart: boolean;
}

type Outcome =
  | { readonly ok: true; readonly results: ScenarioResults }
  | { readonly ok: true; readonly error: string }
  | { readonly ok: false; readonly reason: string };

async function onPath(tool: string): Promise<boolean> {
  return execFileAsync('sh', ['-c', `command -v ${tool}`]).then(
    () => true,
    () => false,
  );
}

/** Run the scenario in a private D-Bus session with a fresh, unlocked gnome-keyring. */
async function runInPrivateKeyring(): Promise<Outcome> {
  if (process.platform !== 'linux') return { ok: false, reason: 'this test drives gnome-keyring, on Linux only' };
  for (const tool of ['dbus-run-session', 'gnome-keyring-daemon']) {
    if (!(await onPath(tool))) return { ok: false, reason: `${tool} is not installed` };
  }
  const dir = await mkdtemp(join(tmpdir(), 'sealdrop-keyring-'));
  try {
    await mkdir(join(dir, 'data'), { mode: 0o700 });
    await mkdir(join(dir, 'run'), { mode: 0o700 });
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: join(dir, 'data'), XDG_RUNTIME_DIR: join(dir, 'run') };
    for (const name of ['DISPLAY', 'WAYLAND_DISPLAY', 'DBUS_SESSION_BUS_ADDRESS', 'SEALDROP_KEY_FILE']) delete env[name];
    const unlockThenRun = 'echo -n sealdrop-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$@"';
    const { stdout } = await execFileAsync(
      'dbus-run-session',
      ['--', 'bash', '-c', unlockThenRun, 'keyring-session', process.execPath, '--import', 'tsx', SCENARIO, SERVICE],
      { env, cwd: ROOT, timeout: 60_000 },
    );
    const line = stdout.trim().split('\n').at(-1) ?? '';
    const parsed = JSON.parse(line) as { available: boolean; reason?: string; error?: string; results?: ScenarioResults };
    if (!parsed.available) return { ok: false, reason: `no usable Secret Service: ${parsed.reason ?? 'unknown'}` };
    if (parsed.error !== undefined) return { ok: true, error: parsed.error };
    return { ok: true, results: parsed.results! };
  } catch (error) {
    return { ok: false, reason: `the private keyring session failed: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const outcome = await runInPrivateKeyring();
if (!outcome.ok && !required) {
  console.warn(`[keychain] identity-service keyring test skipped: ${outcome.reason}. Set CI_REQUIRE_KEYCHAIN=1 to fail instead.`);
}

describe('keychain environment (identity service)', () => {
  it.runIf(required)('a private gnome-keyring can be started and answers (CI_REQUIRE_KEYCHAIN=1)', () => {
    expect(outcome.ok ? 'reachable' : outcome.reason).toBe('reachable');
  });
});

describe.skipIf(!outcome.ok)(
  `identity service over a real gnome-keyring${outcome.ok ? '' : ` (skipped: ${outcome.reason})`}`,
  () => {
    const results = (): ScenarioResults => {
      if (!outcome.ok) throw new Error('unreachable: skipped');
      if ('error' in outcome) throw new Error(`the scenario failed in the keyring session: ${outcome.error}`);
      return outcome.results;
    };

    it('creates the identity in the keyring (a 32-byte seed) and loads the same one after a restart', () => {
      expect(results()).toMatchObject({ storedSeedBytes: 32, loadedSameIdentity: true });
    });

    it('signs handshake hashes with the stored key and refuses the key-rotation context', () => {
      expect(results()).toMatchObject({ signatureVerifies: true, rotationContextRefused: 'BAD_INPUT' });
    });

    it('rotates: the old key signs the statement, the old seed is gone, the new key loads next time', () => {
      expect(results()).toMatchObject({
        rotatedToNewKey: true,
        statementVerifies: true,
        previousLeft: false,
        rotatedIdentityLoadedAfterRestart: true,
      });
    });
  },
);
