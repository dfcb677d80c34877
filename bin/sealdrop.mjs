#!/usr/bin/env node
// Launcher for the `sealdrop` command. Runs the bundle built by `npm run build:cli` (done by `npm ci` through the
// `prepare` script); in a source checkout without a bundle, falls back to running the TypeScript through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli/sealdrop.mjs', import.meta.url));
let main;
if (existsSync(bundle)) {
  ({ main } = await import(pathToFileURL(bundle).href));
} else {
  const { tsImport } = await import('tsx/esm/api');
  ({ main } = await tsImport('../cli/main.ts', import.meta.url));
}
const code = await main(process.argv.slice(2));
// Exit explicitly once stdout is flushed: native WebRTC threads or a lingering socket must not keep the process alive.
process.stdout.write('', () => process.exit(code));
