/**
 * Scenario (c): first contact and verification. After a first transfer from a CLI device (as in scenario b) the
 * sender is a contact the app has seen but not verified; the first-contact prompt leads to the Verify screen, whose
 * 60-digit safety number must equal the one computed here, independently, from the two devices' key files
 * (src/identity/fingerprint.ts `safetyNumber`). Then verification by QR: a screenshot of a QR code holding the other
 * device's link is dropped on the screenshot zone, the renderer decodes it (jsQR), and main checks the link's
 * fingerprint against the contact's key. A QR code from a different device is refused first, and changes nothing.
 */

import QRCode from 'qrcode';
import { safetyNumber } from '../../src/identity/fingerprint';
import { expect, test } from './bridge/fixtures';
import { cliSend, receiveFromCli } from './bridge/flows';
import { dropImage } from './bridge/page-actions';

test.setTimeout(90_000);

/** A PNG of a QR code as a phone or a screenshot tool would capture it: dark on light, with a quiet zone. */
function qrPng(text: string): Promise<Uint8Array> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
}

test('first contact: the safety number matches one computed independently, and a scanned QR screenshot verifies the contact', async ({
  page,
  desktop,
  cli,
  relayUrl,
}) => {
  await desktop.open();
  const peer = cli.device('cli-peer');
  const { send } = await receiveFromCli(page, desktop, cli, relayUrl, peer);

  const contactStatus = async () => {
    const listed = await desktop.invoke('contacts:list');
    if (!listed.ok) throw new Error(listed.error.message);
    return listed.value.map(({ name, status }) => ({ name, status }));
  };
  expect(await contactStatus()).toEqual([{ name: 'cli-peer', status: 'seen' }]);

  await test.step('the first-contact prompt opens the Verify screen for the new contact', async () => {
    const prompt = page.getByRole('alert').filter({ hasText: 'cli-peer is a new contact.' });
    await prompt.getByRole('button', { name: 'Verify cli-peer' }).click();
    await expect(page.getByRole('heading', { name: 'Verify', level: 1 })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'cli-peer', level: 2 })).toBeVisible();
  });

  await test.step('the safety number shown is the one both key files give', async () => {
    const number = page.getByRole('list', { name: 'Safety number, 12 groups of 5 digits' });
    await expect(number.getByRole('listitem')).toHaveCount(12, { timeout: 15_000 });
    const shown = (await number.getByRole('listitem').allInnerTexts()).join('');
    const expected = await safetyNumber(await desktop.publicKey(), await peer.publicKey());
    expect(shown).toMatch(/^\d{60}$/);
    expect(shown).toBe(expected);
  });

  const zone = page.getByRole('group', { name: 'Screenshot of their QR code' });

  await test.step('a QR screenshot of another device is refused, and the contact stays unverified', async () => {
    const stranger = await cliSend(cli.device('cli-stranger'), relayUrl, [cli.tempDir('sealdrop-stranger-')]);
    stranger.sender.kill();
    await dropImage(zone, await qrPng(stranger.link));
    await expect(page.getByRole('alert').filter({ hasText: 'That code belongs to a different device.' })).toBeVisible({ timeout: 10_000 });
    expect(await contactStatus()).toEqual([{ name: 'cli-peer', status: 'seen' }]);
  });

  await test.step("a QR screenshot of the peer's own link verifies it", async () => {
    await dropImage(zone, await qrPng(send.link));
    await expect(page.getByRole('alert').filter({ hasText: 'cli-peer is verified.' })).toBeVisible({ timeout: 10_000 });
    expect(await contactStatus()).toEqual([{ name: 'cli-peer', status: 'verified' }]);
    const [contact] = desktop.desktop.trust.list();
    expect(contact?.state).toBe('verified');
    expect(contact?.verifiedAt).not.toBeNull();
  });

  await test.step('a screenshot dropped on the zone is not staged for sending', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: /^Send\b/ }).click();
    await expect(page.getByRole('heading', { name: 'Send', level: 1 })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Files and folders to send' })).toHaveCount(0);
  });
});
