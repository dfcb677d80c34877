// Bundles the `sealdrop` command (cli/main.ts and everything it imports from src/, main/, relay/) into
// dist/cli/sealdrop.mjs for bin/sealdrop.mjs. Native and optional modules stay external and load from node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['cli/main.ts'],
  outfile: 'dist/cli/sealdrop.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external: ['node-datachannel', '@napi-rs/keyring', 'ws', 'bufferutil', 'utf-8-validate', 'qrcode'],
  // Some bundled CommonJS may call require(); give it one in the ES module output.
  banner: { js: "import { createRequire as __sealdropRequire } from 'node:module'; const require = __sealdropRequire(import.meta.url);" },
  logLevel: 'warning',
});
console.log('cli bundle: dist/cli/sealdrop.mjs');
