/**
 * The direct path: the Transport port (src/ports/transport.ts) over one TCP connection between the two peers
 * (docs/decisions/0003). The sender listens; the receiver dials one of the addresses the sender advertised in a
 * signed PATHS signal, so a relay cannot point it at arbitrary hosts.
 *
 *   stream := frame*        frames are self-delimiting (6-byte header with u32 length, src/frames/frames.ts);
 *                           FrameReader cuts them out and refuses a bad header before buffering its payload
 *
 * Trust assumptions: none. Anything on the network can connect to the listener or inject bytes; the handshake and
 * the session above authenticate everything. This adapter only keeps a hostile stream from costing more than one
 * frame of memory: a header that fails the checks (version, type, length limit) ends the connection at once, and
 * the local handler sees close({ code }) with that frame error code.
 *
 * Backpressure, both ends (the port's contract):
 * - send: `socket.write` returning false means Node's buffer is above its high-water mark; `send` then waits for
 *   'drain'. A sender that awaits every send holds at most one frame beyond the mark.
 * - receive: frames go to the handler one at a time (src/transport/frame-delivery.ts); while a handler promise is
 *   pending (or before `listen`) the socket is paused, so the kernel's receive window fills and TCP slows the sender.
 *
 * Close: `close()` sends a FIN behind everything already written (socket.end) and destroys the socket after a short
 * grace if the peer does not finish its side. The peer delivers every frame that arrived, then reports close once.
 * As in the in-memory transport, the side that calls `close()` is not told about its own close.
 */

import net from 'node:net';
import os from 'node:os';
import { errorCodeOf, fail, SealdropError } from '../../src/errors';
import { FRAME_HEADER_BYTES, FrameReader, MAX_FRAME_PAYLOAD } from '../../src/frames/frames';
import type { Transport, TransportCloseReason, TransportHandlers } from '../../src/ports/transport';
import { FrameDelivery } from '../../src/transport/frame-delivery';

/** After close(), how long the peer has to finish its side before the socket is destroyed. */
const CLOSE_GRACE_MS = 3000;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface TcpAddress {
  readonly host: string;
  readonly port: number;
}

/** A Transport over TCP, plus a diagnostic the port does not need. */
export interface TcpTransport extends Transport {
  readonly path: 'direct';
  /** Bytes written but not yet taken by the kernel (Node's socket buffer): bounded by backpressure. */
  readonly bufferedBytes: number;
}

export interface TcpListener {
  readonly port: number;
  /**
   * Where a peer can reach this listener: every non-internal IPv4 and IPv6 address of this machine, then
   * 127.0.0.1 — or only the bound host when the listener was bound to one address. IPv6 link-local addresses
   * (fe80::/10) are left out: they are useless to another machine without the dialling side's own zone index.
   */
  addresses(): TcpAddress[];
  /** Receive each accepted connection as a Transport. Connections accepted before the first handler are held. */
  onConnection(handler: (transport: TcpTransport) => void): void;
  /** Stop accepting. Transports already handed out stay open; held ones are closed. */
  close(): Promise<void>;
}

class SocketTransport implements TcpTransport {
  readonly path = 'direct' as const;
  readonly binding = { kind: 'none' } as const;
  readonly maxFrameBytes = FRAME_HEADER_BYTES + MAX_FRAME_PAYLOAD;

  private readonly reader = new FrameReader();
  /** One frame at a time; the socket is paused while any are waiting or being handled. */
  private readonly delivery: FrameDelivery;
  private drainWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly socket: net.Socket) {
    this.delivery = new FrameDelivery(
      { waiting: () => socket.pause(), drained: () => socket.resume() },
      { awaitSyncResults: true },
    );
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      const cut = this.reader.pending > 0;
      this.end({ code: 'TRANSPORT_CLOSED', ...(cut ? { message: 'stream ended inside a frame' } : {}) });
    });
    // 'error' is always followed by 'close'; listening keeps it from being thrown.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.rejectDrainWaiters();
      this.end({ code: 'TRANSPORT_CLOSED' });
    });
    socket.on('drain', () => {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    });
  }

  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  async send(frame: Uint8Array): Promise<void> {
    if (this.delivery.stopped || this.socket.destroyed || !this.socket.writable) fail('TRANSPORT_CLOSED', 'transport closed');
    if (frame.length > this.maxFrameBytes) fail('FRAME_TOO_LARGE', 'frame exceeds the path limit');
    // A copy, because Node keeps a reference until the bytes reach the kernel and the caller may reuse its buffer.
    if (this.socket.write(new Uint8Array(frame))) return;
    await new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  listen(handlers: TransportHandlers): void {
    this.delivery.listen(handlers);
  }

  close(): void {
    if (this.delivery.stopped) return;
    this.delivery.stop();
    this.rejectDrainWaiters();
    this.socket.end();
    // Keep reading (and discarding) so the peer's FIN is seen and the socket closes without a reset.
    this.socket.resume();
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  private onData(chunk: Buffer): void {
    if (this.delivery.stopped || this.delivery.ending) return;
    const frames: Uint8Array[] = [];
    try {
      this.reader.pushEncoded(chunk, frames);
    } catch (error) {
      // A hostile or broken stream: nothing after this point can be framed. Frames before it are still delivered.
      this.delivery.push(...frames);
      this.socket.destroy();
      this.end({ code: errorCodeOf(error) ?? 'BAD_ENCODING', message: 'undecodable frame on the stream' });
      return;
    }
    if (frames.length === 0) return;
    this.delivery.push(...frames);
    void this.delivery.pump();
  }

  /** The path ended: deliver what arrived, then report `reason` once. */
  private end(reason: TransportCloseReason): void {
    if (this.delivery.ending) return;
    this.rejectDrainWaiters();
    this.delivery.end(reason);
    void this.delivery.pump();
  }

  private rejectDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter.reject(new SealdropError('TRANSPORT_CLOSED', 'transport closed'));
  }
}

/** Listen for direct connections. Without `host`, on every interface (IPv6 and IPv4 where the OS allows). */
export async function listenTcp(options: { host?: string; port?: number } = {}): Promise<TcpListener> {
  const server = net.createServer({ noDelay: true });
  const held: TcpTransport[] = [];
  let handler: ((transport: TcpTransport) => void) | null = null;
  server.on('connection', (socket) => {
    const transport = new SocketTransport(socket);
    if (handler) handler(transport);
    else held.push(transport);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, ...(options.host !== undefined ? { host: options.host } : {}) }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Later errors (e.g. EMFILE on accept) must not crash the process; the listener just stops being useful.
  server.on('error', () => undefined);
  const bound = server.address() as net.AddressInfo;

  return {
    port: bound.port,
    addresses: () => reachableAddresses(bound),
    onConnection(next) {
      handler = next;
      for (const transport of held.splice(0)) next(transport);
    },
    async close() {
      for (const transport of held.splice(0)) transport.close();
      // server.close's callback waits for every connection to end, and handed-out transports are not ours to end;
      // the listening handle itself is closed synchronously, so new connections are refused from here on.
      server.close();
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

function reachableAddresses(bound: net.AddressInfo): TcpAddress[] {
  const wildcard = bound.address === '::' || bound.address === '0.0.0.0';
  if (!wildcard) return [{ host: bound.address, port: bound.port }];
  const withIpv6 = bound.family === 'IPv6';
  const v4: TcpAddress[] = [];
  const v6: TcpAddress[] = [];
  for (const infos of Object.values(os.networkInterfaces())) {
    for (const info of infos ?? []) {
      if (info.internal) continue;
      if (info.family === 'IPv4') v4.push({ host: info.address, port: bound.port });
      else if (withIpv6 && !/^fe[89ab]/i.test(info.address)) v6.push({ host: info.address, port: bound.port });
    }
  }
  return [...v4, ...v6, { host: '127.0.0.1', port: bound.port }];
}

/** Dial a direct address. Rejects with TRANSPORT_CLOSED when refused, unreachable or not connected in time. */
export function connectTcp(host: string, port: number, options: { timeoutMs?: number } = {}): Promise<TcpTransport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return new Promise<TcpTransport>((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    const failWith = (message: string, cause?: unknown) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new SealdropError('TRANSPORT_CLOSED', message, cause === undefined ? undefined : { cause }));
    };
    const timer = setTimeout(() => failWith('direct connection timed out'), timeoutMs);
    const onError = (error: Error) => failWith('direct connection failed', error);
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(new SocketTransport(socket));
    });
  });
}
