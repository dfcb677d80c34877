/**
 * DEVELOPMENT ONLY — never bundled (vite.config.ts builds renderer/index.html alone, and nothing outside dev/
 * imports this). An in-memory `window.sealdrop` with the exact shape of src/ipc/api.ts, so the screens can be
 * looked at and clicked through in a plain browser: `npx vite --config renderer/vite.config.ts`, then open
 * /dev/index.html. It goes through the real renderer/api.ts adapter, like the app does.
 *
 * Query parameters: `?keychange=0` starts without the key-changed contact; `?quiet=1` emits no transfer events.
 */

import { toHex } from '../../src/bytes';
import { createLink, encodeLink } from '../../src/identity/link';
import { webCryptoRandom } from '../../src/ports/random';
import type { SealdropApi } from '../../src/ipc/api';
import type { ContactInfo, EventChannel, EventPayload, IpcResult, PickedItem, SettingsInfo } from '../../src/ipc/contract';

type Handler<E extends EventChannel> = (payload: EventPayload<E>) => void;

const hex = (n: number) => toHex(webCryptoRandom.bytes(n));
const ok = <T>(value: T): Promise<IpcResult<T>> => new Promise((resolve) => setTimeout(() => resolve({ ok: true, value }), 150));
const fail = (code: 'BAD_INPUT' | 'IDENTITY_MISMATCH' | 'CONTACT_UNKNOWN', message: string): Promise<IpcResult<never>> =>
  Promise.resolve({ ok: false, error: { code, message } });

function shortOf(fingerprint: string): string {
  const text = fingerprint.slice(0, 16).toUpperCase();
  return [0, 4, 8, 12].map((i) => text.slice(i, i + 4)).join('-');
}

function contact(name: string, status: ContactInfo['status']): ContactInfo {
  const fingerprint = hex(32);
  const pending = hex(32);
  return {
    id: hex(16),
    name,
    fingerprint,
    short: shortOf(fingerprint),
    status,
    addedAt: Date.now() - 86_400_000 * 30,
    verifiedAt: status === 'verified' ? Date.now() - 86_400_000 * 20 : null,
    pendingKey: status === 'keyChanged' ? { fingerprint: pending, short: shortOf(pending), seenAt: Date.now() - 60_000 } : null,
  };
}

export function createFakeBridge(params: URLSearchParams): SealdropApi {
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  const emit = <E extends EventChannel>(channel: E, payload: EventPayload<E>) => {
    for (const listener of listeners.get(channel) ?? []) (listener as Handler<E>)(payload);
  };
  const on =
    <E extends EventChannel>(channel: E) =>
    (handler: Handler<E>) => {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(handler);
      return () => void set.delete(handler);
    };

  const me = hex(32);
  let contacts: ContactInfo[] = [contact('Alice', 'verified'), contact('Bob', 'seen')];
  if (params.get('keychange') !== '0') contacts.push(contact('Carol', 'keyChanged'));
  let settings: SettingsInfo = {
    relayUrl: 'wss://relay.sealdrop.example',
    stun: ['stun:stun.example.org:3478'],
    turn: [],
    requireLevel3: true,
    autoAcceptVerified: false,
    receiveInTray: true,
    startAtLogin: false,
    downloadDir: '/home/dev/Downloads',
    theme: (params.get('theme') as SettingsInfo['theme'] | null) ?? 'system',
  };
  const changed = () => emit('contacts:changed', { contacts });
  const link = (kind: 'transfer' | 'pairing') =>
    encodeLink(createLink(webCryptoRandom, kind, webCryptoRandom.bytes(32), ['wss://relay.sealdrop.example']));

  const api: SealdropApi = {
    identity: {
      get: () => ok({ fingerprint: me, short: shortOf(me), name: 'Dev laptop' }),
      sign: () => ok(new Uint8Array(64)),
      rotate: () => ok({ fingerprint: me, short: shortOf(me), name: 'Dev laptop' }),
      pairingLink: () => ok({ link: link('pairing'), expiresAt: Date.now() + 10 * 60_000 }),
    },
    contacts: {
      list: () => {
        startStory();
        return ok(contacts);
      },
      verify: (request) => {
        const found = contacts.find((c) => c.id === request.id);
        if (!found) return fail('CONTACT_UNKNOWN', 'no such contact');
        if (request.method === 'qr' && !request.link.toLowerCase().startsWith('sealdrop://')) return fail('IDENTITY_MISMATCH', 'another key');
        const fingerprint = found.pendingKey?.fingerprint ?? found.fingerprint;
        const next: ContactInfo = {
          ...found,
          fingerprint,
          short: shortOf(fingerprint),
          status: 'verified',
          verifiedAt: Date.now(),
          pendingKey: null,
        };
        contacts = contacts.map((c) => (c.id === found.id ? next : c));
        changed();
        return ok(next);
      },
      forget: (request) => {
        contacts = contacts.filter((c) => c.id !== request.id);
        changed();
        return ok(undefined);
      },
      acceptKeyChange: () => fail('BAD_INPUT', 'the renderer never calls this'),
      safetyNumber: (request) => {
        const found = contacts.find((c) => c.id === request.id);
        if (!found) return fail('CONTACT_UNKNOWN', 'no such contact');
        const seed = (found.pendingKey?.fingerprint ?? found.fingerprint) + me;
        const digits = Array.from({ length: 60 }, (_, i) => String(parseInt(seed[i % seed.length]!, 16) % 10)).join('');
        return ok({ digits, key: found.pendingKey ? 'pending' : 'pinned' });
      },
      pair: () => {
        const added = contact('Erin', 'verified');
        contacts = [...contacts, added];
        changed();
        return ok(added);
      },
      onChanged: on('contacts:changed'),
    },
    settings: {
      get: () => ok(settings),
      set: (patch) => {
        settings = { ...settings, ...patch };
        return ok(settings);
      },
      chooseDownloadDir: () => {
        settings = { ...settings, downloadDir: '/home/dev/Received' };
        return ok(settings);
      },
    },
    transfer: {
      pickFiles: (request) => {
        const items: PickedItem[] =
          request.kind === 'folder'
            ? [{ id: hex(16), name: 'holiday-photos', kind: 'directory', size: null }]
            : [
                { id: hex(16), name: 'report.pdf', kind: 'file', size: 2_400_000 },
                { id: hex(16), name: 'notes.txt', kind: 'file', size: 1_234 },
              ];
        return ok(items);
      },
      send: (request) => {
        const transferId = hex(16);
        const isLink = request.to.kind === 'link';
        if (!isLink) setTimeout(() => simulate(transferId, 'sender', 8_000_000), 300);
        return ok({ transferId, link: isLink ? link('transfer') : null });
      },
      receive: () => {
        const transferId = hex(16);
        setTimeout(() => offer(transferId, 'Frank', 'new', 3), 600);
        return ok({ transferId });
      },
      accept: (request) => {
        setTimeout(() => simulate(request.transferId, 'receiver', 30_000_000), 200);
        return ok(undefined);
      },
      decline: () => ok(undefined),
      cancel: (request) => {
        setTimeout(() => emit('transfer:error', { transferId: request.transferId, code: 'CANCELLED', message: 'cancelled' }), 100);
        return ok(undefined);
      },
      openFolder: () => ok(undefined),
      report: () => ok({ decision: null }),
      onOffer: on('transfer:offer'),
      onSession: on('transfer:session'),
      onProgress: on('transfer:progress'),
      onDone: on('transfer:done'),
      onError: on('transfer:error'),
    },
    disk: {
      read: () => ok(new Uint8Array()),
      progress: () => ok(null),
      writeChunk: () => ok(undefined),
      createDirectory: () => ok(undefined),
      commit: () => ok(undefined),
      discard: () => ok(undefined),
    },
    camera: { startScan: () => ok({ until: Date.now() + 60_000 }), stopScan: () => ok(undefined) },
    tray: { onReceivingChanged: on('tray:receiving-changed') },
    notification: { onOffer: on('notification:offer') },
  };

  function session(transferId: string, role: 'sender' | 'receiver', path: 'webrtc' | 'relay' | 'direct', contactId: string | null) {
    emit('transfer:session', {
      transferId,
      identityKey: new Uint8Array(32),
      role,
      handshakeRole: role === 'sender' ? 'responder' : 'initiator',
      sessionId: new Uint8Array(16),
      psk: null,
      expect: { pinnedKey: null, linkFingerprint: null, linkIssued: false, pinnedKeys: [] },
      requireLevel3: settings.requireLevel3,
      name: 'Dev laptop',
      binding: { kind: 'none' },
      maxFrameBytes: 65536,
      path,
      manifest: null,
      contactId,
    });
  }

  function simulate(transferId: string, role: 'sender' | 'receiver', total: number) {
    session(transferId, role, 'webrtc', contacts[0]?.id ?? null);
    let bytes = 0;
    const timer = setInterval(() => {
      bytes = Math.min(total, bytes + 700_000 + Math.round(Math.random() * 300_000));
      emit('transfer:progress', { transferId, bytes, total, path: 'webrtc' });
      if (bytes >= total) {
        clearInterval(timer);
        emit('transfer:done', { transferId, level: 3, path: 'webrtc', files: 2, bytes: total });
      }
    }, 400);
  }

  function offer(transferId: string, name: string, status: 'new' | 'verified', level: 2 | 3) {
    const fingerprint = hex(32);
    emit('transfer:offer', {
      transferId,
      peer: { contactId: null, name, fingerprint, short: shortOf(fingerprint), status, verifiedBy: level === 3 ? 'link-fingerprint' : 'none' },
      level,
      path: level === 3 ? 'direct' : 'relay',
      files: 12,
      directories: 2,
      bytes: 48_200_000,
      names: ['photos/IMG_0001.jpg', 'photos/IMG_0002.jpg', 'notes/readme.txt'],
    });
  }

  // The story starts when the app first asks for contacts, so no event fires before the adapter has subscribed.
  let started = params.get('quiet') === '1';
  const startStory = () => {
    if (started) return;
    started = true;
    setTimeout(() => {
      offer(hex(16), 'Dave', 'new', 2);
      simulate(hex(16), 'sender', 50_000_000);
      const failed = hex(16);
      session(failed, 'receiver', 'relay', contacts[1]?.id ?? null);
      emit('transfer:error', { transferId: failed, code: 'TRANSPORT_CLOSED', message: 'closed' });
      emit('tray:receiving-changed', { receiving: true });
    }, 800);
    // A first transfer by link pins a new, unverified contact: the first-contact prompt appears.
    setTimeout(() => {
      contacts = [...contacts, contact('Grace', 'seen')];
      changed();
    }, 2500);
  };
  return api;
}
