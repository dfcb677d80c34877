/**
 * renderer/api.ts over a recording stand-in for `window.sealdrop` (the shape of src/ipc/api.ts): envelopes become
 * values or ApiError codes, dropped files and picked ids reach the right fields, and main's events feed the
 * transfer list whether or not a screen is listening.
 */

import { describe, expect, it } from 'vitest';
import { ApiError, connectApi } from '../../renderer/api';
import type { SealdropApi } from '../../src/ipc/api';
import type { EventChannel, EventPayload, IpcResult } from '../../src/ipc/contract';

const ID = '0'.repeat(32);

function fakeBridge() {
  const calls: { name: string; request: unknown }[] = [];
  const handlers = new Map<string, Set<(payload: never) => void>>();
  const emit = <E extends EventChannel>(channel: E, payload: EventPayload<E>) => {
    for (const handler of handlers.get(channel) ?? []) (handler as (p: EventPayload<E>) => void)(payload);
  };
  const on = (channel: EventChannel) => (handler: (payload: never) => void) => {
    const set = handlers.get(channel) ?? new Set();
    handlers.set(channel, set);
    set.add(handler);
    return () => void set.delete(handler);
  };
  const responses = new Map<string, IpcResult<unknown>>();
  const call =
    (name: string) =>
    (request?: unknown): Promise<IpcResult<never>> => {
      calls.push({ name, request });
      return Promise.resolve((responses.get(name) ?? { ok: true, value: undefined }) as IpcResult<never>);
    };
  const bridge = {
    identity: { get: call('identity.get'), sign: call('identity.sign'), rotate: call('identity.rotate'), pairingLink: call('identity.pairingLink') },
    contacts: {
      list: call('contacts.list'),
      verify: call('contacts.verify'),
      forget: call('contacts.forget'),
      acceptKeyChange: call('contacts.acceptKeyChange'),
      safetyNumber: call('contacts.safetyNumber'),
      pair: call('contacts.pair'),
      onChanged: on('contacts:changed'),
    },
    settings: { get: call('settings.get'), set: call('settings.set'), chooseDownloadDir: call('settings.chooseDownloadDir') },
    transfer: {
      pickFiles: call('transfer.pickFiles'),
      send: call('transfer.send'),
      receive: call('transfer.receive'),
      accept: call('transfer.accept'),
      decline: call('transfer.decline'),
      cancel: call('transfer.cancel'),
      openFolder: call('transfer.openFolder'),
      report: call('transfer.report'),
      onOffer: on('transfer:offer'),
      onSession: on('transfer:session'),
      onProgress: on('transfer:progress'),
      onDone: on('transfer:done'),
      onError: on('transfer:error'),
    },
    disk: {
      read: call('disk.read'),
      progress: call('disk.progress'),
      writeChunk: call('disk.writeChunk'),
      createDirectory: call('disk.createDirectory'),
      commit: call('disk.commit'),
      discard: call('disk.discard'),
    },
    camera: { startScan: call('camera.startScan'), stopScan: call('camera.stopScan') },
    tray: { onReceivingChanged: on('tray:receiving-changed') },
    notification: { onOffer: on('notification:offer') },
  } as unknown as SealdropApi;
  return { bridge, calls, emit, responses, handlers };
}

describe('renderer/api.ts over window.sealdrop', () => {
  it('refuses to start without the bridge (BRIDGE_UNAVAILABLE)', () => {
    expect(() => connectApi({})).toThrow(expect.objectContaining({ code: 'BRIDGE_UNAVAILABLE' }) as Error);
    expect(() => connectApi({ sealdrop: { identity: {} } })).toThrow(ApiError);
  });

  it('unwraps envelopes: values resolve, failures reject with the stable code', async () => {
    const { bridge, responses } = fakeBridge();
    const api = connectApi({ sealdrop: bridge });
    responses.set('identity.get', { ok: true, value: { fingerprint: 'f', short: 's', name: 'n' } });
    await expect(api.identity.get()).resolves.toEqual({ fingerprint: 'f', short: 's', name: 'n' });
    responses.set('contacts.verify', { ok: false, error: { code: 'IDENTITY_MISMATCH', message: 'no' } });
    await expect(api.contacts.verify({ id: ID, method: 'qr', link: 'sealdrop://x' })).rejects.toMatchObject({
      name: 'ApiError',
      code: 'IDENTITY_MISMATCH',
    });
  });

  it('sends dropped Files as files and picked items as ids, and lists the transfer at once', async () => {
    const { bridge, calls, responses } = fakeBridge();
    const api = connectApi({ sealdrop: bridge });
    responses.set('transfer.send', { ok: true, value: { transferId: ID, link: 'sealdrop://l' } });
    const file = new File(['x'], 'dropped.txt');
    await api.transfer.send({
      items: [{ kind: 'dropped', file }, { kind: 'picked', item: { id: '1'.repeat(32), name: 'picked.pdf', kind: 'file', size: 9 } }],
      to: { kind: 'link' },
    });
    const sent = calls.find((c) => c.name === 'transfer.send')!.request as { files: File[]; picked: string[]; to: unknown };
    expect(sent.files).toEqual([file]);
    expect(sent.picked).toEqual(['1'.repeat(32)]);
    expect(sent.to).toEqual({ kind: 'link' });
    expect(api.transfer.list()[0]).toMatchObject({ id: ID, state: 'waiting', names: ['dropped.txt', 'picked.pdf'] });
  });

  it('folds main’s transfer events into the list from startup, before any screen subscribes', () => {
    const { bridge, emit } = fakeBridge();
    const api = connectApi({ sealdrop: bridge });
    emit('transfer:progress', { transferId: ID, bytes: 5, total: 10, path: 'relay' });
    emit('transfer:error', { transferId: ID, code: 'TRANSPORT_CLOSED', message: 'closed' });
    expect(api.transfer.list()[0]).toMatchObject({ state: 'failed', bytesDone: 5, error: { code: 'TRANSPORT_CLOSED' } });
  });

  it('an offer answered in an OS notification leaves the pending list; "open" asks the app to show it', () => {
    const { bridge, emit } = fakeBridge();
    const api = connectApi({ sealdrop: bridge });
    const opened: string[] = [];
    api.offers.onOpenRequested((id) => opened.push(id));
    emit('transfer:offer', {
      transferId: ID,
      peer: { contactId: null, name: 'D', fingerprint: 'f', short: 's', status: 'new', verifiedBy: 'none' },
      level: 3,
      path: 'direct',
      files: 1,
      directories: 0,
      bytes: 1,
      names: ['a'],
    });
    emit('notification:offer', { transferId: ID, action: 'open' });
    expect(opened).toEqual([ID]);
    expect(api.offers.list()).toHaveLength(1);
    emit('notification:offer', { transferId: ID, action: 'accept' });
    expect(api.offers.list()).toHaveLength(0);
  });

  it('passes contacts:changed payloads through as the list, and unsubscribing twice is harmless', () => {
    const { bridge, emit, handlers } = fakeBridge();
    const api = connectApi({ sealdrop: bridge });
    const seen: number[] = [];
    const unsubscribe = api.contacts.onChanged((contacts) => seen.push(contacts.length));
    emit('contacts:changed', { contacts: [] });
    unsubscribe();
    unsubscribe();
    emit('contacts:changed', { contacts: [] });
    expect(seen).toEqual([0]);
    expect(handlers.get('contacts:changed')?.size).toBe(0);
  });

  it('offers the UI no one-click acceptance of a changed key: only verify (with evidence) moves a pin', () => {
    const { bridge } = fakeBridge();
    const api = connectApi({ sealdrop: bridge });
    expect(Object.keys(api.contacts).sort()).toEqual(['forget', 'list', 'onChanged', 'pair', 'safetyNumber', 'verify']);
  });
});
