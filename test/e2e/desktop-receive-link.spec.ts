/**
 * Scenario (b): the real `sealdrop send` on another "device" → the user pastes its link on the Receive screen → the
 * offer card names the sender and its files → Accept → the files are on disk in the download folder the user chose,
 * byte-identical, and the transfer shows complete at Level 3. The sender becomes a contact, not yet verified.
 */

import { join } from 'node:path';
import { sha256File } from '../cli/harness';
import { expect, test } from './bridge/fixtures';
import { chooseDownloadFolder, cliSend, offerCard, openSection, pasteLink } from './bridge/flows';

test.setTimeout(90_000);

test('a link from a CLI sender: offer card, Accept, files verified on disk, complete at Level 3', async ({ page, desktop, cli, relayUrl }) => {
  await desktop.open();
  const downloadDir = cli.tempDir('sealdrop-desktop-downloads-');
  await chooseDownloadFolder(page, desktop, downloadDir);

  const device = cli.device('cli-sender');
  const tree = cli.sampleTree(2 * 1024 * 1024 + 17);
  const { sender, link } = await cliSend(device, relayUrl, [tree.root]);

  const card = offerCard(page, 'cli-sender');
  await test.step('paste the link: the offer card shows the sender and the files', async () => {
    await pasteLink(page, link);
    await expect(card).toBeVisible({ timeout: 20_000 });
    await expect(card.getByRole('heading')).toHaveText(/^New device “cli-sender” wants to send you 3 files/);
    await expect(card.getByText('Not a contact')).toBeVisible();
    await expect(card.getByRole('button', { name: /^Level 3: End-to-end encrypted and verified/ })).toBeVisible();
    const files = card.getByRole('list', { name: 'Files offered by cli-sender' });
    await expect(files.getByRole('listitem')).toHaveCount(3);
    for (const path of Object.keys(tree.files)) await expect(files.getByText(path, { exact: true })).toBeVisible();
    await expect(card.getByText(`Saved to ${downloadDir}.`, { exact: false })).toBeVisible();
  });

  await test.step('accept: the files arrive in the download folder, identical', async () => {
    await card.getByRole('button', { name: 'Accept' }).click();
    const done = await sender.waitFor('done', 30_000);
    expect(await sender.exit, sender.stderr()).toBe(0);
    expect(done.level).toBe(3);
    await openSection(page, 'Transfers');
    const transfer = page.getByRole('article', { name: 'From cli-sender' });
    await expect(transfer).toHaveAttribute('data-state', 'complete', { timeout: 15_000 });
    await expect(transfer.getByRole('button', { name: /^Level 3: End-to-end encrypted and verified/ })).toBeVisible();
    const received = Object.fromEntries(Object.keys(tree.files).map((path) => [path, sha256File(join(downloadDir, path))]));
    expect(received).toEqual(tree.files);
  });

  await test.step('the sender is now a contact, seen but not verified', async () => {
    const contacts = await desktop.invoke('contacts:list');
    expect(contacts.ok && contacts.value.map(({ name, status }) => ({ name, status }))).toEqual([{ name: 'cli-sender', status: 'seen' }]);
    await expect(page.getByRole('alert').filter({ hasText: 'cli-sender is a new contact.' })).toBeVisible();
  });
});
