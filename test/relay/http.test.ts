/**
 * The relay's HTTP face: /healthz, /metrics (Prometheus text), 404 for everything else, WebSocket upgrades only on
 * /v1, and a clean shutdown that tells every client 1001 GOING_AWAY.
 */

import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { RELAY_CLOSE } from '../../src/signaling/relay-protocol';
import { relayUrls } from '../../relay/addresses';
import { RelayClient, eventually, joinedPair, newRoomId, startTestRelay, type TestRelay } from './relay-client';

interface Reply {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

function get(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The value of one sample in a Prometheus text body, e.g. sample(body, 'sealdrop_relay_rooms'). */
function sample(body: string, series: string): number {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  if (!line) throw new Error(`no sample ${series}`);
  return Number(line.slice(series.length + 1));
}

let t: TestRelay | null = null;
const clients: RelayClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t?.relay.close();
  t = null;
});

describe('relay HTTP endpoints', () => {
  it('GET /healthz → 200 ok', async () => {
    t = await startTestRelay();
    const reply = await get(t.relay.port, '/healthz');
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('ok');
    expect(reply.contentType).toMatch(/^text\/plain/);
  });

  it('anything else → 404', async () => {
    t = await startTestRelay();
    for (const path of ['/', '/v1', '/healthz/x', '/metrics.json', '/admin']) {
      expect((await get(t.relay.port, path)).status, path).toBe(404);
    }
    expect((await get(t.relay.port, '/healthz', 'POST')).status).toBe(404);
  });

  it('GET /metrics → Prometheus text with connections, rooms, mailboxes, traffic, pauses, closes and buffers', async () => {
    t = await startTestRelay();
    const [a, b, roomId] = await joinedPair(t.url);
    clients.push(a, b);
    a.send({ type: 'send', payload: new Uint8Array(100) });
    await b.next();
    const third = await RelayClient.open(t.url);
    third.send({ type: 'join', roomId });
    expect(await third.closeCode()).toBe(RELAY_CLOSE.ROOM_FULL);
    await eventually(() => t!.relay.stats().connections === 2, 5_000, 'third connection gone');

    const reply = await get(t.relay.port, '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = reply.body;
    expect(sample(body, 'sealdrop_relay_connections')).toBe(2);
    expect(sample(body, 'sealdrop_relay_connections_accepted_total')).toBe(3);
    expect(sample(body, 'sealdrop_relay_rooms')).toBe(1);
    expect(sample(body, 'sealdrop_relay_mailboxes')).toBe(0);
    expect(sample(body, 'sealdrop_relay_forwarded_bytes_total')).toBe(100);
    expect(sample(body, 'sealdrop_relay_forwarded_messages_total')).toBe(1);
    expect(sample(body, 'sealdrop_relay_paused_connections')).toBe(0);
    expect(sample(body, 'sealdrop_relay_buffered_bytes')).toBe(0);
    expect(sample(body, 'sealdrop_relay_closes_total{code="4002",reason="ROOM_FULL"}')).toBe(1);
    expect(sample(body, 'sealdrop_relay_closes_total{code="4004",reason="IDLE_TIMEOUT"}')).toBe(0);

    // Well-formed exposition: every series announced by HELP and TYPE, every sample a name, labels and a number.
    const lines = body.trimEnd().split('\n');
    for (const line of lines) {
      expect(line).toMatch(/^(# (HELP|TYPE) sealdrop_relay_\w+ .+|sealdrop_relay_\w+(\{[^}]*\})? -?\d+(\.\d+)?)$/);
    }
    const declared = new Set(lines.filter((l) => l.startsWith('# TYPE')).map((l) => l.split(' ')[2]));
    for (const line of lines.filter((l) => !l.startsWith('#'))) expect(declared).toContain(line.split(/[ {]/)[0]);
  });

  it('accepts WebSocket upgrades on /v1 only', async () => {
    t = await startTestRelay();
    const wrong = t.url.replace(/\/v1$/, '/v2');
    await expect(RelayClient.open(wrong)).rejects.toThrow(/404/);
    const right = await RelayClient.open(`${t.url}?client=test`);
    clients.push(right);
    right.send({ type: 'join', roomId: newRoomId() });
    expect(await right.next()).toEqual({ type: 'joined', othersPresent: false });
  });
});

describe('relay lifecycle', () => {
  it('lists a ws:// URL per IPv4 address, 127.0.0.1 first when bound to every interface', () => {
    const all = relayUrls('0.0.0.0', 4321, false);
    expect(all[0]).toBe('ws://127.0.0.1:4321/v1');
    for (const url of all) expect(url).toMatch(/^ws:\/\/\d+\.\d+\.\d+\.\d+:4321\/v1$/);
    expect(relayUrls('192.0.2.7', 443, true)).toEqual(['wss://192.0.2.7:443/v1']);
  });

  it('close() sends every client 1001 GOING_AWAY, then stops listening', async () => {
    t = await startTestRelay();
    const relay = t.relay;
    const [a, b] = await joinedPair(t.url);
    const device = await RelayClient.open(t.url);
    device.send({ type: 'register', fingerprint: new Uint8Array(32) });
    await device.next();
    await relay.close();
    expect(await a.closeCode()).toBe(RELAY_CLOSE.GOING_AWAY);
    expect(await b.closeCode()).toBe(RELAY_CLOSE.GOING_AWAY);
    expect(await device.closeCode()).toBe(RELAY_CLOSE.GOING_AWAY);
    expect(relay.stats()).toMatchObject({ connections: 0, rooms: 0, mailboxes: 0 });
    await expect(get(relay.port, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
    await relay.close(); // idempotent
  });

  it('binds to every interface by default and serves 127.0.0.1', async () => {
    const { startRelay } = await import('../../relay/server');
    const relay = await startRelay({ logger: () => {} });
    try {
      expect(relay.urls()[0]).toBe(`ws://127.0.0.1:${relay.port}/v1`);
      const c = await RelayClient.open(relay.urls()[0]!);
      c.send({ type: 'join', roomId: newRoomId() });
      expect(await c.next()).toEqual({ type: 'joined', othersPresent: false });
      await c.close();
    } finally {
      await relay.close();
    }
  });
});
