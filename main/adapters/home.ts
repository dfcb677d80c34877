/**
 * Where Sealdrop keeps its files, and which key store holds the identity. Both read the environment they are given
 * (default `process.env`), so the CLI and the desktop app agree and tests need no global state.
 *
 *   SEALDROP_HOME       the profile directory (trust store, settings); otherwise the platform's config directory
 *   SEALDROP_KEY_FILE   opt into a plain key file (key-file.ts) instead of the OS keychain (keychain.ts)
 */

import { homedir } from 'node:os';
import { posix, resolve, win32 } from 'node:path';
import type { KeyStore } from '../../src/ports/key-store';
import { fileKeyStore } from './key-file';
import { keychainKeyStore } from './keychain';

/**
 * The profile directory: `SEALDROP_HOME` when set, otherwise `%APPDATA%\Sealdrop` on Windows,
 * `~/Library/Application Support/Sealdrop` on macOS, and `$XDG_CONFIG_HOME/sealdrop` (default `~/.config/sealdrop`)
 * elsewhere. A relative XDG_CONFIG_HOME is ignored, as the XDG spec requires. Never creates the directory.
 */
export function sealdropHome(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const explicit = env.SEALDROP_HOME;
  if (explicit) return resolve(explicit);
  if (platform === 'win32') {
    const appData = env.APPDATA;
    if (appData && win32.isAbsolute(appData)) return win32.join(appData, 'Sealdrop');
    return win32.join(env.USERPROFILE || homedir(), 'AppData', 'Roaming', 'Sealdrop');
  }
  const home = env.HOME || homedir();
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', 'Sealdrop');
  const configHome = env.XDG_CONFIG_HOME;
  if (configHome && posix.isAbsolute(configHome)) return posix.join(configHome, 'sealdrop');
  return posix.join(home, '.config', 'sealdrop');
}

/**
 * The key store for the identity: a key file at `SEALDROP_KEY_FILE` when that is set, otherwise the OS keychain.
 * Never throws itself; without a reachable keychain the store's first use throws KEYSTORE_UNAVAILABLE, whose message
 * points at SEALDROP_KEY_FILE.
 */
export function resolveKeyStore(env: NodeJS.ProcessEnv = process.env): KeyStore {
  const keyFile = env.SEALDROP_KEY_FILE;
  return keyFile ? fileKeyStore(resolve(keyFile)) : keychainKeyStore();
}
