/**
 * Hostile: a relay that strips or forges the sender's PATHS signal — its signed list of direct TCP addresses
 * (src/signaling/path-messages.ts, docs/decisions/0003 §5) — hoping to make the receiver dial a host of the relay's
 * choosing (a port scan from inside the victim's network, a fake sender on the LAN). Two real `sealdrop` processes
 * on `--path auto` meet through it. PATHS is sealed under a key from the link secret (which the relay does not have)
 * and signed by the identity the link names, so:
 *   - stripped: no direct path; the transfer falls back (WebRTC, then relay) and completes at Level 3;
 *   - forged with the relay's own key under a guessed secret, or the genuine signal with its sealed bytes altered:
 *     the decoy address is never dialled, and the transfer completes at Level 3 with the real sender.
 */

import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { concatBytes, fromHex } from '../../src/bytes';
import { identityFromSeed } from '../../src/identity/identity';
import { webCryptoRandom } from '../../src/ports/random';
import { encodePathSignal, sealPaths } from '../../src/signaling/path-messages';
import { device, sampleTree, sha256File, tempDir } from '../cli/harness';
import { expectNoCrash, killAll, meetThrough } from '../support/cli-outcome';
import { CHANNEL_SIGNAL, MaliciousRelay, type Payload, type Tamper } from '../support/malicious-relay';

const relays: MaliciousRelay[] = [];
const decoys: Server[] = [];
afterEach(async () => {
  killAll();
  await Promise.all(relays.splice(0).map((r) => r.close()));
  await Promise.all(decoys.splice(0).map((d) => new Promise((resolve) => d.close(resolve))));
});
afterAll(killAll);

const SIGNAL_PATHS = 1;
const isPaths = (p: Payload) => p.from === 'sender' && p.channel === CHANNEL_SIGNAL && p.bytes[1] === SIGNAL_PATHS;
const signalPayload = (signal: Uint8Array) => concatBytes(Uint8Array.of(CHANNEL_SIGNAL), signal);

/** A TCP listener standing in for whatever the relay wants the receiver to connect to; counts connections. */
async function decoy(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  decoys.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, connections: () => connections };
}

/** The genuine PATHS with one bit flipped inside its sealed part (the relay cannot re-seal without the secret). */
function alterSealed(signal: Uint8Array): Uint8Array {
  const copy = signal.slice();
  copy[copy.length - 40]! ^= 0x01;
  return copy;
}

async function transferThrough(tamper: Tamper) {
  const relay = await MaliciousRelay.start({ tamper });
  relays.push(relay);
  const tree = sampleTree(256 * 1024);
  const out = tempDir('sealdrop-out-');
  const meeting = await meetThrough(relay, { root: tree.root, out, sender: device('alice').env, receiver: device('bob').env, path: 'auto' });
  const done = await meeting.receiver.waitFor('done', 45_000);
  expect(await meeting.receiver.exit).toBe(0);
  expect(await meeting.sender.exit).toBe(0);
  expect(done.level).toBe(3);
  expect(done.path).not.toBe('direct');
  const connected = meeting.receiver.events.find((e) => e.event === 'connected')!;
  expect(connected.peer).toMatchObject({ verifiedBy: 'link-fingerprint' });
  for (const [rel, hash] of Object.entries(tree.files)) expect(sha256File(join(out, rel)), rel).toBe(hash);
  expectNoCrash(meeting.receiver);
  return { relay, ...meeting };
}

describe('malicious relay strips or forges the signed direct-address list (CLI ↔ CLI, --path auto)', () => {
  it('stripped: no direct path, the transfer falls back and completes at Level 3', async () => {
    let stripped = 0;
    await transferThrough((p) => (isPaths(p) ? (stripped++, []) : undefined));
    expect(stripped).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it("forged with the relay's own key, naming a decoy: never dialled; the transfer completes with the real sender", async () => {
    const target = await decoy();
    const mallory = await identityFromSeed(webCryptoRandom.bytes(32));
    const forged: Promise<Uint8Array>[] = [];
    const tamper: Tamper = (p, relay) => {
      if (!isPaths(p)) return undefined;
      const guessedSecret = webCryptoRandom.bytes(32);
      const signing = sealPaths(mallory, fromHex(p.room), guessedSecret, [{ host: '127.0.0.1', port: target.port }], webCryptoRandom);
      forged.push(signing);
      void signing.then((encoded) => relay.inject(p.room, 'receiver', signalPayload(encodePathSignal({ type: 'paths', encoded }))));
      return [];
    };
    await transferThrough(tamper);
    expect(forged.length).toBeGreaterThanOrEqual(1);
    await Promise.all(forged);
    expect(target.connections()).toBe(0);
  }, 60_000);

  it('the genuine signal with its sealed bytes altered: rejected, the transfer falls back and completes', async () => {
    let altered = 0;
    await transferThrough((p) => {
      if (!isPaths(p)) return undefined;
      altered++;
      return [signalPayload(alterSealed(p.bytes.subarray(1)))];
    });
    expect(altered).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
