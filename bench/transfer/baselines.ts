/**
 * Baselines measured in the same run as the Sealdrop paths: raw TCP, raw `ws`, bare node-datachannel. Each runs
 * its two ends as two processes (baseline-peer.ts, bundled with esbuild and run with plain `node`), with the same
 * payload, timed the same way as the CLI runs: the receiver saying "connected" → the receiver saying "done".
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import type { Payload } from './payload';
import type { PeerConfig } from './baseline-peer';
import { procCpu, since, stop, tail, watch, type Watched } from './proc';
import type { PathGroup, Result } from './result';

export type BaselineKind = PeerConfig['kind'];

export const BASELINES: Record<BaselineKind, { name: string; group: PathGroup }> = {
  tcp: { name: 'raw TCP (node:net)', group: 'direct' },
  ws: { name: 'raw ws (client → server)', group: 'relay' },
  webrtc: { name: 'bare node-datachannel', group: 'webrtc' },
};

const CHUNK = 64 * 1024;
const TIMEOUT_MS = 20 * 60_000;

/**
 * Bundles the peer script into the scratch folder; returns its path. CommonJS, so that the external packages
 * (node-datachannel, ws) resolve through NODE_PATH from the repository's node_modules (ESM resolution would look
 * beside the bundle only).
 */
export async function buildPeer(root: string, scratch: string): Promise<string> {
  const outfile = join(scratch, 'baseline-peer.cjs');
  await build({
    entryPoints: [join(root, 'bench/transfer/baseline-peer.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['node-datachannel', 'ws', 'bufferutil', 'utf-8-validate'],
    logLevel: 'warning',
  });
  return outfile;
}

type PeerMessage = { type: string; port?: number; data?: unknown; message?: string; bytes?: number; files?: number };

function startPeer(root: string, script: string, config: PeerConfig, scratch: string): { proc: Watched; messages: PeerMessage[]; next(type: string): Promise<PeerMessage & { at: number }> } {
  // The config goes in a file: 10,000 paths do not fit on a command line (E2BIG).
  const configFile = join(scratch, `peer-${config.kind}-${config.role}.json`);
  writeFileSync(configFile, JSON.stringify(config));
  const proc = watch(process.execPath, [script, configFile], {
    cwd: root,
    env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const messages: PeerMessage[] = [];
  const waiters: { type: string; resolve: (m: PeerMessage & { at: number }) => void; reject: (e: Error) => void }[] = [];
  proc.child.on('message', (message: PeerMessage) => {
    const at = performance.now();
    messages.push(message);
    if (message.type === 'error') for (const w of waiters.splice(0)) w.reject(new Error(`${config.kind} ${config.role}: ${message.message}`));
    for (const w of waiters.filter((w) => w.type === message.type)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve({ ...message, at });
    }
  });
  void proc.exit.then((code) => {
    for (const w of waiters.splice(0)) w.reject(new Error(`${config.kind} ${config.role} exited ${code}: ${tail(proc.stderr)}`));
  });
  return {
    proc,
    messages,
    next: (type) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${config.kind} ${config.role}: no "${type}" in time`)), TIMEOUT_MS);
        waiters.push({ type, resolve: (m) => (clearTimeout(timer), resolve(m)), reject: (e) => (clearTimeout(timer), reject(e)) });
      }),
  };
}

export async function runBaseline(root: string, script: string, kind: BaselineKind, payload: Payload, scratch: string): Promise<Result> {
  const out = mkdtempSync(join(scratch, `out-${kind}-`));
  const files = payload.kind === 'file' ? [payload.path] : payload.names.map((n) => join(payload.path, n));
  const base = { name: BASELINES[kind].name, family: 'baseline' as const, group: BASELINES[kind].group, payload: payload.kind, payloadLabel: payload.label, bytes: payload.bytes, files: payload.files };
  let receiver: ReturnType<typeof startPeer> | null = null;
  let sender: ReturnType<typeof startPeer> | null = null;
  try {
    receiver = startPeer(root, script, { kind, role: 'receive', out, chunk: CHUNK }, scratch);
    const connected = receiver.next('connected');
    const done = receiver.next('done');
    connected.catch(() => undefined);
    done.catch(() => undefined);
    let port: number | undefined;
    if (kind !== 'webrtc') port = (await receiver.next('listening')).port;
    const started = performance.now();
    sender = startPeer(root, script, { kind, role: 'send', files, chunk: CHUNK, ...(port !== undefined ? { port } : {}) }, scratch);
    if (kind === 'webrtc') {
      const a = sender;
      const b = receiver;
      a.proc.child.on('message', (m: PeerMessage) => m.type === 'signal' && b.proc.child.send({ type: 'signal', data: m.data }));
      b.proc.child.on('message', (m: PeerMessage) => m.type === 'signal' && a.proc.child.send({ type: 'signal', data: m.data }));
    }
    const senderFailed = sender.next('error').then((m) => Promise.reject(new Error(m.message)));
    senderFailed.catch(() => undefined);
    const t0 = await Promise.race([connected, senderFailed]);
    const cpuAtStart = { sender: procCpu(sender.proc.pid), receiver: procCpu(receiver.proc.pid) };
    const t1 = await Promise.race([done, senderFailed]);
    if (t1.bytes !== payload.bytes || t1.files !== payload.files) {
      throw new Error(`${kind}: received ${t1.bytes} bytes in ${t1.files} files, expected ${payload.bytes} in ${payload.files}`);
    }
    for (const p of [sender, receiver]) p.proc.child.send({ type: 'quit' });
    await Promise.all([sender.proc.exit, receiver.proc.exit]);
    return {
      ...base,
      seconds: (t1.at - t0.at) / 1000,
      wallSeconds: (t1.at - started) / 1000,
      rss: { sender: sender.proc.peakRss(), receiver: receiver.proc.peakRss() },
      cpu: { sender: since(sender.proc.cpuSeconds(), cpuAtStart.sender), receiver: since(receiver.proc.cpuSeconds(), cpuAtStart.receiver) },
      load: loadavg() as [number, number, number],
    };
  } catch (error) {
    return { ...base, seconds: null, wallSeconds: null, rss: { sender: sender?.proc.peakRss() ?? null, receiver: receiver?.proc.peakRss() ?? null }, error: String(error instanceof Error ? error.message : error), load: loadavg() as [number, number, number] };
  } finally {
    await stop(sender?.proc);
    await stop(receiver?.proc);
    rmSync(out, { recursive: true, force: true });
  }
}
