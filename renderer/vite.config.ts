/**
 * Builds the renderer: `npx vite build --config renderer/vite.config.ts` → out/renderer/ (index.html + assets/).
 *
 * - root is renderer/, and the only input is renderer/index.html: renderer/dev/ is never part of the build.
 * - base './' so the page works from app://sealdrop/ and from a test's static server alike.
 * - html.cspNonce: Vite emits <meta property="csp-nonce" nonce=…> and stamps the placeholder on the tags it
 *   writes; main's protocol handler replaces it per response (main/app/security.ts CSP_NONCE_PLACEHOLDER, same
 *   literal: the renderer may not import main/) and main.tsx hands it to Emotion for MUI's <style> elements.
 * - No inline script in the output: the module preload polyfill (an inline helper on older targets) is off, and
 *   the target is Electron's Chromium, which supports modulepreload natively. A check below fails the build if any
 *   inline <script> ever appears in index.html, so a CSP of script-src 'self' cannot be broken silently.
 */

import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../out/renderer', import.meta.url));

/** Fails the build when the emitted HTML contains an inline script (any <script> without src). */
function noInlineScripts(): Plugin {
  return {
    name: 'sealdrop:no-inline-scripts',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      for (const output of Object.values(bundle)) {
        if (output.type !== 'asset' || !output.fileName.endsWith('.html')) continue;
        const html = typeof output.source === 'string' ? output.source : new TextDecoder().decode(output.source);
        for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) {
          if (!/\ssrc=/i.test(tag)) this.error(`${output.fileName}: inline <script> is not allowed (CSP script-src 'self'): ${tag}`);
        }
        if (/\son[a-z]+\s*=/i.test(html)) this.error(`${output.fileName}: inline event handler attributes are not allowed`);
      }
    },
  };
}

export default defineConfig({
  root,
  base: './',
  html: { cspNonce: 'SEALDROP_CSP_NONCE' },
  plugins: [react(), noInlineScripts()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'chrome130',
    modulePreload: { polyfill: false },
    // Keep assets as files: data: URLs for scripts would need script-src data:, which the CSP does not allow.
    assetsInlineLimit: 0,
    sourcemap: true,
    // One bundle loaded from local disk at startup; splitting it would only add requests. React + MUI + the core.
    chunkSizeWarningLimit: 1200,
    rolldownOptions: { input: fileURLToPath(new URL('./index.html', import.meta.url)) },
  },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
});
