/**
 * The IPC contract's validators: every channel accepts its well-formed example and rejects, with BAD_INPUT and
 * before anything else happens, payloads of the wrong type, with extra or missing keys, with over-long strings,
 * with byte arrays of the wrong length, and (identity:sign) any signing context but the two handshake ones.
 *
 * The generic suites mutate each channel's valid example one leaf at a time, so a new field is covered as soon as
 * it appears in the example table — and the table's type makes a new channel without an example a compile error.
 */

import { describe, expect, it } from 'vitest';
import { SealdropError, type ErrorCode } from '../../src/errors';
import { unwrapResult } from '../../src/ipc/api';
import {
  EVENT_CHANNELS,
  INVOKE_CHANNELS,
  MAX_HASH_STATE_BYTES,
  MAX_SEND_ITEMS,
  apiNameOf,
  validateRequest,
  type InvokeChannel,
  type InvokeRequest,
} from '../../src/ipc/contract';
import { MAX_CHUNK_SIZE } from '../../src/crypto/stream';
import { MAX_LINK_TEXT } from '../../src/identity/link';
import { MANIFEST_LIMITS } from '../../src/manifest/manifest';
import { expectCode } from '../helpers/expect-code';

const ID = '0123456789abcdef0123456789abcdef';
const ID2 = 'fedcba9876543210fedcba9876543210';
const LINK = 'sealdrop://AQEAAAAAAAAAAAAAAAAAAAAA';

/** One well-formed request per channel. */
const VALID: { readonly [C in InvokeChannel]: InvokeRequest<C> } = {
  'identity:get': undefined,
  'identity:sign': { transferId: 'ab'.repeat(16), context: 'handshake initiator', hash: new Uint8Array(32).fill(7) },
  'identity:rotate': undefined,
  'identity:pairing-link': undefined,
  'contacts:list': undefined,
  'contacts:verify': { id: ID, method: 'safety-number', digits: '0'.repeat(60) },
  'contacts:forget': { id: ID },
  'contacts:accept-key-change': { id: ID },
  'contacts:safety-number': { id: ID },
  'contacts:pair': { link: LINK },
  'settings:get': undefined,
  'settings:set': {
    relayUrl: 'wss://relay.example.org',
    stun: ['stun:stun.example.org:3478'],
    turn: [{ url: 'turns:turn.example.org:5349', username: 'u', credential: 'c' }],
    requireLevel3: true,
    autoAcceptVerified: false,
    receiveInTray: true,
    startAtLogin: false,
    theme: 'dark',
  },
  'settings:choose-download-dir': undefined,
  'transfer:pick-files': { kind: 'folder' },
  'transfer:send': { paths: ['/home/a/photo.jpg'], picked: [ID], to: { kind: 'contact', contactId: ID2 } },
  'transfer:receive': { link: LINK },
  'transfer:accept': { transferId: ID },
  'transfer:decline': { transferId: ID },
  'transfer:cancel': { transferId: ID },
  'transfer:open-folder': { transferId: ID },
  'transfer:report': {
    transferId: ID,
    type: 'connected',
    level: 3,
    verifiedBy: 'link-fingerprint',
    peerKey: new Uint8Array(32).fill(1),
    peerName: 'Ada’s laptop',
  },
  'disk:read': { transferId: ID, index: 0, offset: 65536, length: 65536 },
  'disk:progress': { transferId: ID, index: 3 },
  'disk:write-chunk': {
    transferId: ID,
    index: 1,
    chunkIndex: 4,
    plaintext: new Uint8Array(1000),
    progress: { verifiedChunks: 5, chunkSize: 65536, hashState: new Uint8Array(42), committed: false },
  },
  'disk:create-directory': { transferId: ID, index: 2 },
  'disk:commit': { transferId: ID, index: 2 },
  'disk:discard': { transferId: ID, index: 2 },
  'camera:start-scan': undefined,
  'camera:stop-scan': undefined,
};

/** Channels whose every key is optional: removing one key leaves a valid request. */
const ALL_OPTIONAL = new Set<InvokeChannel>(['settings:set']);

function rejects(channel: InvokeChannel, payload: unknown): void {
  let caught: unknown;
  try {
    validateRequest(channel, payload);
  } catch (error) {
    caught = error;
  }
  expect(caught, `${channel} accepted ${describePayload(payload)}`).toBeInstanceOf(SealdropError);
  expect((caught as SealdropError).code).toBe<ErrorCode>('BAD_INPUT');
}

function describePayload(payload: unknown): string {
  try {
    return JSON.stringify(payload, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes(${v.length})` : v))?.slice(0, 200) ?? String(payload);
  } catch {
    return String(payload);
  }
}

type Path = readonly (string | number)[];

/** Every leaf (string, number, boolean, null, Uint8Array) and container of `value`, with its path. */
function walk(value: unknown, path: Path = []): { path: Path; value: unknown }[] {
  const out = [{ path, value }];
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return out;
  for (const [key, child] of Object.entries(value)) out.push(...walk(child, [...path, Array.isArray(value) ? Number(key) : key]));
  return out;
}

function clone(value: unknown): unknown {
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return value.map(clone);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clone(v)]));
  return value;
}

/** A copy of `root` with the value at `path` replaced (or deleted, for `undefined` with `remove`). */
function replaced(root: unknown, path: Path, next: unknown, remove = false): unknown {
  if (path.length === 0) return next;
  const copy = clone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) delete parent[last];
  else parent[last] = next;
  return copy;
}

/** A value of another type than `value`, for the wrong-type suite. */
function wrongTypes(value: unknown): unknown[] {
  if (value instanceof Uint8Array) return [Array.from(value), new Uint16Array(value.length), value.buffer, 'AAAA', null];
  if (Array.isArray(value)) return [{}, 'x', 1, null];
  if (typeof value === 'string') return [1, true, null, [value], { value }];
  if (typeof value === 'number') return [String(value), value + 0.5, Number.NaN, Infinity, -1, null, true];
  if (typeof value === 'boolean') return [value ? 1 : 0, String(value), null];
  if (value === null) return [{}, 'null', 0];
  return ['x', 1, [], null, new (class Foo {})()];
}

describe('the contract', () => {
  it('has an example for exactly the declared channels, all named domain:verb', () => {
    expect(Object.keys(VALID).sort()).toEqual([...INVOKE_CHANNELS].sort());
    for (const channel of [...INVOKE_CHANNELS, ...EVENT_CHANNELS]) expect(channel).toMatch(/^[a-z]+:[a-z]+(-[a-z]+)*$/);
    expect(new Set([...INVOKE_CHANNELS, ...EVENT_CHANNELS]).size).toBe(INVOKE_CHANNELS.length + EVENT_CHANNELS.length);
  });

  it('maps channels to window.sealdrop names mechanically', () => {
    expect(apiNameOf('identity:sign')).toEqual({ namespace: 'identity', member: 'sign' });
    expect(apiNameOf('contacts:accept-key-change')).toEqual({ namespace: 'contacts', member: 'acceptKeyChange' });
    expect(apiNameOf('transfer:pick-files')).toEqual({ namespace: 'transfer', member: 'pickFiles' });
    expect(apiNameOf('tray:receiving-changed')).toEqual({ namespace: 'tray', member: 'onReceivingChanged' });
    expect(apiNameOf('transfer:session')).toEqual({ namespace: 'transfer', member: 'onSession' });
  });

  it('rejects an unknown channel', async () => {
    await expectCode(() => validateRequest('identity:export-private-key' as InvokeChannel, undefined), 'BAD_INPUT');
    await expectCode(() => validateRequest('__proto__' as InvokeChannel, undefined), 'BAD_INPUT');
  });
});

describe.each([...INVOKE_CHANNELS])('%s', (channel) => {
  const valid = VALID[channel];

  it('accepts its example and returns a fresh copy', () => {
    const checked = validateRequest(channel, valid);
    expect(checked).toEqual(valid);
    if (valid !== undefined) expect(checked).not.toBe(valid);
    for (const { path, value } of walk(valid)) {
      if (value instanceof Uint8Array) {
        let copy: unknown = checked;
        for (const key of path) copy = (copy as Record<string | number, unknown>)[key];
        expect(copy).not.toBe(value);
      }
    }
  });

  it('rejects payloads of the wrong type', () => {
    for (const payload of wrongTypes(valid)) rejects(channel, payload);
    if (valid === undefined) for (const payload of [null, 0, '', {}, [], false]) rejects(channel, payload);
  });

  it('rejects an extra key anywhere', () => {
    for (const { path, value } of walk(valid)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) continue;
      rejects(channel, replaced(valid, path, { ...(value), extra: 1 }));
      rejects(channel, replaced(valid, path, { ...(value), __proto__: { polluted: true } }));
      rejects(channel, replaced(valid, path, JSON.parse(`{"__proto__": {"polluted": true}, ${JSON.stringify(value).slice(1)}`) as unknown));
    }
  });

  it('rejects a missing key anywhere', () => {
    if (ALL_OPTIONAL.has(channel)) return;
    for (const { path } of walk(valid)) {
      if (path.length === 0 || typeof path[path.length - 1] === 'number') continue;
      rejects(channel, replaced(valid, path, undefined, true));
    }
  });

  it('rejects a wrong type in every field', () => {
    for (const { path, value } of walk(valid)) {
      if (path.length === 0) continue;
      for (const wrong of wrongTypes(value)) rejects(channel, replaced(valid, path, wrong));
    }
  });

  it('rejects over-long strings and oversized byte arrays in every field', () => {
    for (const { path, value } of walk(valid)) {
      if (typeof value === 'string') rejects(channel, replaced(valid, path, value + 'x'.repeat(100_000)));
      if (value instanceof Uint8Array) rejects(channel, replaced(valid, path, new Uint8Array(MAX_CHUNK_SIZE + 1)));
    }
  });

  it('rejects objects that are not plain', () => {
    if (valid === undefined) return;
    rejects(channel, Object.assign(Object.create({ inherited: true }) as object, valid));
    rejects(channel, new Map(Object.entries(valid)));
    rejects(channel, { ...(valid), [Symbol('s')]: 1 });
  });
});

describe('identity:sign', () => {
  const hash = new Uint8Array(32);
  const transferId = 'ab'.repeat(16);

  it('names the session it is for', () => {
    rejects('identity:sign', { context: 'handshake responder', hash });
    rejects('identity:sign', { transferId: 'not-an-id', context: 'handshake responder', hash });
  });

  it('signs for the two handshake contexts only', () => {
    expect(validateRequest('identity:sign', { transferId, context: 'handshake responder', hash }).context).toBe('handshake responder');
    for (const context of ['key rotation', 'relay registration', 'path advertisement', 'Handshake initiator', 'handshake initiator ', '']) {
      rejects('identity:sign', { transferId, context, hash });
    }
  });

  it('signs exactly a 32-byte hash', () => {
    for (const length of [0, 31, 33, 64]) rejects('identity:sign', { transferId, context: 'handshake initiator', hash: new Uint8Array(length) });
    rejects('identity:sign', { transferId, context: 'handshake initiator', hash: new Uint8Array(64).subarray(0, 32).buffer });
    rejects('identity:sign', { transferId, context: 'handshake initiator', hash: new DataView(new ArrayBuffer(32)) });
    // A Node Buffer is a Uint8Array: accepted, and copied.
    const checked = validateRequest('identity:sign', { transferId, context: 'handshake initiator', hash: Buffer.alloc(32, 9) });
    expect(checked.hash).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(checked.hash)).toBe(false);
  });

  it('copies the hash, so a later change by the sender cannot alter what is signed', () => {
    const input = new Uint8Array(32).fill(1);
    const checked = validateRequest('identity:sign', { transferId, context: 'handshake initiator', hash: input });
    input.fill(2);
    expect(checked.hash.every((byte) => byte === 1)).toBe(true);
  });
});

describe('limits and refinements', () => {
  it('bounds numbers: integers in range only', () => {
    for (const index of [-1, 1.5, 100_000, Number.MAX_SAFE_INTEGER + 1]) rejects('disk:progress', { transferId: ID, index });
    for (const length of [0, MAX_CHUNK_SIZE + 1]) rejects('disk:read', { transferId: ID, index: 0, offset: 0, length });
    rejects('disk:read', { transferId: ID, index: 0, offset: 2 ** 42 + 1, length: 1 });
  });

  it('requires ids to be 32 lowercase hex characters', () => {
    for (const transferId of [ID.toUpperCase(), ID.slice(1), `${ID}0`, '../../etc/passwd'.padEnd(32, 'a'), `${ID.slice(0, 31)}\n`]) {
      rejects('transfer:cancel', { transferId });
    }
  });

  it('transfer:send takes 1..MAX_SEND_ITEMS absolute paths or picked ids', () => {
    const to = { kind: 'link' };
    expect(validateRequest('transfer:send', { paths: ['C:\\Users\\a\\b.txt', '\\\\server\\share\\x'], picked: [], to }).paths).toHaveLength(2);
    rejects('transfer:send', { paths: [], picked: [], to });
    rejects('transfer:send', { paths: ['relative/file.txt'], picked: [], to });
    rejects('transfer:send', { paths: ['/tmp/a\u0000b'], picked: [], to });
    rejects('transfer:send', { paths: Array<string>(MAX_SEND_ITEMS).fill('/a'), picked: [ID], to });
    rejects('transfer:send', { paths: ['/a'], picked: [], to: { kind: 'contact' } });
    rejects('transfer:send', { paths: ['/a'], picked: [], to: { kind: 'link', contactId: ID } });
    rejects('transfer:send', { paths: ['/a'], picked: [], to: { kind: 'email' } });
  });

  it('settings:set: at least one key, never downloadDir, only relay/stun/turn URLs of the right scheme', () => {
    expect(validateRequest('settings:set', { theme: 'light' })).toEqual({ theme: 'light' });
    rejects('settings:set', {});
    rejects('settings:set', { downloadDir: '/home/a/.config/autostart' });
    for (const relayUrl of ['http://relay.example.org', 'wss://user:pw@relay.example.org', 'wss://relay#x', 'javascript:alert(1)']) {
      rejects('settings:set', { relayUrl });
    }
    rejects('settings:set', { stun: ['turn:x.example.org'] });
    rejects('settings:set', { stun: Array<string>(9).fill('stun:x.example.org') });
    rejects('settings:set', { turn: [{ url: 'stun:x.example.org', username: '', credential: '' }] });
    rejects('settings:set', { theme: 'solarized' });
  });

  it('contacts:verify: 60 digits, or a link', () => {
    expect(validateRequest('contacts:verify', { id: ID, method: 'qr', link: LINK }).method).toBe('qr');
    for (const digits of ['0'.repeat(59), '0'.repeat(61), `${'0'.repeat(59)}a`, '０'.repeat(60)]) {
      rejects('contacts:verify', { id: ID, method: 'safety-number', digits });
    }
    rejects('contacts:verify', { id: ID, method: 'qr', digits: '0'.repeat(60) });
    rejects('contacts:verify', { id: ID, method: 'trust-me' });
    rejects('contacts:verify', { id: ID });
  });

  it('links are bounded', () => {
    rejects('transfer:receive', { link: '' });
    rejects('transfer:receive', { link: `sealdrop://${'A'.repeat(MAX_LINK_TEXT)}` });
  });

  it('transfer:report: each variant exactly', () => {
    const offer = { transferId: ID, type: 'offer', manifest: new Uint8Array([1, 2, 3]) };
    expect(validateRequest('transfer:report', offer)).toEqual(offer);
    // The manifest travels encoded (main decodes it again); counts or names from the renderer are not accepted.
    rejects('transfer:report', { ...offer, names: ['a.txt'] });
    rejects('transfer:report', { ...offer, manifest: new Uint8Array(0) });
    rejects('transfer:report', { ...offer, manifest: new Uint8Array(MANIFEST_LIMITS.maxEncodedBytes + 1) });
    rejects('transfer:report', { ...offer, manifest: 'AQID' });
    rejects('transfer:report', { ...offer, type: 'connected' });
    const finished = { transferId: ID, type: 'finished', ok: false, code: 'FILE_HASH_MISMATCH' };
    expect(validateRequest('transfer:report', finished)).toEqual(finished);
    rejects('transfer:report', { ...finished, code: 'NOT_A_CODE' });
    rejects('transfer:report', { ...VALID['transfer:report'], peerKey: new Uint8Array(33) });
    rejects('transfer:report', { ...VALID['transfer:report'], level: 1 });
  });

  it('disk:write-chunk: the progress must describe exactly this chunk', () => {
    const valid = VALID['disk:write-chunk'];
    rejects('disk:write-chunk', { ...valid, progress: { ...valid.progress, verifiedChunks: 4 } });
    rejects('disk:write-chunk', { ...valid, progress: { ...valid.progress, committed: true } });
    rejects('disk:write-chunk', { ...valid, progress: { ...valid.progress, chunkSize: 16 } });
    rejects('disk:write-chunk', { ...valid, progress: { ...valid.progress, hashState: new Uint8Array(MAX_HASH_STATE_BYTES + 1) } });
    rejects('disk:write-chunk', { ...valid, progress: { ...valid.progress, hashState: new Uint8Array(0) } });
    expect(validateRequest('disk:write-chunk', { ...valid, plaintext: new Uint8Array(0) }).plaintext).toHaveLength(0);
  });

  it('rejects a sparse array instead of skipping its hole', () => {
    rejects('transfer:send', { paths: ['/a', , '/b'], picked: [], to: { kind: 'link' } });
  });
});

describe('unwrapResult', () => {
  it('returns the value or throws the coded error', async () => {
    expect(unwrapResult({ ok: true, value: 5 })).toBe(5);
    await expectCode(() => unwrapResult({ ok: false, error: { code: 'KEY_CHANGED', message: 'x' } }), 'KEY_CHANGED');
    await expectCode(() => unwrapResult({ ok: false, error: { code: 'NOPE' as ErrorCode, message: 'x' } }), 'INTERNAL');
  });
});
