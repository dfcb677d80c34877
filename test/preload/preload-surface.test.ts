/**
 * The preload's exposed surface, exactly (the "a test asserts the exact exposed surface"). The preload is
 * loaded with 'electron' replaced by recording fakes (vi.mock swaps the module; no Electron binary is involved), and
 * the test asserts:
 * - one global, `sealdrop`, whose namespaces and members are exactly the contract's channels (apiNameOf), all
 *   functions — nothing generic such as invoke(channel, …) or a raw ipcRenderer;
 * - every verb invokes its own channel, once, with the page's payload untouched, and nothing else;
 * - every subscription listens on its own channel, hands the handler the payload only (never the IPC event, which
 *   carries ipcRenderer), and its unsubscribe removes exactly that listener;
 * - transfer.send derives paths from File objects and refuses files without one;
 * - a session's MessagePort is forwarded to the page with window.postMessage, to the page's own origin.
 */

import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SESSION_PORT_MESSAGE, type SealdropApi } from '../../src/ipc/api';
import { EVENT_CHANNELS, INVOKE_CHANNELS, apiNameOf, type EventChannel, type InvokeChannel } from '../../src/ipc/contract';

type Listener = (event: unknown, ...args: unknown[]) => void;

const electron = vi.hoisted(() => {
  const listeners: { channel: string; listener: (event: unknown, ...args: unknown[]) => void }[] = [];
  return {
    listeners,
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: {
      invoke: vi.fn((channel: string, ..._args: unknown[]) => Promise.resolve({ ok: true, value: `result of ${channel}` })),
      on: vi.fn((channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
        listeners.push({ channel, listener });
      }),
      removeListener: vi.fn(),
      send: vi.fn(),
      sendSync: vi.fn(),
      postMessage: vi.fn(),
    },
    webUtils: { getPathForFile: vi.fn((file: { name: string }) => (file.name.startsWith('virtual') ? '' : `/home/ada/${file.name}`)) },
  };
});

vi.mock('electron', () => ({
  contextBridge: electron.contextBridge,
  ipcRenderer: electron.ipcRenderer,
  webUtils: electron.webUtils,
}));

const windowStub = { postMessage: vi.fn(), location: { origin: 'app://sealdrop' } };

let api: SealdropApi;
let listenersAtLoad: { channel: string; listener: Listener }[];

beforeAll(async () => {
  vi.stubGlobal('window', windowStub);
  await import('../../preload/index');
  expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
  const [name, exposed] = electron.contextBridge.exposeInMainWorld.mock.calls[0] as [string, SealdropApi];
  expect(name).toBe('sealdrop');
  api = exposed;
  listenersAtLoad = [...electron.listeners];
});

afterEach(() => {
  electron.ipcRenderer.invoke.mockClear();
  electron.ipcRenderer.on.mockClear();
  electron.ipcRenderer.removeListener.mockClear();
  electron.webUtils.getPathForFile.mockClear();
  windowStub.postMessage.mockClear();
  electron.listeners.splice(0, electron.listeners.length, ...listenersAtLoad);
});

function member(namespace: string, name: string): (...args: unknown[]) => unknown {
  const value = (api as unknown as Record<string, Record<string, unknown>>)[namespace]?.[name];
  expect(typeof value, `${namespace}.${name}`).toBe('function');
  return value as (...args: unknown[]) => unknown;
}

const EXPECTED_SURFACE = {
  identity: ['get', 'sign', 'rotate', 'pairingLink'],
  contacts: ['list', 'verify', 'forget', 'acceptKeyChange', 'safetyNumber', 'pair', 'onChanged'],
  settings: ['get', 'set', 'chooseDownloadDir'],
  transfer: ['pickFiles', 'send', 'receive', 'accept', 'decline', 'cancel', 'openFolder', 'report', 'onOffer', 'onSession', 'onProgress', 'onDone', 'onError'],
  disk: ['read', 'progress', 'writeChunk', 'createDirectory', 'commit', 'discard'],
  camera: ['startScan', 'stopScan'],
  tray: ['onReceivingChanged'],
  notification: ['onOffer'],
};

describe('window.sealdrop', () => {
  it('exposes exactly the listed namespaces and members', () => {
    const surface = Object.fromEntries(Object.entries(api).map(([namespace, members]) => [namespace, Object.keys(members as object).sort()]));
    expect(surface).toEqual(Object.fromEntries(Object.entries(EXPECTED_SURFACE).map(([namespace, members]) => [namespace, [...members].sort()])));
    for (const [namespace, members] of Object.entries(api)) {
      for (const [name, value] of Object.entries(members as object)) expect(typeof value, `${namespace}.${name}`).toBe('function');
    }
  });

  it('has one member per contract channel and nothing else', () => {
    const fromContract = [...INVOKE_CHANNELS, ...EVENT_CHANNELS].map((channel) => {
      const { namespace, member: name } = apiNameOf(channel);
      return `${namespace}.${name}`;
    });
    const exposed = Object.entries(api).flatMap(([namespace, members]) => Object.keys(members as object).map((name) => `${namespace}.${name}`));
    expect(exposed.sort()).toEqual(fromContract.sort());
  });

  it('registers nothing at load but the session port forwarder', () => {
    expect(listenersAtLoad.map((entry) => entry.channel)).toEqual(['transfer:session']);
  });
});

describe.each(INVOKE_CHANNELS.filter((channel) => channel !== 'transfer:send'))('invoke %s', (channel: InvokeChannel) => {
  it('invokes its own channel only, once, with the payload untouched', async () => {
    const { namespace, member: name } = apiNameOf(channel);
    const payload = { sentinel: channel, nested: { bytes: new Uint8Array([1, 2]) } };
    const result = await member(namespace, name)(payload);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledTimes(1);
    expect(electron.ipcRenderer.invoke.mock.calls[0]).toEqual([channel, payload]);
    expect(electron.ipcRenderer.invoke.mock.calls[0]![1]).toBe(payload);
    expect(result).toEqual({ ok: true, value: `result of ${channel}` });
    expect(electron.ipcRenderer.on).not.toHaveBeenCalled();
  });

  it('passes extra arguments nowhere', async () => {
    const { namespace, member: name } = apiNameOf(channel);
    await member(namespace, name)({ a: 1 }, 'smuggled', 'channel:other');
    expect(electron.ipcRenderer.invoke.mock.calls).toEqual([[channel, { a: 1 }]]);
  });
});

describe.each([...EVENT_CHANNELS])('event %s', (channel: EventChannel) => {
  it('subscribes to its own channel, hands over the payload only, and unsubscribes exactly that listener', () => {
    const { namespace, member: name } = apiNameOf(channel);
    const handler = vi.fn();
    const unsubscribe = member(namespace, name)(handler) as () => void;
    expect(electron.ipcRenderer.on).toHaveBeenCalledTimes(1);
    const [subscribed, listener] = electron.ipcRenderer.on.mock.calls[0] as [string, Listener];
    expect(subscribed).toBe(channel);

    const ipcEvent = { sender: electron.ipcRenderer, ports: [] };
    listener(ipcEvent, { payload: channel });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0]).toEqual([{ payload: channel }]);

    expect(typeof unsubscribe).toBe('function');
    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledWith(channel, listener);
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('refuses a handler that is not a function', () => {
    const { namespace, member: name } = apiNameOf(channel);
    expect(() => member(namespace, name)('alert(1)')).toThrow(TypeError);
    expect(electron.ipcRenderer.on).not.toHaveBeenCalled();
  });
});

describe('transfer.send', () => {
  it('maps File objects to paths in the preload and invokes transfer:send with them', async () => {
    const files = [new File(['a'], 'a.txt'), new File(['b'], 'b.jpg')];
    await api.transfer.send({ files, picked: ['0123456789abcdef0123456789abcdef'], to: { kind: 'link' } });
    expect(electron.webUtils.getPathForFile.mock.calls.map(([file]) => file)).toEqual(files);
    expect(electron.ipcRenderer.invoke.mock.calls).toEqual([
      ['transfer:send', { paths: ['/home/ada/a.txt', '/home/ada/b.jpg'], picked: ['0123456789abcdef0123456789abcdef'], to: { kind: 'link' } }],
    ]);
  });

  it('never forwards a path string from the page', async () => {
    const request = { files: [new File(['a'], 'a.txt')], picked: [], to: { kind: 'link' as const }, paths: ['/home/ada/.ssh/id_ed25519'] };
    await api.transfer.send(request);
    expect(electron.ipcRenderer.invoke.mock.calls).toEqual([['transfer:send', { paths: ['/home/ada/a.txt'], picked: [], to: { kind: 'link' } }]]);
  });

  it('refuses a File without a path on disk, without calling main', async () => {
    const result = await api.transfer.send({ files: [new File(['x'], 'virtual.txt')], picked: [], to: { kind: 'link' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('refuses things that are not files, without calling main', async () => {
    electron.webUtils.getPathForFile.mockImplementationOnce(() => {
      throw new TypeError('not a File');
    });
    const result = await api.transfer.send({ files: ['/etc/passwd' as unknown as File], picked: [], to: { kind: 'link' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });
});

describe('transfer:session ports', () => {
  it('are transferred to the page with window.postMessage, to its own origin', () => {
    const forwarder = listenersAtLoad.find((entry) => entry.channel === 'transfer:session')!.listener;
    const port = { postMessage: vi.fn() };
    forwarder({ ports: [port] }, { transferId: 'fedcba9876543210fedcba9876543210' });
    expect(windowStub.postMessage).toHaveBeenCalledTimes(1);
    expect(windowStub.postMessage.mock.calls[0]).toEqual([
      { type: SESSION_PORT_MESSAGE, transferId: 'fedcba9876543210fedcba9876543210' },
      'app://sealdrop',
      [port],
    ]);
  });

  it('posts nothing for an event without a port', () => {
    const forwarder = listenersAtLoad.find((entry) => entry.channel === 'transfer:session')!.listener;
    forwarder({ ports: [] }, { transferId: 'fedcba9876543210fedcba9876543210' });
    expect(windowStub.postMessage).not.toHaveBeenCalled();
  });
});
