/**
 * Hostile: a sending peer — authenticated as itself, at Level 3 — whose bytes do not match what its manifest
 * promised, against the REAL `sealdrop receive` (THREAT-MODEL.md §2: "can lie about sizes and hashes (both are
 * caught before commit)").
 *
 *   - The hash lie: every chunk is authentic STREAM output, but the file's SHA-256 is not the manifest's. The
 *     receiver writes it to a part file, checks the digest at the end, discards the part: FILE_HASH_MISMATCH.
 *   - The size lie: the manifest says one size, the sender cuts its chunks for another (same chunk count, so every
 *     chunk authenticates). The receiver compares each chunk's length with what the manifest size implies:
 *     FILE_SIZE_MISMATCH at the last chunk, with only a part file on disk (PROTOCOL.md §7.3, §12.8).
 * Either way: exit 3, nothing under the lying file's final name, nothing outside --out; a file that verified before
 * the lie stays (each file is committed on its own, after its own hash matched).
 *
 * The size lie needs a manifest on the wire that differs from the one the session runner cuts chunks by
 * (test/support/raw-manifest.ts; the codec mock below only affects this test process).
 */

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Sync } from '../../src/crypto/sha256';
import { DEFAULT_CHUNK_SIZE } from '../../src/crypto/stream';
import { buildManifest } from '../../src/manifest/build';
import type { FileSource } from '../../src/ports/files';
import { memorySource } from '../../src/testing/memory-files';
import { expectFailure, finalNames, killAll, partFiles } from '../support/cli-outcome';
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

const CHUNK = DEFAULT_CHUNK_SIZE;
const GOOD = new TextEncoder().encode('this one is honest\n');
const pattern = (n: number) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + 17) & 0xff;
  return out;
};

describe('hostile sender: bytes that do not match the manifest (real sealdrop receive)', () => {
  it('content whose SHA-256 is not the manifest hash → FILE_HASH_MISMATCH; the part is discarded, the honest file before it kept', async () => {
    const sent = pattern(5 * CHUNK + 123);
    const promised = sent.slice();
    promised[2 * CHUNK] = promised[2 * CHUNK]! ^ 0xff; // what the manifest's hash is of
    const manifest = buildManifest([
      { kind: 'file', path: 'a-honest.txt', size: GOOD.length, sha256: sha256Sync(GOOD) },
      { kind: 'file', path: 'b-payload.bin', size: sent.length, sha256: sha256Sync(promised) },
    ]);
    const content = [GOOD, sent];
    const source: FileSource = { read: (index, offset, length) => Promise.resolve(content[index]!.slice(offset, offset + length)) };
    const sender = await startHostileSender({ manifest, source });
    senders.push(sender);
    const { receiver, out, contained } = victim(sender.link);
    await expectFailure(receiver, 'FILE_HASH_MISMATCH');
    const progress = receiver.events.filter((e) => e.event === 'progress').map((e) => e.bytes as number);
    expect(Math.max(...progress)).toBe(GOOD.length + sent.length); // every chunk arrived and authenticated
    expect(finalNames(out)).toEqual(['a-honest.txt']);
    expect(readFileSync(join(out, 'a-honest.txt'))).toEqual(Buffer.from(GOOD));
    expect(partFiles(out)).toEqual([]); // the unverifiable part was removed, not left to be mistaken for the file
    contained();
    expect((await sender.first).code).toBe('FILE_HASH_MISMATCH');
  }, 30_000);

  for (const [lie, claimed, actual] of [
    ['sends more than it claims', 3 * CHUNK + 100, 3 * CHUNK + 9000],
    ['claims more than it sends', 3 * CHUNK + 9000, 3 * CHUNK + 100],
  ] as const) {
    it(`a sender that ${lie} (same chunk count) → FILE_SIZE_MISMATCH at the last chunk; only a part file remains`, async () => {
      const data = pattern(actual);
      const { manifest: shadow, source } = memorySource([{ path: 'report.pdf', data }]);
      const wire = encodeRawManifest([{ kind: KIND.file, path: 'report.pdf', size: claimed, sha256: sha256Sync(data) }]);
      const sender = await startHostileSender({ manifest: rawManifest(shadow, wire), source });
      senders.push(sender);
      const { receiver, out, contained } = victim(sender.link);
      await expectFailure(receiver, 'FILE_SIZE_MISMATCH');
      const offer = receiver.events.find((e) => e.event === 'offer')!;
      expect(offer.bytes).toBe(claimed); // the user was shown the lie; the lie was caught before commit
      expect(finalNames(out)).toEqual([]);
      expect(partFiles(out)).toEqual(['report.pdf.sealdrop-part']);
      expect(statSync(join(out, 'report.pdf.sealdrop-part')).size).toBeLessThanOrEqual(3 * CHUNK); // verified chunks only
      contained();
      expect((await sender.first).code).toBe('FILE_SIZE_MISMATCH');
    }, 30_000);
  }
});
