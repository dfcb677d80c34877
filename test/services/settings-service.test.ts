import { describe, expect, it } from 'vitest';
import { fromUtf8, utf8 } from '../../src/bytes';
import type { SettingsInfo } from '../../src/ipc/contract';
import type { Logger } from '../../src/ports/logger';
import { MemoryBlobStore, SimulatedWriteFailure } from '../../src/testing/memory-blob-store';
import {
  DEFAULT_SETTINGS,
  loadSettingsService,
  SETTINGS_DOCUMENT,
  type SettingsServiceOptions,
} from '../../main/services/settings-service';
import { expectCode } from '../helpers/expect-code';

const DOWNLOADS = '/home/ada/Downloads';

function recorder() {
  const loginItems: boolean[] = [];
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (event) => warnings.push(event), error: (event) => warnings.push(event) };
  return { loginItems, warnings, logger };
}

async function setUp(blobs = new MemoryBlobStore(), extra: Partial<SettingsServiceOptions> = {}) {
  const { loginItems, warnings, logger } = recorder();
  const settings = await loadSettingsService({
    blobStore: blobs,
    defaultDownloadDir: DOWNLOADS,
    setLoginItemSettings: ({ openAtLogin }) => loginItems.push(openAtLogin),
    logger,
    ...extra,
  });
  return { blobs, settings, loginItems, warnings };
}

const stored = (blobs: MemoryBlobStore): unknown => {
  const bytes = blobs.peek(SETTINGS_DOCUMENT);
  return bytes === null ? null : JSON.parse(fromUtf8(bytes));
};

const document = (settings: Record<string, unknown>) =>
  utf8(JSON.stringify({ format: 'sealdrop-settings', version: 1, settings }));

describe('settings service: defaults and persistence', () => {
  it('starts from the defaults and writes nothing', async () => {
    const { settings, blobs } = await setUp();
    expect(settings.get()).toEqual({
      relayUrl: '',
      stun: [],
      turn: [],
      requireLevel3: true,
      autoAcceptVerified: false,
      receiveInTray: true,
      startAtLogin: false,
      downloadDir: DOWNLOADS,
      theme: 'system',
    } satisfies SettingsInfo);
    expect(blobs.writeCount).toBe(0);
  });

  it('persists a change as a versioned document, and reads it back on the next start', async () => {
    const { settings, blobs } = await setUp();
    const next = await settings.set({
      relayUrl: 'wss://relay.example:8443',
      stun: ['stun:stun.example:3478'],
      turn: [{ url: 'turns:turn.example:5349', username: 'u', credential: 'c' }],
      autoAcceptVerified: true,
      theme: 'dark',
    });
    expect(next).toMatchObject({ relayUrl: 'wss://relay.example:8443', autoAcceptVerified: true, theme: 'dark', requireLevel3: true });
    expect(stored(blobs)).toEqual({ format: 'sealdrop-settings', version: 1, settings: next });
    const { settings: restarted } = await setUp(blobs);
    expect(restarted.get()).toEqual(next);
  });

  it('fills settings missing from an older document with their defaults', async () => {
    const blobs = new MemoryBlobStore();
    blobs.put(SETTINGS_DOCUMENT, document({ theme: 'light' }));
    const { settings } = await setUp(blobs);
    expect(settings.get()).toEqual({ ...DEFAULT_SETTINGS, theme: 'light', downloadDir: DOWNLOADS });
  });

  it('writes nothing for a patch that changes nothing', async () => {
    const { settings, blobs } = await setUp();
    await settings.set({ requireLevel3: true, stun: [] });
    expect(blobs.writeCount).toBe(0);
  });

  it('can clear the relay address again', async () => {
    const { settings } = await setUp();
    await settings.set({ relayUrl: 'ws://localhost:7000' });
    expect((await settings.set({ relayUrl: '' })).relayUrl).toBe('');
    expect((await settings.set({ relayUrl: '', theme: 'dark' })).theme).toBe('dark');
  });

  it('applies changes one at a time, in order', async () => {
    const { settings, blobs } = await setUp();
    const [a, b] = await Promise.all([settings.set({ theme: 'dark' }), settings.set({ receiveInTray: false })]);
    expect(a.theme).toBe('dark');
    expect(b).toMatchObject({ theme: 'dark', receiveInTray: false });
    expect(blobs.writeCount).toBe(2);
    expect(stored(blobs)).toMatchObject({ settings: { theme: 'dark', receiveInTray: false } });
  });

  it('hands out frozen values', async () => {
    const { settings } = await setUp();
    const value = await settings.set({ stun: ['stun:a.example'] });
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen(value.stun)).toBe(true);
    expect(() => (value.stun as string[]).push('stun:b.example')).toThrow(TypeError);
  });
});

describe('settings service: strict validation', () => {
  const invalid: [string, unknown][] = [
    ['no patch', undefined],
    ['an empty patch', {}],
    ['an array', []],
    ['an unknown key', { colour: 'red' }],
    ['the download folder (dialog only)', { downloadDir: '/tmp' }],
    ['a relay that is not ws/wss', { relayUrl: 'https://relay.example' }],
    ['a relay with credentials', { relayUrl: 'wss://user:pw@relay.example' }],
    ['a non-STUN url', { stun: ['http://stun.example'] }],
    ['too many STUN servers', { stun: Array.from({ length: 9 }, (_, i) => `stun:s${i}.example`) }],
    ['a TURN server without credential', { turn: [{ url: 'turn:t.example', username: 'u' }] }],
    ['a TURN server with an extra key', { turn: [{ url: 'turn:t.example', username: 'u', credential: 'c', x: 1 }] }],
    ['a boolean as a string', { requireLevel3: 'false' }],
    ['an unknown theme', { theme: 'blue' }],
    ['a control character', { relayUrl: 'wss://relay.example/\u0000' }],
    ['a class instance', new (class { theme = 'dark'; })()],
    ['an empty relay together with something invalid', { relayUrl: '', theme: 'blue' }],
    ['an empty relay on a non-plain object', Object.assign(Object.create({ x: 1 }) as object, { relayUrl: '' })],
  ];
  for (const [what, patch] of invalid) {
    it(`refuses ${what} with BAD_INPUT and changes nothing`, async () => {
      const { settings, blobs, loginItems } = await setUp();
      const before = settings.get();
      await expectCode(settings.set(patch), 'BAD_INPUT');
      expect(settings.get()).toBe(before);
      expect(blobs.writeCount).toBe(0);
      expect(loginItems).toEqual([]);
    });
  }
});

describe('settings service: atomic failure', () => {
  it('a failed write leaves memory and disk on the old settings', async () => {
    const { settings, blobs } = await setUp();
    const first = await settings.set({ theme: 'dark' });
    blobs.failNextWrites(1);
    await expect(settings.set({ theme: 'light', autoAcceptVerified: true })).rejects.toBeInstanceOf(SimulatedWriteFailure);
    expect(settings.get()).toEqual(first);
    expect(stored(blobs)).toMatchObject({ settings: { theme: 'dark', autoAcceptVerified: false } });
    // The next change starts from the committed state.
    expect(await settings.set({ receiveInTray: false })).toMatchObject({ theme: 'dark', autoAcceptVerified: false });
  });

  it('a failed write puts the login item back', async () => {
    const { settings, blobs, loginItems } = await setUp();
    blobs.failNextWrites(1);
    await expect(settings.set({ startAtLogin: true })).rejects.toBeInstanceOf(SimulatedWriteFailure);
    expect(loginItems).toEqual([true, false]);
    expect(settings.get().startAtLogin).toBe(false);
  });

  it('a login item the OS refuses is INTERNAL, and nothing is written', async () => {
    const { settings, blobs } = await setUp(new MemoryBlobStore(), {
      setLoginItemSettings: () => {
        throw new Error('denied');
      },
    });
    await expectCode(settings.set({ startAtLogin: true }), 'INTERNAL');
    expect(settings.get().startAtLogin).toBe(false);
    expect(blobs.writeCount).toBe(0);
  });

  it('applies start-at-login only when it changes', async () => {
    const { settings, loginItems } = await setUp();
    await settings.set({ startAtLogin: true });
    await settings.set({ startAtLogin: true, theme: 'dark' });
    await settings.set({ theme: 'light' });
    await settings.set({ startAtLogin: false });
    expect(loginItems).toEqual([true, false]);
  });
});

describe('settings service: an unusable document', () => {
  const corrupt: [string, Uint8Array][] = [
    ['not JSON', utf8('{"format":')],
    ['not UTF-8', Uint8Array.of(0xff, 0xfe)],
    ['another format', utf8(JSON.stringify({ format: 'other', version: 1, settings: {} }))],
    ['a newer version', utf8(JSON.stringify({ format: 'sealdrop-settings', version: 2, settings: {} }))],
    ['an extra top-level key', utf8(JSON.stringify({ format: 'sealdrop-settings', version: 1, settings: {}, x: 1 }))],
    ['an unknown setting', document({ theme: 'dark', colour: 'red' })],
    ['a bad value', document({ requireLevel3: 'no' })],
    ['a relative download folder', document({ downloadDir: 'Downloads' })],
    ['a prototype key', utf8('{"format":"sealdrop-settings","version":1,"settings":{"__proto__":{"requireLevel3":false}}}')],
  ];
  for (const [what, bytes] of corrupt) {
    it(`${what}: starts from the safe defaults, says so, and leaves the file alone`, async () => {
      const blobs = new MemoryBlobStore();
      blobs.put(SETTINGS_DOCUMENT, bytes);
      const { settings, warnings } = await setUp(blobs);
      expect(settings.get()).toEqual({ ...DEFAULT_SETTINGS, downloadDir: DOWNLOADS });
      expect(warnings).toEqual(['settings.corrupt']);
      expect(blobs.peek(SETTINGS_DOCUMENT)).toEqual(bytes);
    });
  }

  it('refuses a default download folder that is not absolute', async () => {
    await expectCode(setUp(new MemoryBlobStore(), { defaultDownloadDir: 'Downloads' }), 'BAD_INPUT');
  });
});

describe('settings service: download folder and listeners', () => {
  it("takes the download folder from main's dialog only", async () => {
    const answers: (string | null)[] = ['/media/usb/incoming', null, 'relative/dir'];
    const asked: number[] = [];
    const { settings, blobs } = await setUp(new MemoryBlobStore(), {
      chooseDirectory: (context) => {
        asked.push(context.webContentsId);
        return Promise.resolve(answers.shift() ?? null);
      },
    });
    expect((await settings.chooseDownloadDir({ webContentsId: 3 })).downloadDir).toBe('/media/usb/incoming');
    expect((await settings.chooseDownloadDir({ webContentsId: 3 })).downloadDir).toBe('/media/usb/incoming');
    await expectCode(settings.chooseDownloadDir({ webContentsId: 3 }), 'BAD_INPUT');
    expect(asked).toEqual([3, 3, 3]);
    expect(blobs.writeCount).toBe(1);
    expect(stored(blobs)).toMatchObject({ settings: { downloadDir: '/media/usb/incoming' } });
  });

  it('without a dialog, choosing a folder is INTERNAL', async () => {
    const { settings } = await setUp();
    await expectCode(settings.chooseDownloadDir({ webContentsId: 1 }), 'INTERNAL');
  });

  it('tells listeners about committed changes only', async () => {
    const { settings, blobs } = await setUp();
    const seen: SettingsInfo[] = [];
    const unsubscribe = settings.subscribe((value) => seen.push(value));
    await settings.set({ theme: 'dark' });
    blobs.failNextWrites(1);
    await settings.set({ theme: 'light' }).catch(() => undefined);
    await settings.set({ theme: 'dark' });
    unsubscribe();
    await settings.set({ theme: 'light' });
    expect(seen.map((value) => value.theme)).toEqual(['dark']);
  });
});
