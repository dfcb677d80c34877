/**
 * The `sealdrop` commands besides a plain transfer, run as real processes: help, identity, contacts and safety
 * numbers, pairing, and the failures a script has to tell apart by exit code and `--json` error code (bad link,
 * no keychain, usage errors, a destination that already exists).
 */

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors';
import { freshDevice, Leftovers, randomText } from '../faults/fault-harness';
import { runCli, sha256File, tempDir, type CliProcess, type Json } from './harness';

const leftovers = new Leftovers();
afterAll(() => leftovers.cleanUp());

type Device = ReturnType<typeof freshDevice>;

function run(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  return leftovers.process(runCli(args, env));
}

/** Runs a command to its end: its exit code and JSON events. */
async function complete(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; events: Json[]; stdout: CliProcess }> {
  const p = run(args, env);
  const code = await p.exit;
  return { code, events: p.events, stdout: p };
}

function only(events: Json[], name: string): Json {
  const found = events.filter((e) => e.event === name);
  expect(found, `exactly one "${name}" in ${JSON.stringify(events)}`).toHaveLength(1);
  return found[0]!;
}

async function fingerprintOf(d: Device): Promise<string> {
  const { code, events } = await complete(['id', '--json'], d.env);
  expect(code).toBe(0);
  return String(only(events, 'id').fingerprint);
}

async function contactsOf(d: Device): Promise<Json[]> {
  const { code, events } = await complete(['contacts', 'list', '--json'], d.env);
  expect(code).toBe(0);
  return events.filter((e) => e.event === 'contact');
}

/** A small file, sent from `from` to `to`; resolves with both sides' events once both exited 0. */
async function transfer(from: Device, to: Device, extra: string[] = []) {
  const dir = leftovers.folder(tempDir('sealdrop-cmd-src-'));
  const file = join(dir, 'note.txt');
  writeFileSync(file, `${randomText()}\n`);
  const out = leftovers.folder(tempDir('sealdrop-cmd-out-'));
  const sender = run(['send', '--json', ...extra, file], from.env);
  const ready = await sender.waitFor('ready');
  const receiver = run(['receive', '--json', '--yes', ...extra, '--out', out, String(ready.link)], to.env);
  expect(await receiver.exit).toBe(0);
  expect(await sender.exit).toBe(0);
  expect(sha256File(join(out, 'note.txt'))).toBe(sha256File(file));
  return { sender: sender.events, receiver: receiver.events };
}

describe('sealdrop --help and usage errors', () => {
  it('--help lists every exit code and every error code', async () => {
    const p = run(['--help'], freshDevice(leftovers, 'helper').env);
    let text = '';
    p.child.stdout.on('data', (chunk: string) => (text += chunk));
    expect(await p.exit).toBe(0);
    expect(text).toContain('EXIT CODES');
    expect(text).toContain('ERROR CODES');
    for (const exit of ['0 success', '1 failed', '2 usage', '3 security', '4 declined', '5 keychain', '6 disk', '7 network']) {
      expect(text).toContain(exit);
    }
    const listed = new Set(text.slice(text.indexOf('ERROR CODES')).split(/\s+/));
    // USAGE is not a core ErrorCode, but the CLI prints it in `--json` error events, so scripts need to know it.
    for (const code of [...ERROR_CODES, 'USAGE']) expect(listed.has(code), code).toBe(true);
  });

  it('an unknown command is a usage error (exit 2, code USAGE)', async () => {
    const { code, events } = await complete(['frobnicate', '--json'], freshDevice(leftovers, 'x').env);
    expect(code).toBe(2);
    expect(only(events, 'error').code).toBe('USAGE');
  });

  it('an unknown flag and a bad --require-level are usage errors; --require-level 2 is accepted', async () => {
    const env = freshDevice(leftovers, 'x').env;
    for (const args of [['id', '--json', '--no-such-flag'], ['id', '--json', '--require-level', '4']]) {
      const { code, events } = await complete(args, env);
      expect(code, args.join(' ')).toBe(2);
      expect(only(events, 'error').code).toBe('USAGE');
    }
    const { code, events } = await complete(['id', '--json', '--require-level', '2'], env);
    expect(code).toBe(0);
    only(events, 'id');
  });

  it('a transfer with --require-level 2 on both sides runs (and is still Level 3 when the link verifies)', async () => {
    const { sender, receiver } = await transfer(freshDevice(leftovers, 'alice'), freshDevice(leftovers, 'bob'), ['--require-level', '2']);
    expect(only(receiver, 'done').level).toBe(3);
    expect(only(sender, 'done').level).toBe(3);
  });

  it('a bad link is exit 2 with a LINK_* code', async () => {
    const env = freshDevice(leftovers, 'bob').env;
    const out = leftovers.folder(tempDir('sealdrop-cmd-out-'));
    for (const link of ['https://example.org/not-a-link', 'sealdrop://AAAA', 'sealdrop://not base64!']) {
      const { code, events } = await complete(['receive', '--json', '--yes', '--out', out, link], env);
      expect(code, link).toBe(2);
      expect(String(only(events, 'error').code), link).toMatch(/^LINK_/);
    }
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('identity and keychain', () => {
  it('sealdrop id --json prints the same fingerprint on every run with the same home', async () => {
    const d = freshDevice(leftovers, 'alice');
    const first = await complete(['id', '--json'], d.env);
    const second = await complete(['id', '--json'], d.env);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const a = only(first.events, 'id');
    const b = only(second.events, 'id');
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.short).toBe(a.short);
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    // Another home is another device.
    expect(await fingerprintOf(freshDevice(leftovers, 'bob'))).not.toBe(a.fingerprint);
  });

  it('without a keychain and without SEALDROP_KEY_FILE: exit 5, KEYSTORE_UNAVAILABLE, and a way out', async () => {
    const home = leftovers.folder(tempDir('sealdrop-nokeychain-'));
    const env: NodeJS.ProcessEnv = {
      HOME: home,
      SEALDROP_HOME: join(home, 'sealdrop'),
      SEALDROP_KEY_FILE: undefined, // spawn drops undefined variables: these are unset in the child
      DBUS_SESSION_BUS_ADDRESS: undefined,
      DISPLAY: undefined,
      XDG_CONFIG_HOME: undefined,
      XDG_RUNTIME_DIR: undefined,
    };
    for (const args of [['id', '--json'], ['receive', '--json', '--yes', '--out', join(home, 'out'), 'sealdrop://AAAA']]) {
      const { code, events } = await complete(args, env);
      expect(code, args[0]).toBe(5);
      const error = only(events, 'error');
      expect(error.code).toBe('KEYSTORE_UNAVAILABLE');
      expect(String(error.message)).toContain('SEALDROP_KEY_FILE');
    }
    // Nothing was created in place of the missing key.
    expect(readdirSync(home).filter((n) => n !== 'out')).toEqual([]);
  });
});

describe('contacts, safety numbers and pairing', () => {
  it('contacts start empty; a transfer pins the peer as seen; verify marks it verified with matching safety numbers', async () => {
    const alice = freshDevice(leftovers, 'alice');
    const bob = freshDevice(leftovers, 'bob');
    const [aliceFp, bobFp] = [await fingerprintOf(alice), await fingerprintOf(bob)];
    expect(await contactsOf(alice)).toEqual([]);
    expect(await contactsOf(bob)).toEqual([]);

    const { receiver } = await transfer(alice, bob);
    expect((only(receiver, 'connected').peer as { verified: boolean }).verified).toBe(false);

    const [aliceContacts, bobContacts] = [await contactsOf(alice), await contactsOf(bob)];
    expect(aliceContacts).toHaveLength(1);
    expect(bobContacts).toHaveLength(1);
    expect(aliceContacts[0]).toMatchObject({ fingerprint: bobFp, status: 'seen', name: 'bob' });
    expect(bobContacts[0]).toMatchObject({ fingerprint: aliceFp, status: 'seen', name: 'alice' });

    const numbers: string[] = [];
    for (const [d, contact] of [[alice, aliceContacts[0]!], [bob, bobContacts[0]!]] as const) {
      const { code, events } = await complete(['contacts', 'verify', String(contact.id), '--yes', '--json'], d.env);
      expect(code).toBe(0);
      const safety = only(events, 'safety-number');
      expect(safety.safetyNumber).toMatch(/^[0-9]{60}$/);
      numbers.push(String(safety.safetyNumber));
      expect(only(events, 'verified').id).toBe(contact.id);
      expect((await contactsOf(d))[0]).toMatchObject({ id: contact.id, status: 'verified' });
    }
    expect(numbers[0]).toBe(numbers[1]);

    // A verified contact shows as such in the next transfer.
    const next = await transfer(bob, alice);
    expect((only(next.receiver, 'connected').peer as { verified: boolean }).verified).toBe(true);
  }, 120_000);

  it('verify without --yes and without a terminal declines (exit 4) and leaves the contact as it was', async () => {
    const alice = freshDevice(leftovers, 'alice');
    const bob = freshDevice(leftovers, 'bob');
    await transfer(alice, bob);
    const [contact] = await contactsOf(bob);
    const { code, events } = await complete(['contacts', 'verify', String(contact!.id), '--json'], bob.env);
    expect(code).toBe(4);
    only(events, 'safety-number');
    expect(events.some((e) => e.event === 'verified')).toBe(false);
    expect((await contactsOf(bob))[0]).toMatchObject({ status: 'seen' });
    const unknown = await complete(['contacts', 'verify', 'ffffffffffff', '--yes', '--json'], bob.env);
    expect(unknown.code).toBe(2);
    expect(only(unknown.events, 'error').code).toBe('CONTACT_UNKNOWN');
  }, 120_000);

  it('pair (issuer) + pair <link> pins both devices as verified; their next transfer shows peer.verified', async () => {
    const alice = freshDevice(leftovers, 'alice');
    const bob = freshDevice(leftovers, 'bob');
    const [aliceFp, bobFp] = [await fingerprintOf(alice), await fingerprintOf(bob)];

    const issuer = run(['pair', '--json'], alice.env);
    const ready = await issuer.waitFor('ready');
    expect(String(ready.link)).toMatch(/^sealdrop:\/\//);
    const joiner = run(['pair', String(ready.link), '--json'], bob.env);
    expect(await joiner.exit).toBe(0);
    expect(await issuer.exit).toBe(0);
    const issued = only(issuer.events, 'paired');
    const joined = only(joiner.events, 'paired');
    expect(issued.level).toBe(3);
    expect(joined.level).toBe(3);
    expect((issued.peer as { fingerprint: string }).fingerprint).toBe(bobFp);
    expect((joined.peer as { fingerprint: string }).fingerprint).toBe(aliceFp);

    expect(await contactsOf(alice)).toEqual([expect.objectContaining({ fingerprint: bobFp, status: 'verified' })]);
    expect(await contactsOf(bob)).toEqual([expect.objectContaining({ fingerprint: aliceFp, status: 'verified' })]);

    const { sender, receiver } = await transfer(alice, bob);
    const seenByBob = only(receiver, 'connected');
    expect(seenByBob.level).toBe(3);
    expect(seenByBob.peer).toMatchObject({ fingerprint: aliceFp, verified: true });
    expect(only(sender, 'connected').peer).toMatchObject({ fingerprint: bobFp, verified: true });
    // Pinning after a transfer never downgrades a verified contact.
    expect(await contactsOf(bob)).toEqual([expect.objectContaining({ status: 'verified' })]);
  }, 120_000);
});

describe('receive never overwrites', () => {
  it('a file of the same name in --out: DESTINATION_EXISTS, exit 6, the existing file untouched', async () => {
    const alice = freshDevice(leftovers, 'alice');
    const bob = freshDevice(leftovers, 'bob');
    const dir = leftovers.folder(tempDir('sealdrop-cmd-src-'));
    writeFileSync(join(dir, 'report.txt'), 'the version being sent\n');
    const out = leftovers.folder(tempDir('sealdrop-cmd-out-'));
    const existing = `already here, ${randomText()}\n`;
    writeFileSync(join(out, 'report.txt'), existing);

    const sender = run(['send', '--json', join(dir, 'report.txt')], alice.env);
    const ready = await sender.waitFor('ready');
    const receiver = run(['receive', '--json', '--yes', '--out', out, String(ready.link)], bob.env);
    expect(await receiver.exit).toBe(6);
    expect(only(receiver.events, 'error').code).toBe('DESTINATION_EXISTS');
    expect(receiver.events.some((e) => e.event === 'done')).toBe(false);
    expect(readFileSync(join(out, 'report.txt'), 'utf8')).toBe(existing);
    expect(readdirSync(out)).toEqual(['report.txt']);
    // The sender is told why and stops too, rather than waiting for a receiver that will never succeed.
    expect(await sender.exit).toBe(6);
    expect(only(sender.events, 'error').code).toBe('DESTINATION_EXISTS');
  });
});
