/**
 * IPC registration (main/app/ipc.ts) with a fake ipcMain and recording services: a message from anything but the
 * app's top frame, and any malformed payload, is refused before a service method runs; service errors keep their
 * stable code and nothing else; main → renderer events go only to the app's own page.
 */

import type { IpcMainInvokeEvent, MessagePortMain, WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { createChannelHandler, createRendererEvents, registerIpc, type Services } from '../../main/app/ipc';
import { isPackagedAppUrl, isTrustedSender } from '../../main/app/security';
import { SealdropError } from '../../src/errors';
import { INVOKE_CHANNELS, apiNameOf, type InvokeChannel, type IpcResult } from '../../src/ipc/contract';

const ID = '0123456789abcdef0123456789abcdef';

function recordingServices() {
  const calls: { channel: string; args: unknown[] }[] = [];
  const services: Record<string, Record<string, (...args: unknown[]) => unknown>> = {};
  for (const channel of INVOKE_CHANNELS) {
    const { namespace, member } = apiNameOf(channel);
    services[namespace] ??= {};
    services[namespace][member] = vi.fn((...args: unknown[]) => {
      calls.push({ channel, args });
      return `value of ${channel}`;
    });
  }
  return { services: services as unknown as Services, calls, raw: services };
}

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
  detached?: boolean;
}

function eventFrom(frame: FakeFrame | null): IpcMainInvokeEvent {
  return { senderFrame: frame && { detached: false, ...frame }, sender: { id: 7 } } as unknown as IpcMainInvokeEvent;
}

const appFrame: FakeFrame = { url: 'app://sealdrop/index.html', parent: null };
const FOREIGN: Record<string, FakeFrame | null> = {
  'an iframe on the app origin': { url: 'app://sealdrop/index.html', parent: appFrame },
  'an iframe on another origin': { url: 'https://evil.example/', parent: appFrame },
  'a top frame on another origin': { url: 'https://evil.example/', parent: null },
  'a top frame on another app host': { url: 'app://evil/index.html', parent: null },
  'a file:// page': { url: 'file:///tmp/index.html', parent: null },
  'the dev server in a packaged app': { url: 'http://localhost:5173/', parent: null },
  'a detached frame': { url: 'app://sealdrop/index.html', parent: null, detached: true },
  'a frame that is gone (senderFrame null)': null,
};

const options = { isTrustedSender: (event: IpcMainInvokeEvent) => isTrustedSender(event, isPackagedAppUrl) };

describe('registerIpc', () => {
  it('handles every contract channel exactly once, and removes them all again', () => {
    const ipcMain = { handle: vi.fn(), removeHandler: vi.fn() };
    const unregister = registerIpc(ipcMain, recordingServices().services, options);
    expect(ipcMain.handle.mock.calls.map(([channel]) => channel as string).sort()).toEqual([...INVOKE_CHANNELS].sort());
    unregister();
    expect(ipcMain.removeHandler.mock.calls.map(([channel]) => channel as string).sort()).toEqual([...INVOKE_CHANNELS].sort());
  });
});

describe.each([...INVOKE_CHANNELS])('%s', (channel: InvokeChannel) => {
  it.each(Object.entries(FOREIGN))('refuses %s before the service runs', async (_name, frame) => {
    const { services, calls } = recordingServices();
    const handler = createChannelHandler(channel, services, options);
    await expect(handler(eventFrom(frame), undefined)).rejects.toThrow(/not the app/);
    expect(calls).toEqual([]);
  });

  it('refuses malformed payloads with BAD_INPUT before the service runs', async () => {
    const { services, calls } = recordingServices();
    const handler = createChannelHandler(channel, services, options);
    for (const args of [[{ evil: true }], [null], ['identity:sign'], [[1, 2, 3]], [42], [undefined, { smuggled: true }], [{}, {}]]) {
      const result = await handler(eventFrom(appFrame), ...args);
      expect(result, JSON.stringify(args)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    expect(calls).toEqual([]);
  });
});

describe('a trusted call', () => {
  it('reaches the service with a validated copy and the caller context, and wraps the value', async () => {
    const { services, calls } = recordingServices();
    const request = { transferId: 'ab'.repeat(16), context: 'handshake responder', hash: new Uint8Array(32).fill(3) };
    const result = await createChannelHandler('identity:sign', services, options)(eventFrom(appFrame), request);
    expect(result).toEqual({ ok: true, value: 'value of identity:sign' });
    expect(calls).toHaveLength(1);
    const [received, context] = calls[0]!.args as [typeof request, unknown];
    expect(received).toEqual(request);
    expect(received).not.toBe(request);
    expect(received.hash).not.toBe(request.hash);
    expect(context).toEqual({ webContentsId: 7 });
  });

  it('calls no-payload services with the context only', async () => {
    const { services, calls } = recordingServices();
    await createChannelHandler('identity:get', services, options)(eventFrom(appFrame));
    expect(calls).toEqual([{ channel: 'identity:get', args: [{ webContentsId: 7 }] }]);
  });

  it('never asks the signer for a rotation, relay or path signature', async () => {
    const { services, calls } = recordingServices();
    const handler = createChannelHandler('identity:sign', services, options);
    for (const context of ['key rotation', 'relay registration', 'path advertisement']) {
      const result = await handler(eventFrom(appFrame), { context, hash: new Uint8Array(32) });
      expect(result).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    expect(calls).toEqual([]);
  });

  it('routes each channel to its own service method', async () => {
    const { services, calls } = recordingServices();
    await createChannelHandler('transfer:cancel', services, options)(eventFrom(appFrame), { transferId: ID });
    await createChannelHandler('contacts:forget', services, options)(eventFrom(appFrame), { id: ID });
    expect(calls.map((call) => call.channel)).toEqual(['transfer:cancel', 'contacts:forget']);
  });
});

describe('service errors', () => {
  it('keep their stable code', async () => {
    const { services, raw } = recordingServices();
    raw['contacts']!['verify'] = () => {
      throw new SealdropError('KEY_CHANGED', 'the key changed');
    };
    const result = await createChannelHandler('contacts:verify', services, options)(eventFrom(appFrame), {
      id: ID,
      method: 'safety-number',
      digits: '1'.repeat(60),
    });
    expect(result).toEqual({ ok: false, error: { code: 'KEY_CHANGED', message: 'the key changed' } });
  });

  it('become INTERNAL with a fixed message when they are not SealdropErrors (no paths, no stacks)', async () => {
    const { services, raw } = recordingServices();
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    raw['transfer']!['openFolder'] = () => Promise.reject(new Error("EACCES: permission denied, open '/home/ada/.ssh/id_ed25519'"));
    const result: IpcResult<unknown> = await createChannelHandler('transfer:open-folder', services, { ...options, logger })(eventFrom(appFrame), {
      transferId: ID,
    });
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
    expect(JSON.stringify(logger.error.mock.calls)).not.toContain('.ssh');
  });
});

describe('createRendererEvents', () => {
  function fakeContents(url: string, destroyed = false) {
    return { getURL: () => url, isDestroyed: () => destroyed, send: vi.fn(), postMessage: vi.fn() };
  }
  const port = {} as MessagePortMain;
  const session = { transferId: ID, psk: new Uint8Array(32) } as never;

  it('sends to the app page, and hands over session ports by transfer', () => {
    const contents = fakeContents('app://sealdrop/index.html');
    const events = createRendererEvents(() => contents as unknown as WebContents, isPackagedAppUrl);
    expect(events.emit('tray:receiving-changed', { receiving: false })).toBe(true);
    expect(contents.send).toHaveBeenCalledWith('tray:receiving-changed', { receiving: false });
    expect(events.startSession(session, port)).toBe(true);
    expect(contents.postMessage).toHaveBeenCalledWith('transfer:session', session, [port]);
  });

  it('sends nothing — no link secret, no event — to a page that is not the app, or to no page', () => {
    for (const contents of [fakeContents('https://evil.example/'), fakeContents('app://sealdrop/index.html', true)]) {
      const events = createRendererEvents(() => contents as unknown as WebContents, isPackagedAppUrl);
      expect(events.startSession(session, port)).toBe(false);
      expect(events.emit('contacts:changed', { contacts: [] })).toBe(false);
      expect(contents.send).not.toHaveBeenCalled();
      expect(contents.postMessage).not.toHaveBeenCalled();
    }
    expect(createRendererEvents(() => null, isPackagedAppUrl).emit('tray:receiving-changed', { receiving: true })).toBe(false);
  });
});
