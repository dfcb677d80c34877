/**
 * `sealdrop relay` (relay/cli.ts): argument parsing, and a real run that prints its URLs, serves, and shuts down
 * cleanly — in process through an AbortSignal, and as a child process through SIGTERM.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RELAY_CLOSE } from '../../src/signaling/relay-protocol';
import { RelayUsageError, parseRelayArgs, runRelayCommand } from '../../relay/cli';
import { RelayClient, eventually, newRoomId } from './relay-client';

const root = path.resolve(import.meta.dirname, '..', '..');

function healthz(url: string): Promise<string> {
  const { hostname, port } = new URL(url.replace(/^ws/, 'http'));
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: '/healthz', agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(`${res.statusCode} ${body}`));
    });
    req.on('error', reject);
    req.end();
  });
}

function usageError(argv: string[]): unknown {
  try {
    parseRelayArgs(argv);
  } catch (error) {
    return error;
  }
  return null;
}

describe('parseRelayArgs', () => {
  it('has no opinions by default beyond logging to stdout', () => {
    expect(parseRelayArgs([])).toEqual({ help: false, limits: {}, log: 'stdout' });
  });

  it('reads every flag, with size suffixes and seconds', () => {
    expect(parseRelayArgs([
      '--host', '127.0.0.1', '--port', '8443', '--tls-cert', 'c.pem', '--tls-key', 'k.pem',
      '--max-message-bytes', '2M', '--high-water-bytes', '512K', '--max-buffered-bytes', '1G',
      '--max-connections-per-address', '10', '--max-rooms-per-address', '5',
      '--idle-timeout', '60', '--join-timeout', '2.5', '--log', 'stderr',
    ])).toEqual({
      help: false,
      host: '127.0.0.1',
      port: 8443,
      tlsCertPath: 'c.pem',
      tlsKeyPath: 'k.pem',
      limits: {
        maxMessageBytes: 2 * 1024 * 1024,
        highWaterBytes: 512 * 1024,
        maxBufferedBytes: 1024 ** 3,
        maxConnectionsPerAddress: 10,
        maxRoomsPerAddress: 5,
        idleTimeoutMs: 60_000,
        joinTimeoutMs: 2_500,
      },
      log: 'stderr',
    });
  });

  it.each([
    [['--bogus']],
    [['stray-positional']],
    [['--port', '70000']],
    [['--port', 'http']],
    [['--tls-cert', 'only-the-cert.pem']],
    [['--log', 'syslog']],
    [['--max-message-bytes', '0']],
    [['--max-message-bytes', '4X']],
    [['--max-rooms-per-address', '-1']],
    [['--idle-timeout', 'soon']],
    [['--host', '']],
  ])('rejects %j with a USAGE error', (argv) => {
    const error = usageError(argv);
    expect(error).toBeInstanceOf(RelayUsageError);
    expect((error as RelayUsageError).code).toBe('USAGE');
  });
});

describe('runRelayCommand', () => {
  it('prints usage for --help', async () => {
    const lines: string[] = [];
    await runRelayCommand(['--help'], { print: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatch(/--tls-cert FILE --tls-key FILE/);
  });

  it('reports inconsistent limits as a USAGE error', async () => {
    await expect(
      runRelayCommand(['--host', '127.0.0.1', '--high-water-bytes', '2M', '--max-buffered-bytes', '1M'], { logger: () => {} }),
    ).rejects.toBeInstanceOf(RelayUsageError);
  });

  it('prints its URLs, serves, and closes clients with 1001 when stopped', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const running = runRelayCommand(['--host', '127.0.0.1', '--port', '0'], {
      print: (line) => lines.push(line),
      logger: () => {},
      signal: stop.signal,
    });
    await eventually(() => lines.some((l) => l.includes('ws://')), 10_000, 'URLs printed');
    const url = lines.find((l) => l.includes('ws://'))!.trim();
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(await healthz(url)).toBe('200 ok');

    const client = await RelayClient.open(url);
    client.send({ type: 'join', roomId: newRoomId() });
    await client.next();
    stop.abort();
    await running;
    expect(await client.closeCode()).toBe(RELAY_CLOSE.GOING_AWAY);
    await expect(healthz(url)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('runs as a process and exits 0 on SIGTERM after closing its clients', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sealdrop-relay-cli-'));
    try {
      const script = path.join(dir, 'run-relay.mts');
      writeFileSync(script, [
        `import { runRelayCommand } from ${JSON.stringify(path.join(root, 'relay', 'cli.ts'))};`,
        'await runRelayCommand(process.argv.slice(2));',
      ].join('\n'));
      const child = spawn(process.execPath, ['--import', 'tsx', script, '--host', '127.0.0.1', '--port', '0', '--log', 'stderr'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await eventually(() => /ws:\/\/\S+/.test(stdout) || child.exitCode !== null, 30_000, 'URLs printed');
      const url = /ws:\/\/\S+/.exec(stdout)?.[0];
      expect(url, stderr).toBeDefined();

      const client = await RelayClient.open(url!);
      client.send({ type: 'join', roomId: newRoomId() });
      await client.next();
      child.kill('SIGTERM');
      expect(await client.closeCode(10_000)).toBe(RELAY_CLOSE.GOING_AWAY);
      expect(await exited).toBe(0);
      // stdout holds the human lines only; the JSON log went to stderr as asked.
      expect(stdout.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
      expect(stderr.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { event: string }).event)).toContain('stopped');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
