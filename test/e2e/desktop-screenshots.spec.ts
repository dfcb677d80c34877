/**
 * Scenario (f): a screenshot of every screen, light theme, in a state worth looking at — saved as
 * reports/screenshots/<screen>.png and attached to the Playwright report:
 *
 *   receive       an offer card from a CLI sender, before it is accepted
 *   transfers     that transfer, complete at Level 3
 *   verification  the new contact's safety number
 *   contacts      the contact list
 *   settings      the settings
 *   send          a dropped folder turned into a link with its QR code
 *   key-change    the blocking screen after the contact presented another key
 *
 * Each screenshot is taken only after the state it shows is asserted, so a broken screen fails here rather than
 * producing a picture of an error.
 */

import { expect, test } from './bridge/fixtures';
import { openSection, receiveFromCli } from './bridge/flows';
import { dropFiles, keepScreenshot } from './bridge/page-actions';

test.setTimeout(120_000);

test('screenshots of every screen, light theme', async ({ page, desktop, cli, relayUrl }, testInfo) => {
  await desktop.open();
  const friend = cli.device('cli-friend');

  await receiveFromCli(page, desktop, cli, relayUrl, friend, {
    beforeAccept: async () => {
      const card = page.getByRole('article', { name: /“cli-friend” wants to send you/ });
      await expect(card.getByRole('list', { name: 'Files offered by cli-friend' }).getByText('20 bytes')).toBeVisible();
      await keepScreenshot(page, testInfo, 'receive');
    },
  });
  await page.getByRole('alert').filter({ hasText: 'cli-friend is a new contact.' }).getByRole('button', { name: 'Later' }).click();

  await expect(page.getByRole('article', { name: 'From cli-friend' }).getByText('Complete', { exact: true })).toBeVisible();
  await keepScreenshot(page, testInfo, 'transfers');

  await openSection(page, 'Verify');
  await page.getByRole('list', { name: 'Contacts' }).getByRole('button', { name: /cli-friend/ }).click();
  await expect(page.getByRole('list', { name: 'Safety number, 12 groups of 5 digits' }).getByRole('listitem')).toHaveCount(12, { timeout: 15_000 });
  await expect(page.getByRole('img', { name: /QR code/ })).toBeVisible({ timeout: 15_000 });
  await keepScreenshot(page, testInfo, 'verification');

  await openSection(page, 'Contacts');
  await expect(page.getByRole('article', { name: 'cli-friend' })).toBeVisible();
  await keepScreenshot(page, testInfo, 'contacts');

  await openSection(page, 'Settings');
  await expect(page.getByRole('radio', { name: 'Light' })).toBeChecked();
  await keepScreenshot(page, testInfo, 'settings');

  await openSection(page, 'Send');
  const tree = cli.sampleTree(256 * 1024);
  desktop.registerFile('payload', tree.root);
  await dropFiles(page.getByRole('main'), ['payload']);
  await page.getByRole('button', { name: 'Create link' }).click();
  await expect(page.getByRole('img', { name: 'QR code of the transfer link' })).toBeVisible({ timeout: 20_000 });
  await keepScreenshot(page, testInfo, 'send');

  const reinstalled = cli.device('cli-friend');
  expect(await reinstalled.run(['id', '--json']).exit).toBe(0);
  const [contact] = desktop.desktop.trust.list();
  expect(await desktop.desktop.trust.observe(contact!.id, await reinstalled.publicKey())).toBe('changed');
  const listed = await desktop.invoke('contacts:list');
  if (!listed.ok) throw new Error(listed.error.message);
  desktop.emit('contacts:changed', { contacts: listed.value });
  await expect(page.getByRole('alertdialog', { name: 'cli-friend’s security key has changed' })).toBeVisible();
  await keepScreenshot(page, testInfo, 'key-change');
});
