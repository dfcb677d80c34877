/**
 * Hostile: a sending peer — authenticated as itself, at Level 3 — claims a file of 10^15 bytes (a petabyte, past
 * the 2^42-byte file limit of PROTOCOL.md §9.1), hoping the receiver preallocates, shows a nonsense total, or
 * waits for data forever. The REAL `sealdrop receive` refuses the OFFER as it is decoded: MANIFEST_BAD_SIZE, exit 3,
 * nothing written anywhere, and it never asks the user about it.
 *
 * The manifest bytes are written by hand (test/support/raw-manifest.ts) and sent by the real session runner; the
 * codec mock below only affects this test process.
 */

import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { MANIFEST_LIMITS } from '../../src/manifest/manifest';
import { memorySource } from '../../src/testing/memory-files';
import { expectFailure, killAll, listTree } from '../support/cli-outcome';
import { startHostileSender, victim, type HostileSender } from '../support/hostile-sender';
import { encodeRawManifest, KIND, rawManifest } from '../support/raw-manifest';

vi.mock('../../src/manifest/codec', async (importOriginal) =>
  (await import('../support/raw-manifest')).withRawManifests(await importOriginal<typeof import('../../src/manifest/codec')>()));

const senders: HostileSender[] = [];
afterEach(async () => {
  killAll();
  await Promise.all(senders.splice(0).map((s) => s.close()));
});
afterAll(killAll);

describe('hostile sender: absurd sizes (real sealdrop receive)', () => {
  it('a file of 10^15 bytes → MANIFEST_BAD_SIZE, exit 3, nothing written anywhere', async () => {
    expect(1e15).toBeGreaterThan(MANIFEST_LIMITS.maxFileSize);
    const { manifest: shadow, source } = memorySource([{ path: 'small.bin', data: new Uint8Array(10) }]);
    const wire = encodeRawManifest([{ kind: KIND.file, path: 'petabyte.bin', size: 1e15, sha256: new Uint8Array(32).fill(7) }]);
    const sender = await startHostileSender({ manifest: rawManifest(shadow, wire), source });
    senders.push(sender);
    const { receiver, out, contained } = victim(sender.link);
    await expectFailure(receiver, 'MANIFEST_BAD_SIZE');
    expect(receiver.events.map((e) => e.event)).toEqual(['connected', 'error']);
    expect(listTree(out)).toEqual([]);
    contained();
    expect((await sender.first).code).toBe('MANIFEST_BAD_SIZE');
  }, 30_000);
});
