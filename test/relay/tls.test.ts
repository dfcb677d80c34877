/**
 * wss:// with a self-signed P-256 certificate made at test time by openssl: a client that trusts the certificate
 * joins and exchanges payloads, a client that does not is refused by TLS, and /healthz is served over https.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RelayServer } from '../../relay/server';
import { RelayClient, newRoomId } from './relay-client';

let dir: string;
let cert: Buffer;
let key: Buffer;
let relay: RelayServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sealdrop-relay-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  cert = readFileSync(path.join(dir, 'cert.pem'));
  key = readFileSync(path.join(dir, 'key.pem'));
  relay = await startRelay({ host: '127.0.0.1', port: 0, tls: { cert, key }, logger: () => {} });
});

afterAll(async () => {
  await relay?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('relay over TLS', () => {
  it('advertises wss:// URLs', () => {
    expect(relay.urls()).toEqual([`wss://127.0.0.1:${relay.port}/v1`]);
  });

  it('pairs two clients that trust the certificate and delivers both ways', async () => {
    const url = relay.urls()[0]!;
    const roomId = newRoomId();
    const a = await RelayClient.open(url, { ca: cert });
    const b = await RelayClient.open(url, { ca: cert });
    a.send({ type: 'join', roomId });
    expect(await a.next()).toEqual({ type: 'joined', othersPresent: false });
    b.send({ type: 'join', roomId });
    expect(await b.next()).toEqual({ type: 'joined', othersPresent: true });
    expect(await a.next()).toEqual({ type: 'peer', present: true });
    a.send({ type: 'send', payload: Uint8Array.of(1, 2, 3) });
    expect(await b.next()).toEqual({ type: 'deliver', payload: Uint8Array.of(1, 2, 3) });
    b.send({ type: 'send', payload: new Uint8Array(100_000).fill(7) });
    expect(await a.next()).toEqual({ type: 'deliver', payload: new Uint8Array(100_000).fill(7) });
    await Promise.all([a.close(), b.close()]);
  });

  it('also works for a client that skips verification (the E2E handshake is the real guarantee)', async () => {
    const c = await RelayClient.open(relay.urls()[0]!, { rejectUnauthorized: false });
    c.send({ type: 'join', roomId: newRoomId() });
    expect(await c.next()).toEqual({ type: 'joined', othersPresent: false });
    await c.close();
  });

  it('is refused by a client that does not trust the certificate', async () => {
    await expect(RelayClient.open(relay.urls()[0]!)).rejects.toThrow(/self[- ]signed/i);
  });

  it('serves /healthz over https', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', port: relay.port, path: '/healthz', ca: cert }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${text}`));
      }).on('error', reject);
    });
    expect(body).toBe('200 ok');
  });
});
