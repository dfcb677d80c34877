/**
 * KeyStore in the OS keychain through @napi-rs/keyring (DECISIONS.md 4): macOS Keychain, Windows Credential
 * Manager, and on Linux the Secret Service over D-Bus (gnome-keyring, KWallet). One credential per account, under
 * the service name "sealdrop" unless told otherwise (tests use a random one).
 *
 * Design choices, each for a reason:
 * - Secrets go through the binary API (`setSecret`/`getSecret`), not base64 in `setPassword`: the seed then never
 *   becomes a JavaScript string, which could not be wiped and would linger in the heap. Our own copies (the one
 *   handed to the native call, the array it returns) are zeroed once the call is done.
 * - On Linux the entry is pinned to the Secret Service. The library's default falls back to the kernel keyring
 *   (keyutils) when no Secret Service answers, and that keyring lives only as long as the login session or the
 *   machine: an identity created there would silently vanish at the next reboot, and every contact would then see
 *   a changed key. We would rather fail and say how to fix it.
 * - Every platform failure (no D-Bus session, no Secret Service, a locked keyring whose unlock prompt cannot be
 *   shown, an access denial) becomes KEYSTORE_UNAVAILABLE with a message that names the way out: unlock the
 *   keyring, or opt into a key file with SEALDROP_KEY_FILE (key-file.ts). The platform's own text is appended and
 *   kept as `cause`. Entries are built per call, so creating the store never fails; its first use does.
 * - Two credentials matching one account (another program wrote a look-alike) is KEYSTORE_CORRUPT: we cannot tell
 *   which one is ours, and must not pick one or overwrite either.
 */

import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { fail, SealdropError } from '../../src/errors';
import type { KeyStore } from '../../src/ports/key-store';

export const DEFAULT_KEYCHAIN_SERVICE = 'sealdrop';

const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

/**
 * A KeyStore over the OS keychain, storing each account's bytes under `service` (default "sealdrop").
 * Every method throws SealdropError KEYSTORE_UNAVAILABLE when the keychain cannot be reached or used, and
 * KEYSTORE_CORRUPT when more than one credential matches the account.
 * @throws SealdropError BAD_INPUT for an empty service name.
 */
export function keychainKeyStore(options: { service?: string } = {}): KeyStore {
  const service = options.service ?? DEFAULT_KEYCHAIN_SERVICE;
  if (service === '') fail('BAD_INPUT', 'the keychain service name must not be empty');
  const entry = (account: string) => new AsyncEntry(service, account, ENTRY_OPTIONS);

  return {
    async load(account) {
      const stored = await keychainCall(() => entry(account).getSecret());
      if (stored === null) return null;
      const secret = Uint8Array.from(stored);
      stored.fill(0);
      return secret;
    },
    async save(account, secret) {
      // Our own copy for the native call, which may read it on a worker thread. `new Uint8Array`, not `slice()`:
      // for a Node Buffer, slice() is a view, and wiping it would wipe the caller's bytes.
      const copy = new Uint8Array(secret);
      try {
        await keychainCall(() => entry(account).setSecret(copy));
      } finally {
        copy.fill(0);
      }
    },
    async remove(account) {
      // false means "there was nothing to delete", which is what an idempotent remove wants.
      await keychainCall(() => entry(account).deleteCredential());
    },
  };
}

/** Run one keychain operation, turning whatever it throws (synchronously or not) into a coded error. */
async function keychainCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw keychainError(error);
  }
}

function keychainError(error: unknown): SealdropError {
  if (error instanceof SealdropError) return error;
  const detail = platformDetail(error);
  // keyring-rs's Ambiguous error; the napi layer reports every error as GenericFailure, so the text is all we have.
  if (/matched by \d+ credentials|ambiguous/i.test(detail)) {
    return new SealdropError(
      'KEYSTORE_CORRUPT',
      `more than one keychain entry matches this Sealdrop account; remove the duplicates. Keychain error: ${detail}`,
      { cause: error },
    );
  }
  return new SealdropError('KEYSTORE_UNAVAILABLE', `${unavailableAdvice()} Keychain error: ${detail}`, {
    cause: error,
  });
}

function unavailableAdvice(): string {
  const keyFile = 'opt into a plain key file with SEALDROP_KEY_FILE=<path>.';
  switch (process.platform) {
    case 'darwin':
      return `the macOS Keychain could not be used. Unlock your login keychain, or ${keyFile}`;
    case 'win32':
      return `Windows Credential Manager could not be used. Sign in to a normal user session, or ${keyFile}`;
    default:
      return `no OS keychain reachable (Secret Service over D-Bus). Unlock your keyring, or ${keyFile}`;
  }
}

/** The first line of the platform's message, bounded: enough to tell "no D-Bus" from "locked". */
function platformDetail(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n', 1)[0]?.trim() ?? '';
  if (line === '') return 'unknown failure';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
