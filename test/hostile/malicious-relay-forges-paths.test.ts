/**
 * Hostile: a relay that strips or forges the sender's PATHS signal — its signed list of direct TCP addresses
 * (src/signaling/path-messages.ts, docs/decisions/0003 §5) — hoping to make the receiver dial a host of the relay's
 * choosing (a port scan from inside the victim's network, a fake sender on the LAN). Two real `sealdrop` processes
 * on `--path auto` meet through it. The receiver dials only addresses signed by the identity its link names, so:
 *   - stripped: no direct path; the transfer falls back (WebRTC, then relay) and completes at Level 3;
 *   - forged with the relay's own key, or the genuine signal with its addresses rewritten (the signature no longer
 *     matches): the decoy address is never dialled, and the transfer completes at Level 3 with the real sender.
 */

import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ByteWriter, concatBytes, fromHex, utf8 } from '../../src/bytes';
import { identityFromSeed } from '../../src/identity/identity';
import { webCryptoRandom } from '../../src/ports/random';
import { decodePathSignal, encodePathSignal, signPaths } from '../../src/signaling/path-messages';
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

/** The genuine PATHS, its address list replaced by `host:port`, its public key and signature kept. */
function rewriteAddresses(signal: Uint8Array, host: string, port: number): Uint8Array {
  const decoded = decodePathSignal(signal);
  if (decoded.type !== 'paths') throw new Error('not PATHS');
  const body = new ByteWriter(128).u8(SIGNAL_PATHS).bytes(decoded.publicKey).u8(1).bytes8(utf8(host)).u16(port).finish();
  return concatBytes(body, decoded.signature);
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
      const signing = signPaths(mallory, fromHex(p.room), [{ host: '127.0.0.1', port: target.port }]);
      forged.push(signing);
      void signing.then((encoded) => relay.inject(p.room, 'receiver', signalPayload(encodePathSignal({ type: 'paths', encoded }))));
      return [];
    };
    await transferThrough(tamper);
    expect(forged.length).toBeGreaterThanOrEqual(1);
    await Promise.all(forged);
    expect(target.connections()).toBe(0);
  }, 60_000);

  it('the genuine signal with its addresses rewritten to a decoy (signature kept): never dialled', async () => {
    const target = await decoy();
    let rewritten = 0;
    await transferThrough((p) => {
      if (!isPaths(p)) return undefined;
      rewritten++;
      return [signalPayload(rewriteAddresses(p.bytes.subarray(1), '127.0.0.1', target.port))];
    });
    expect(rewritten).toBeGreaterThanOrEqual(1);
    expect(target.connections()).toBe(0);
  }, 60_000);
});
