/**
 * Rasterise assets/icon.svg into the PNGs the app needs, with Debian's Chromium (no image tools are assumed):
 *   assets/tray.png (32×32) and assets/tray@2x.png (64×64) — the tray icon (main/app/index.ts, electron-builder
 *   extraResources), transparent background.
 * Run after changing the SVG: `node scripts/render-icons.mjs`. The PNGs are committed; the build does not run this.
 */
import { readFile } from 'node:fs/promises';
import { chromium } from '@playwright/test';

const root = new URL('../', import.meta.url);
const svg = await readFile(new URL('assets/icon.svg', root), 'utf8');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  for (const [name, size] of [['tray.png', 32], ['tray@2x.png', 64]]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const sized = svg.replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
    await page.setContent(`<html><body style="margin:0;background:transparent">${sized}</body></html>`);
    await page.screenshot({ path: new URL(`assets/${name}`, root).pathname, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
    await page.close();
    console.log(`assets/${name} (${size}×${size})`);
  }
} finally {
  await browser.close();
}
