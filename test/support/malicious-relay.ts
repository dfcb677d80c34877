/**
 * A malicious relay for tests: it speaks the real relay protocol (src/signaling/relay-protocol.ts, PROTOCOL.md §13)
 * so the real `sealdrop` CLI and the real relay client meet through it unchanged, and it lets a test program
 * misbehave on every payload it forwards between the two members of a room (THREAT-MODEL.md §2, "Active relay").
 *
 * Why not relay/server.ts: the real relay exposes no hook between receiving a SEND and delivering it (it rewrites
 * the type byte in place, on purpose, with no copy), and it must not grow one for tests. This server is small,
 * unbounded and trusting towards its clients; it exists only to be hostile towards their payloads.
 *
 *   member ──SEND(channel ‖ body)──▶ tamper(payload) ─▶ 0..n payloads ─▶ DELIVER to the other member
 *                                    └ record(payload)      inject(room, to, payload) delivers anything, any time
 *
 * Payload channels (a client convention, main/adapters/relay-client.ts): 0 signalling (PATHS, WEBRTC, WANT —
 * src/signaling/path-messages.ts), 1 one relay-path frame (src/frames/frames.ts: version ‖ type ‖ u32 length ‖
 * payload; the type is byte 1 of the frame), 2 the end-of-session marker.
 *
 * Sides: the first connection that ever joins a room id is its `sender` (the room creator; `sealdrop send` prints
 * its link before it joins, so tests wait for `joined('sender')` before starting the receiver), later ones are the
 * `receiver`. Connections whose URL carries `?mallory=sender` or `?mallory=receiver` are the attacker's own clients
 * (see key-substitution-mitm.ts): with `isolate: true`, each real member sits in a room of its own, and the attacker
 * joins the real member it wants to face. Nothing a real member sends then reaches the other real member.
 */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { toHex } from '../../src/bytes';
import { FRAME_TYPES, type FrameTypeName } from '../../src/frames/frames';
import { decodeClientMessage, encodeRelayMessage, RELAY_CLOSE, RELAY_PATH, type RelayMessage } from '../../src/signaling/relay-protocol';

export type Side = 'sender' | 'receiver' | 'mallory';

export const CHANNEL_SIGNAL = 0;
export const CHANNEL_FRAME = 1;
export const CHANNEL_END = 2;

/** One SEND between members, as the relay saw it. */
export interface Payload {
  /** Hex of the 16-byte room id the members joined. */
  readonly room: string;
  readonly from: Side;
  readonly to: Side;
  /** channel ‖ body, exactly as sent. */
  readonly bytes: Uint8Array;
  readonly channel: number;
  /** The frame type name for channel 1 (null for other channels or an unknown type byte). */
  readonly frame: FrameTypeName | null;
}

/** What to deliver instead of a payload: a list (empty = drop, two = duplicate, …), or undefined to forward it. */
export type Verdict = readonly Uint8Array[] | undefined;
export type Tamper = (payload: Payload, relay: MaliciousRelay) => Verdict;

export interface MaliciousRelayOptions {
  readonly tamper?: Tamper;
  /** Put every real member in a room of its own (a man in the middle joins them with `?mallory=<side>`). */
  readonly isolate?: boolean;
}

interface Member {
  readonly ws: WebSocket;
  readonly side: Side;
  readonly room: string;
  /** The routing key: the room id, or room id + side when isolated. */
  readonly key: string;
}

const FRAME_NAMES = new Map<number, FrameTypeName>(
  (Object.entries(FRAME_TYPES) as [FrameTypeName, number][]).map(([name, byte]) => [byte, name]),
);

export class MaliciousRelay {
  /** Every payload a member sent, in arrival order, before tampering. */
  readonly recorded: Payload[] = [];
  private readonly rooms = new Map<string, Member[]>();
  /** Rooms (hex) whose sender has joined: the first join of a room id names its sender. */
  private readonly seen = new Set<string>();
  private readonly joinWaiters: { side: Side; index: number; resolve: (room: Uint8Array) => void }[] = [];
  private readonly joins: { side: Side; room: Uint8Array }[] = [];
  private readonly sockets = new Set<WebSocket>();
  tamper: Tamper | undefined;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
    private readonly options: MaliciousRelayOptions,
  ) {
    this.tamper = options.tamper;
  }

  /** Listen on 127.0.0.1 on a free port. */
  static async start(options: MaliciousRelayOptions = {}): Promise<MaliciousRelay> {
    const http = createServer((_req, res) => res.writeHead(404).end());
    const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const relay = new MaliciousRelay(http, wss, (http.address() as AddressInfo).port, options);
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'ws://relay');
      if (url.pathname !== RELAY_PATH) {
        socket.destroy();
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => relay.onConnection(ws, url.searchParams.get('mallory')));
    });
    return relay;
  }

  /** ws://127.0.0.1:<port>/v1 — what `sealdrop send --relay` takes and what the link then names. */
  get url(): string {
    return `ws://127.0.0.1:${this.port}${RELAY_PATH}`;
  }

  /** The URL an attacker's own client uses to face `side` in an isolated room. */
  malloryUrl(facing: 'sender' | 'receiver'): string {
    return `${this.url}?mallory=${facing}`;
  }

  /** How many real members of `side` have joined so far. */
  joinCount(side: 'sender' | 'receiver'): number {
    return this.joins.filter((j) => j.side === side).length;
  }

  /** Resolves with the room id once the `index`-th (from 0) real member of `side` has joined. */
  joined(side: 'sender' | 'receiver', index = 0): Promise<Uint8Array> {
    const seen = this.joins.filter((j) => j.side === side)[index];
    if (seen) return Promise.resolve(seen.room);
    return new Promise((resolve) => this.joinWaiters.push({ side, index, resolve }));
  }

  /** Payloads recorded in `room` (hex), optionally only one direction / channel / frame type. */
  payloads(room: string, filter: { from?: Side; channel?: number; frame?: FrameTypeName } = {}): Payload[] {
    return this.recorded.filter(
      (p) =>
        p.room === room &&
        (filter.from === undefined || p.from === filter.from) &&
        (filter.channel === undefined || p.channel === filter.channel) &&
        (filter.frame === undefined || p.frame === filter.frame),
    );
  }

  /** Deliver `bytes` (channel ‖ body) to the member of `room` on `side`, as if the other member had sent it. */
  inject(room: string, to: Side, bytes: Uint8Array): boolean {
    const member = [...this.rooms.values()].flat().find((m) => m.room === room && m.side === to);
    if (!member) return false;
    this.deliver(member, bytes);
    return true;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  // ------------------------------------------------------------------ protocol

  private onConnection(ws: WebSocket, mallory: string | null): void {
    this.sockets.add(ws);
    let member: Member | null = null;
    ws.on('error', () => undefined);
    ws.on('close', () => {
      this.sockets.delete(ws);
      if (member) this.leave(member);
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = toBytes(data);
      let message;
      try {
        if (!isBinary) throw new Error('text');
        message = decodeClientMessage(bytes);
      } catch {
        return ws.close(RELAY_CLOSE.PROTOCOL_ERROR);
      }
      if (message.type === 'join' && !member) {
        member = this.join(ws, message.roomId, mallory);
      } else if (message.type === 'send' && member) {
        this.forward(member, message.payload);
      } else {
        ws.close(RELAY_CLOSE.PROTOCOL_ERROR); // mailboxes are not needed by these tests
      }
    });
  }

  private join(ws: WebSocket, roomId: Uint8Array, mallory: string | null): Member {
    const room = toHex(roomId);
    let side: Side;
    let key = room;
    if (mallory === 'sender' || mallory === 'receiver') {
      side = 'mallory';
      key = `${room}/${mallory}`;
    } else {
      side = this.seen.has(room) ? 'receiver' : 'sender';
      this.seen.add(room);
      if (this.options.isolate) key = `${room}/${side}`;
    }
    const members = this.rooms.get(key) ?? [];
    if (members.length >= 2) {
      ws.close(RELAY_CLOSE.ROOM_FULL);
      return { ws, side, room, key: `${key}/refused` };
    }
    const member: Member = { ws, side, room, key };
    const other = members[0];
    members.push(member);
    this.rooms.set(key, members);
    this.send(ws, { type: 'joined', othersPresent: other !== undefined });
    if (other) this.send(other.ws, { type: 'peer', present: true });
    if (side !== 'mallory') {
      this.joins.push({ side, room: roomId.slice() });
      const index = this.joinCount(side) - 1;
      for (const waiter of this.joinWaiters.filter((w) => w.side === side && w.index === index)) {
        this.joinWaiters.splice(this.joinWaiters.indexOf(waiter), 1);
        waiter.resolve(roomId.slice());
      }
    }
    return member;
  }

  private leave(member: Member): void {
    const members = this.rooms.get(member.key);
    if (!members?.includes(member)) return;
    members.splice(members.indexOf(member), 1);
    if (members.length === 0) this.rooms.delete(member.key);
    for (const other of members) this.send(other.ws, { type: 'peer', present: false });
  }

  private forward(from: Member, bytes: Uint8Array): void {
    const to = this.rooms.get(from.key)?.find((m) => m !== from);
    const channel = bytes[0] ?? -1;
    const payload: Payload = {
      room: from.room,
      from: from.side,
      to: to?.side ?? (from.side === 'sender' ? 'receiver' : 'sender'),
      bytes: bytes.slice(),
      channel,
      frame: channel === CHANNEL_FRAME ? (FRAME_NAMES.get(bytes[2] ?? -1) ?? null) : null,
    };
    this.recorded.push(payload);
    const verdict = this.tamper?.(payload, this) ?? [payload.bytes];
    if (!to) return; // alone in the room: dropped, as the real relay does
    for (const out of verdict) this.deliver(to, out);
  }

  private deliver(to: Member, bytes: Uint8Array): void {
    this.send(to.ws, { type: 'deliver', payload: bytes });
  }

  private send(ws: WebSocket, message: RelayMessage): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(encodeRelayMessage(message), { binary: true });
  }
}

function toBytes(data: RawData): Uint8Array {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

// ------------------------------------------------------------------ building tampers

/** Which payloads a tamper acts on. `nth` counts matching payloads from 0, per tamper. */
export interface Match {
  readonly room?: string;
  readonly from?: Side;
  readonly channel?: number;
  readonly frame?: FrameTypeName;
  readonly nth?: number;
}

function matches(match: Match, p: Payload): boolean {
  return (
    (match.room === undefined || match.room === p.room) &&
    (match.from === undefined || match.from === p.from) &&
    (match.channel === undefined || match.channel === p.channel) &&
    (match.frame === undefined || match.frame === p.frame)
  );
}

/** Apply `act` to the `nth` payload matching `match` (once); forward everything else unchanged. */
export function onNth(
  match: Match,
  act: (bytes: Uint8Array, payload: Payload, relay: MaliciousRelay) => readonly Uint8Array[],
): Tamper {
  const frameOnly = match.frame !== undefined ? { channel: CHANNEL_FRAME } : {};
  const m = { ...frameOnly, ...match };
  let count = 0;
  return (p, relay) => {
    if (!matches(m, p)) return undefined;
    return count++ === (match.nth ?? 0) ? act(p.bytes.slice(), p, relay) : undefined;
  };
}

/** Hold the `nth` matching payload back and deliver it after the next matching one (a swap). */
export function swapWithNext(match: Match): Tamper {
  const m = { channel: CHANNEL_FRAME, ...match };
  let count = 0;
  let held: Uint8Array | null = null;
  return (p) => {
    if (!matches(m, p)) return undefined;
    const index = count++;
    if (index === (match.nth ?? 0)) {
      held = p.bytes;
      return [];
    }
    if (held) {
      const out = [p.bytes, held];
      held = null;
      return out;
    }
    return undefined;
  };
}

/** Run tampers in order; the first one with a verdict decides. */
export function chain(...tampers: Tamper[]): Tamper {
  return (p, relay) => {
    for (const tamper of tampers) {
      const verdict = tamper(p, relay);
      if (verdict !== undefined) return verdict;
    }
    return undefined;
  };
}

// Byte offsets inside a channel-1 payload: channel ‖ version ‖ type ‖ u32 length ‖ frame payload.
export const AT = { version: 1, type: 2, length: 3, payload: 7, fileIndex: 7, chunkIndex: 11, sealed: 15 } as const;

/** `bytes` with byte `offset` XOR `mask` (negative offsets count from the end). */
export function flip(bytes: Uint8Array, offset: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  const at = offset < 0 ? out.length + offset : offset;
  out[at] = (out[at] ?? 0) ^ mask;
  return out;
}

/** `bytes` with a big-endian u32 written at `offset`. */
export function setU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer, out.byteOffset).setUint32(offset, value);
  return out;
}

/** A channel-1 payload carrying `frame`. */
export function framePayload(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 1);
  out[0] = CHANNEL_FRAME;
  out.set(frame, 1);
  return out;
}
