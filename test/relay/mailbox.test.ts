/**
 * Mailboxes over real sockets with real identities: REGISTER → CHALLENGE → PROVE → REGISTERED, NOTIFY → INCOMING,
 * the proofs a squatter could try (each must close 4007 BAD_PROOF), and one role per connection (4000).
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { RELAY_CLOSE, registrationHash, type RelayMessage } from '../../src/signaling/relay-protocol';
import { RelayClient, eventually, newRoomId, startTestRelay, type TestRelay } from './relay-client';

let t: TestRelay;
const clients: RelayClient[] = [];

async function open(): Promise<RelayClient> {
  const client = await RelayClient.open(t.url);
  clients.push(client);
  return client;
}

function seed(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

function nonceOf(message: RelayMessage): Uint8Array {
  if (message.type !== 'challenge') throw new Error(`expected CHALLENGE, got ${message.type}`);
  return message.nonce;
}

/** Register `identity` on a new connection the honest way. */
async function registerDevice(identity: IdentitySigner): Promise<RelayClient> {
  const fingerprint = await fingerprintOf(identity.publicKey);
  const device = await open();
  device.send({ type: 'register', fingerprint });
  const nonce = nonceOf(await device.next());
  const signature = await identity.signHash('relay registration', await registrationHash(nonce, fingerprint));
  device.send({ type: 'prove', publicKey: identity.publicKey, signature });
  expect(await device.next()).toEqual({ type: 'registered' });
  return device;
}

beforeEach(async () => {
  t = await startTestRelay();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t.relay.close();
});

describe('relay mailboxes', () => {
  it('registers a device that proves its identity and delivers NOTIFY to it as INCOMING', async () => {
    const identity = await identityFromSeed(seed(1));
    const fingerprint = await fingerprintOf(identity.publicKey);
    const device = await registerDevice(identity);
    expect(t.relay.stats().mailboxes).toBe(1);

    const roomId = newRoomId();
    const caller = await open();
    caller.send({ type: 'notify', fingerprint, roomId });
    expect(await device.next()).toEqual({ type: 'incoming', roomId });
    expect(await caller.next()).toEqual({ type: 'notified', delivered: true });
  });

  it('draws a fresh 32-byte challenge for every registration', async () => {
    const fingerprint = await fingerprintOf((await identityFromSeed(seed(2))).publicKey);
    const nonces: Uint8Array[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await open();
      c.send({ type: 'register', fingerprint });
      nonces.push(nonceOf(await c.next()));
    }
    expect(nonces.every((n) => n.length === 32)).toBe(true);
    expect(new Set(nonces.map((n) => Buffer.from(n).toString('hex'))).size).toBe(3);
  });

  it('answers NOTIFIED{delivered:false} when no device is registered for the fingerprint', async () => {
    const caller = await open();
    caller.send({ type: 'notify', fingerprint: new Uint8Array(32).fill(9), roomId: newRoomId() });
    expect(await caller.next()).toEqual({ type: 'notified', delivered: false });
  });

  it('lets a room member notify from the connection it already has', async () => {
    const identity = await identityFromSeed(seed(3));
    const device = await registerDevice(identity);
    const roomId = newRoomId();
    const sender = await open();
    sender.send({ type: 'join', roomId });
    await sender.next();
    sender.send({ type: 'notify', fingerprint: await fingerprintOf(identity.publicKey), roomId });
    expect(await device.next()).toEqual({ type: 'incoming', roomId });
    expect(await sender.next()).toEqual({ type: 'notified', delivered: true });
  });

  it('notifies every connection registered for the same identity', async () => {
    const identity = await identityFromSeed(seed(4));
    const first = await registerDevice(identity);
    const second = await registerDevice(identity);
    expect(t.relay.stats().mailboxes).toBe(1);
    const roomId = newRoomId();
    const caller = await open();
    caller.send({ type: 'notify', fingerprint: await fingerprintOf(identity.publicKey), roomId });
    expect(await first.next()).toEqual({ type: 'incoming', roomId });
    expect(await second.next()).toEqual({ type: 'incoming', roomId });
  });

  it('closes the mailbox when its device disconnects', async () => {
    const identity = await identityFromSeed(seed(5));
    const device = await registerDevice(identity);
    await device.close();
    await eventually(() => t.relay.stats().mailboxes === 0, 5_000, 'mailbox closed');
    const caller = await open();
    caller.send({ type: 'notify', fingerprint: await fingerprintOf(identity.publicKey), roomId: newRoomId() });
    expect(await caller.next()).toEqual({ type: 'notified', delivered: false });
  });
});

describe('relay mailboxes: forged proofs close with 4007 BAD_PROOF', () => {
  /** Each forgery gets the victim's fingerprint, the relay's nonce, and returns what it sends as PROVE. */
  const forgeries: Record<
    string,
    (victim: IdentitySigner, fingerprint: Uint8Array, nonce: Uint8Array) => Promise<{ publicKey: Uint8Array; signature: Uint8Array }>
  > = {
    "the squatter's own key and a valid signature of its own": async (_victim, fingerprint, nonce) => {
      const squatter = await identityFromSeed(seed(0x66));
      const signature = await squatter.signHash('relay registration', await registrationHash(nonce, fingerprint));
      return { publicKey: squatter.publicKey, signature };
    },
    "the victim's key with a garbage signature": (victim) =>
      Promise.resolve({ publicKey: victim.publicKey, signature: new Uint8Array(64).fill(0x5a) }),
    "the victim's signature over a different nonce (replay)": async (victim, fingerprint) => {
      const signature = await victim.signHash('relay registration', await registrationHash(new Uint8Array(32), fingerprint));
      return { publicKey: victim.publicKey, signature };
    },
    "the victim's signature under another context": async (victim, fingerprint, nonce) => {
      const signature = await victim.signHash('path advertisement', await registrationHash(nonce, fingerprint));
      return { publicKey: victim.publicKey, signature };
    },
  };

  for (const [name, forge] of Object.entries(forgeries)) {
    it(name, async () => {
      const victim = await identityFromSeed(seed(0x77));
      const fingerprint = await fingerprintOf(victim.publicKey);
      const squatter = await open();
      squatter.send({ type: 'register', fingerprint });
      const nonce = nonceOf(await squatter.next());
      squatter.send({ type: 'prove', ...(await forge(victim, fingerprint, nonce)) });
      expect(await squatter.closeCode()).toBe(RELAY_CLOSE.BAD_PROOF);
      expect(t.relay.stats().mailboxes).toBe(0);
      expect(t.relay.stats().closesByCode[RELAY_CLOSE.BAD_PROOF]).toBe(1);
    });
  }
});

describe('relay mailboxes: a malformed key', () => {
  it('closes 4007 for a public key that is not a curve point, even under its own fingerprint', async () => {
    const publicKey = new Uint8Array(32).fill(0xff);
    const fingerprint = await fingerprintOf(publicKey);
    const squatter = await open();
    squatter.send({ type: 'register', fingerprint });
    await squatter.next();
    squatter.send({ type: 'prove', publicKey, signature: new Uint8Array(64).fill(1) });
    expect(await squatter.closeCode()).toBe(RELAY_CLOSE.BAD_PROOF);
  });
});

describe('relay connections take one role (4000 PROTOCOL_ERROR otherwise)', () => {
  it('a registered device cannot JOIN', async () => {
    const device = await registerDevice(await identityFromSeed(seed(8)));
    device.send({ type: 'join', roomId: newRoomId() });
    expect(await device.closeCode()).toBe(RELAY_CLOSE.PROTOCOL_ERROR);
  });

  it('a room member cannot REGISTER', async () => {
    const member = await open();
    member.send({ type: 'join', roomId: newRoomId() });
    await member.next();
    member.send({ type: 'register', fingerprint: new Uint8Array(32) });
    expect(await member.closeCode()).toBe(RELAY_CLOSE.PROTOCOL_ERROR);
  });

  it('a connection cannot JOIN twice', async () => {
    const member = await open();
    member.send({ type: 'join', roomId: newRoomId() });
    await member.next();
    member.send({ type: 'join', roomId: newRoomId() });
    expect(await member.closeCode()).toBe(RELAY_CLOSE.PROTOCOL_ERROR);
  });

  it('SEND before JOIN, PROVE before REGISTER, and JOIN while challenged are out of order', async () => {
    const a = await open();
    a.send({ type: 'send', payload: Uint8Array.of(1) });
    const b = await open();
    b.send({ type: 'prove', publicKey: new Uint8Array(32), signature: new Uint8Array(64) });
    const c = await open();
    c.send({ type: 'register', fingerprint: new Uint8Array(32) });
    await c.next();
    c.send({ type: 'join', roomId: newRoomId() });
    expect(await a.closeCode()).toBe(RELAY_CLOSE.PROTOCOL_ERROR);
    expect(await b.closeCode()).toBe(RELAY_CLOSE.PROTOCOL_ERROR);
    expect(await c.closeCode()).toBe(RELAY_CLOSE.PROTOCOL_ERROR);
  });
});
