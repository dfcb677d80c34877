/**
 * The relay path as a Transport: frames of one relay-path session carried inside SEND/DELIVER on payload channel 1,
 * sessions separated by end markers on channel 2 (a convention between the two clients; the relay does not look).
 * The WebSocket, requests and channel 0 are relay-client.ts; this module only sees payloads.
 *
 *   1  frame    one relay-path frame (src/frames/frames.ts); one frame per message
 *   2  end      empty: "my relay-path session has ended; what I send on channel 1 from here on is a new session"
 *
 * Why markers pair up: each side's channel-1 stream is a sequence of sessions separated by its end markers, and
 * each side sends exactly one marker per session end:
 *   - close() of an open frame transport sends a marker, then discards channel-1 frames until the peer's marker
 *     (they belong to the peer's side of the session that just ended);
 *   - a marker arriving while a frame transport is open ends it (the handler sees close after the frames that came
 *     first) and is answered with a marker at once;
 *   - a marker arriving while we wait for one is that answer and is consumed;
 *   - a marker arriving while no frame transport is open drops the frames held for the next one (stale frames of
 *     a session we never took part in) and is answered.
 * So a frame transport opened right after a close neither receives the old session's frames nor is closed by the
 * answer to its predecessor's marker, and no marker is answered twice (no ping-pong). PEER messages (the other
 * member left, or a new one joined with a fresh stream) and the WebSocket closing reset all of this.
 *
 * Trust assumptions: the relay and whatever it forwards are untrusted; frames are authenticated end to end above
 * this layer. What this module bounds is memory: frames go to the handler one at a time
 * (src/transport/frame-delivery.ts), and while a handler's promise is pending — or frames waiting for a handler exceed
 * HOLD_HIGH_WATER_BYTES — reading from the WebSocket pauses, so the relay's per-receiver queue fills and the relay
 * pauses the sender.
 */

import { fail } from '../../src/errors';
import type { Transport, TransportCloseReason, TransportHandlers } from '../../src/ports/transport';
import { CHANNEL } from '../../src/signaling/relay-protocol';
import { FrameDelivery } from '../../src/transport/frame-delivery';

/** The relay-path end marker (see the header). Channels 0 and 1 are in relay-protocol.ts. */
export const CHANNEL_END = 2;
/** Frame bytes held without a handler (here or in a transport's queue) before reading pauses. */
const HOLD_HIGH_WATER_BYTES = 1024 * 1024;

/** What the frame path needs from the relay connection under it. */
export interface RelayPayloadLink {
  /** Largest frame one SEND carries: the relay's message limit minus SEND's type byte and the channel byte. */
  readonly maxFrameBytes: number;
  /** The WebSocket has closed. */
  isClosed(): boolean;
  /** One SEND with `channel ‖ bytes`. */
  sendPayload(channel: number, bytes: Uint8Array): Promise<void>;
  /** Stop and restart reading from the WebSocket. */
  pauseReading(): void;
  resumeReading(): void;
}

/**
 * The channel-1/2 side of one relay connection: at most one open frame transport, frames held for the next one,
 * the markers owed, and the read pause. The connection feeds it what arrives and tells it about the room.
 */
export class RelayFramePath {
  /** The open frame transport, if any (see the marker rules in the header). */
  private frames: RelayFrameTransport | null = null;
  /** Channel-1 frames that arrived while no frame transport was open. */
  private held: Uint8Array[] = [];
  /**
   * Markers we sent (sessions we ended) that the peer has not answered yet; while any are owed, channel-1 frames
   * are stale. A count, not a flag: opening and closing twice before the first answer arrives owes two.
   */
  private peerEndsOwed = 0;
  /** Whether the room has another member, as far as the relay told us; alone, the relay drops what we send. */
  private peerPresent = false;

  /** Frame bytes waiting for a handler (held here or in a transport's queue), and handlers still running. */
  private waitingBytes = 0;
  private busyHandlers = 0;
  private paused = false;

  constructor(private readonly link: RelayPayloadLink) {}

  get maxFrameBytes(): number {
    return this.link.maxFrameBytes;
  }

  get isClosed(): boolean {
    return this.link.isClosed();
  }

  /** The Transport for the next session. BAD_INPUT while one is open; already closed when the connection is gone. */
  open(): Transport {
    if (this.frames) fail('BAD_INPUT', 'a relay frame transport is already open');
    const transport = new RelayFrameTransport(this);
    if (this.link.isClosed()) {
      transport.end({ code: 'TRANSPORT_CLOSED', message: 'relay connection closed' });
      return transport;
    }
    this.frames = transport;
    const held = this.held;
    this.held = [];
    for (const frame of held) transport.deliver(frame);
    return transport;
  }

  // ------------------------------------------------------------------ from the connection

  /** JOINED: whether another member was already in the room. */
  joined(othersPresent: boolean): void {
    this.peerPresent = othersPresent;
  }

  /**
   * PEER: a member left or joined. Whoever joins next starts with a fresh channel-1 stream, so nothing is owed; when
   * the member left, its relay-path session is over.
   */
  peerChanged(present: boolean): void {
    this.peerPresent = present;
    this.peerEndsOwed = 0;
    if (present) return;
    this.dropHeld();
    const transport = this.frames;
    this.frames = null;
    transport?.end({ code: 'TRANSPORT_CLOSED', message: 'the other member left the relay room' });
  }

  /** A channel-1 payload. */
  frame(frame: Uint8Array): void {
    if (this.peerEndsOwed > 0) return;
    this.waitingBytes += frame.length;
    if (this.frames) this.frames.deliver(frame);
    else this.held.push(frame);
    this.updateReading();
  }

  /** A channel-2 payload: the peer's end marker. */
  peerEnded(): void {
    if (this.peerEndsOwed > 0) {
      this.peerEndsOwed--;
      return;
    }
    if (this.frames) {
      const transport = this.frames;
      this.frames = null;
      transport.end({ code: 'TRANSPORT_CLOSED' });
    } else {
      this.dropHeld();
    }
    this.sendEnd();
  }

  /** The WebSocket closed: nothing held matters any more, and the open transport ends. */
  connectionClosed(): void {
    this.held = [];
    const transport = this.frames;
    this.frames = null;
    transport?.end({ code: 'TRANSPORT_CLOSED', message: 'relay connection closed' });
  }

  // ------------------------------------------------------------------ from the transport

  /** The transport closed itself: tell the peer, and ignore its side of this session until it says it is done. */
  localEnd(transport: RelayFrameTransport): void {
    if (this.frames !== transport) return;
    this.frames = null;
    if (this.link.isClosed() || !this.peerPresent) return;
    this.peerEndsOwed++;
    this.sendEnd();
  }

  sendFrame(frame: Uint8Array): Promise<void> {
    return this.link.sendPayload(CHANNEL.frame, frame);
  }

  /** Bookkeeping for backpressure, called by transports. */
  frameTaken(bytes: number): void {
    this.waitingBytes -= bytes;
    this.updateReading();
  }

  handlerBusy(busy: boolean): void {
    this.busyHandlers += busy ? 1 : -1;
    this.updateReading();
  }

  // ------------------------------------------------------------------ internals

  private sendEnd(): void {
    this.link.sendPayload(CHANNEL_END, new Uint8Array(0)).catch(() => undefined);
  }

  private dropHeld(): void {
    for (const frame of this.held) this.waitingBytes -= frame.length;
    this.held = [];
    this.updateReading();
  }

  private updateReading(): void {
    const pause = this.busyHandlers > 0 || this.waitingBytes > HOLD_HIGH_WATER_BYTES;
    if (pause === this.paused || this.link.isClosed()) return;
    this.paused = pause;
    if (pause) this.link.pauseReading();
    else this.link.resumeReading();
  }
}

/** The relay path as a Transport: channel-1 frames of one session, ended by a marker or the connection. */
class RelayFrameTransport implements Transport {
  readonly path = 'relay' as const;
  readonly binding = { kind: 'none' } as const;
  readonly maxFrameBytes: number;

  private readonly delivery: FrameDelivery;

  constructor(private readonly owner: RelayFramePath) {
    this.maxFrameBytes = owner.maxFrameBytes;
    this.delivery = new FrameDelivery({
      taken: (frame) => owner.frameTaken(frame.length),
      busy: (busy) => owner.handlerBusy(busy),
    });
  }

  async send(frame: Uint8Array): Promise<void> {
    if (this.delivery.stopped || this.delivery.ending || this.owner.isClosed) fail('TRANSPORT_CLOSED', 'transport closed');
    if (frame.length > this.maxFrameBytes) fail('FRAME_TOO_LARGE', 'frame exceeds the relay limit');
    await this.owner.sendFrame(frame);
  }

  listen(handlers: TransportHandlers): void {
    this.delivery.listen(handlers);
  }

  close(): void {
    if (this.delivery.stopped) return;
    for (const frame of this.delivery.stop()) this.owner.frameTaken(frame.length);
    // After the peer's marker (or the connection's end) there is nothing to tell the peer.
    if (!this.delivery.ending) this.owner.localEnd(this);
  }

  /** A frame for this session (already counted in the path's waiting bytes). */
  deliver(frame: Uint8Array): void {
    this.delivery.push(frame);
    void this.delivery.pump();
  }

  /** The session ended from the far side: deliver what arrived, then report close once. */
  end(reason: TransportCloseReason): void {
    if (this.delivery.end(reason)) void this.delivery.pump();
  }
}
