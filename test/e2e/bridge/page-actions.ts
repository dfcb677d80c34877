/**
 * What a person does to the window that Playwright has no verb for: dropping files from the desktop, dropping a
 * screenshot, reading a QR code off the screen, and keeping screenshots of the screens.
 *
 * Drops are real DOM DragEvents (dragenter → dragover → drop) carrying a real DataTransfer with File objects, so the
 * renderer's own drop handling runs. What Chromium cannot give a page-made File is a place on disk; the desktop
 * bridge maps dropped File names to paths instead (desktop-bridge.ts `registerFile`). For the same reason
 * `webkitGetAsEntry()` cannot tell that a dropped folder is a folder, so the send list shows it as an item without
 * the folder icon; main stats the path and sends the folder with everything in it either way.
 */

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page, TestInfo } from '@playwright/test';
import jsQR from 'jsqr';

export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../../reports/screenshots');

/** Drop items named `names` (empty Files: only their names reach the bridge) on `target`, as from a file manager. */
export async function dropFiles(target: Locator, names: readonly string[]): Promise<void> {
  await target.evaluate((element, fileNames) => {
    const data = new DataTransfer();
    for (const name of fileNames) data.items.add(new File([], name));
    for (const type of ['dragenter', 'dragover', 'drop']) {
      element.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true, composed: true }));
    }
  }, names);
}

/** Drop an image file with these bytes on `target` (e.g. a screenshot of another device's QR code). */
export async function dropImage(target: Locator, png: Uint8Array, name = 'screenshot.png'): Promise<void> {
  await target.evaluate(
    (element, { base64, fileName }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], fileName, { type: 'image/png' }));
      for (const type of ['dragenter', 'dragover', 'drop']) {
        element.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true, composed: true }));
      }
    },
    { base64: Buffer.from(png).toString('base64'), fileName: name },
  );
}

/**
 * The text of the QR code an <img> shows: the page draws the image's pixels into a canvas, and jsQR decodes them
 * here (a different decoder path from the renderer's own, which only reads screenshots).
 */
export async function readQr(image: Locator): Promise<string | null> {
  const pixels = await image.evaluate(async (element) => {
    const img = element as HTMLImageElement;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d')!;
    context.drawImage(img, 0, 0);
    const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { base64: btoa(binary), width, height };
  });
  const data = new Uint8ClampedArray(Buffer.from(pixels.base64, 'base64'));
  return jsQR(data, pixels.width, pixels.height)?.data ?? null;
}

/** Save a full-page screenshot as reports/screenshots/<screen>.png and attach it to the Playwright report. */
export async function keepScreenshot(page: Page, testInfo: TestInfo, screen: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${screen}.png`);
  // Let transitions (dialogs, snackbars, chips) settle; the caret and animations are frozen by the options.
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
  await testInfo.attach(`screen-${screen}`, { path, contentType: 'image/png' });
}
