/**
 * magic-wormhole on the same payload, when Debian's packages are installed (magic-wormhole,
 * magic-wormhole-transit-relay, python3-magic-wormhole-mailbox-server): a local mailbox server and transit relay
 * (`python3 -m twisted wormhole-mailbox` / `transitrelay`, the packaged twist plugins), then
 * `wormhole send --code C <file>` and `wormhole receive --accept-file -o <out> C`.
 *
 * Paths: "direct" lets both sides listen, so on one machine the direct TCP hint wins the race; "relay" passes
 * --no-listen to both, so the transit relay is the only way through. The receiver prints which one it used
 * ("Receiving (->tcp:…)" or "(->relay:…)"); the table shows it.
 *
 * Timed like the Sealdrop runs: the receiver's "Receiving (…).." line (transit connected) → its "Received file
 * written to" line (data written and hashed). Progress bars are off on both sides (--hide-progress).
 */

import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { FilePayload } from './payload';
import { procCpu, since, stop, tail, watch, type Watched } from './proc';
import type { Result } from './result';

const WORMHOLE = '/usr/bin/wormhole';
const PYTHON = '/usr/bin/python3'; // Debian's, where the twisted plugins are (not a pyenv python on PATH)

export function wormholeInstalled(): boolean {
  if (!existsSync(WORMHOLE) || !existsSync(PYTHON)) return false;
  return (
    existsSync('/usr/lib/python3/dist-packages/twisted/plugins/magic_wormhole_mailbox.py') &&
    existsSync('/usr/lib/python3/dist-packages/twisted/plugins/magic_wormhole_transit_relay.py')
  );
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function runWormhole(mode: 'direct' | 'relay', payload: FilePayload, scratch: string): Promise<Result> {
  const base = {
    name: mode === 'direct' ? 'magic-wormhole (direct)' : 'magic-wormhole (transit relay only)',
    family: 'wormhole' as const,
    group: mode,
    payload: payload.kind,
    payloadLabel: payload.label,
    bytes: payload.bytes,
    files: 1,
  };
  const load = () => loadavg() as [number, number, number];
  if (!wormholeInstalled()) {
    return { ...base, seconds: null, wallSeconds: null, rss: { sender: null, receiver: null }, error: 'not installed', load: load() };
  }
  const work = mkdtempSync(join(scratch, `wormhole-${mode}-`));
  const procs: Watched[] = [];
  let mailbox: Watched | null = null;
  let transit: Watched | null = null;
  let sender: Watched | null = null;
  let receiver: Watched | null = null;
  try {
    const [mailboxPort, transitPort] = [await freePort(), await freePort()];
    mailbox = watch(PYTHON, ['-m', 'twisted', 'wormhole-mailbox', `--port=tcp:${mailboxPort}:interface=127.0.0.1`, `--channel-db=${join(work, 'mailbox.sqlite')}`], { cwd: work });
    transit = watch(PYTHON, ['-m', 'twisted', 'transitrelay', `--port=tcp:${transitPort}:interface=127.0.0.1`], { cwd: work });
    procs.push(mailbox, transit);
    await waitForPort(mailboxPort, 20_000);
    await waitForPort(transitPort, 20_000);
    const global = ['--relay-url', `ws://127.0.0.1:${mailboxPort}/v1`, '--transit-helper', `tcp:127.0.0.1:${transitPort}`];
    const listen = mode === 'relay' ? ['--no-listen'] : [];
    const code = `${100 + Math.floor(Math.random() * 800)}-sealdrop-bench`;
    const out = join(work, 'received.bin');
    const started = performance.now();
    sender = watch(WORMHOLE, [...global, 'send', '--hide-progress', ...listen, '--code', code, payload.path], { cwd: work });
    receiver = watch(WORMHOLE, [...global, 'receive', '--hide-progress', '--accept-file', ...listen, '-o', out, code], { cwd: work });
    procs.push(sender, receiver);
    const receiving = await receiver.waitLine('stderr', (t) => t.startsWith('Receiving ('), 120_000);
    const cpuAtStart = { sender: procCpu(sender.pid), receiver: procCpu(receiver.pid), relay: procCpu(transit.pid) };
    const written = await receiver.waitLine('stderr', (t) => t.startsWith('Received file written'), 30 * 60_000);
    const [s, r] = await Promise.all([sender.exit, receiver.exit]);
    if (s !== 0 || r !== 0) throw new Error(`exit codes: sender ${s}, receiver ${r}; ${tail(receiver.stderr)} ${tail(sender.stderr)}`);
    if (statSync(out).size !== payload.bytes) throw new Error('received file has the wrong size');
    const via = /Receiving \((.*)\)/.exec(receiving.text)?.[1] ?? '?';
    return {
      ...base,
      seconds: (written.at - receiving.at) / 1000,
      wallSeconds: (written.at - started) / 1000,
      rss: { sender: sender.peakRss(), receiver: receiver.peakRss(), relay: mode === 'relay' ? transit.peakRss() : null },
      cpu: {
        sender: since(sender.cpuSeconds(), cpuAtStart.sender),
        receiver: since(receiver.cpuSeconds(), cpuAtStart.receiver),
        relay: mode === 'relay' ? since(procCpu(transit.pid), cpuAtStart.relay) : null,
      },
      via,
      load: load(),
    };
  } catch (error) {
    return {
      ...base,
      seconds: null,
      wallSeconds: null,
      rss: { sender: sender?.peakRss() ?? null, receiver: receiver?.peakRss() ?? null },
      error: error instanceof Error ? error.message : String(error),
      load: load(),
    };
  } finally {
    for (const p of procs.reverse()) await stop(p, 'SIGTERM');
    for (const p of procs) await stop(p);
    rmSync(work, { recursive: true, force: true });
  }
}
