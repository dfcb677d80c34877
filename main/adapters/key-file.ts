/**
 * KeyStore in a plain file, for machines without an OS keychain (servers, containers, CI). Opt-in only, through
 * SEALDROP_KEY_FILE=<path> (home.ts `resolveKeyStore`): the identity seed then sits on disk unencrypted, protected
 * by nothing but the file's permissions, which is exactly how an SSH private key without a passphrase is protected.
 *
 * Layout (UTF-8 JSON, exactly these fields; values are standard, padded base64):
 *
 *   { "format": "sealdrop-key-file", "version": 1, "accounts": { "<account>": "<base64>", ... } }
 *
 * Rules, each for a reason:
 * - The file is created 0600 and, on POSIX, a file that group or others can access is refused with
 *   KEYSTORE_UNAVAILABLE and the `chmod 600` to run (as ssh refuses such a key): its secret may already be exposed,
 *   and silently tightening the mode would hide that from the user.
 * - Decoding is all-or-nothing: anything but the layout above, or a value that is not canonical base64, is
 *   KEYSTORE_CORRUPT, and a corrupt file is never rewritten (a save would drop what we failed to understand).
 * - Every change rewrites the whole file atomically (file-blob-store.ts `writeFileAtomically`: temporary file,
 *   fsync, rename, directory fsync). Changes made through one store run one at a time; two processes changing the
 *   same file at once are not supported (the last rename wins).
 */

import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fail, SealdropError } from '../../src/errors';
import type { KeyStore } from '../../src/ports/key-store';
import { isErrno, writeFileAtomically } from './file-blob-store';

export const KEY_FILE_FORMAT = 'sealdrop-key-file';
export const KEY_FILE_VERSION = 1;
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/**
 * A KeyStore backed by the key file at `path` (created on the first save, with its directory if needed).
 * Every method throws SealdropError KEYSTORE_UNAVAILABLE when the file cannot be read or written or is accessible by
 * group or others, and KEYSTORE_CORRUPT when it is not a valid key file.
 */
export function fileKeyStore(path: string): KeyStore {
  const file = resolve(path);
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    load: (account) =>
      serially(async () => {
        const encoded = (await readAccounts(file)).get(account);
        return encoded === undefined ? null : decodeSecret(encoded);
      }),
    save: (account, secret) => {
      // Encode now: the caller may wipe `secret` as soon as this promise settles, or earlier if it does not await.
      const encoded = Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength).toString('base64');
      return serially(async () => {
        const accounts = await readAccounts(file);
        accounts.set(account, encoded);
        await writeAccounts(file, accounts);
      });
    },
    remove: (account) =>
      serially(async () => {
        const accounts = await readAccounts(file);
        if (accounts.delete(account)) await writeAccounts(file, accounts);
      }),
  };
}

/** The accounts in the key file (empty when the file does not exist yet), base64 still encoded. */
async function readAccounts(file: string): Promise<Map<string, string>> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return new Map();
    unavailable(file, 'cannot be opened', error);
  }
  let bytes: Buffer;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) fail('KEYSTORE_UNAVAILABLE', `key file ${file} is not a regular file`);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      fail(
        'KEYSTORE_UNAVAILABLE',
        `key file ${file} is accessible by group or others (mode ${(stat.mode & 0o777).toString(8)}); ` +
          `the identity key in it may have been read. Restrict it with: chmod 600 ${file}`,
      );
    }
    bytes = await handle.readFile();
  } catch (error) {
    if (error instanceof SealdropError) throw error;
    unavailable(file, 'cannot be read', error);
  } finally {
    await handle.close().catch(() => undefined);
  }
  try {
    return parseKeyFile(bytes.toString('utf8'));
  } finally {
    bytes.fill(0);
  }
}

function parseKeyFile(text: string): Map<string, string> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    fail('KEYSTORE_CORRUPT', 'the key file is not valid JSON', error);
  }
  if (!isPlainObject(document) || document.format !== KEY_FILE_FORMAT) {
    fail('KEYSTORE_CORRUPT', `the key file is not a ${KEY_FILE_FORMAT} document`);
  }
  if (document.version !== KEY_FILE_VERSION) fail('KEYSTORE_CORRUPT', 'the key file has an unsupported version');
  if (!hasExactly(document, ['format', 'version', 'accounts']) || !isPlainObject(document.accounts)) {
    fail('KEYSTORE_CORRUPT', 'the key file does not have exactly the fields "format", "version" and "accounts"');
  }
  const accounts = new Map<string, string>();
  // Object.entries, not property lookups: an account named "__proto__" or "toString" is just another key.
  for (const [account, value] of Object.entries(document.accounts)) {
    if (typeof value !== 'string' || !isCanonicalBase64(value)) {
      fail('KEYSTORE_CORRUPT', `the key file's value for account ${JSON.stringify(account)} is not base64`);
    }
    accounts.set(account, value);
  }
  return accounts;
}

async function writeAccounts(file: string, accounts: Map<string, string>): Promise<void> {
  const sorted = [...accounts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const document = { format: KEY_FILE_FORMAT, version: KEY_FILE_VERSION, accounts: Object.fromEntries(sorted) };
  const bytes = Buffer.from(`${JSON.stringify(document, null, 2)}\n`, 'utf8');
  try {
    await mkdir(dirname(file), { recursive: true, mode: DIR_MODE });
    await writeFileAtomically(file, bytes, FILE_MODE);
  } catch (error) {
    unavailable(file, 'cannot be written', error);
  } finally {
    bytes.fill(0);
  }
}

function decodeSecret(encoded: string): Uint8Array {
  const decoded = Buffer.from(encoded, 'base64');
  // A plain Uint8Array of our own, so the caller's wipe() cannot touch Node's shared Buffer pool, and vice versa.
  const secret = new Uint8Array(decoded);
  decoded.fill(0);
  return secret;
}

/** Node's base64 decoder skips characters it does not know; re-encoding is the strict check. */
function isCanonicalBase64(text: string): boolean {
  const decoded = Buffer.from(text, 'base64');
  try {
    return decoded.toString('base64') === text;
  } finally {
    decoded.fill(0);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasExactly(value: Record<string, unknown>, keys: readonly string[]): boolean {
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((key) => Object.hasOwn(value, key));
}

function unavailable(file: string, what: string, error: unknown): never {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  fail(
    'KEYSTORE_UNAVAILABLE',
    `key file ${file} ${what}${code === undefined ? '' : ` (${code})`}. Check SEALDROP_KEY_FILE and the file's owner`,
    error,
  );
}
