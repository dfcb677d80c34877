/**
 * Before the browser tests: the CLI bundle the desktop scenarios talk to (as test/cli/global-setup.ts does for
 * vitest; bin/sealdrop.mjs would otherwise compile the TypeScript on every start), and the built renderer when it is
 * missing or older than its sources. CI builds the renderer in its own step first (.ci/test-all), so there this only
 * checks; a local `npx playwright test` after a renderer edit does not silently test the previous build. Where an
 * Electron binary exists, the whole desktop app is built too (for the _electron smoke test).
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

/** Newest modification time of any file under `dir` (skipping node_modules). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export default function globalSetup(): void {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: root, stdio: 'inherit' });
  const built = join(root, 'out/renderer/index.html');
  const sources = Math.max(newest(join(root, 'renderer')), newest(join(root, 'src')));
  if (!existsSync(built) || statSync(built).mtimeMs < sources) {
    execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], {
      cwd: root,
      stdio: 'inherit',
    });
  }
  // Where an Electron binary exists, build the whole desktop app once, here, for electron-smoke.spec.ts: building it
  // inside that test would rewrite out/renderer while other workers serve it.
  if (existsSync(join(root, 'node_modules/electron/path.txt'))) {
    execFileSync('npm', ['run', '--silent', 'build:desktop'], { cwd: root, stdio: 'inherit' });
  }
}
