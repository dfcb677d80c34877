/**
 * Hostile: a sending peer — authenticated as itself, at Level 3 — offers a symbolic link (a kind byte the manifest
 * format does not have: only 1 file and 2 directory exist, PROTOCOL.md §9.1) or a Windows device name (`CON`,
 * `nul.txt`: path rule 10, §9.2), against the REAL `sealdrop receive`. The OFFER is refused as it is decoded, inside
 * the authenticated control channel: MANIFEST_BAD_KIND / MANIFEST_RESERVED_NAME, exit 3, nothing written anywhere.
 *
 * The manifest bytes are written by hand (test/support/raw-manifest.ts) and sent by the real session runner; the
 * codec mock below only affects this test process.
 */

import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Sync } from '../../src/crypto/sha256';
import { memorySource } from '../../src/testing/memory-files';
import { expectFailure, killAll, listTree } from '../support/cli-outcome';
import { startHostileSender, victim, type HostileSender } from '../support/hostile-sender';
import { encodeRawManifest, KIND, rawManifest, type RawEntry } from '../support/raw-manifest';

vi.mock('../../src/manifest/codec', async (importOriginal) =>
  (await import('../support/raw-manifest')).withRawManifests(await importOriginal<typeof import('../../src/manifest/codec')>()));

const senders: HostileSender[] = [];
afterEach(async () => {
  killAll();
  await Promise.all(senders.splice(0).map((s) => s.close()));
});
afterAll(killAll);

const TARGET = new TextEncoder().encode('/home/victim/.ssh/authorized_keys');
const file = (path: string): RawEntry => ({ kind: KIND.file, path, size: TARGET.length, sha256: sha256Sync(TARGET) });

describe('hostile sender: symlinks and reserved names (real sealdrop receive)', () => {
  const cases: [string, RawEntry[], string][] = [
    ['a symlink entry (kind byte 3)', [{ kind: KIND.symlink, path: 'ssh-keys', size: TARGET.length, sha256: sha256Sync(TARGET) }], 'MANIFEST_BAD_KIND'],
    ['a symlink entry after an ordinary file', [file('readme.txt'), { kind: KIND.symlink, path: 'zz-link', size: 0 }], 'MANIFEST_BAD_KIND'],
    ['the Windows device name CON', [file('CON')], 'MANIFEST_RESERVED_NAME'],
    ['the Windows device name nul.txt', [file('nul.txt')], 'MANIFEST_RESERVED_NAME'],
    ['a device name as a folder (aux/x.txt)', [file('aux/x.txt')], 'MANIFEST_RESERVED_NAME'],
  ];

  for (const [attack, entries, code] of cases) {
    it(`${attack} → ${code}, exit 3, nothing written anywhere`, async () => {
      const { manifest: shadow, source } = memorySource([{ path: 'shadow.txt', data: TARGET }]);
      const sender = await startHostileSender({ manifest: rawManifest(shadow, encodeRawManifest(entries)), source });
      senders.push(sender);
      const { receiver, out, contained } = victim(sender.link);
      await expectFailure(receiver, code);
      expect(receiver.events.map((e) => e.event)).toEqual(['connected', 'error']);
      expect(listTree(out)).toEqual([]);
      contained();
      expect((await sender.first).code).toBe(code);
    }, 30_000);
  }
});
