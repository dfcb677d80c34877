/**
 * Scenario (a): drop a folder on the window → the send screen shows a link and its QR code → the real `sealdrop
 * receive` command on another "device" gets byte-identical files at Level 3, and the app shows the transfer complete.
 *
 * The desktop side is the built renderer on the real main-process services (test/e2e/bridge/); its session —
 * handshake, encryption — runs in the page, over the DOM MessagePort the bridge hands it.
 */

import { join } from 'node:path';
import { parseLink } from '../../src/identity/link';
import { sha256File } from '../cli/harness';
import { expect, test } from './bridge/fixtures';
import { dropFiles, readQr } from './bridge/page-actions';

test.setTimeout(90_000);

test('a folder dropped on the window arrives identical at a CLI receiver, Level 3, and the app shows it complete', async ({ page, desktop, cli, relayUrl }) => {
  const tree = cli.sampleTree(3 * 1024 * 1024 + 5);
  desktop.registerFile('payload', tree.root);
  await desktop.open();
  await expect(page.getByRole('heading', { name: 'Send', level: 1 })).toBeVisible();
  // Served as main serves it: the real policy, with a fresh style nonce (the styled screen above needs it).
  expect(desktop.documentPolicy()).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self' 'nonce-[A-Za-z0-9+/]{22}=='; /);

  await test.step('drop the folder anywhere on the window', async () => {
    await dropFiles(page.getByRole('main'), ['payload']);
    await expect(page.getByRole('list', { name: 'Files and folders to send' }).getByText('payload', { exact: true })).toBeVisible();
  });

  const link = await test.step('create a link: the screen shows it with its QR code', async () => {
    await expect(page.getByRole('radio', { name: /Create a link/ })).toBeChecked();
    await page.getByRole('button', { name: 'Create link' }).click();
    await expect(page.getByRole('heading', { name: 'Your link is ready' })).toBeVisible({ timeout: 20_000 });
    // Main confirmed the dropped folder with its own dialog before reading it.
    expect(desktop.calls.confirmDropped).toEqual([[tree.root]]);
    const text = await page.getByRole('textbox', { name: 'Transfer link' }).inputValue();
    expect(parseLink(text).relays, 'the link names the relay of the settings').toEqual([relayUrl]);
    const qr = page.getByRole('img', { name: 'QR code of the transfer link' });
    await expect(qr).toBeVisible();
    expect(await readQr(qr), 'the QR code holds exactly the link shown').toBe(text);
    return text;
  });

  const out = cli.tempDir('sealdrop-cli-out-');
  const receiver = cli.device('cli-receiver').run(['receive', '--yes', '--json', '--out', out, link]);

  await test.step('the CLI receives every file, verified, at Level 3', async () => {
    const done = await receiver.waitFor('done', 60_000);
    expect(await receiver.exit, receiver.stderr()).toBe(0);
    expect(done.level).toBe(3);
    const connected = receiver.events.find((event) => event.event === 'connected') as { peer?: { name?: string; verifiedBy?: string } };
    expect(connected.peer?.name).toBe('desk');
    expect(connected.peer?.verifiedBy).toBe('link-fingerprint');
    const received = Object.fromEntries(Object.keys(tree.files).map((path) => [path, sha256File(join(out, path))]));
    expect(received).toEqual(tree.files);
  });

  await test.step('the app shows the transfer complete at Level 3', async () => {
    const linkResult = page.getByRole('region', { name: 'Your link is ready' });
    await expect(linkResult.getByRole('status')).toHaveText('Complete: every file was received and checked.', { timeout: 15_000 });
    await linkResult.getByRole('button', { name: 'Show in Transfers' }).click();
    // The receiver is now a contact (its key pinned by this first transfer), so the card names it.
    const card = page.getByRole('article', { name: 'To cli-receiver' });
    await expect(card).toHaveAttribute('data-state', 'complete');
    await expect(card.getByRole('button', { name: /^Level 3: End-to-end encrypted and verified/ })).toBeVisible();
    await expect(card.getByText('3.1 MB of 3.1 MB (100%)')).toBeVisible();
  });
});
