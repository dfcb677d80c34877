/**
 * Steps more than one desktop scenario takes, written once: what the user does in the app (accessible locators
 * only) while a CLI device does its part. Each step asserts what it relies on, so a broken step fails where it broke.
 */

import { expect, type Page } from '@playwright/test';
import type { Json, CliProcess } from '../../cli/harness';
import type { CliDevice, CliPeers } from './cli-peers';
import type { DesktopBridge } from './desktop-bridge';

/** Go to a section with the navigation. */
export async function openSection(page: Page, name: 'Send' | 'Receive' | 'Transfers' | 'Contacts' | 'Verify' | 'Settings'): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: new RegExp(`^${name}\\b`) }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
}

/** Choose the download folder through the app's button (main's folder dialog is the bridge's fake). */
export async function chooseDownloadFolder(page: Page, desktop: DesktopBridge, folder: string): Promise<void> {
  await openSection(page, 'Receive');
  desktop.chooseNext(folder);
  const before = desktop.calls.chooseDirectory;
  await page.getByRole('button', { name: 'Change download folder' }).click();
  await expect(page.getByLabel('Download folder', { exact: true })).toHaveText(folder);
  expect(desktop.calls.chooseDirectory).toBe(before + 1);
}

export interface CliSend {
  readonly sender: CliProcess;
  readonly link: string;
  readonly ready: Json;
}

/** `sealdrop send --json --relay <relay> <paths…>` on `device`; resolves once it printed its link. */
export async function cliSend(device: CliDevice, relayUrl: string, paths: readonly string[]): Promise<CliSend> {
  const sender = device.run(['send', '--json', '--relay', relayUrl, ...paths]);
  const ready = await sender.waitFor('ready', 30_000);
  const link = ready.link;
  if (typeof link !== 'string') throw new Error(`the CLI printed no link: ${JSON.stringify(ready)}`);
  return { sender, link, ready };
}

/** Paste `link` on the Receive screen and submit it. */
export async function pasteLink(page: Page, link: string): Promise<void> {
  await openSection(page, 'Receive');
  const form = page.getByRole('region', { name: 'Receive from a link' });
  await form.getByRole('textbox', { name: 'Sealdrop link' }).fill(link);
  await form.getByRole('button', { name: 'Receive', exact: true }).click();
}

/** The offer card from `peerName`. */
export function offerCard(page: Page, peerName: string) {
  return page.getByRole('article', { name: new RegExp(`(^|“)${peerName}”? wants to send you`) });
}

/**
 * A CLI device sends the sample tree by link; the desktop receives it into `downloadDir` (chosen with the app's
 * folder button) and the user accepts the offer. Resolves once both sides finished; asserts both reached Level 3.
 */
export async function receiveFromCli(
  page: Page,
  desktop: DesktopBridge,
  cli: CliPeers,
  relayUrl: string,
  device: CliDevice,
  options: { readonly beforeAccept?: () => Promise<void> } = {},
): Promise<{ readonly tree: ReturnType<CliPeers['sampleTree']>; readonly downloadDir: string; readonly send: CliSend }> {
  const tree = cli.sampleTree(512 * 1024);
  const downloadDir = cli.tempDir('sealdrop-desktop-downloads-');
  await chooseDownloadFolder(page, desktop, downloadDir);
  const send = await cliSend(device, relayUrl, [tree.root]);
  await pasteLink(page, send.link);
  const card = offerCard(page, device.name);
  await expect(card).toBeVisible({ timeout: 20_000 });
  await options.beforeAccept?.();
  await card.getByRole('button', { name: 'Accept' }).click();
  const done = await send.sender.waitFor('done', 30_000);
  expect(await send.sender.exit, send.sender.stderr()).toBe(0);
  expect(done.level).toBe(3);
  await openSection(page, 'Transfers');
  await expect(page.getByRole('article', { name: `From ${device.name}` })).toHaveAttribute('data-state', 'complete', { timeout: 15_000 });
  return { tree, downloadDir, send };
}
