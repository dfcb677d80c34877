/**
 * electron-vite: builds the three parts of the desktop app into out/ (`npm run build:desktop`), or serves them for
 * development (`npm start`, which needs a machine that can download the Electron binary).
 *
 *   main      main/app/index.ts  → out/main/index.js      (ESM, Node target of Electron's runtime; dependencies
 *                                                          stay in node_modules, natives unpacked from the asar)
 *   preload   preload/index.ts   → out/preload/index.cjs  (CommonJS, one self-contained file: a sandboxed preload
 *                                                          cannot be an ES module and can require only 'electron')
 *   renderer  renderer/          → out/renderer/          (renderer/vite.config.ts, the renderer's own build, plus
 *                                                          the CSP nonce placeholder below)
 *
 * `html.cspNonce` makes Vite write CSP_NONCE_PLACEHOLDER into index.html (a `<meta property="csp-nonce">` and a
 * nonce attribute on its tags); main's app:// handler replaces it with a fresh nonce per response, which the
 * renderer hands to Emotion (see main/app/security.ts, "CSP decision").
 */

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { CSP_NONCE_PLACEHOLDER } from './main/app/security';
import rendererConfig from './renderer/vite.config';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: here('./out/main'),
      rolldownOptions: { input: { index: here('./main/app/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: here('./out/preload'),
      rolldownOptions: {
        input: { index: here('./preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...rendererConfig,
    html: { ...rendererConfig.html, cspNonce: CSP_NONCE_PLACEHOLDER },
  },
});
