/**
 * The desktop app's transfers in plain Node, against the real `sealdrop` CLI on the other side: main's services
 * (main/desktop/) hand each session to the renderer's session runner over a port, serve its disk calls and decide
 * offers — see test/helpers/desktop-harness.ts for exactly what is real. Loopback only.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { desktopHarness, type DesktopHarness } from '../helpers/desktop-harness';
import { expectCode } from '../helpers/expect-code';
import { device, runCli, sampleTree, sha256File, tempDir, type CliProcess } from '../cli/harness';

const running: CliProcess[] = [];
const desktops: DesktopHarness[] = [];
afterAll(async () => {
  running.forEach((p) => p.kill('SIGKILL'));
  await Promise.all(desktops.map((d) => d.close()));
});

async function newDesktop(name: string): Promise<DesktopHarness> {
  const harness = await desktopHarness(name);
  desktops.push(harness);
  return harness;
}

describe('desktop ↔ CLI transfers (renderer-run sessions)', () => {
  it('desktop sends a picked folder: the CLI receives identical files at Level 3; the desktop reports done', async () => {
    const app = await newDesktop('alice-desktop');
    const tree = sampleTree(2 * 1024 * 1024 + 5);
    app.pickNext([tree.root]);
    const [item] = await app.call('transfer:pick-files', { kind: 'folder' });
    expect(item).toMatchObject({ name: 'payload', kind: 'directory' });
    const started = await app.call('transfer:send', { paths: [], picked: [item!.id], to: { kind: 'link' } });
    expect(started.link).toMatch(/^sealdrop:/);

    const out = tempDir('sealdrop-desktop-out-');
    const bob = device('bob-cli');
    const receiver = runCli(['receive', '--json', '--yes', '--out', out, started.link!], bob.env);
    running.push(receiver);
    const received = await receiver.waitFor('done', 60_000);
    expect(await receiver.exit).toBe(0);
    expect(received.level).toBe(3);
    for (const [rel, hash] of Object.entries(tree.files)) expect(sha256File(join(out, rel)), rel).toBe(hash);
    expect(existsSync(join(out, 'payload', 'empty-folder'))).toBe(true);

    const done = await app.next('transfer:done', (e) => e.transferId === started.transferId);
    expect(done.level).toBe(3);
    expect(done.files).toBe(3);
    // The renderer ran the session: main handed it one, and signed only a handshake context for it.
    const session = app.events.find((e) => e.channel === 'transfer:session');
    expect(session?.payload).toMatchObject({ transferId: started.transferId, role: 'sender', handshakeRole: 'responder' });
  }, 90_000);

  it('a CLI sender: the desktop shows the offer, the user accepts, the files land verified in the download folder', async () => {
    const app = await newDesktop('carol-desktop');
    const tree = sampleTree(1024 * 1024 + 3);
    const dave = device('dave-cli');
    const sender = runCli(['send', '--json', tree.root], dave.env);
    running.push(sender);
    const ready = await sender.waitFor('ready');

    const { transferId } = await app.call('transfer:receive', { link: String(ready.link) });
    const offer = await app.next('transfer:offer', (o) => o.transferId === transferId);
    expect(offer).toMatchObject({ level: 3, files: 3, directories: 1, peer: { status: 'new', verifiedBy: 'link-fingerprint', name: 'dave-cli' } });
    expect(offer.names).toContain('payload/big.bin');
    await app.call('transfer:accept', { transferId });

    const done = await app.next('transfer:done', (e) => e.transferId === transferId);
    expect(done.level).toBe(3);
    expect((await sender.waitFor('done', 60_000)).level).toBe(3);
    for (const [rel, hash] of Object.entries(tree.files)) expect(sha256File(join(app.downloads, rel)), rel).toBe(hash);
    expect(readdirSync(join(app.downloads, 'payload')).some((name) => name.includes('sealdrop-part'))).toBe(false);
    // The sender is now a contact the user has seen (not verified: that takes a safety number or a QR).
    const contacts = await app.call('contacts:list');
    expect(contacts.map((c) => [c.name, c.status])).toEqual([['dave-cli', 'seen']]);
  }, 90_000);

  it('declining an offer writes nothing and the CLI sender is told', async () => {
    const app = await newDesktop('erin-desktop');
    const tree = sampleTree(64 * 1024);
    const frank = device('frank-cli');
    const sender = runCli(['send', '--json', tree.root], frank.env);
    running.push(sender);
    const ready = await sender.waitFor('ready');
    const { transferId } = await app.call('transfer:receive', { link: String(ready.link) });
    await app.next('transfer:offer', (o) => o.transferId === transferId);
    await app.call('transfer:decline', { transferId });
    const error = await app.next('transfer:error', (e) => e.transferId === transferId);
    expect(error.code).toBe('DECLINED');
    expect(await sender.exit).not.toBe(0);
    expect(readdirSync(app.downloads)).toEqual([]);
  }, 60_000);

  it('a relay that cannot be reached: the send ends with a coded transfer:error, not a link that waits forever', async () => {
    const app = await newDesktop('henry-desktop');
    await app.call('settings:set', { relayUrl: 'ws://127.0.0.1:9/v1' });
    const tree = sampleTree(16 * 1024);
    const outcome = await app.call('transfer:send', { paths: [tree.root], picked: [], to: { kind: 'link' } }).then(
      async (started) => (await app.next('transfer:error', (e) => e.transferId === started.transferId, 30_000)).code,
      (error: { code?: string }) => error.code,
    );
    expect(outcome).toBe('TRANSPORT_CLOSED');
    expect(app.desktop.tray.state().recent[0]?.state ?? 'failed').toBe('failed');
  }, 45_000);

  it('answers only an offer that is waiting: accept without one is BAD_INPUT', async () => {
    const app = await newDesktop('grace-desktop');
    await expectCode(app.call('transfer:accept', { transferId: 'ab'.repeat(16) }), 'BAD_INPUT');
  });
});
