import { describe, expect, it } from 'vitest';
import { TransferTracker } from '../../renderer/data/transfer-tracker';
import type { OfferInfo, TransferSessionInfo } from '../../src/ipc/contract';

const T = 'a'.repeat(32);
const C = 'c'.repeat(32);

function clock() {
  let now = 1000;
  return { now: () => now, tick: (ms = 10) => (now += ms) };
}

function session(role: 'sender' | 'receiver', path: 'direct' | 'relay' = 'relay'): TransferSessionInfo {
  return {
    transferId: T,
    identityKey: new Uint8Array(32),
    role,
    handshakeRole: 'initiator',
    sessionId: new Uint8Array(16),
    psk: null,
    expect: { pinnedKey: null, linkFingerprint: null, linkIssued: false, pinnedKeys: [] },
    requireLevel3: true,
    name: 'me',
    binding: { kind: 'none' },
    maxFrameBytes: 65536,
    path,
    manifest: null,
    contactId: C,
  };
}

const offer: OfferInfo = {
  transferId: T,
  peer: { contactId: null, name: 'Dave', fingerprint: 'f'.repeat(64), short: 'AAAA-BBBB-CCCC-DDDD', status: 'new', verifiedBy: 'none' },
  level: 2,
  path: 'relay',
  files: 3,
  directories: 1,
  bytes: 300,
  names: ['a', 'b', 'c'],
};

describe('TransferTracker', () => {
  it('a link send waits, then connects, transfers and completes', () => {
    const c = clock();
    const tracker = new TransferTracker(c.now);
    tracker.started({ transferId: T, direction: 'send', names: ['x.txt'], link: 'sealdrop://x', contactId: null });
    expect(tracker.transfers()[0]).toMatchObject({ state: 'waiting', link: 'sealdrop://x', names: ['x.txt'] });
    tracker.session(session('sender'));
    expect(tracker.transfers()[0]).toMatchObject({ state: 'connecting', path: 'relay', direction: 'send' });
    tracker.report({ transferId: T, type: 'connected', level: 3, verifiedBy: 'link-secret', peerKey: new Uint8Array(32), peerName: 'Bob' });
    expect(tracker.transfers()[0]).toMatchObject({ state: 'awaiting-accept', level: 3, peer: { name: 'Bob', verifiedBy: 'link-secret' } });
    tracker.progress({ transferId: T, bytes: 50, total: 100, path: 'direct' });
    expect(tracker.transfers()[0]).toMatchObject({ state: 'transferring', bytesDone: 50, totalBytes: 100, path: 'direct' });
    tracker.done({ transferId: T, level: 3, path: 'direct', files: 1, bytes: 100 });
    expect(tracker.transfers()[0]).toMatchObject({ state: 'complete', bytesDone: 100, files: 1 });
  });

  it('accepts events before the call that started the transfer resolved (session first)', () => {
    const tracker = new TransferTracker(clock().now);
    tracker.session(session('sender'));
    tracker.started({ transferId: T, direction: 'send', names: ['x'], link: 'sealdrop://x', contactId: null });
    expect(tracker.transfers()).toHaveLength(1);
    expect(tracker.transfers()[0]).toMatchObject({ state: 'connecting', link: 'sealdrop://x', names: ['x'] });
  });

  it('keeps terminal states final: a late progress event does not revive a cancelled transfer', () => {
    const tracker = new TransferTracker(clock().now);
    tracker.session(session('receiver'));
    tracker.error({ transferId: T, code: 'CANCELLED', message: 'x' });
    tracker.progress({ transferId: T, bytes: 10, total: 100, path: null });
    expect(tracker.transfers()[0]).toMatchObject({ state: 'cancelled', bytesDone: 0 });
  });

  it('maps error codes to states and keeps the code for the explanation', () => {
    const tracker = new TransferTracker(clock().now);
    tracker.error({ transferId: T, code: 'IDENTITY_MISMATCH', message: 'm' });
    expect(tracker.transfers()[0]).toMatchObject({ state: 'failed', error: { code: 'IDENTITY_MISMATCH' } });
    const other = new TransferTracker(clock().now);
    other.error({ transferId: T, code: 'DECLINED', message: 'm' });
    expect(other.transfers()[0]!.state).toBe('declined');
  });

  it('a second session after progress is a resumption from the bytes already done', () => {
    const tracker = new TransferTracker(clock().now);
    tracker.session(session('receiver'));
    tracker.progress({ transferId: T, bytes: 40, total: 100, path: 'relay' });
    tracker.session(session('receiver', 'direct'));
    expect(tracker.transfers()[0]).toMatchObject({ state: 'connecting', resumedFrom: 40, path: 'direct' });
  });

  it('holds an offer until it is answered, and a decline ends the transfer', () => {
    const tracker = new TransferTracker(clock().now);
    tracker.offer(offer);
    expect(tracker.offers()).toHaveLength(1);
    expect(tracker.offers()[0]).toMatchObject({ transferId: T, entries: null, peer: { name: 'Dave' } });
    tracker.manifest(T, [{ path: 'a', size: 100 }]);
    expect(tracker.offers()[0]!.entries).toEqual([{ path: 'a', size: 100 }]);
    tracker.answered(T, 'decline');
    expect(tracker.offers()).toHaveLength(0);
    expect(tracker.transfers()[0]!.state).toBe('declined');
  });

  it("keeps the session runner's file list when it arrives before main's offer event, until the transfer ends", () => {
    const tracker = new TransferTracker(clock().now);
    tracker.manifest(T, [{ path: 'a', size: 100 }]);
    expect(tracker.offers()).toHaveLength(0);
    tracker.offer(offer);
    expect(tracker.offers()[0]!.entries).toEqual([{ path: 'a', size: 100 }]);
    // A list for a transfer that ended (here: progressed past its offer) is not kept for a later offer.
    const other = new TransferTracker(clock().now);
    other.manifest(T, [{ path: 'a', size: 100 }]);
    other.error({ transferId: T, code: 'TIMEOUT', message: 'm' });
    other.manifest(T, [{ path: 'b', size: 1 }]);
    other.offer(offer);
    expect(other.offers()).toHaveLength(0);
  });

  it('drops a pending offer when the transfer fails or progresses (answered elsewhere, e.g. auto-accept)', () => {
    const tracker = new TransferTracker(clock().now);
    tracker.offer(offer);
    tracker.progress({ transferId: T, bytes: 1, total: 300, path: 'relay' });
    expect(tracker.offers()).toHaveLength(0);
  });

  it('returns the same arrays until something changes, and notifies subscribers', () => {
    const tracker = new TransferTracker(clock().now);
    let calls = 0;
    const unsubscribe = tracker.subscribe(() => calls++);
    const before = tracker.transfers();
    expect(tracker.transfers()).toBe(before);
    tracker.session(session('sender'));
    expect(tracker.transfers()).not.toBe(before);
    expect(calls).toBe(1);
    unsubscribe();
    tracker.error({ transferId: T, code: 'TIMEOUT', message: '' });
    expect(calls).toBe(1);
  });
});
