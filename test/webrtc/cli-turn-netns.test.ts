/**
 * CLI ↔ CLI through a real coturn with the direct paths made impossible: `sealdrop send` runs in network namespace
 * sd-a, `sealdrop receive` in sd-b (test/net/netns.sh: each reaches the root namespace, never the other), the relay
 * and coturn run in the root namespace. With `--path auto` the receiver cannot dial the sender's signed TCP
 * addresses (10.201.1.2 is unreachable from sd-b), WebRTC host candidates cannot connect, so the transfer must go
 * through TURN — and it must still be Level 3 with identical bytes.
 *
 * Skipped with the reason when the namespaces or coturn are missing, unless CI_REQUIRE_NETNS=1 (set by .ci/test-all).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay } from '../../relay/server';
import { BIN, device, runCli, sampleTree, sha256File, tempDir, type CliProcess } from '../cli/harness';

const TURN = 'turn:sealdrop:ci-secret@10.201.1.1:3478';

function missingSetup(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs Linux and root';
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (list.status !== 0) return 'iproute2 missing';
  for (const ns of ['sd-a', 'sd-b']) if (!list.stdout.includes(ns)) return `namespace ${ns} missing (test/net/netns.sh up)`;
  const turn = spawnSync('pgrep', ['-x', 'turnserver']);
  if (turn.status !== 0) return 'coturn is not running (test/net/coturn.sh start)';
  return null;
}

const missing = missingSetup();
const required = process.env.CI_REQUIRE_NETNS === '1';
const running: CliProcess[] = [];
let relay: Awaited<ReturnType<typeof startRelay>> | null = null;

beforeAll(async () => {
  if (!missing) relay = await startRelay({ host: '0.0.0.0', port: 0, logger: () => undefined });
});
afterAll(async () => {
  running.forEach((p) => p.kill('SIGKILL'));
  await relay?.close();
});

describe.skipIf(missing !== null && !required)('sealdrop across isolated namespaces (TURN)', () => {
  it('auto falls back to WebRTC through TURN: identical SHA-256, path "turn", Level 3', async () => {
    expect(missing, 'the network fixtures (netns + coturn) must be up').toBeNull();
    const tree = sampleTree(2 * 1024 * 1024);
    const out = tempDir('sealdrop-turn-out-');
    const alice = device('alice-ns');
    const bob = device('bob-ns');
    const sender = runCli(
      ['send', '--json', '--relay', `ws://10.201.1.1:${relay!.port}/v1`, '--turn', TURN, tree.root],
      alice.env,
      { command: ['ip', 'netns', 'exec', 'sd-a', process.execPath, BIN] },
    );
    running.push(sender);
    const ready = await sender.waitFor('ready');
    const receiver = runCli(
      ['receive', '--json', '--yes', '--turn', TURN.replace('10.201.1.1', '10.201.2.1'), '--out', out, String(ready.link)],
      bob.env,
      { command: ['ip', 'netns', 'exec', 'sd-b', process.execPath, BIN] },
    );
    running.push(receiver);
    const [sent, received] = await Promise.all([sender.waitFor('done', 120_000), receiver.waitFor('done', 120_000)]);
    expect(await receiver.exit).toBe(0);
    expect(await sender.exit).toBe(0);
    expect(received.path).toBe('turn');
    expect(received.level).toBe(3);
    expect(sent.level).toBe(3);
    for (const [rel, hash] of Object.entries(tree.files)) expect(sha256File(join(out, rel)), rel).toBe(hash);
  }, 180_000);
});
