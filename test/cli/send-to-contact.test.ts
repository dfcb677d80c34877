/**
 * Contact sends with the real `sealdrop` command (docs/PROTOCOL.md §13.9): two devices pair through a relay, one
 * runs `sealdrop listen`, the other `sealdrop send --to <contact>` — no link. The files arrive identical, both sides
 * are Level 3 by pin, and the listener takes one transfer after another until it is stopped. Also the refusals a
 * script tells apart by exit code and `--json` error code: an unknown contact, --to without --relay.
 */

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileBlobStore } from '../../main/adapters/file-blob-store';
import { wallClock } from '../../main/adapters/wall-clock';
import { startRelay, type RelayServer } from '../../relay/server';
import { webCryptoRandom } from '../../src/ports/random';
import { TrustStore } from '../../src/trust/trust-store';
import { freshDevice, Leftovers } from '../faults/fault-harness';
import { runCli, sampleTree, sha256File, tempDir, type CliProcess, type Json } from './harness';

const leftovers = new Leftovers();
let relay: RelayServer;
let url: string;

beforeAll(async () => {
  relay = await startRelay({ host: '127.0.0.1', port: 0, logger: () => undefined });
  url = relay.urls()[0]!;
});
afterAll(async () => {
  leftovers.cleanUp();
  await relay.close();
});

type Device = ReturnType<typeof freshDevice>;

function run(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  return leftovers.process(runCli(args, env));
}

function only(events: Json[], name: string): Json {
  const found = events.filter((e) => e.event === name);
  expect(found, `exactly one "${name}" in ${JSON.stringify(events)}`).toHaveLength(1);
  return found[0]!;
}

async function fingerprintOf(d: Device): Promise<string> {
  const p = run(['id', '--json'], d.env);
  expect(await p.exit).toBe(0);
  return String(only(p.events, 'id').fingerprint);
}

/** `sealdrop pair` through the test relay: both devices pin each other as verified. */
async function pair(issuer: Device, joiner: Device): Promise<void> {
  const shown = run(['pair', '--json', '--relay', url], issuer.env);
  const ready = await shown.waitFor('ready');
  const scanned = run(['pair', '--json', String(ready.link)], joiner.env);
  expect(await scanned.exit).toBe(0);
  expect(await shown.exit).toBe(0);
}

describe('sealdrop send --to CONTACT / sealdrop listen', () => {
  const alice = freshDevice(leftovers, 'alice');
  const bob = freshDevice(leftovers, 'bob');
  let aliceFp = '';
  let bobFp = '';

  beforeAll(async () => {
    [aliceFp, bobFp] = [await fingerprintOf(alice), await fingerprintOf(bob)];
    await pair(alice, bob);
  }, 60_000);

  it('a paired contact receives a folder with no link: identical files, Level 3 by pin on both sides; then a second one', async () => {
    const out = leftovers.folder(tempDir('sealdrop-contact-out-'));
    const listener = run(['listen', '--json', '--yes', '--relay', url, '--out', out], bob.env);
    const listening = await listener.waitFor('listening', 30_000);
    expect(listening).toMatchObject({ relay: url, fingerprint: bobFp });

    const tree = sampleTree(1024 * 1024);
    leftovers.folder(tree.root);
    const sender = run(['send', '--json', '--to', bobFp.slice(0, 12), '--relay', url, tree.root], alice.env);
    expect(await sender.exit).toBe(0);
    await listener.waitFor('done', 30_000);

    const ready = only(sender.events, 'ready');
    expect(ready.link).toBeNull();
    expect(ready.fingerprint).toBe(aliceFp);
    expect(sender.events.find((e) => e.event === 'notified')).toEqual({ event: 'notified', delivered: true });
    const sent = only(sender.events, 'connected');
    expect(sent).toMatchObject({ level: 3, peer: { fingerprint: bobFp, verified: true, verifiedBy: 'pin' } });
    expect(sent.path).not.toBe('direct');
    expect(only(sender.events, 'done')).toMatchObject({ level: 3 });

    only(listener.events, 'incoming');
    const received = only(listener.events, 'connected');
    expect(received).toMatchObject({ level: 3, peer: { fingerprint: aliceFp, verified: true, verifiedBy: 'pin' } });
    expect(only(listener.events, 'done')).toMatchObject({ level: 3 });
    for (const [rel, hash] of Object.entries(tree.files)) expect(sha256File(join(out, rel)), rel).toBe(hash);

    // The listener is still there for the next one, addressed by name this time.
    const dir = leftovers.folder(tempDir('sealdrop-contact-src-'));
    writeFileSync(join(dir, 'second.bin'), randomBytes(100_000));
    const second = run(['send', '--json', '--to', 'bob', '--relay', url, join(dir, 'second.bin')], alice.env);
    expect(await second.exit).toBe(0);
    expect(only(second.events, 'done')).toMatchObject({ level: 3 });
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 30_000;
      const poll = () => {
        if (listener.events.filter((e) => e.event === 'done').length === 2) resolve();
        else if (Date.now() > deadline) reject(new Error(`second transfer not done: ${JSON.stringify(listener.events)}`));
        else setTimeout(poll, 20);
      };
      poll();
    });
    expect(sha256File(join(out, 'second.bin'))).toBe(sha256File(join(dir, 'second.bin')));
    expect(listener.events.filter((e) => e.event === 'incoming')).toHaveLength(2);

    listener.kill('SIGTERM');
    expect(await listener.exit).toBe(0);
    expect(listener.events.filter((e) => e.event === 'error')).toEqual([]);
  }, 120_000);

  it('refuses an unknown contact (CONTACT_UNKNOWN, exit 2) and --to without --relay or with --path direct (USAGE, exit 2)', async () => {
    const file = join(leftovers.folder(tempDir('sealdrop-contact-src-')), 'x.txt');
    writeFileSync(file, 'x\n');
    for (const args of [
      ['--to', 'nobody-by-that-name', '--relay', url],
      ['--to', 'ffffffff', '--relay', url],
    ]) {
      const p = run(['send', '--json', ...args, file], alice.env);
      expect(await p.exit).toBe(2);
      expect(only(p.events, 'error').code).toBe('CONTACT_UNKNOWN');
    }
    for (const args of [['--to', 'bob'], ['--to', 'bob', '--relay', url, '--path', 'direct']]) {
      const p = run(['send', '--json', ...args, file], alice.env);
      expect(await p.exit).toBe(2);
      expect(only(p.events, 'error').code).toBe('USAGE');
    }
    const noRelay = run(['listen', '--json'], bob.env);
    expect(await noRelay.exit).toBe(2);
    expect(only(noRelay.events, 'error').code).toBe('USAGE');
  }, 60_000);

  it('refuses a contact whose key changed (KEY_CHANGED, exit 3) until the user resolves it', async () => {
    // Bob presented another key once (as a relay swapping keys would make it look): the contact is keyChanged.
    const trust = await TrustStore.load(fileBlobStore(alice.home), wallClock, webCryptoRandom);
    const contact = trust.list().find((c) => c.name === 'bob')!;
    await trust.observe(contact.id, new Uint8Array(randomBytes(32)));
    const file = join(leftovers.folder(tempDir('sealdrop-contact-src-')), 'x.txt');
    writeFileSync(file, 'x\n');
    const p = run(['send', '--json', '--to', 'bob', '--relay', url, file], alice.env);
    expect(await p.exit).toBe(3);
    expect(only(p.events, 'error').code).toBe('KEY_CHANGED');
    expect(p.events.some((e) => e.event === 'ready')).toBe(false);
  }, 60_000);
});
