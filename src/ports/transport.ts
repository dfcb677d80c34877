/**
 * Transport port: a reliable, ordered, message-oriented pipe between the two peers, carrying encoded frames
 * (frames/frames.ts). Adapters: direct TCP, WebRTC DataChannel, WebSocket relay (network issue) and the in-memory
 * linked transport (src/testing/memory-transport.ts).
 *
 * Trust assumptions: none. A transport may drop, duplicate, reorder, corrupt or inject frames (a hostile relay does
 * all of these on purpose); the layers above detect every one. "Reliable, ordered" is what an honest path provides,
 * not what the core relies on for security.
 *
 * Backpressure, both ends: `send` resolves when the frame has been handed to the path and the local buffer is below
 * its high-water mark, so a sender that awaits every `send` never holds more than that mark in memory. On the
 * receiving side, `frame` may return a promise; the adapter delivers the next frame only after it settles and stops
 * reading from the network meanwhile, so a slow receiver slows the sender instead of queueing without bound.
 */

import type { ErrorCode } from '../errors';

/** The DTLS certificate fingerprints of a WebRTC path as this side sees them (SDP a=fingerprint, SHA-256). */
export type LocalTransportBinding =
  | { readonly kind: 'none' }
  | { readonly kind: 'dtls'; readonly local: Uint8Array; readonly remote: Uint8Array };

export type PathKind = 'memory' | 'direct' | 'webrtc' | 'turn' | 'relay';

export interface TransportCloseReason {
  /** Why the path ended: TRANSPORT_CLOSED for a normal or unexplained close, or a more specific code. */
  readonly code: ErrorCode;
  readonly message?: string;
}

export interface TransportHandlers {
  /** One frame. The next frame is delivered only after a returned promise settles. */
  frame(bytes: Uint8Array): void | Promise<void>;
  close(reason: TransportCloseReason): void;
}

export interface Transport {
  readonly path: PathKind;
  readonly binding: LocalTransportBinding;
  /** Largest frame this path carries in one message. */
  readonly maxFrameBytes: number;
  /** Send one frame; resolves once the path can take more; rejects with TRANSPORT_CLOSED after close. */
  send(frame: Uint8Array): Promise<void>;
  /** Start delivering frames. Frames received before `listen` are held, not lost. Call once. */
  listen(handlers: TransportHandlers): void;
  /** Close the path. Idempotent; the peer sees `close`. */
  close(): void;
}
