/**
 * Hostile: a relay (or a room member it let in) that answers every relay path the sender opens with a junk frame.
 * Each junk frame starts a session that fails before any handshake (BAD_ENCODING or similar), and the sender
 * reopens the relay path for the real receiver — which must not turn into a tight loop: sessions that fail before
 * the handshake slow the next attempt down (main/transfer/send.ts), and cancelling the transfer still ends it at once.
 */
import { afterEach, expect, it } from 'vitest';
import { parseLink } from '../../src/identity/link';
import { webCryptoRandom } from '../../src/ports/random';
import { connectRelay, type RelayConnection } from '../../main/adapters/relay-client';
import { wallClock } from '../../main/adapters/wall-clock';
import { inProcessSessions, type SessionRunner } from '../../main/transfer/common';
import { runSend } from '../../main/transfer/send';
import { sampleTree } from '../cli/harness';
import { identityFromSeed } from '../../src/identity/identity';
import { MemoryBlobStore } from '../../src/testing/memory-blob-store';
import { TrustStore } from '../../src/trust/trust-store';
import { sleep, startTestRelay, type TestRelay } from '../relay/relay-client';

let t: TestRelay | null = null;
let attacker: RelayConnection | null = null;
afterEach(async () => {
  attacker?.close();
  await t?.relay.close();
});

it('junk on every relay path: the sender backs off instead of spinning, and a cancel still ends the transfer', async () => {
  t = await startTestRelay();
  const signer = await identityFromSeed(new Uint8Array(32).fill(0x6a));
  const trust = await TrustStore.load(new MemoryBlobStore(), wallClock, webCryptoRandom);
  let sessions = 0;
  const counting: SessionRunner = {
    startSender: (options) => {
      sessions++;
      return inProcessSessions.startSender(options);
    },
    startReceiver: (options) => inProcessSessions.startReceiver(options),
  };
  let cancel!: () => void;
  const abort = new Promise<void>((resolve) => (cancel = resolve));
  let link = '';
  const tree = sampleTree(16 * 1024);
  const result = runSend({
    paths: [tree.root],
    signer,
    name: 'sender',
    trust,
    relayUrls: [t.url],
    connectUrl: t.url,
    pathMode: 'relay',
    iceServers: [],
    forceTurn: false,
    requireLevel3: true,
    random: webCryptoRandom,
    clock: wallClock,
    abort,
    sessions: counting,
    report: (report) => {
      if (report.event === 'ready' && report.link) link = report.link;
    },
  });
  while (link === '') await sleep(10);

  // The attacker sits in the room and answers every relay path with a frame that is not a frame.
  attacker = await connectRelay(t.url);
  await attacker.join(parseLink(link).roomId);
  const started = Date.now();
  let junkSent = 0;
  while (Date.now() - started < 3_000) {
    const path = attacker.openFrameTransport();
    const closed = new Promise<void>((resolve) => path.listen({ frame: () => undefined, close: () => resolve() }));
    await path.send(new Uint8Array([0xde, 0xad, 0xbe, 0xef])).catch(() => undefined);
    junkSent++;
    await Promise.race([closed, sleep(3_000 - (Date.now() - started))]);
    path.close();
  }
  // Unthrottled, this is hundreds of sessions in three seconds; with the backoff, a handful.
  expect(sessions).toBeGreaterThanOrEqual(2);
  expect(sessions).toBeLessThanOrEqual(10);
  expect(junkSent).toBeGreaterThanOrEqual(sessions);

  cancel();
  await expect(result).resolves.toEqual({ ok: false, code: 'CANCELLED' });
}, 20_000);
