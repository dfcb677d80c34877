/**
 * The desktop settings: one small JSON document stored atomically through the BlobStore port under "settings"
 * (main/adapters/file-blob-store.ts in the app: temporary file, fsync, rename).
 *
 * Validation is the IPC contract's, not a second copy: each field of a patch — and of the stored document, which is
 * just as untrusted (other software, a sync tool or a half-restored profile can write it) — is checked by the
 * `settings:set` validator of src/ipc/contract.ts, so what the renderer may send and what the file may hold can
 * never drift apart. Two additions: `relayUrl` may also be '' (no relay configured, the default), and
 * `downloadDir` must be an absolute path (it only ever comes from main's folder dialog).
 *
 * Document, version 1 (exactly these keys; a missing setting takes its default, so a field added later needs no
 * new version; an unknown key, a wrong type or a bad value makes the whole document unusable):
 *
 *   { "format": "sealdrop-settings", "version": 1,
 *     "settings": { "relayUrl": "", "stun": [], "turn": [], "requireLevel3": true, "autoAcceptVerified": false,
 *                   "receiveInTray": true, "startAtLogin": false, "downloadDir": "/home/me/Downloads",
 *                   "theme": "system" } }
 *
 * An unusable document is not repaired: the service starts from the defaults (the safe choices — Level 3 required,
 * no auto-accept), logs `settings.corrupt`, and leaves the file alone until the user changes a setting.
 *
 * Changes run one at a time. Each one is written BEFORE the in-memory state changes, so a failed write leaves both
 * on the old settings and the caller sees the error. "Start at login" is an OS setting: it is applied (through the
 * injected `setLoginItemSettings`, Electron's `app.setLoginItemSettings`) before the write and put back if the
 * write fails, so the OS and the file agree.
 */

import { fromUtf8, utf8 } from '../../src/bytes';
import { fail, SealdropError } from '../../src/errors';
import { validateRequest, type SettingsInfo, type SettingsPatch } from '../../src/ipc/contract';
import { silentLogger, type Logger } from '../../src/ports/logger';
import type { BlobStore } from '../../src/ports/blob-store';

export const SETTINGS_DOCUMENT = 'settings';
const FORMAT = 'sealdrop-settings';
const VERSION = 1;

/** Every setting except the download folder, whose default depends on the machine. */
export const DEFAULT_SETTINGS: Omit<SettingsInfo, 'downloadDir'> = {
  relayUrl: '',
  stun: [],
  turn: [],
  requireLevel3: true,
  autoAcceptVerified: false,
  receiveInTray: true,
  startAtLogin: false,
  theme: 'system',
};

const PATCH_KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof SettingsPatch)[];

export interface SettingsServiceOptions {
  readonly blobStore: BlobStore;
  /** Absolute path of the platform's download folder (Electron `app.getPath('downloads')`). */
  readonly defaultDownloadDir: string;
  /** Electron's `app.setLoginItemSettings`, or a narrower function with the same argument. */
  readonly setLoginItemSettings: (settings: { readonly openAtLogin: boolean }) => void;
  /** Main's folder dialog, parented to the asking window; null when the user cancelled. */
  readonly chooseDirectory?: (context: { readonly webContentsId: number }) => Promise<string | null>;
  readonly logger?: Logger;
}

export interface SettingsService {
  get(): SettingsInfo;
  /**
   * Validate and apply `patch` (any non-empty subset of the settings except downloadDir).
   * @throws SealdropError BAD_INPUT for an invalid patch (nothing changes); INTERNAL if the OS refused the login
   *   item; whatever the blob store throws on write (nothing changes).
   */
  set(patch: unknown): Promise<SettingsInfo>;
  /** Ask for a download folder in main's dialog; the settings unchanged when the user cancels. */
  chooseDownloadDir(context: { readonly webContentsId: number }): Promise<SettingsInfo>;
  /** Called after every committed change; returns the unsubscribe function. */
  subscribe(listener: (settings: SettingsInfo) => void): () => void;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.getOwnPropertySymbols(value).length === 0;
}

/** A deep-frozen copy: `get` hands out the live state, which nobody may change behind the service's back. */
function frozen(settings: SettingsInfo): SettingsInfo {
  return Object.freeze({
    ...settings,
    stun: Object.freeze([...settings.stun]),
    turn: Object.freeze(settings.turn.map((server) => Object.freeze({ ...server }))),
  });
}

function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\');
}

function checkDownloadDir(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096 || value.includes('\u0000') || !isAbsolutePath(value)) {
    fail('BAD_INPUT', `${path}: expected an absolute path`);
  }
  return value;
}

/**
 * A checked copy of a settings patch: the contract's validator, plus '' for relayUrl (file header).
 * @throws SealdropError BAD_INPUT.
 */
export function validateSettingsPatch(patch: unknown): SettingsPatch {
  if (isPlainObject(patch) && Object.hasOwn(patch, 'relayUrl') && patch.relayUrl === '') {
    const { relayUrl: _cleared, ...rest } = patch;
    const checked = Object.keys(rest).length === 0 ? {} : validateRequest('settings:set', rest);
    return { ...checked, relayUrl: '' };
  }
  return validateRequest('settings:set', patch);
}

/**
 * Decode a stored settings document (file header) over the defaults.
 * @throws SealdropError BAD_INPUT / BAD_ENCODING when it is not a valid version-1 document.
 */
export function decodeSettings(bytes: Uint8Array, defaultDownloadDir: string): SettingsInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fromUtf8(bytes));
  } catch (error) {
    if (error instanceof SealdropError) throw error;
    return fail('BAD_ENCODING', 'settings: not JSON', error);
  }
  if (!isPlainObject(parsed)) fail('BAD_INPUT', 'settings: expected an object');
  const document = parsed;
  const keys = Object.keys(document).sort().join(',');
  if (keys !== 'format,settings,version' || document.format !== FORMAT || document.version !== VERSION) {
    fail('BAD_INPUT', 'settings: not a version-1 settings document');
  }
  const stored = document.settings;
  if (!isPlainObject(stored)) fail('BAD_INPUT', 'settings: expected an object');
  const { downloadDir, ...rest } = stored;
  const patch = Object.keys(rest).length === 0 ? {} : validateSettingsPatch(rest);
  return frozen({
    ...DEFAULT_SETTINGS,
    ...patch,
    downloadDir: downloadDir === undefined ? defaultDownloadDir : checkDownloadDir(downloadDir, 'settings.downloadDir'),
  });
}

export function encodeSettings(settings: SettingsInfo): Uint8Array {
  const ordered: Record<string, unknown> = {};
  for (const key of [...PATCH_KEYS, 'downloadDir'] as const) ordered[key] = settings[key];
  return utf8(`${JSON.stringify({ format: FORMAT, version: VERSION, settings: ordered }, null, 2)}\n`);
}

/**
 * Read the stored settings (or start from the defaults) and build the service. Nothing is written until a change.
 * @throws SealdropError BAD_INPUT if `defaultDownloadDir` is not absolute; whatever the blob store throws on read.
 */
export async function loadSettingsService(options: SettingsServiceOptions): Promise<SettingsService> {
  const { blobStore, setLoginItemSettings } = options;
  const logger = options.logger ?? silentLogger;
  const defaultDownloadDir = checkDownloadDir(options.defaultDownloadDir, 'defaultDownloadDir');
  const defaults = frozen({ ...DEFAULT_SETTINGS, downloadDir: defaultDownloadDir });

  let state = defaults;
  const stored = await blobStore.read(SETTINGS_DOCUMENT);
  if (stored !== null) {
    try {
      state = decodeSettings(stored, defaultDownloadDir);
    } catch (error) {
      logger.warn('settings.corrupt', { code: error instanceof SealdropError ? error.code : 'INTERNAL' });
    }
  }

  const listeners = new Set<(settings: SettingsInfo) => void>();
  let queue: Promise<unknown> = Promise.resolve();

  /** Run `change` after every earlier one; persist what it returns, then publish it. */
  const mutate = (change: (current: SettingsInfo) => SettingsInfo | null): Promise<SettingsInfo> => {
    const run = async (): Promise<SettingsInfo> => {
      const changed = change(state);
      if (changed === null) return state;
      const next = frozen(changed);
      const loginChanged = next.startAtLogin !== state.startAtLogin;
      if (loginChanged) applyLogin(next.startAtLogin);
      try {
        await blobStore.write(SETTINGS_DOCUMENT, encodeSettings(next));
      } catch (error) {
        if (loginChanged) {
          try {
            setLoginItemSettings({ openAtLogin: state.startAtLogin });
          } catch {
            logger.error('settings.login-item-revert-failed');
          }
        }
        throw error;
      }
      state = next;
      for (const listener of listeners) {
        try {
          listener(state);
        } catch {
          logger.error('settings.listener-failed');
        }
      }
      return state;
    };
    const done = queue.then(run, run);
    queue = done.catch(() => undefined);
    return done;
  };

  const applyLogin = (openAtLogin: boolean): void => {
    try {
      setLoginItemSettings({ openAtLogin });
    } catch (error) {
      throw new SealdropError('INTERNAL', 'the system refused to change the login item', { cause: error });
    }
  };

  return {
    get: () => state,

    async set(patch) {
      // Checked before queuing, so an invalid patch never waits behind a slow write.
      const checked = validateSettingsPatch(patch);
      return await mutate((current) => {
        const next: SettingsInfo = { ...current, ...checked };
        return PATCH_KEYS.every((key) => JSON.stringify(next[key]) === JSON.stringify(current[key])) ? null : next;
      });
    },

    async chooseDownloadDir(context) {
      if (options.chooseDirectory === undefined) fail('INTERNAL', 'no folder dialog');
      const chosen = await options.chooseDirectory(context);
      if (chosen === null) return state;
      const downloadDir = checkDownloadDir(chosen, 'downloadDir');
      return mutate((current) => (current.downloadDir === downloadDir ? null : { ...current, downloadDir }));
    },

    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
