/**
 * Runs the real `sealdrop` command (the bundle built by scripts/build-cli.mjs, see global-setup.ts) as child
 * processes, each with its own SEALDROP_HOME and key file, and reads their `--json` event lines.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin/sealdrop.mjs');

export type Json = Record<string, unknown> & { event?: string };

export interface CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly events: Json[];
  readonly stderr: () => string;
  /** Resolves with the first event named `name` (rejects if the process exits first or after `timeoutMs`). */
  waitFor(name: string, timeoutMs?: number): Promise<Json>;
  readonly exit: Promise<number>;
  kill(signal?: NodeJS.Signals): void;
}

export function tempDir(prefix = 'sealdrop-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A fresh device: its own home and key file. */
export function device(name: string): { env: NodeJS.ProcessEnv; home: string } {
  const home = tempDir(`sealdrop-${name}-`);
  return { home, env: { SEALDROP_HOME: home, SEALDROP_KEY_FILE: join(home, 'identity.key'), SEALDROP_NAME: name } };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, options: { cwd?: string; command?: string[] } = {}): CliProcess {
  const command = options.command ?? [process.execPath, BIN];
  const child = spawn(command[0]!, [...command.slice(1), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const events: Json[] = [];
  const waiters: { name: string; resolve: (e: Json) => void }[] = [];
  let stdoutBuffer = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    stdoutBuffer += text;
    let newline;
    while ((newline = stdoutBuffer.indexOf('\n')) >= 0) {
      const line = stdoutBuffer.slice(0, newline);
      stdoutBuffer = stdoutBuffer.slice(newline + 1);
      if (!line.trim()) continue;
      let event: Json;
      try {
        event = JSON.parse(line) as Json;
      } catch {
        event = { event: 'non-json', line };
      }
      events.push(event);
      for (const w of waiters.filter((w) => w.name === event.event)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderr += text));
  const exit = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  return {
    child,
    events,
    stderr: () => stderr,
    exit,
    kill: (signal = 'SIGTERM') => child.kill(signal),
    waitFor(name, timeoutMs = 60_000) {
      const seen = events.find((e) => e.event === name);
      if (seen) return Promise.resolve(seen);
      return new Promise<Json>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for "${name}"; events: ${JSON.stringify(events)}; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ name, resolve: (e) => (clearTimeout(timer), resolve(e)) });
        void exit.then((code) => {
          setTimeout(() => reject(new Error(`exited ${code} before "${name}"; events: ${JSON.stringify(events)}; stderr: ${stderr}`)), 50);
        });
      });
    },
  };
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** A folder of test files: a file of `bytes` random bytes, an empty file, an empty folder and a nested file. */
export function sampleTree(bytes = 3 * 1024 * 1024): { root: string; files: Record<string, string> } {
  const root = tempDir('sealdrop-src-');
  const dir = join(root, 'payload');
  mkdirSync(join(dir, 'nested'), { recursive: true });
  mkdirSync(join(dir, 'empty-folder'));
  writeFileSync(join(dir, 'big.bin'), randomBytes(bytes));
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'nested', 'note.md'), 'hello from sealdrop\n');
  const files: Record<string, string> = {};
  for (const rel of ['big.bin', 'empty.txt', 'nested/note.md']) files[`payload/${rel}`] = sha256File(join(dir, rel));
  return { root: dir, files };
}
