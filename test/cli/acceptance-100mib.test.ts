/**
 * The acceptance scenario, exactly as a user runs it from the repository root:
 *
 *   npx sealdrop send --json <100 MiB file>                       (one process)
 *   npx sealdrop receive --json --yes --out <dir> <link>          (another)
 *
 * No set-up beyond what makes the two devices distinct and headless: each has its own SEALDROP_HOME and
 * SEALDROP_KEY_FILE (no keychain on CI). No --relay, no --path: the sender's embedded relay and automatic path
 * selection. Both sides must report Level 3 in `connected` and `done`, and the file must arrive identical.
 */

import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { randomFile, Leftovers, MiB } from '../faults/fault-harness';
import { runCli, sha256File, tempDir, type CliProcess } from './harness';

const leftovers = new Leftovers();
afterAll(() => leftovers.cleanUp());

const NPX = ['npx', 'sealdrop'];

function isolatedDevice(name: string): NodeJS.ProcessEnv {
  const home = leftovers.folder(tempDir(`sealdrop-acceptance-${name}-`));
  return { SEALDROP_HOME: home, SEALDROP_KEY_FILE: join(home, 'identity.key') };
}

function run(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  return leftovers.process(runCli(args, env, { command: NPX }));
}

describe('acceptance: npx sealdrop send / receive, 100 MiB', () => {
  it('reports Level 3 on both sides and produces an identical file', async () => {
    const source = randomFile(leftovers, 100 * MiB, 'acceptance.bin');
    const out = leftovers.folder(tempDir('sealdrop-acceptance-out-'));
    rmSync(out, { recursive: true }); // --out need not exist: receive creates it

    const sender = run(['send', '--json', source.file], isolatedDevice('sender'));
    const ready = await sender.waitFor('ready', 30_000);
    expect(String(ready.link)).toMatch(/^sealdrop:\/\//);
    expect(ready.bytes).toBe(100 * MiB);

    const receiver = run(['receive', '--json', '--yes', '--out', out, String(ready.link)], isolatedDevice('receiver'));
    const [receiverConnected, senderConnected] = await Promise.all([receiver.waitFor('connected'), sender.waitFor('connected')]);
    expect(receiverConnected.level).toBe(3);
    expect(senderConnected.level).toBe(3);
    expect((receiverConnected.peer as { fingerprint: string }).fingerprint).toBe(ready.fingerprint);

    const [received, sent] = await Promise.all([receiver.waitFor('done', 60_000), sender.waitFor('done', 60_000)]);
    expect(await receiver.exit).toBe(0);
    expect(await sender.exit).toBe(0);
    expect(received.level).toBe(3);
    expect(sent.level).toBe(3);
    expect(received.path).toBe(receiverConnected.path);

    expect(received.files).toEqual([{ path: source.name, size: 100 * MiB, sha256: source.sha256 }]);
    expect(sha256File(join(out, source.name))).toBe(source.sha256);
    expect(readdirSync(out)).toEqual([source.name]);
    expect(existsSync(join(out, '.sealdrop'))).toBe(false);
    // --json: stdout carried nothing but JSON lines.
    expect([...sender.events, ...receiver.events].filter((e) => e.event === 'non-json')).toEqual([]);
  }, 90_000);
});
