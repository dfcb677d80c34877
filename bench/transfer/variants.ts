/**
 * What-if builds of the `sealdrop` CLI, for measuring how much one suspected bottleneck costs, end to end, with
 * the same harness. Each is the normal bundle (scripts/build-cli.mjs settings) with ONE source file changed at
 * bundle time; nothing in the repository changes. They are measurements, not fixes: each one gives up something
 * the real code needs (named below), so none may ship as is.
 *
 *   native-hash    the running SHA-256 of received plaintext (src/crypto/sha256.ts `pureSha256`, used by the
 *                  session) is node:crypto's; `exportState` returns a fresh state, so RESUME WOULD BE WRONG.
 *                  Measures what the pure-TypeScript hash costs the receiver.
 *   lazy-persist   FsSink (main/adapters/fs-sink.ts) records progress every 1024 chunks / 2 s instead of every
 *                  64 chunks / 250 ms: more work redone after a crash. Measures what the fsync cadence costs.
 *   both           the two together.
 *
 * The bundle is written to the scratch folder; the packages left external (ws, node-datachannel, …) are imported by
 * absolute path so they still load from this repository's node_modules.
 */

import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type Plugin } from 'esbuild';

export const VARIANTS = ['native-hash', 'lazy-persist', 'both'] as const;
export type Variant = (typeof VARIANTS)[number];

const EXTERNAL = ['node-datachannel', '@napi-rs/keyring', 'ws', 'bufferutil', 'utf-8-validate', 'qrcode'];

const NATIVE_HASH = `
import { createHash as __nativeHash } from 'node:crypto';
/** What-if (bench/transfer/variants.ts): node:crypto SHA-256; exportState is NOT the real state. */
export const pureSha256: HashFactory = Object.freeze({
  create: (): IncrementalHash => {
    const h = __nativeHash('sha256');
    let total = 0;
    return {
      update(data: Uint8Array) { h.update(data); total += data.length; return this; },
      digest: () => new Uint8Array(h.digest()),
      exportState: () => new Sha256().exportState(),
      get bytesHashed() { return total; },
    };
  },
  fromState: (state: Uint8Array): IncrementalHash => Sha256.fromState(state),
});
`;

function patches(variant: Variant): { file: string; apply: (source: string) => string }[] {
  const hash = {
    file: 'src/crypto/sha256.ts',
    apply: (source: string) => {
      const start = source.indexOf('export const pureSha256: HashFactory = Object.freeze({');
      const end = source.indexOf('});', start);
      if (start < 0 || end < 0) throw new Error('variants: pureSha256 not found in src/crypto/sha256.ts');
      return source.slice(0, start) + NATIVE_HASH + source.slice(end + 3);
    },
  };
  const persist = {
    file: 'main/adapters/fs-sink.ts',
    apply: (source: string) => {
      const out = source.replace('options.persistIntervalMs ?? 250', 'options.persistIntervalMs ?? 2000').replace('options.persistEveryChunks ?? 64', 'options.persistEveryChunks ?? 1024');
      if (out === source) throw new Error('variants: persistence defaults not found in main/adapters/fs-sink.ts');
      return out;
    },
  };
  return variant === 'native-hash' ? [hash] : variant === 'lazy-persist' ? [persist] : [hash, persist];
}

/** Builds the variant and a launcher like bin/sealdrop.mjs; returns the launcher's path. */
export async function buildVariant(root: string, scratch: string, variant: Variant): Promise<string> {
  const outfile = join(scratch, `sealdrop-${variant}.mjs`);
  const plugin: Plugin = {
    name: 'what-if',
    setup(b) {
      for (const patch of patches(variant)) {
        const path = join(root, patch.file);
        b.onLoad({ filter: new RegExp(`${patch.file.replace(/[./]/g, '\\$&')}$`) }, async (args) => {
          if (args.path !== path) return undefined;
          return { contents: patch.apply(await readFile(path, 'utf8')), loader: 'ts' };
        });
      }
      b.onResolve({ filter: new RegExp(`^(${EXTERNAL.map((e) => e.replace(/[/.@-]/g, '\\$&')).join('|')})(/.*)?$`) }, (args) => {
        try {
          return { path: new URL(import.meta.resolve(args.path)).pathname, external: true };
        } catch {
          return { path: args.path, external: true }; // optional packages that are not installed stay bare
        }
      });
    },
  };
  await build({
    entryPoints: [join(root, 'cli/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [plugin],
    banner: { js: "import { createRequire as __sealdropRequire } from 'node:module'; const require = __sealdropRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const launcher = join(scratch, `sealdrop-${variant}-launcher.mjs`);
  writeFileSync(
    launcher,
    `import { main } from ${JSON.stringify(`./sealdrop-${variant}.mjs`)};\nconst code = await main(process.argv.slice(2));\nprocess.stdout.write('', () => process.exit(code));\n`,
  );
  return launcher;
}
