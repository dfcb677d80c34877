import { describe, expect, it } from 'vitest';
import { validateRequest } from '../../src/ipc/contract';
import { FakeClock } from '../../src/testing/fake-clock';
import { MemoryBlobStore } from '../../src/testing/memory-blob-store';
import { MemoryKeyStore } from '../../src/testing/memory-key-store';
import { SeededRandom } from '../../src/testing/seeded-random';
import { TrustStore } from '../../src/trust/trust-store';
import { createChannelHandler } from '../../main/app/ipc';
import type { Services } from '../../main/app/ipc';
import { createContactsService } from '../../main/services/contacts-service';
import { noEvents } from '../../main/services/events';
import { createIdentityService, type RotationResult } from '../../main/services/identity-service';
import { ipcServicesOf } from '../../main/services/ipc-services';
import { loadSettingsService } from '../../main/services/settings-service';
import { expectCode } from '../helpers/expect-code';

async function setUp(withPairing = false) {
  const clock = new FakeClock();
  clock.advance(1_700_000_000_000);
  const identity = createIdentityService({ keyStore: new MemoryKeyStore(), random: new SeededRandom('ipc'), clock, deviceName: 'Ada' });
  const trust = await TrustStore.load(new MemoryBlobStore(), clock, new SeededRandom('trust'));
  const contacts = createContactsService({ trust, ownKey: () => identity.publicKey(), events: noEvents });
  const settings = await loadSettingsService({ blobStore: new MemoryBlobStore(), defaultDownloadDir: '/tmp/in', setLoginItemSettings: () => {} });
  const rotations: RotationResult[] = [];
  const parts = ipcServicesOf({
    identity,
    contacts,
    settings,
    onRotated: (rotation) => rotations.push(rotation),
    ...(withPairing ? { pairingLink: () => Promise.resolve({ link: 'sealdrop://x', expiresAt: 1 }) } : {}),
  });
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not under test')) });
  const services = { ...parts, transfer: unused, disk: unused, camera: unused } as Services;
  return { services, rotations };
}

const trusted = { isTrustedSender: () => true };
const event = { sender: { id: 1 } } as unknown as Parameters<ReturnType<typeof createChannelHandler>>[0];

describe('the services behind the IPC handlers', () => {
  it('answer identity, contacts and settings channels through the real handler', async () => {
    const { services } = await setUp();
    const identity = await createChannelHandler('identity:get', services, trusted)(event);
    expect(identity).toMatchObject({ ok: true, value: { name: 'Ada' } });
    expect(await createChannelHandler('contacts:list', services, trusted)(event)).toEqual({ ok: true, value: [] });
    const set = await createChannelHandler('settings:set', services, trusted)(event, { theme: 'dark' });
    expect(set).toMatchObject({ ok: true, value: { theme: 'dark', downloadDir: '/tmp/in' } });
    const sign = await createChannelHandler('identity:sign', services, trusted)(event, { transferId: 'ab'.repeat(16), context: 'handshake responder', hash: new Uint8Array(32) });
    expect(sign).toMatchObject({ ok: true });
  });

  it('the contract and the service refuse the same contexts', async () => {
    const { services } = await setUp();
    const request = { transferId: 'ab'.repeat(16), context: 'key rotation', hash: new Uint8Array(32) };
    expect(() => validateRequest('identity:sign', request)).toThrow();
    await expectCode(Promise.resolve(services.identity.sign(request as never, { webContentsId: 1 })), 'BAD_INPUT');
  });

  it('rotation answers the new identity and hands the statement to onRotated', async () => {
    const { services, rotations } = await setUp();
    const before = await services.identity.get({ webContentsId: 1 });
    const after = await services.identity.rotate({ webContentsId: 1 });
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(rotations).toHaveLength(1);
    expect(rotations[0]!.identity).toEqual(after);
  });

  it('pairing links come from the injected function, or fail INTERNAL', async () => {
    expect(await (await setUp(true)).services.identity.pairingLink({ webContentsId: 1 })).toEqual({ link: 'sealdrop://x', expiresAt: 1 });
    await expectCode(Promise.resolve((await setUp()).services.identity.pairingLink({ webContentsId: 1 })), 'INTERNAL');
  });
});
