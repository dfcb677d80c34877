/**
 * One side of a baseline transfer, run as its own process (bundled by baselines.ts, run with plain `node`, so its
 * RSS is comparable with the bundled `sealdrop` CLI). No encryption, no hashing, no fsync: the ceiling each
 * Sealdrop path is compared with. Same payload, same disk work otherwise (the sender reads the files in 64 KiB
 * pieces, the receiver writes them to a fresh folder), same message size as Sealdrop's DATA frames carry.
 *
 *   message stream := ( header chunk* )* end
 *   header = text  {"file": name, "size": n}      chunk = binary, ≤ 64 KiB       end = text {"end": true}
 *
 * Transports, each with the backpressure Sealdrop's adapter for that path uses:
 *   tcp     node:net, one socket; frames = u8 kind ‖ u32 length ‖ bytes, one write per chunk; wait for 'drain'
 *           when write() returns false. Receiver parses the stream and writes payload bytes as they arrive.
 *   ws      `ws` client (sender) → `ws` server (receiver), perMessageDeflate off; the sender waits for its message
 *           to be flushed whenever ws.bufferedAmount ≥ 1 MiB (main/adapters/relay-client.ts does the same).
 *   webrtc  node-datachannel, settings as main/adapters/webrtc-transport.ts: default RtcConfig (no ICE servers,
 *           host candidates), one ordered reliable channel created by the receiver (the offerer, as in
 *           `sealdrop receive`), bufferedAmountLowThreshold 1 MiB, the sender writes while bufferedAmount ≤ 1 MiB
 *           and otherwise waits for onBufferedAmountLow (or a 200 ms re-check). No credit window: bare SCTP.
 *
 * Started as `node baseline-peer.cjs <config.json>`. Talks to the benchmark over the IPC channel: → {listening, port} {connected} {done, bytes, files} {signal, data}
 * {error, message}; ← {signal, data} {quit}.
 */

import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import net from 'node:net';
import { basename, join } from 'node:path';
import { PeerConnection, type DataChannel } from 'node-datachannel';
import WebSocket, { WebSocketServer } from 'ws';

export interface PeerConfig {
  readonly kind: 'tcp' | 'ws' | 'webrtc';
  readonly role: 'send' | 'receive';
  /** Sender: the files to send (absolute paths). */
  readonly files?: readonly string[];
  /** Receiver: where to write. */
  readonly out?: string;
  /** Sender of tcp/ws: the receiver's port on 127.0.0.1. */
  readonly port?: number;
  readonly chunk: number;
}

type ToParent =
  | { type: 'listening'; port: number }
  | { type: 'connected' }
  | { type: 'done'; bytes: number; files: number }
  | { type: 'signal'; data: unknown }
  | { type: 'error'; message: string };
type FromParent = { type: 'signal'; data: unknown } | { type: 'quit' };

const HIGH_WATER = 1024 * 1024;
const ROOM_POLL_MS = 200;
const TCP_HEADER = 5;

const tell = (message: ToParent) => process.send?.(message);
const die = (error: unknown) => {
  tell({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  setTimeout(() => process.exit(1), 100);
};
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

const signalHandlers: ((data: unknown) => void)[] = [];
process.on('message', (message: FromParent) => {
  if (message.type === 'quit') process.exit(0);
  if (message.type === 'signal') for (const h of signalHandlers) h(message.data);
});

// ------------------------------------------------------------------ both ends of the message stream

/** How a sender hands messages to its transport. `alloc` leaves room for a transport header in front. */
interface Outbound {
  readonly headroom: number;
  text(message: string): Promise<void>;
  chunk(buffer: Buffer, length: number): Promise<void>;
}

async function sendAll(config: PeerConfig, out: Outbound): Promise<void> {
  for (const path of config.files ?? []) {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      await out.text(JSON.stringify({ file: basename(path), size }));
      for (let offset = 0; offset < size; ) {
        const length = Math.min(config.chunk, size - offset);
        // A fresh buffer per chunk: sockets keep a reference until the bytes reach the kernel.
        const buffer = Buffer.allocUnsafe(out.headroom + length);
        const read = readSync(fd, buffer, out.headroom, length, offset);
        if (read !== length) throw new Error(`short read of ${path}`);
        await out.chunk(buffer, length);
        offset += length;
      }
    } finally {
      closeSync(fd);
    }
  }
  await out.text(JSON.stringify({ end: true }));
}

/** Receiver: writes each file into `out` as its chunks arrive (synchronously, like a plain `write` loop). */
class Writer {
  private fd: number | null = null;
  private bytes = 0;
  private files = 0;

  constructor(private readonly out: string) {
    mkdirSync(out, { recursive: true });
  }

  text(message: string): void {
    const parsed = JSON.parse(message) as { file?: string; size?: number; end?: boolean };
    this.closeFile();
    if (parsed.end) {
      tell({ type: 'done', bytes: this.bytes, files: this.files });
      return;
    }
    if (typeof parsed.file !== 'string' || parsed.file.includes('/')) throw new Error('bad header');
    this.fd = openSync(join(this.out, parsed.file), 'wx');
    this.files++;
  }

  binary(data: Uint8Array): void {
    if (this.fd === null) throw new Error('data before a header');
    for (let off = 0; off < data.length; ) off += writeSync(this.fd, data, off, data.length - off);
    this.bytes += data.length;
  }

  private closeFile(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

// ------------------------------------------------------------------ tcp

function tcpOutbound(socket: net.Socket): Outbound {
  const write = async (buffer: Buffer) => {
    if (!socket.write(buffer)) await new Promise<void>((resolve) => socket.once('drain', resolve));
  };
  return {
    headroom: TCP_HEADER,
    text: (message) => {
      const body = Buffer.from(message, 'utf8');
      const buffer = Buffer.allocUnsafe(TCP_HEADER + body.length);
      buffer[0] = 0;
      buffer.writeUInt32BE(body.length, 1);
      body.copy(buffer, TCP_HEADER);
      return write(buffer);
    },
    chunk: (buffer, length) => {
      buffer[0] = 1;
      buffer.writeUInt32BE(length, 1);
      return write(buffer);
    },
  };
}

/** Cuts the byte stream into messages; binary payload bytes go to the writer as they arrive, uncopied. */
function tcpInbound(writer: Writer): (data: Buffer) => void {
  const header = Buffer.alloc(TCP_HEADER);
  let have = 0; // header bytes collected
  let kind = 0;
  let remaining = 0; // payload bytes of the current message still to come
  let text: Buffer[] = [];
  return (data) => {
    let at = 0;
    while (at < data.length) {
      if (remaining === 0 && have < TCP_HEADER) {
        const n = Math.min(TCP_HEADER - have, data.length - at);
        data.copy(header, have, at, at + n);
        have += n;
        at += n;
        if (have < TCP_HEADER) return;
        kind = header[0]!;
        remaining = header.readUInt32BE(1);
        text = [];
        if (remaining > 0) continue;
      }
      const n = Math.min(remaining, data.length - at);
      const piece = data.subarray(at, at + n);
      if (kind === 1) writer.binary(piece);
      else text.push(piece);
      at += n;
      remaining -= n;
      if (remaining === 0) {
        have = 0;
        if (kind === 0) writer.text(Buffer.concat(text).toString('utf8'));
      }
    }
  };
}

async function tcp(config: PeerConfig): Promise<void> {
  if (config.role === 'receive') {
    const writer = new Writer(config.out!);
    const server = net.createServer({ noDelay: true }, (socket) => {
      tell({ type: 'connected' });
      socket.on('data', tcpInbound(writer));
    });
    server.listen(0, '127.0.0.1', () => tell({ type: 'listening', port: (server.address() as net.AddressInfo).port }));
    return;
  }
  const socket = net.connect({ host: '127.0.0.1', port: config.port!, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  await sendAll(config, tcpOutbound(socket));
}

// ------------------------------------------------------------------ ws

async function ws(config: PeerConfig): Promise<void> {
  if (config.role === 'receive') {
    const writer = new Writer(config.out!);
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 8 * 1024 * 1024 });
    server.on('listening', () => tell({ type: 'listening', port: (server.address() as net.AddressInfo).port }));
    server.on('connection', (socket) => {
      tell({ type: 'connected' });
      socket.on('message', (data: Buffer, isBinary) => {
        if (isBinary) writer.binary(data);
        else writer.text(data.toString('utf8'));
      });
    });
    return;
  }
  const socket = new WebSocket(`ws://127.0.0.1:${config.port!}/`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const send = async (data: Buffer | string, binary: boolean) => {
    const flushed = new Promise<void>((resolve, reject) => socket.send(data, { binary }, (error) => (error ? reject(error) : resolve())));
    if (socket.bufferedAmount < HIGH_WATER) {
      flushed.catch(() => undefined);
      return;
    }
    await flushed;
  };
  await sendAll(config, {
    headroom: 0,
    text: (message) => send(message, false),
    chunk: (buffer) => send(buffer, true),
  });
}

// ------------------------------------------------------------------ webrtc

const LIVE: unknown[] = []; // node-datachannel objects must stay reachable (murat-dogan/node-datachannel#76)

function peerConnection(): PeerConnection {
  const pc = new PeerConnection('sealdrop', { iceServers: [] });
  LIVE.push(pc);
  let remoteSet = false;
  const pending: { c: string; mid: string }[] = [];
  pc.onLocalDescription((sdp, type) => tell({ type: 'signal', data: { t: 'sdp', sdp, type } }));
  pc.onLocalCandidate((c, mid) => tell({ type: 'signal', data: { t: 'cand', c, mid } }));
  // libdatachannel can refuse a candidate that arrives just after the remote description ("without ICE
  // transport"); the adapter ignores such refusals, this baseline tries once more a moment later.
  const add = (c: string, mid: string, retry = true) => {
    try {
      pc.addRemoteCandidate(c, mid);
    } catch {
      if (retry) setTimeout(() => add(c, mid, false), 50);
    }
  };
  signalHandlers.push((data) => {
    const s = data as { t: 'sdp'; sdp: string; type: string } | { t: 'cand'; c: string; mid: string };
    if (s.t === 'sdp') {
      pc.setRemoteDescription(s.sdp, s.type as 'offer' | 'answer');
      remoteSet = true;
      for (const p of pending.splice(0)) add(p.c, p.mid);
    } else if (remoteSet) add(s.c, s.mid);
    else pending.push({ c: s.c, mid: s.mid });
  });
  return pc;
}

function dataChannelOutbound(dc: DataChannel): Outbound {
  let wake: (() => void) | null = null;
  dc.setBufferedAmountLowThreshold(HIGH_WATER);
  dc.onBufferedAmountLow(() => wake?.());
  const room = async () => {
    while (dc.bufferedAmount() > HIGH_WATER) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ROOM_POLL_MS);
        wake = () => (clearTimeout(timer), resolve());
      });
      wake = null;
    }
  };
  return {
    headroom: 0,
    text: async (message) => {
      await room();
      dc.sendMessage(message);
    },
    chunk: async (buffer) => {
      await room();
      dc.sendMessageBinary(buffer);
    },
  };
}

async function webrtc(config: PeerConfig): Promise<void> {
  const pc = peerConnection();
  if (config.role === 'receive') {
    const writer = new Writer(config.out!);
    const dc = pc.createDataChannel('sealdrop', {});
    LIVE.push(dc);
    dc.onOpen(() => tell({ type: 'connected' }));
    dc.onMessage((message) => {
      if (typeof message === 'string') writer.text(message);
      else writer.binary(message instanceof ArrayBuffer ? new Uint8Array(message) : message);
    });
    return;
  }
  const dc = await new Promise<DataChannel>((resolve) => pc.onDataChannel((channel) => resolve(channel)));
  LIVE.push(dc);
  if (!dc.isOpen()) await new Promise<void>((resolve) => dc.onOpen(resolve));
  await sendAll(config, dataChannelOutbound(dc));
  // Stay until the benchmark says quit: closing now could cut what SCTP still buffers.
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as PeerConfig;
const run = { tcp, ws, webrtc }[config.kind];
run(config).catch(die);
