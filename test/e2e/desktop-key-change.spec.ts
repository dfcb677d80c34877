/**
 * Scenario (d): a contact's key changes. The contact is a real CLI device whose key the trust store pinned; then the
 * trust store records that "the same" contact presented another key — `trust.observe(contactId, newKey)`, exactly
 * what main does when a handshake shows a pinned contact with a different key — and main tells the window
 * (`contacts:changed`, as the transfer service does when a transfer ends). From then on:
 *   - the app shows the blocking key-change screen, which explains what happened and cannot be dismissed by Escape;
 *   - sending to the contact is refused: the recipient is disabled in the UI, and a direct call is KEY_CHANGED;
 *   - a link signed by the new key (a CLI device with that key) is refused with KEY_CHANGED, visibly;
 *   - comparing the new key's safety number (computed here independently) and confirming it lifts the block.
 */

import { join } from 'node:path';
import { equalBytes } from '../../src/bytes';
import { fingerprintOf, safetyNumber, shortFingerprint } from '../../src/identity/fingerprint';
import type { SealdropApi } from '../../src/ipc/api';
import { expect, test } from './bridge/fixtures';
import { cliSend, offerCard, openSection, pasteLink } from './bridge/flows';
import { dropFiles } from './bridge/page-actions';

test.setTimeout(90_000);

test('a changed key blocks the contact: a hard-stop screen, sends and links refused with KEY_CHANGED, until re-verified', async ({
  page,
  desktop,
  cli,
  relayUrl,
}) => {
  // The same person, before and after reinstalling: two devices with one name and two keys.
  const before = cli.device('cli-peer');
  const after = cli.device('cli-peer');
  for (const device of [before, after]) expect(await device.run(['id', '--json']).exit).toBe(0);
  const oldKey = await before.publicKey();
  const newKey = await after.publicKey();
  const contact = await desktop.desktop.trust.pin(oldKey, 'cli-peer', 'verified');

  await desktop.open();
  await openSection(page, 'Contacts');
  await expect(page.getByRole('main').getByText('cli-peer', { exact: true })).toBeVisible();
  const dialog = page.getByRole('alertdialog', { name: 'cli-peer’s security key has changed' });
  await expect(dialog).toHaveCount(0);

  await test.step('the contact presents another key: the blocking screen explains it', async () => {
    expect(await desktop.desktop.trust.observe(contact.id, newKey)).toBe('changed');
    const listed = await desktop.invoke('contacts:list');
    if (!listed.ok) throw new Error(listed.error.message);
    desktop.emit('contacts:changed', { contacts: listed.value });

    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Sending and receiving with cli-peer is blocked until you check the new key.');
    await expect(dialog.getByRole('group', { name: 'Key you saved' })).toContainText(shortFingerprint(await fingerprintOf(oldKey)));
    await expect(dialog.getByRole('group', { name: 'New key presented' })).toContainText(shortFingerprint(await fingerprintOf(newKey)));
    await page.keyboard.press('Escape');
    await expect(dialog, 'Escape does not dismiss the hard stop').toBeVisible();
    await dialog.getByRole('button', { name: 'Not now' }).click();
    await expect(dialog).toHaveCount(0);
  });

  await test.step('sending to the contact is refused', async () => {
    desktop.registerFile('note.txt', join(cli.sampleTree(1024).root, 'nested/note.md'));
    await openSection(page, 'Send');
    await dropFiles(page.getByRole('main'), ['note.txt']);
    await expect(page.getByRole('list', { name: 'Files and folders to send' }).getByText('note.txt')).toBeVisible();
    await expect(page.getByRole('radio', { name: /cli-peer/ })).toBeDisabled();
    await expect(page.getByText('Key changed: transfers blocked')).toBeVisible();
    // Page script going around the disabled control gets main's refusal, before any network path is opened.
    const refused = await page.evaluate(
      (contactId) =>
        (window as unknown as { sealdrop: SealdropApi }).sealdrop.transfer.send({ files: [new File([], 'note.txt')], picked: [], to: { kind: 'contact', contactId } }),
      contact.id,
    );
    expect(refused).toMatchObject({ ok: false, error: { code: 'KEY_CHANGED' } });
    // "What happened?" brings the explanation back.
    await page.getByRole('button', { name: 'What happened?' }).click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Not now' }).click();
  });

  await test.step('a link signed by the new key is refused', async () => {
    const { sender, link } = await cliSend(after, relayUrl, [cli.sampleTree(1024).root]);
    await pasteLink(page, link);
    const refusal = page.getByRole('alert').filter({ hasText: 'Could not use this link.' });
    await expect(refusal).toHaveAttribute('data-error-code', 'KEY_CHANGED');
    await expect(refusal).toContainText("This contact's key changed. Compare safety numbers again before sending or receiving.");
    await expect(offerCard(page, 'cli-peer')).toHaveCount(0);
    sender.kill();
  });

  await test.step("comparing the new key's safety number and confirming it lifts the block", async () => {
    await openSection(page, 'Send');
    await page.getByRole('button', { name: 'What happened?' }).click();
    await dialog.getByRole('button', { name: 'Compare safety numbers' }).click();
    await expect(page.getByRole('heading', { name: 'cli-peer', level: 2 })).toBeVisible();
    await expect(page.getByRole('main').getByText('This is the safety number for cli-peer’s new key.')).toBeVisible();
    const number = page.getByRole('list', { name: 'Safety number, 12 groups of 5 digits' });
    await expect(number.getByRole('listitem')).toHaveCount(12, { timeout: 15_000 });
    expect((await number.getByRole('listitem').allInnerTexts()).join('')).toBe(await safetyNumber(await desktop.publicKey(), newKey));
    await page.getByRole('button', { name: 'All 60 digits match — mark as verified' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'cli-peer is verified.' })).toBeVisible();
    const now = desktop.desktop.trust.get(contact.id);
    expect(now?.pendingKey).toBeNull();
    expect(now?.state).toBe('verified');
    expect(now && equalBytes(now.identityKey, newKey)).toBe(true);
  });
});
