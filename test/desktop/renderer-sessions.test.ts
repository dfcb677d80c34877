/**
 * main/desktop/renderer-sessions.ts on its own: the registry's handling of the renderer's reports, with the port's
 * far end left idle (no renderer). The renderer sends `connected` and then `offer` back to back, and IPC handles them
 * concurrently; the offer must not be refused because `connected` was still being processed (a race the Chromium
 * tests hit under load).
 */
import { describe, expect, it } from 'vitest';
import { encodeManifest } from '../../src/manifest/codec';
import type { Manifest } from '../../src/manifest/manifest';
import { systemClock } from '../../src/ports/clock';
import { linkedTransports } from '../../src/testing/memory-transport';
import { SeededRandom } from '../../src/testing/seeded-random';
import { MemorySink } from '../../src/testing/memory-files';
import { identityFromSeed } from '../../src/identity/identity';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { rendererSessions, SessionRegistry, type SessionChannels } from '../../main/desktop/renderer-sessions';
import type { TransferSessionInfo } from '../../src/ipc/contract';
import { nodePortPair } from '../helpers/node-port';
import { expectCode } from '../helpers/expect-code';

const TRANSFER = 'cd'.repeat(16);
const MANIFEST: Manifest = { entries: [{ kind: 'file', path: 'a.txt', size: 3, sha256: new Uint8Array(32) }] };

function setup() {
  const registry = new SessionRegistry();
  const started: TransferSessionInfo[] = [];
  const channels: SessionChannels = {
    open() {
      const [local] = nodePortPair();
      return { local, start: (info) => (started.push(info), true) };
    },
  };
  return { registry, started, channels };
}

describe('renderer sessions: reports', () => {
  it('an offer right behind connected (handled concurrently) waits for it instead of being refused', async () => {
    const { registry, started, channels } = setup();
    const me = await identityFromSeed(new Uint8Array(32).fill(3));
    const peer = await identityFromSeed(new Uint8Array(32).fill(4));
    const runner = rendererSessions({ transferId: TRANSFER, identityKey: me.publicKey, pinnedKeys: () => [], contactId: null, channels, registry });
    const [network] = linkedTransports();
    const decided: string[] = [];
    const session = runner.startReceiver({
      transport: network,
      clock: systemClock,
      random: new SeededRandom('renderer-sessions-1'),
      signer: me,
      handshakeRole: 'initiator',
      sessionId: new Uint8Array(16),
      expect: { linkIssued: false, isPinned: (key) => key[0] === peer.publicKey[0] },
      decide: ({ handshake }) => (decided.push(handshake.peer.name), Promise.resolve(true)),
      openSink: () => Promise.resolve(new MemorySink()),
    });
    expect(started[0]).toMatchObject({ transferId: TRANSFER, role: 'receiver', identityKey: me.publicKey });

    const connected = registry.report({ transferId: TRANSFER, type: 'connected', level: 3, verifiedBy: 'pin', peerKey: peer.publicKey, peerName: 'peer' });
    const offer = registry.report({ transferId: TRANSFER, type: 'offer', manifest: encodeManifest(MANIFEST) });
    await expect(connected).resolves.toEqual({ decision: null });
    await expect(offer).resolves.toEqual({ decision: 'accept' });
    expect(decided).toEqual(['peer']);
    // A second offer is refused, and a receiving session cannot read.
    await expectCode(registry.report({ transferId: TRANSFER, type: 'offer', manifest: encodeManifest(MANIFEST) }), 'BAD_INPUT');
    await expectCode(registry.read(TRANSFER, 0, 0, 1), 'BAD_INPUT');

    session.cancel();
    await expect(session.outcome).resolves.toMatchObject({ ok: false, code: 'CANCELLED' });
    expect(registry.has(TRANSFER)).toBe(false);
  });

  it('an offer without connected is refused', async () => {
    const { registry, channels } = setup();
    const me = await identityFromSeed(new Uint8Array(32).fill(5));
    const runner = rendererSessions({ transferId: TRANSFER, identityKey: me.publicKey, pinnedKeys: () => [], contactId: null, channels, registry });
    const [network] = linkedTransports();
    const session = runner.startReceiver({
      transport: network,
      clock: systemClock,
      random: new SeededRandom('renderer-sessions-2'),
      signer: me,
      handshakeRole: 'initiator',
      sessionId: new Uint8Array(16),
      expect: { linkIssued: false },
      decide: () => Promise.resolve(true),
      openSink: () => Promise.resolve(new MemorySink()),
    });
    await expectCode(registry.report({ transferId: TRANSFER, type: 'offer', manifest: encodeManifest(MANIFEST) }), 'BAD_INPUT');
    session.cancel();
    await session.outcome;
  });

  it('a connected report that does not fit the expectation is refused, and the session cannot then succeed', async () => {
    const { registry, channels } = setup();
    const me = await identityFromSeed(new Uint8Array(32).fill(6));
    const expected = await identityFromSeed(new Uint8Array(32).fill(7));
    const other = await identityFromSeed(new Uint8Array(32).fill(8));
    // The grace period after a finished report is cut short: nothing is on its way through the port here.
    const quick = (_ms: number, run: () => void) => {
      const timer = setTimeout(run, 10);
      return () => clearTimeout(timer);
    };
    const runner = rendererSessions({ transferId: TRANSFER, identityKey: me.publicKey, pinnedKeys: () => [], contactId: null, channels, registry, setTimer: quick });
    const [network] = linkedTransports();
    const session = runner.startReceiver({
      transport: network,
      clock: systemClock,
      random: new SeededRandom('renderer-sessions-3'),
      signer: me,
      handshakeRole: 'initiator',
      sessionId: new Uint8Array(16),
      expect: { linkFingerprint: await fingerprintOf(expected.publicKey), isPinned: () => false },
      decide: () => Promise.resolve(true),
      openSink: () => Promise.resolve(new MemorySink()),
    });
    // The renderer claims a key other than the one the link names.
    const claim = { transferId: TRANSFER, type: 'connected', level: 3, verifiedBy: 'link-fingerprint', peerKey: other.publicKey, peerName: 'x' } as const;
    await expectCode(registry.report(claim), 'BAD_INPUT');
    // Nor can it get an offer accepted or report success afterwards.
    await expectCode(registry.report({ transferId: TRANSFER, type: 'offer', manifest: encodeManifest(MANIFEST) }), 'BAD_INPUT');
    await registry.report({ transferId: TRANSFER, type: 'finished', ok: true, code: null });
    session.cancel();
    await expect(session.outcome).resolves.toMatchObject({ ok: false, code: 'BAD_INPUT' });
  });

  it('claims that do not fit: Level 3 by pin for an unpinned key, Level 3 without a reason, a link secret never issued', async () => {
    const me = await identityFromSeed(new Uint8Array(32).fill(9));
    const peer = await identityFromSeed(new Uint8Array(32).fill(10));
    for (const [verifiedBy, level] of [['pin', 3], ['none', 3], ['link-secret', 3], ['pin', 2]] as const) {
      const { registry, channels } = setup();
      const runner = rendererSessions({ transferId: TRANSFER, identityKey: me.publicKey, pinnedKeys: () => [], contactId: null, channels, registry });
      const [network] = linkedTransports();
      const session = runner.startReceiver({
        transport: network,
        clock: systemClock,
        random: new SeededRandom(`claims-${verifiedBy}-${level}`),
        signer: me,
        handshakeRole: 'initiator',
        sessionId: new Uint8Array(16),
        expect: { linkIssued: false, isPinned: () => false },
        decide: () => Promise.resolve(true),
        openSink: () => Promise.resolve(new MemorySink()),
      });
      const claim = { transferId: TRANSFER, type: 'connected', level, verifiedBy, peerKey: peer.publicKey, peerName: 'x' } as const;
      await expectCode(registry.report(claim), 'BAD_INPUT');
      session.cancel();
      await session.outcome;
    }
  });
});
