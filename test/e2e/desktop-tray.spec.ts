/**
 * Scenario (e): receiving from the tray. With a relay set and receiving on, the desktop listens in its relay
 * mailbox; a contact sends with `sealdrop send --to desk --relay URL` (no link), and main's policy decides
 * (main/services/offer-policy.ts) and tells the user through an OS notification (the bridge records them):
 *   1. window open, contact not verified        → asked: the offer card and a notification with Accept / Decline
 *   2. window closed to the tray, not verified  → refused, nothing written; the notification says who tried
 *   3. verified (safety number compared in the app), "Accept automatically from verified contacts" switched on,
 *      window closed                           → accepted without a question; the files arrive identical, Level 3
 * The contact relationship itself comes from a first transfer by link (scenario b), as it would in real use.
 */

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../cli/harness';
import { expect, test } from './bridge/fixtures';
import { chooseDownloadFolder, offerCard, openSection, receiveFromCli } from './bridge/flows';

test.setTimeout(120_000);

test('a contact sends through the relay mailbox: asked while the window is open, refused unverified in the tray, auto-accepted once verified', async ({
  page,
  desktop,
  cli,
  relayUrl,
}) => {
  await desktop.open();
  await desktop.desktop.mailboxReady();
  const friend = cli.device('cli-friend');
  await receiveFromCli(page, desktop, cli, relayUrl, friend);
  await page.getByRole('alert').filter({ hasText: 'cli-friend is a new contact.' }).getByRole('button', { name: 'Later' }).click();

  const hashesIn = (dir: string, tree: { files: Record<string, string> }) =>
    Object.fromEntries(Object.keys(tree.files).map((path) => [path, sha256File(join(dir, path))]));
  const sendToDesk = (tree: { root: string }) => friend.run(['send', '--json', '--to', 'desk', '--relay', relayUrl, tree.root]);

  await test.step('window open, contact not verified: the offer is put to the user', async () => {
    const downloads = cli.tempDir('sealdrop-desktop-downloads-');
    await chooseDownloadFolder(page, desktop, downloads);
    const tree = cli.sampleTree(256 * 1024);
    const sender = sendToDesk(tree);
    const card = offerCard(page, 'cli-friend');
    await expect(card).toBeVisible({ timeout: 30_000 });
    await expect(card.getByText('Contact, not verified')).toBeVisible();
    const notice = desktop.notifications.at(-1);
    expect(notice?.title).toMatch(/^Unverified contact “cli-friend” \(.+\) wants to send you files$/);
    expect(notice?.actions.map((a) => a.action)).toEqual(['accept', 'decline']);
    await card.getByRole('button', { name: 'Accept' }).click();
    expect(await sender.exit, sender.stderr()).toBe(0);
    expect((await sender.waitFor('done')).level).toBe(3);
    expect(hashesIn(downloads, tree)).toEqual(tree.files);
  });

  const downloads = cli.tempDir('sealdrop-desktop-downloads-');
  await chooseDownloadFolder(page, desktop, downloads);

  await test.step('window closed to the tray, contact not verified: refused, nothing written', async () => {
    desktop.setWindowVisible(false);
    const before = desktop.notifications.length;
    const sender = sendToDesk(cli.sampleTree(64 * 1024));
    expect(await sender.exit, 'the CLI sender is declined').not.toBe(0);
    await expect.poll(() => desktop.notifications.length).toBe(before + 1);
    const notice = desktop.notifications.at(-1)!;
    expect(notice.title).toMatch(/^Refused a transfer from Unverified contact “cli-friend”/);
    expect(notice.body).toContain('only verified contacts can send while Sealdrop is closed');
    expect(notice.actions).toEqual([]);
    expect(sender.events.some((event) => event.event === 'done')).toBe(false);
    expect(readdirSync(downloads), 'nothing was written').toEqual([]);
    desktop.setWindowVisible(true);
  });

  await test.step('verified, auto-accept on, window closed: received without a question', async () => {
    await openSection(page, 'Verify');
    await page.getByRole('list', { name: 'Contacts' }).getByRole('button', { name: /cli-friend/ }).click();
    await page.getByRole('button', { name: 'All 60 digits match — mark as verified' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'cli-friend is verified.' })).toBeVisible({ timeout: 15_000 });
    await openSection(page, 'Settings');
    const autoAccept = page.getByRole('switch', { name: 'Accept automatically from verified contacts' });
    // Controlled by main's answer (settings:set), so the switch flips once main has saved it: click, then wait.
    await expect(autoAccept).not.toBeChecked();
    await autoAccept.click();
    await expect(autoAccept).toBeChecked();
    expect(desktop.desktop.settings.get().autoAcceptVerified).toBe(true);

    desktop.setWindowVisible(false);
    const tree = cli.sampleTree(512 * 1024);
    const sender = sendToDesk(tree);
    expect(await sender.exit, sender.stderr()).toBe(0);
    expect((await sender.waitFor('done')).level).toBe(3);
    expect(hashesIn(downloads, tree)).toEqual(tree.files);
    const notice = desktop.notifications.at(-1)!;
    expect(notice.title).toBe('Receiving from cli-friend');
    expect(notice.body).toContain('Accepted automatically: verified contact');
    await openSection(page, 'Transfers');
    await expect(page.getByRole('article', { name: 'From cli-friend' }).first()).toHaveAttribute('data-state', 'complete');
  });
});
