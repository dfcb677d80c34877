/**
 * The relay's routing core: every accepted WebSocket becomes a Connection driven by the per-connection state
 * machine (relay/connection-state.ts); this class performs the machine's effects against the room and mailbox
 * registries, sends through FlowControl, and owns the timers (join timeout, idle sweep with pings, close grace).
 * HTTP, TLS and the upgrade itself are relay/server.ts's business.
 *
 *   accepted ws ─▶ Connection ─ message ─▶ transition() ─▶ effects:
 *                                          join-room    RoomRegistry (≤ 2 members, per-address quota) → JOINED, PEER
 *                                          forward      SEND → DELIVER to the other member, via FlowControl
 *                                          challenge…   CHALLENGE; PROVE → signature check → MailboxRegistry → REGISTERED
 *                                          notify       INCOMING to each registered device, NOTIFIED to the caller
 *                                          close        the documented close code; room, mailbox, pauses let go at once
 *
 * Behaviour worth knowing:
 * - A SEND while the sender is alone in its room is dropped (counted in `messagesDropped`), not queued: queuing
 *   would let anyone park data on the relay. Clients wait for JOINED{othersPresent} or PEER{present} first.
 * - SEND and DELIVER share a layout (type byte ‖ payload), so a SEND is forwarded by rewriting its type byte in
 *   the buffer ws handed over (ws has already unmasked it in place): no copy on the hot path.
 * - Idle means nothing heard, not even a pong to the relay's pings; a connection the relay itself stopped reading
 *   for a receiver's sake is not idle (FlowControl.isHeldForOthers).
 */

import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { RawData } from 'ws';
import { equalBytes } from '../src/bytes';
import { assertNever } from '../src/errors';
import { fingerprintOf } from '../src/identity/fingerprint';
import { verifyHashSignature } from '../src/identity/identity';
import {
  RELAY_CLOSE,
  RELAY_NONCE_BYTES,
  decodeClientMessage,
  encodeClientMessage,
  encodeRelayMessage,
  registrationHash,
  relayCloseName,
  type ClientMessage,
  type RelayMessage,
} from '../src/signaling/relay-protocol';
import { clientAddressKey } from './addresses';
import {
  INITIAL_CONNECTION_STATE,
  transition,
  type ConnectionEffect,
  type ConnectionEvent,
  type ConnectionState,
} from './connection-state';
import { FlowControl, type FlowEndpoint } from './flow-control';
import type { RelayLimits } from './limits';
import { emitLog, tag, type RelayLogger } from './log';
import { MailboxRegistry } from './mailboxes';
import { RelayCounters, type RelayStats } from './metrics';
import type { RelaySocket } from './relay-socket';
import { RoomRegistry, type Room } from './rooms';

interface Connection extends FlowEndpoint {
  readonly id: number;
  readonly ws: RelaySocket;
  readonly socket: Duplex;
  /** Client address key: for quotas only, never logged. */
  readonly address: string;
  /** Counted against its address's connection quota (false for the connection that was over it). */
  readonly admitted: boolean;
  readonly closed: Promise<void>;
  readonly markClosed: () => void;
  state: ConnectionState;
  room: Room<Connection> | null;
  mailbox: Uint8Array | null;
  lastHeard: number;
  lastPing: number;
  /** Bytes the socket had written at the last sweep, and when it last made progress or had nothing queued. */
  lastWritten: number;
  lastDrained: number;
  joinTimer: NodeJS.Timeout | null;
  killTimer: NodeJS.Timeout | null;
  /** Set once the relay or the client has started closing; nothing more is read from or routed to it. */
  closing: boolean;
}

const EMPTY = new Uint8Array(0);
/** Type bytes taken from the protocol module rather than repeated here. */
const SEND_TYPE = encodeClientMessage({ type: 'send', payload: EMPTY })[0];
const DELIVER_TYPE = encodeRelayMessage({ type: 'deliver', payload: EMPTY })[0]!;

/** Connections, rooms, mailboxes and flow control for one relay. Effects on sockets only; no HTTP. */
export class RelayHub {
  private readonly connections = new Set<Connection>();
  private readonly connectionsPerAddress = new Map<string, number>();
  private readonly rooms: RoomRegistry<Connection>;
  private readonly mailboxes = new MailboxRegistry<Connection>();
  private readonly flow: FlowControl<Connection>;
  private readonly counters = new RelayCounters();
  private readonly sweepTimer: NodeJS.Timeout;
  private nextId = 1;
  private shuttingDown = false;

  constructor(
    private readonly limits: RelayLimits,
    private readonly logger: RelayLogger,
  ) {
    this.rooms = new RoomRegistry(limits.maxRoomsPerAddress);
    this.flow = new FlowControl({ highWaterBytes: limits.highWaterBytes, maxBufferedBytes: limits.maxBufferedBytes });
    const sweepMs = Math.max(5, Math.min(limits.pingIntervalMs, Math.floor(limits.idleTimeoutMs / 4)));
    this.sweepTimer = setInterval(() => this.sweep(), sweepMs);
    this.sweepTimer.unref();
  }

  /** Emit one log event through the configured sink. */
  log(event: string, fields?: Record<string, unknown>): void {
    emitLog(this.logger, event, fields);
  }

  /** Live counters and gauges. */
  stats(): RelayStats {
    return {
      connections: this.connections.size,
      connectionsAccepted: this.counters.connectionsAccepted,
      rooms: this.rooms.size,
      mailboxes: this.mailboxes.size,
      bytesForwarded: this.counters.bytesForwarded,
      messagesForwarded: this.counters.messagesForwarded,
      messagesDropped: this.counters.messagesDropped,
      pausedConnections: this.flow.pausedConnections,
      bufferedBytes: this.flow.bufferedBytes(),
      peakBufferedBytes: this.flow.peakBufferedBytes,
      closesByCode: Object.fromEntries(this.counters.closesByCode),
      clientCloses: this.counters.clientCloses,
    };
  }

  // ── Connections ─────────────────────────────────────────────────────────────────────────────────────────────

  /** True once shutdown() began: new connections are refused (1001) and /healthz says so. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Take over an upgraded connection. `remoteAddress` is the client's address, for quotas only. */
  accept(ws: RelaySocket, socket: Duplex, remoteAddress: string | undefined): void {
    const address = clientAddressKey(remoteAddress);
    const perAddress = this.connectionsPerAddress.get(address) ?? 0;
    const admitted = !this.shuttingDown && perAddress < this.limits.maxConnectionsPerAddress;
    let markClosed = (): void => {};
    const closed = new Promise<void>((resolve) => (markClosed = resolve));
    const now = Date.now();
    const conn: Connection = {
      id: this.nextId++,
      ws,
      socket,
      address,
      admitted,
      closed,
      markClosed,
      state: INITIAL_CONNECTION_STATE,
      room: null,
      mailbox: null,
      lastHeard: now,
      lastPing: now,
      lastWritten: 0,
      lastDrained: now,
      joinTimer: null,
      killTimer: null,
      closing: false,
    };
    this.connections.add(conn);
    this.counters.connectionsAccepted++;
    this.flow.add(conn);
    ws.on('message', (data, isBinary) => this.onMessage(conn, data, isBinary));
    ws.on('pong', () => (conn.lastHeard = Date.now()));
    ws.on('ping', () => (conn.lastHeard = Date.now()));
    ws.on('error', (error) => this.onSocketError(conn, error));
    ws.on('close', (code) => this.onClose(conn, code));

    if (!admitted) {
      this.closeConnection(conn, this.shuttingDown ? RELAY_CLOSE.GOING_AWAY : RELAY_CLOSE.TOO_MANY);
      return;
    }
    this.connectionsPerAddress.set(address, perAddress + 1);
    this.log('connect', { conn: conn.id });
    conn.joinTimer = setTimeout(() => this.dispatch(conn, { type: 'join-timeout' }, null), this.limits.joinTimeoutMs);
    conn.joinTimer.unref();
  }

  private onMessage(conn: Connection, data: RawData, isBinary: boolean): void {
    if (conn.closing) return;
    conn.lastHeard = Date.now();
    // The relay protocol is binary only; ws hands binary messages over as one Buffer (binaryType 'nodebuffer').
    if (!isBinary || !Buffer.isBuffer(data)) return this.dispatch(conn, { type: 'malformed' }, null);
    // ws already enforces this as maxPayload; kept so the bound does not depend on that alone.
    if (data.length > this.limits.maxMessageBytes) return this.closeConnection(conn, RELAY_CLOSE.FRAME_TOO_LARGE);
    // The hot path: a SEND is recognised by its type byte and not decoded (decoding copies the payload).
    if (data[0] === SEND_TYPE) return this.dispatch(conn, { type: 'send' }, data);
    let message: ClientMessage;
    try {
      message = decodeClientMessage(data);
    } catch {
      return this.dispatch(conn, { type: 'malformed' }, null);
    }
    this.dispatch(conn, toEvent(message), data);
  }

  private dispatch(conn: Connection, event: ConnectionEvent, data: Buffer | null): void {
    const { state, effects } = transition(conn.state, event);
    conn.state = state;
    for (const effect of effects) {
      if (conn.closing && effect.type !== 'close') return;
      this.perform(conn, effect, data);
    }
  }

  private perform(conn: Connection, effect: ConnectionEffect, data: Buffer | null): void {
    switch (effect.type) {
      case 'stop-join-timer':
        if (conn.joinTimer) clearTimeout(conn.joinTimer);
        conn.joinTimer = null;
        return;
      case 'join-room':
        return this.joinRoom(conn, effect.roomId);
      case 'forward':
        if (data) this.forward(conn, data);
        return;
      case 'send-challenge':
        return this.reply(conn, { type: 'challenge', nonce: effect.nonce });
      case 'verify-proof':
        void this.verifyProof(conn, effect);
        return;
      case 'open-mailbox':
        conn.mailbox = effect.fingerprint;
        this.mailboxes.open(effect.fingerprint, conn);
        this.log('register', { conn: conn.id, mailbox: tag(effect.fingerprint) });
        return this.reply(conn, { type: 'registered' });
      case 'notify':
        return this.notify(conn, effect.fingerprint, effect.roomId);
      case 'close':
        return this.closeConnection(conn, effect.code);
      default:
        return assertNever(effect, 'connection effect');
    }
  }

  private joinRoom(conn: Connection, roomId: Uint8Array): void {
    const result = this.rooms.join(roomId, conn, conn.address);
    if (!result.ok) {
      this.closeConnection(conn, result.reason === 'full' ? RELAY_CLOSE.ROOM_FULL : RELAY_CLOSE.TOO_MANY);
      return;
    }
    conn.room = result.room;
    this.log('join', { conn: conn.id, room: result.room.tag, othersPresent: result.other !== null });
    this.reply(conn, { type: 'joined', othersPresent: result.other !== null });
    if (result.other) this.announce(result.other, true);
  }

  private forward(conn: Connection, data: Buffer): void {
    const other = conn.room ? this.rooms.otherMember(conn.room, conn) : null;
    if (!other || other.closing) {
      this.counters.messagesDropped++;
      return;
    }
    data[0] = DELIVER_TYPE;
    const outcome = this.flow.send(other, data, conn);
    if (outcome === 'overloaded') return this.closeConnection(conn, RELAY_CLOSE.OVERLOADED);
    if (outcome === 'sent') {
      this.counters.messagesForwarded++;
      this.counters.bytesForwarded += data.length - 1;
    }
  }

  private async verifyProof(conn: Connection, effect: Extract<ConnectionEffect, { type: 'verify-proof' }>): Promise<void> {
    let valid = false;
    try {
      valid =
        equalBytes(await fingerprintOf(effect.publicKey), effect.fingerprint) &&
        (await verifyHashSignature(
          effect.publicKey,
          'relay registration',
          await registrationHash(effect.nonce, effect.fingerprint),
          effect.signature,
        ));
    } catch {
      valid = false; // e.g. a public key that is not a valid Ed25519 point
    }
    if (!conn.closing) this.dispatch(conn, { type: 'proof-checked', valid }, null);
  }

  private notify(conn: Connection, fingerprint: Uint8Array, roomId: Uint8Array): void {
    const incoming = encodeRelayMessage({ type: 'incoming', roomId });
    let delivered = false;
    for (const device of this.mailboxes.devices(fingerprint)) {
      if (device.closing) continue;
      const outcome = this.flow.send(device, incoming, conn);
      if (outcome === 'overloaded') return this.closeConnection(conn, RELAY_CLOSE.OVERLOADED);
      if (outcome === 'sent') delivered = true;
      if (conn.closing) return;
    }
    this.log('notify', { conn: conn.id, mailbox: tag(fingerprint), room: tag(roomId), delivered });
    this.reply(conn, { type: 'notified', delivered });
  }

  /** An answer to `conn`'s own request; `conn` is its own source, so a client that never reads pauses itself. */
  private reply(conn: Connection, message: RelayMessage): void {
    if (this.flow.send(conn, encodeRelayMessage(message), conn) === 'overloaded') {
      this.closeConnection(conn, RELAY_CLOSE.OVERLOADED);
    }
  }

  /** PEER to the other member: one small message per join or leave, so it skips the overload check. */
  private announce(member: Connection, present: boolean): void {
    if (!member.closing) this.flow.send(member, encodeRelayMessage({ type: 'peer', present }), null);
  }

  // ── Closing ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** The relay closes `conn` with `code`: it leaves its room and mailbox now; its socket gets closeGraceMs. */
  private closeConnection(conn: Connection, code: number): void {
    if (conn.closing) return;
    conn.closing = true;
    conn.state = transition(conn.state, { type: 'shut' }).state;
    const sent = conn.ws.closeCodeSent ?? code; // ws may already have closed it (WebSocket-layer violation)
    this.counters.countClose(sent);
    this.log('close', { conn: conn.id, code: sent, reason: relayCloseName(sent), by: 'relay' });
    this.detach(conn);
    conn.ws.close(code);
    conn.killTimer = setTimeout(() => conn.ws.terminate(), this.limits.closeGraceMs);
    conn.killTimer.unref();
  }

  private onSocketError(conn: Connection, error: Error): void {
    const code = (error as { code?: unknown }).code;
    this.log('ws-error', { conn: conn.id, error: typeof code === 'string' ? code : 'unknown' });
    this.closeConnection(conn, RELAY_CLOSE.PROTOCOL_ERROR);
  }

  private onClose(conn: Connection, code: number): void {
    if (conn.killTimer) clearTimeout(conn.killTimer);
    if (!conn.closing) {
      conn.closing = true;
      conn.state = transition(conn.state, { type: 'shut' }).state;
      this.counters.clientCloses++;
      this.log('close', { conn: conn.id, code, by: 'client' });
      this.detach(conn);
    }
    this.flow.remove(conn);
    this.connections.delete(conn);
    if (conn.admitted) {
      const count = (this.connectionsPerAddress.get(conn.address) ?? 1) - 1;
      if (count > 0) this.connectionsPerAddress.set(conn.address, count);
      else this.connectionsPerAddress.delete(conn.address);
    }
    conn.markClosed();
  }

  /** Take `conn` out of everything that routes to it; let go of whoever it held paused. */
  private detach(conn: Connection): void {
    if (conn.joinTimer) clearTimeout(conn.joinTimer);
    conn.joinTimer = null;
    if (conn.room) {
      const room = conn.room;
      conn.room = null;
      const other = this.rooms.leave(room, conn, conn.address);
      this.log('leave', { conn: conn.id, room: room.tag });
      if (other) this.announce(other, false);
    }
    if (conn.mailbox) {
      this.mailboxes.close(conn.mailbox, conn);
      conn.mailbox = null;
    }
    this.flow.release(conn);
  }

  /** Idle detection and keepalive: ping the quiet, close the silent. */
  private sweep(): void {
    const now = Date.now();
    for (const conn of this.connections) {
      if (conn.closing) continue;
      // The relay stopped reading it (backpressure), so its pongs cannot arrive: silence is ours, not its.
      if (this.flow.isHeldForOthers(conn)) {
        conn.lastHeard = now;
        continue;
      }
      // A client that talks (pings, even sends) but never reads what it is sent is as dead as a silent one: its
      // queue would pin relay memory and keep its peer paused for ever.
      // Progress = bytes actually handed to the kernel (bytesWritten counts queued bytes too, and the relay's own
      // pongs to the client's pings would otherwise look like progress).
      const socket = conn.socket as Partial<{ bytesWritten: number; writableLength: number }>;
      const written = (socket.bytesWritten ?? 0) - (socket.writableLength ?? 0);
      if (conn.ws.bufferedAmount === 0 || written > conn.lastWritten) conn.lastDrained = now;
      conn.lastWritten = written;
      const quiet = Math.max(now - conn.lastHeard, now - conn.lastDrained);
      if (quiet >= this.limits.idleTimeoutMs) {
        this.closeConnection(conn, RELAY_CLOSE.IDLE_TIMEOUT);
      } else if (quiet >= this.limits.pingIntervalMs && now - conn.lastPing >= this.limits.pingIntervalMs) {
        conn.lastPing = now;
        conn.ws.ping();
      }
    }
  }

  /** Close every connection with 1001 GOING_AWAY and wait until each is gone (at most closeGraceMs). */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    clearInterval(this.sweepTimer);
    const all = [...this.connections];
    for (const conn of all) this.closeConnection(conn, RELAY_CLOSE.GOING_AWAY);
    await Promise.all(all.map((conn) => conn.closed));
    this.flow.stop();
  }
}

function toEvent(message: ClientMessage): ConnectionEvent {
  switch (message.type) {
    case 'join':
      return { type: 'join', roomId: message.roomId };
    case 'send':
      return { type: 'send' };
    case 'register':
      return { type: 'register', fingerprint: message.fingerprint, nonce: randomBytes(RELAY_NONCE_BYTES) };
    case 'prove':
      return { type: 'prove', publicKey: message.publicKey, signature: message.signature };
    case 'notify':
      return { type: 'notify', fingerprint: message.fingerprint, roomId: message.roomId };
  }
}
