/**
 * Receiving in the tray: the window is closed, the desktop listens in its relay mailbox, and contacts send to it
 * with `sealdrop send --to` (no link). The tray policy (main/services/offer-policy.ts) decides: a VERIFIED contact
 * (paired by QR/link) is auto-accepted when the user opted in; a contact that is only 'seen' is refused while
 * nobody is at the window. Either way a notification tells the user. Real relay, real CLI, loopback only.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../relay/server';
import { newRoomId, RelayClient } from '../relay/relay-client';
import { desktopHarness, type DesktopHarness } from '../helpers/desktop-harness';
import { device, runCli, sampleTree, sha256File, tempDir, type CliProcess } from '../cli/harness';

const running: CliProcess[] = [];
let relay: Awaited<ReturnType<typeof startRelay>>;
let app: DesktopHarness;
let relayUrl: string;
let fingerprint: string;

beforeAll(async () => {
  relay = await startRelay({ host: '127.0.0.1', port: 0, logger: () => undefined });
  relayUrl = `ws://127.0.0.1:${relay.port}/v1`;
  app = await desktopHarness('tray-desktop');
  await app.call('settings:set', { relayUrl, autoAcceptVerified: true });
  await app.desktop.mailboxReady();
  fingerprint = (await app.call('identity:get')).fingerprint;
});

afterAll(async () => {
  running.forEach((p) => p.kill('SIGKILL'));
  await app?.close();
  await relay?.close();
});

/** A folder named `name` with one file of `bytes` random bytes; returns its path and the file's relative path. */
function folder(name: string, bytes: number): { root: string; rel: string } {
  const root = join(tempDir('sealdrop-tray-src-'), name);
  mkdirSync(root);
  writeFileSync(join(root, 'data.bin'), randomBytes(bytes));
  return { root, rel: `${name}/data.bin` };
}

function cli(args: string[], env: NodeJS.ProcessEnv): CliProcess {
  const process = runCli(args, env);
  running.push(process);
  return process;
}

describe('tray receive through the relay mailbox (window closed)', () => {
  it('a verified contact (paired) is auto-accepted: notification, files verified on disk, Level 3', async () => {
    const friend = device('paired-friend');
    // Pair: the desktop shows a pairing link, the CLI uses it; both pin each other as verified.
    const { link } = await app.call('identity:pairing-link');
    const pair = cli(['pair', '--json', link], friend.env);
    expect(await pair.exit).toBe(0);
    await expect.poll(async () => (await app.call('contacts:list')).map((c) => [c.name, c.status])).toEqual([['paired-friend', 'verified']]);

    app.window.visible = false;
    const tree = sampleTree(512 * 1024);
    const sender = cli(['send', '--json', '--to', fingerprint.slice(0, 16), '--relay', relayUrl, tree.root], friend.env);
    const done = await app.next('transfer:done', () => true, 60_000);
    expect(done.level).toBe(3);
    expect(await sender.exit).toBe(0);
    for (const [rel, hash] of Object.entries(tree.files)) expect(sha256File(join(app.downloads, rel)), rel).toBe(hash);
    const shown = app.notifications.at(-1)!.payload;
    expect(shown.title).toMatch(/paired-friend/);
    expect(shown.body).toMatch(/Level 3/);
    // The tray's recent list names the contact, the level and the outcome.
    expect(app.desktop.tray.state().recent[0]).toMatchObject({ direction: 'receive', peerName: 'paired-friend', level: 3, state: 'done' });
  }, 90_000);

  it('a contact that is only "seen" (never verified) is refused while the window is closed, and the user is told', async () => {
    const acquaintance = device('seen-acquaintance');
    // One transfer by link makes each side a 'seen' contact of the other.
    app.window.visible = true;
    const first = folder('from-link', 16 * 1024);
    const linkSender = cli(['send', '--json', first.root], acquaintance.env);
    const ready = await linkSender.waitFor('ready');
    const { transferId } = await app.call('transfer:receive', { link: String(ready.link) });
    await app.next('transfer:offer', (o) => o.transferId === transferId);
    await app.call('transfer:accept', { transferId });
    expect(await linkSender.exit).toBe(0);
    const contacts = await app.call('contacts:list');
    expect(contacts.find((c) => c.name === 'seen-acquaintance')?.status).toBe('seen');
    const before = readdirSync(app.downloads).sort();
    const notificationsBefore = app.notifications.length;

    app.window.visible = false;
    const second = folder('from-mailbox', 16 * 1024);
    const sender = cli(['send', '--json', '--to', fingerprint, '--relay', relayUrl, second.root], acquaintance.env);
    const error = await app.next('transfer:error', (e) => e.code === 'DECLINED', 60_000);
    expect(error.code).toBe('DECLINED');
    expect(await sender.exit).not.toBe(0);
    expect(readdirSync(app.downloads).sort()).toEqual(before);
    expect(before).toContain('from-link');
    const refusal = app.notifications.slice(notificationsBefore).map((n) => n.payload);
    expect(refusal).toHaveLength(1);
    expect(refusal[0]!.title).toMatch(/^Refused a transfer from Unverified contact “seen-acquaintance”/);
    expect(refusal[0]!.actions).toEqual([]);
    expect(app.desktop.tray.state().recent[0]).toMatchObject({ direction: 'receive', state: 'declined' });
  }, 90_000);

  it('after a key rotation the mailbox follows the new identity (the old fingerprint is no longer woken)', async () => {
    const before = (await app.call('identity:get')).fingerprint;
    const after = (await app.call('identity:rotate')).fingerprint;
    expect(after).not.toBe(before);
    await app.desktop.mailboxReady();
    const notify = async (fingerprint: string): Promise<boolean> => {
      const client = await RelayClient.open(relayUrl);
      try {
        client.send({ type: 'notify', fingerprint: Buffer.from(fingerprint, 'hex'), roomId: newRoomId() });
        const answer = await client.next();
        if (answer.type !== 'notified') throw new Error(`expected NOTIFIED, got ${answer.type}`);
        return answer.delivered;
      } finally {
        await client.close();
      }
    };
    await expect.poll(() => notify(after), { timeout: 10_000 }).toBe(true);
    expect(await notify(before)).toBe(false);
  }, 30_000);
});
