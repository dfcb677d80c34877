/**
 * The Sealdrop relay: one Node process that pairs two clients in a room and forwards their opaque payloads, and
 * wakes registered devices through mailboxes (wire protocol: src/signaling/relay-protocol.ts, PROTOCOL.md §13).
 * This file is the composition root: HTTP(S) server, the WebSocket upgrade on /v1, /healthz and /metrics; the
 * routing itself is relay/hub.ts.
 *
 * Trust: the relay is untrusted by design (DECISIONS.md 1). It sees room ids, fingerprints, sizes and timing, never
 * plaintext; a malicious relay can drop, delay or reorder traffic, which the end-to-end session detects. What the
 * relay code defends is the relay itself: every resource a client can make it spend is bounded (relay/limits.ts),
 * and a client that crosses a bound is closed with its documented code.
 *
 *   GET /healthz → 200 "ok" (503 while shutting down)    GET /metrics → Prometheus text    anything else → 404
 *   Upgrade on /v1 → WebSocket (binary, no compression, maxPayload = maxMessageBytes) → RelayHub.accept
 *   Upgrade elsewhere → 404; while shutting down → 503
 *
 * The WebSocket layer's own violations (bad opcodes, unmasked frames, invalid UTF-8 in a text frame, too many
 * fragments) are closed by ws with the standard codes 1002/1007/1008; oversize messages with 4001 (RelaySocket).
 */

import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { RELAY_PATH } from '../src/signaling/relay-protocol';
import { relayUrls } from './addresses';
import { RelayHub } from './hub';
import { resolveLimits, type RelayLimits } from './limits';
import { stdoutLogger } from './log';
import { renderPrometheus, type RelayStats } from './metrics';
import { RelaySocket } from './relay-socket';

export type { RelayLimits } from './limits';
export type { RelayStats } from './metrics';
export { DEFAULT_RELAY_LIMITS } from './limits';

export interface RelayOptions {
  /** Address to bind; default '0.0.0.0' (every IPv4 interface). */
  readonly host?: string;
  /** Port to bind; 0 (the default) picks a free one. */
  readonly port?: number;
  /** PEM certificate chain and key: serve wss:// and https://. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer };
  readonly limits?: Partial<RelayLimits>;
  /** Receives one structured event per call; default: JSON lines on stdout. */
  readonly logger?: (line: Record<string, unknown>) => void;
}

export interface RelayServer {
  /** The bound port. */
  readonly port: number;
  /** ws[s]://<address>:<port>/v1 for each IPv4 address the relay is reachable at, 127.0.0.1 first. */
  urls(): string[];
  /** Close every client with 1001 GOING_AWAY, wait for them (at most closeGraceMs), then stop listening. */
  close(): Promise<void>;
  stats(): RelayStats;
}

/** Start a relay; resolves once it is listening. @throws RangeError for inconsistent limits; listen errors. */
export async function startRelay(options: RelayOptions = {}): Promise<RelayServer> {
  const limits = resolveLimits(options.limits);
  const host = options.host ?? '0.0.0.0';
  const hub = new RelayHub(limits, options.logger ?? stdoutLogger);
  const wss = new WebSocketServer({
    noServer: true,
    WebSocket: RelaySocket,
    clientTracking: false,
    perMessageDeflate: false,
    maxPayload: limits.maxMessageBytes,
  });

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    const readable = req.method === 'GET' || req.method === 'HEAD';
    if (readable && path === '/healthz') {
      if (hub.isShuttingDown) return respond(res, 503, 'text/plain; charset=utf-8', 'shutting down');
      return respond(res, 200, 'text/plain; charset=utf-8', 'ok');
    }
    if (readable && path === '/metrics') {
      return respond(res, 200, 'text/plain; version=0.0.4; charset=utf-8', renderPrometheus(hub.stats()));
    }
    respond(res, 404, 'text/plain; charset=utf-8', 'not found');
  };
  const http = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createHttpServer(onRequest);
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    if (path !== RELAY_PATH) return rejectUpgrade(socket, 404, 'Not Found');
    if (hub.isShuttingDown) return rejectUpgrade(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => hub.accept(ws, socket, req.socket.remoteAddress));
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urls = (): string[] => relayUrls(host, port, options.tls !== undefined);
  hub.log('listening', { port, tls: options.tls !== undefined, urls: urls() });

  let closing: Promise<void> | null = null;
  return {
    port,
    urls,
    stats: () => hub.stats(),
    close: () => {
      closing ??= (async () => {
        await hub.shutdown();
        wss.close();
        await new Promise<void>((resolve) => {
          http.close(() => resolve());
          http.closeAllConnections();
        });
        hub.log('stopped');
      })();
      return closing;
    },
  };
}

function respond(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
