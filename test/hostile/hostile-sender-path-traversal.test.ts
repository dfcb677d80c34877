/**
 * Hostile: a sending peer — authenticated as itself, at Level 3 — offers names that climb out of the receiver's
 * folder or name an absolute location (`../x`, `a/../../x`, `/etc/…`, `C:\…`), against the REAL `sealdrop receive`.
 * Path rules 4 and 5 (PROTOCOL.md §9.2, src/manifest/validate.ts) reject the OFFER as it is decoded, inside the
 * authenticated control channel, before anything touches the disk: the receiver reports the MANIFEST_* code, exits 3,
 * writes nothing anywhere, and tells the sender (CANCEL carrying the code).
 *
 * The sender is the real session runner with a manifest our own encoder would refuse, put on the wire as raw bytes
 * (test/support/raw-manifest.ts; hence the codec mock below, which affects only this test process).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../src/bytes';
import { sha256Sync } from '../../src/crypto/sha256';
import { webCryptoRandom } from '../../src/ports/random';
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

const PAYLOAD = new TextEncoder().encode('#!/bin/sh\necho owned\n');

/** A hostile sender offering one file under `name` (on the wire), with real content behind it. */
async function offering(name: string) {
  const { manifest: shadow, source } = memorySource([{ path: 'innocent.sh', data: PAYLOAD }]);
  const wire = encodeRawManifest([{ kind: KIND.file, path: name, size: PAYLOAD.length, sha256: sha256Sync(PAYLOAD) }]);
  const sender = await startHostileSender({ manifest: rawManifest(shadow, wire), source });
  senders.push(sender);
  return sender;
}

describe('hostile sender: names that leave the receiver folder (real sealdrop receive)', () => {
  const unique = `sealdrop-hostile-${toHex(webCryptoRandom.bytes(6))}`;
  const cases: [string, string, string, (parent: string) => string[]][] = [
    ['a parent reference', `../${unique}`, 'MANIFEST_TRAVERSAL', (parent) => [join(parent, unique)]],
    ['a parent reference after a folder', `a/../../${unique}`, 'MANIFEST_TRAVERSAL', (parent) => [join(parent, unique)]],
    ['an absolute POSIX path', `/etc/${unique}`, 'MANIFEST_ABSOLUTE_PATH', () => [`/etc/${unique}`]],
    ['a Windows drive path', `C:\\${unique}`, 'MANIFEST_ABSOLUTE_PATH', (parent) => [join(parent, `C:\\${unique}`)]],
  ];

  for (const [attack, name, code, targets] of cases) {
    it(`${attack} (${JSON.stringify(name.replace(unique, 'x'))}) → ${code}, exit 3, nothing written anywhere`, async () => {
      const sender = await offering(name);
      const { receiver, parent, out, contained } = victim(sender.link);
      await expectFailure(receiver, code);
      expect(receiver.events.map((e) => e.event)).toEqual(['connected', 'error']); // never offered to the user
      expect(listTree(out)).toEqual([]);
      contained();
      for (const target of targets(parent)) expect(existsSync(target), target).toBe(false);
      const seen = await sender.first;
      expect(seen.code).toBe(code); // the receiver said why, inside the authenticated channel
      expect(seen.errorFromPeer).toBe(true);
    }, 30_000);
  }
});
