/**
 * Hostile: a sending peer — authenticated as itself, at Level 3 — that stops half-way through a file and then
 * refuses every attempt to resume (each new relay-path session is ended as soon as the receiver speaks), against
 * the REAL `sealdrop receive`. What the receiver must do (docs/decisions/0003 §2, THREAT-MODEL.md "Availability"):
 * keep only verified chunks in a part file, retry the path (a lost path is resumable), and after its attempts give
 * up with a network code (TRANSPORT_CLOSED, exit 7) — never a final name, never a crash, nothing outside --out.
 *
 * Slow by nature: the receiver's 30 attempts back off for about 51 s in total (main/transfer/receive.ts), and the
 * CLI has no flag to shorten that. Nothing here depends on timing except the generous timeout.
 */

import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_SIZE } from '../../src/crypto/stream';
import { memorySource } from '../../src/testing/memory-files';
import { EXIT, expectFailure, finalNames, killAll, partFiles } from '../support/cli-outcome';
import { startHostileSender, stopAfterData, victim, type HostileSender } from '../support/hostile-sender';

const senders: HostileSender[] = [];
afterEach(async () => {
  killAll();
  await Promise.all(senders.splice(0).map((s) => s.close()));
});
afterAll(killAll);

const CHUNK = DEFAULT_CHUNK_SIZE;
const CHUNKS = 16;

describe('hostile sender: stops mid-file (real sealdrop receive)', () => {
  it('after half the chunks: the receiver retries, then exits with TRANSPORT_CLOSED (exit 7), leaving only a part file', async () => {
    const data = new Uint8Array(CHUNKS * CHUNK).map((_, i) => (i * 7) & 0xff);
    const { manifest, source } = memorySource([{ path: 'movie.mkv', data }]);
    const sender = await startHostileSender({ manifest, source, wrap: stopAfterData(CHUNKS / 2), later: 'refuse' });
    senders.push(sender);
    const { receiver, out, contained } = victim(sender.link);

    const lost = await receiver.waitFor('path-lost', 30_000);
    expect(lost).toMatchObject({ path: 'relay', code: 'TRANSPORT_CLOSED', retry: 1 });
    expect((await sender.first).code).toBe('TRANSPORT_CLOSED');

    await expectFailure(receiver, 'TRANSPORT_CLOSED', EXIT.NETWORK);
    const retries = receiver.events.filter((e) => e.event === 'path-lost');
    expect(retries.length).toBeGreaterThan(10);
    expect(retries.every((e) => e.code === 'TRANSPORT_CLOSED')).toBe(true);
    expect(sender.refused()).toBeGreaterThan(10);
    expect(finalNames(out)).toEqual([]);
    expect(partFiles(out)).toEqual(['movie.mkv.sealdrop-part']);
    // At most the chunks that arrived, all verified: nothing beyond what the sender sent before it stopped.
    const part = statSync(join(out, 'movie.mkv.sealdrop-part')).size;
    expect(part).toBeGreaterThan(0);
    expect(part).toBeLessThanOrEqual((CHUNKS / 2) * CHUNK);
    contained();
  }, 150_000);
});
