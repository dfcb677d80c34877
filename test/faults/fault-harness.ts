/**
 * Helpers for the fault suites: they run the real `sealdrop` command through test/cli/harness.ts and break things
 * from the outside — SIGKILL a receiver, kill and restart a standalone relay — at a chosen point of a transfer.
 *
 * The point is chosen from the processes' own `--json` progress events. `whenEvent` runs its action inside the
 * stdout 'data' callback that parsed the line (the harness's parser is registered first, so `events` is already
 * up to date), not on a polling timer: on loopback a 40 MiB transfer takes about a second, and a poll interval
 * would let it run past the point the test means to hit.
 */

import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { device, runCli, tempDir, type CliProcess, type Json } from '../cli/harness';

/** Processes and folders to clean up after a suite (`cleanUp` in afterAll). */
export class Leftovers {
  private readonly processes: CliProcess[] = [];
  private readonly folders: string[] = [];

  process(p: CliProcess): CliProcess {
    this.processes.push(p);
    return p;
  }

  folder(path: string): string {
    this.folders.push(path);
    return path;
  }

  /** SIGKILLs every process still running, with its descendants (`npx` runs the CLI as a grandchild). */
  cleanUp(): void {
    for (const p of this.processes) {
      const pid = p.child.pid;
      if (pid === undefined || p.child.exitCode !== null || p.child.signalCode !== null) continue;
      for (const descendant of descendantsOf(pid)) {
        try {
          process.kill(descendant, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      p.kill('SIGKILL');
    }
    for (const f of this.folders) rmSync(f, { recursive: true, force: true });
  }
}

/** Process ids below `pid`, read from /proc (Linux); none elsewhere. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  for (const entry of entries) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces or parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (parent: number) => {
    for (const child of parents.get(parent) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** A folder holding one file of `bytes` random bytes, and the file's SHA-256. Written in slices to bound memory. */
export function randomFile(leftovers: Leftovers, bytes: number, name = 'blob.bin'): { dir: string; file: string; name: string; sha256: string } {
  const dir = leftovers.folder(tempDir('sealdrop-fault-src-'));
  const file = join(dir, name);
  const hash = createHash('sha256');
  const fd = openSync(file, 'w');
  try {
    for (let done = 0; done < bytes; ) {
      const slice = randomBytes(Math.min(8 * 1024 * 1024, bytes - done));
      writeSync(fd, slice);
      hash.update(slice);
      done += slice.length;
    }
  } finally {
    closeSync(fd);
  }
  return { dir, file, name, sha256: hash.digest('hex') };
}

/** A fresh device (own SEALDROP_HOME and key file) whose home is removed after the suite. */
export function freshDevice(leftovers: Leftovers, name: string): { env: NodeJS.ProcessEnv; home: string } {
  const d = device(name);
  leftovers.folder(d.home);
  return d;
}

export const isProgress = (e: Json): e is Json & { bytes: number; total: number } => e.event === 'progress';

export function progressEvents(p: CliProcess): { bytes: number; total: number }[] {
  return p.events.filter(isProgress);
}

/**
 * Resolves with the first event (already seen or still to come) matching `predicate`, after running `action` on it
 * synchronously. Rejects if the process exits first or after `timeoutMs`.
 */
export function whenEvent(p: CliProcess, predicate: (e: Json) => boolean, action?: (e: Json) => void, timeoutMs = 90_000): Promise<Json> {
  return new Promise<Json>((resolve, reject) => {
    let scanned = 0;
    const check = (): boolean => {
      for (; scanned < p.events.length; scanned++) {
        const e = p.events[scanned]!;
        if (predicate(e)) {
          action?.(e);
          resolve(e);
          return true;
        }
      }
      return false;
    };
    if (check()) return;
    const onData = () => {
      if (check()) stop();
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out waiting for an event; events: ${JSON.stringify(p.events.filter((e) => !isProgress(e)))}; stderr: ${p.stderr()}`));
    }, timeoutMs);
    const stop = () => {
      clearTimeout(timer);
      p.child.stdout.off('data', onData);
    };
    p.child.stdout.on('data', onData);
    void p.exit.then((code) =>
      setTimeout(() => {
        if (check()) return stop();
        stop();
        reject(new Error(`exited ${code} before the event; events: ${JSON.stringify(p.events.filter((e) => !isProgress(e)))}; stderr: ${p.stderr()}`));
      }, 50),
    );
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** `sealdrop relay --host 127.0.0.1 --port <port>`, resolved once it prints that it is listening. */
export async function startRelayProcess(leftovers: Leftovers, port: number): Promise<CliProcess> {
  const relay = leftovers.process(runCli(['relay', '--host', '127.0.0.1', '--port', String(port)], freshDevice(leftovers, 'relay').env));
  await whenEvent(relay, (e) => e.event === 'non-json' && String(e.line).includes('listening'), undefined, 30_000);
  return relay;
}

export const MiB = 1024 * 1024;

/** Random bytes that are not a file: for content that must stay untouched. */
export function randomText(): string {
  return randomBytes(16).toString('hex');
}
