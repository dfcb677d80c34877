/**
 * One CLI → CLI transfer with the real `sealdrop` command (bin/sealdrop.mjs running the esbuild bundle), as a
 * user runs it: `sealdrop send --json --path P <payload>` with the embedded relay, then `sealdrop receive --json
 * --yes --path P --out <dir> <link>`, each with its own SEALDROP_HOME and key file (as test/cli/harness.ts does).
 *
 * Timed from the receiver's `connected` event to its `done` event (lines timestamped as they arrive on stdout):
 * the handshake is done by then, and `done` means every file was decrypted, hashed, fsync'ed and renamed.
 * The wall time (sender start → receiver `done`) adds start-up, the sender's SHA-256 scan and the rendezvous.
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Payload } from './payload';
import { procCpu, since, stop, tail, watch, type Watched } from './proc';
import type { PathGroup, Result } from './result';

export interface SealdropRunOptions {
  /** Write V8 CPU profiles of both processes here (node --cpu-prof). */
  readonly profileDir?: string;
  readonly timeoutMs?: number;
  /** A what-if build: its launcher (bench/transfer/variants.ts) and name. Default: bin/sealdrop.mjs. */
  readonly variant?: { readonly name: string; readonly launcher: string };
}

function device(scratch: string, name: string): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(scratch, `home-${name}-`));
  return { SEALDROP_HOME: home, SEALDROP_KEY_FILE: join(home, 'identity.key'), SEALDROP_NAME: name };
}

function event(text: string): { event?: string; [key: string]: unknown } | null {
  if (!text.startsWith('{')) return null;
  try {
    return JSON.parse(text) as { event?: string };
  } catch {
    return null;
  }
}

const isEvent = (name: string) => (text: string) => text.includes(`"event":"${name}"`) || text.includes('"event":"error"');

/** Every file of `payload` exists under `out` with its size (the receiver already checked each SHA-256). */
function checkOutput(payload: Payload, out: string): void {
  const root = join(out, basename(payload.path));
  if (payload.kind === 'file') {
    const size = statSync(root).size;
    if (size !== payload.bytes) throw new Error(`received file has ${size} bytes, expected ${payload.bytes}`);
    return;
  }
  const names = readdirSync(root);
  if (names.length !== payload.files) throw new Error(`received ${names.length} files, expected ${payload.files}`);
}

export async function runSealdrop(root: string, path: PathGroup, payload: Payload, scratch: string, options: SealdropRunOptions = {}): Promise<Result> {
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const out = mkdtempSync(join(scratch, `out-sealdrop-${path}-`));
  const bin = options.variant?.launcher ?? join(root, 'bin/sealdrop.mjs');
  const nodeArgs: string[] = [];
  if (options.profileDir) {
    mkdirSync(options.profileDir, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
  }
  const base = {
    name: `sealdrop --path ${path}${options.variant ? ` [what-if: ${options.variant.name}]` : ''}`,
    family: 'sealdrop' as const,
    group: path,
    payload: payload.kind,
    payloadLabel: payload.label,
    bytes: payload.bytes,
    files: payload.files,
    ...(options.variant ? { variant: options.variant.name } : {}),
  };
  let sender: Watched | null = null;
  let receiver: Watched | null = null;
  try {
    const started = performance.now();
    sender = watch(process.execPath, [...nodeArgs, bin, 'send', '--json', '--path', path, payload.path], {
      cwd: root,
      env: { ...process.env, ...device(scratch, 'alice') },
    });
    const ready = event((await sender.waitLine('stdout', isEvent('ready'), timeoutMs)).text);
    if (ready?.event !== 'ready') throw new Error(`sender: ${JSON.stringify(ready)}`);
    receiver = watch(process.execPath, [...nodeArgs, bin, 'receive', '--json', '--yes', '--path', path, '--out', out, String(ready.link)], {
      cwd: root,
      env: { ...process.env, ...device(scratch, 'bob') },
    });
    const connected = await receiver.waitLine('stdout', isEvent('connected'), 120_000);
    const cpuAtStart = { sender: procCpu(sender.pid), receiver: procCpu(receiver.pid) };
    const connectedEvent = event(connected.text);
    if (connectedEvent?.event !== 'connected') throw new Error(`receiver: ${connected.text}`);
    const done = await receiver.waitLine('stdout', isEvent('done'), timeoutMs);
    const doneEvent = event(done.text);
    if (doneEvent?.event !== 'done') throw new Error(`receiver: ${done.text}`);
    const [sent, received] = await Promise.all([sender.exit, receiver.exit]);
    if (sent !== 0 || received !== 0) throw new Error(`exit codes: sender ${sent}, receiver ${received}; ${tail(receiver.stderr)}`);
    checkOutput(payload, out);
    return {
      ...base,
      seconds: (done.at - connected.at) / 1000,
      wallSeconds: (done.at - started) / 1000,
      rss: { sender: sender.peakRss(), receiver: receiver.peakRss(), relay: null },
      cpu: { sender: since(sender.cpuSeconds(), cpuAtStart.sender), receiver: since(receiver.cpuSeconds(), cpuAtStart.receiver) },
      via: `${String(doneEvent.path)}, level ${String(doneEvent.level)}`,
      load: loadavg() as [number, number, number],
    };
  } catch (error) {
    return {
      ...base,
      seconds: null,
      wallSeconds: null,
      rss: { sender: sender?.peakRss() ?? null, receiver: receiver?.peakRss() ?? null },
      error: error instanceof Error ? error.message : String(error),
      load: loadavg() as [number, number, number],
    };
  } finally {
    // SIGTERM first so a --cpu-prof run still writes its profile if the transfer failed.
    await stop(receiver, 'SIGTERM');
    await stop(sender, 'SIGTERM');
    await stop(receiver);
    await stop(sender);
    rmSync(out, { recursive: true, force: true });
  }
}
