/**
 * Runs the benchmark inside a private network namespace (Linux, root), so every byte stays on this machine.
 *
 * Why: `sealdrop send` advertises every non-internal address of the machine (direct path) and puts its LAN
 * addresses first in the link (embedded relay), and libjuice gathers no loopback candidate (WebRTC), so on the
 * host namespace the CLI would dial the machine's own LAN/VM addresses. In the namespace the only interfaces are
 * `lo` and a veth pair whose one address (10.203.0.1) belongs to the namespace: packets to it, like packets to
 * 127.0.0.1, go through the kernel's local (loopback) path, and nothing routes out of the namespace. IPv6 is
 * switched off in it so no link-local candidates are gathered.
 *
 * The namespace is named after this process, created before the re-executed benchmark starts and deleted when it
 * ends (also on Ctrl-C). Without root or `ip`, the benchmark says so and runs where it is.
 */

import { spawn, spawnSync } from 'node:child_process';

const ENV = 'SEALDROP_BENCH_NETNS';
const ADDRESS = '10.203.0.1/24';

function ip(args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${(result.stderr || result.error?.message || '').trim()}`);
}

/** The namespace the benchmark runs in, if it is already inside one of ours. */
export function currentNetns(): string | null {
  return process.env[ENV] ?? null;
}

/**
 * Re-executes this script inside a fresh namespace and resolves with its exit code; resolves null when that is not
 * possible here (then the caller runs in place).
 */
export async function runInNetns(): Promise<number | null> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || currentNetns()) return null;
  const name = `sdbench${process.pid}`;
  try {
    ip(['netns', 'add', name]);
  } catch (error) {
    process.stderr.write(`note: no private network namespace (${error instanceof Error ? error.message : String(error)}); running in place\n`);
    return null;
  }
  const remove = () => spawnSync('ip', ['netns', 'del', name]);
  try {
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    ip(['-n', name, 'link', 'add', 'bench0', 'type', 'veth', 'peer', 'name', 'bench1']);
    ip(['-n', name, 'addr', 'add', ADDRESS, 'dev', 'bench0']);
    ip(['-n', name, 'link', 'set', 'bench0', 'up']);
    ip(['-n', name, 'link', 'set', 'bench1', 'up']);
    for (const key of ['all', 'default', 'lo', 'bench0', 'bench1']) {
      spawnSync('ip', ['netns', 'exec', name, 'sysctl', '-qw', `net.ipv6.conf.${key}.disable_ipv6=1`]);
    }
  } catch (error) {
    remove();
    process.stderr.write(`note: could not set up the network namespace (${error instanceof Error ? error.message : String(error)}); running in place\n`);
    return null;
  }
  const child = spawn('ip', ['netns', 'exec', name, process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [ENV]: name },
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  const code = await new Promise<number>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 130 : 1))));
  remove();
  return code;
}
