/**
 * The relay log is for operators, and operators are not trusted with transfers: room ids and fingerprints appear
 * only as their first 4 hex characters; payloads, nonces, keys, signatures and client addresses never appear.
 */

import { describe, expect, it } from 'vitest';
import { toBase64Url, toHex } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed } from '../../src/identity/identity';
import { registrationHash } from '../../src/signaling/relay-protocol';
import { RelayClient, eventually, startTestRelay } from './relay-client';

describe('relay log redaction', () => {
  it('logs connect, join, register, notify, leave and close with short tags only', async () => {
    const t = await startTestRelay();
    const roomId = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const identity = await identityFromSeed(new Uint8Array(32).fill(0x42));
    const fingerprint = await fingerprintOf(identity.publicKey);
    const payload = new TextEncoder().encode('SECRET-PAYLOAD-never-in-logs');

    const device = await RelayClient.open(t.url);
    device.send({ type: 'register', fingerprint });
    const challenge = await device.next();
    if (challenge.type !== 'challenge') throw new Error('expected a challenge');
    const signature = await identity.signHash('relay registration', await registrationHash(challenge.nonce, fingerprint));
    device.send({ type: 'prove', publicKey: identity.publicKey, signature });
    await device.next();

    const a = await RelayClient.open(t.url);
    a.send({ type: 'join', roomId });
    await a.next();
    a.send({ type: 'notify', fingerprint, roomId });
    await a.next();
    const b = await RelayClient.open(t.url);
    b.send({ type: 'join', roomId });
    await b.next();
    a.send({ type: 'send', payload });
    await b.next();
    await Promise.all([a.close(), b.close(), device.close()]);
    await eventually(() => t.relay.stats().connections === 0, 5_000, 'all closed');
    await t.relay.close();

    const events = t.logs.map((l) => l.event);
    for (const event of ['listening', 'connect', 'register', 'join', 'notify', 'leave', 'close', 'stopped']) {
      expect(events).toContain(event);
    }
    expect(t.logs.find((l) => l.event === 'join')).toMatchObject({ room: 'a0a1' });
    expect(t.logs.find((l) => l.event === 'register')).toMatchObject({ mailbox: toHex(fingerprint).slice(0, 4) });

    const text = JSON.stringify(t.logs);
    const secrets = [roomId, fingerprint, identity.publicKey, signature, challenge.nonce, payload];
    for (const secret of secrets) {
      for (const form of [toHex(secret).slice(0, 6), toBase64Url(secret).slice(0, 8), Buffer.from(secret).toString('base64').slice(0, 8)]) {
        expect(text).not.toContain(form);
      }
    }
    expect(text).not.toContain('SECRET-PAYLOAD');
    // The relay's own address is in its 'listening' line; no other line names an address.
    expect(JSON.stringify(t.logs.filter((l) => l.event !== 'listening'))).not.toContain('127.0.0.1');
    for (const line of t.logs) expect(typeof line.ts).toBe('string');
  });
});
