// Bundles the protocol core for the browser test (test/e2e/core-in-chromium.spec.ts):
//
//   test/e2e/browser-entry.ts  →  dist/browser/core-bundle.js (+ .map), and test/e2e/index.html beside it.
//
// The bundle is built for a browser with no Node polyfills, and any import of a Node builtin (fs, node:crypto, …)
// anywhere in the graph fails the build with the importing file named. ESLint already forbids such imports in src/
// by name; this is the check that cannot be argued with, because it follows the real import graph, including
// src/testing/ and anything the core pulls in from node_modules. A passing build is the proof that the core is
// platform-neutral; the Playwright test then proves it also *works* there.
//
// Usage: npm run build:core-bundle   (also run by .ci/test-all before Playwright)

import { copyFile, mkdir, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { relative, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const entry = resolve(root, 'test/e2e/browser-entry.ts');
const page = resolve(root, 'test/e2e/index.html');
const outDir = resolve(root, 'dist/browser');

/** 'fs', 'fs/promises', 'node:fs', 'node:test' (prefix-only builtins are not in builtinModules). */
const NODE_BUILTIN = new RegExp(
  `^(node:.*|(${builtinModules.map((name) => name.replace(/[/]/g, '\\/')).join('|')})(\\/.*)?)$`,
);

/** Turns every Node-builtin import into a build error that names the importer. */
const rejectNodeBuiltins = {
  name: 'reject-node-builtins',
  setup(build) {
    build.onResolve({ filter: NODE_BUILTIN }, (args) => ({
      errors: [{
        text: `"${args.path}" is a Node builtin, imported by ${relative(root, args.importer) || '(entry)'} ` +
          `(${args.kind}). The core must run unchanged in the browser: WebCrypto + Uint8Array only.`,
      }],
    }));
  },
};

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });

let result;
try {
  result = await esbuild.build({
    entryPoints: [entry],
    outfile: resolve(outDir, 'core-bundle.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [rejectNodeBuiltins],
  });
} catch {
  // esbuild has already printed the errors (logLevel); leave no half-built output behind for Playwright to find.
  await rm(outDir, { recursive: true, force: true });
  console.error('core bundle: FAILED');
  process.exit(1);
}

await copyFile(page, resolve(outDir, 'index.html'));

const inputs = Object.keys(result.metafile.inputs);
const fromNodeModules = inputs.filter((path) => path.includes('node_modules/'));
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(
  `core bundle: ${relative(root, outDir)}/core-bundle.js, ${inputs.length} modules ` +
    `(${fromNodeModules.length} from node_modules), ${(bytes / 1024).toFixed(1)} KiB; index.html copied`,
);
