/**
 * CLI ↔ CLI on every path, with the real `sealdrop` command: the embedded relay (auto), forced direct, WebRTC and
 * relay paths, and a standalone relay over WSS with a self-signed certificate. Each asserts identical SHA-256 on
 * disk, the path reported, and Level 3 on both sides.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { device, runCli, sampleTree, sha256File, tempDir, type CliProcess } from './harness';

const running: CliProcess[] = [];
afterAll(() => running.forEach((p) => p.kill('SIGKILL')));

async function transfer(sendArgs: string[], receiveArgs: string[], expectPath: string | string[]) {
  const tree = sampleTree();
  const alice = device('alice');
  const bob = device('bob');
  const out = tempDir('sealdrop-out-');
  const sender = runCli(['send', '--json', ...sendArgs, tree.root], alice.env);
  running.push(sender);
  const ready = await sender.waitFor('ready');
  const receiver = runCli(['receive', '--json', '--yes', '--out', out, ...receiveArgs, String(ready.link)], bob.env);
  running.push(receiver);
  const [sent, received] = await Promise.all([sender.waitFor('done', 90_000), receiver.waitFor('done', 90_000)]);
  expect(await receiver.exit).toBe(0);
  expect(await sender.exit).toBe(0);
  const paths = Array.isArray(expectPath) ? expectPath : [expectPath];
  expect(paths).toContain(received.path);
  expect(received.level).toBe(3);
  expect(sent.level).toBe(3);
  const connected = receiver.events.find((e) => e.event === 'connected')!;
  expect((connected.peer as { verified: boolean; verifiedBy: string }).verifiedBy).toBe('link-fingerprint');
  for (const [rel, hash] of Object.entries(tree.files)) expect(sha256File(join(out, rel)), rel).toBe(hash);
  expect(existsSync(join(out, 'payload', 'empty-folder'))).toBe(true);
  expect(readdirSync(join(out, 'payload')).some((n) => n.endsWith('.sealdrop-part'))).toBe(false);
  expect(existsSync(join(out, '.sealdrop'))).toBe(false);
  const files = received.files as { path: string; sha256: string }[];
  for (const f of files) expect(f.sha256).toBe(tree.files[f.path]);
  return { sent, received };
}

describe('sealdrop send → sealdrop receive', () => {
  it('auto with the embedded relay picks the direct path on one machine', async () => {
    await transfer([], [], 'direct');
  });

  it('--path relay through the embedded relay', async () => {
    await transfer(['--path', 'relay'], ['--path', 'relay'], 'relay');
  });

  it('--path direct', async () => {
    await transfer(['--path', 'direct'], ['--path', 'direct'], 'direct');
  });

  it('--path webrtc (host candidates on loopback)', async () => {
    await transfer(['--path', 'webrtc'], ['--path', 'webrtc'], 'webrtc');
  });

  it('a standalone relay over WSS with a self-signed certificate', async () => {
    const dir = tempDir('sealdrop-tls-');
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const relay = runCli(['relay', '--host', '127.0.0.1', '--port', port, '--tls-cert', cert, '--tls-key', key], device('relay').env);
    running.push(relay);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const url = `wss://127.0.0.1:${port}/v1`;
    await transfer(['--relay', url, '--relay-ca', cert, '--path', 'relay'], ['--relay-ca', cert, '--path', 'relay'], 'relay');
    relay.kill();
  });
});
