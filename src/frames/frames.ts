/**
 * Frames: the outermost wire unit on every path (direct TCP, WebRTC DataChannel, WebSocket relay).
 *
 *   frame := u8 version (= PROTOCOL_VERSION) ‖ u8 type ‖ u32 length ‖ payload[length]
 *
 *   type  name              payload                                   protection
 *   0x01  HELLO             handshake message 1 (handshake/messages)  cleartext, bound by the transcript
 *   0x02  HANDSHAKE_REPLY   handshake message 2                       cleartext part bound; identity part sealed
 *   0x03  HANDSHAKE_FINISH  handshake message 3                       sealed
 *   0x10  CONTROL           one sealed control record                 AES-GCM, implicit sequence number
 *   0x11  DATA              u32 fileIndex ‖ u32 chunkIndex ‖ sealed   STREAM chunk (crypto/stream.ts)
 *   0x7f  ABORT             u8 length ‖ ASCII error code              cleartext, NOT authenticated
 *
 * The decoder is strict: a frame must be exactly as long as its header says (on message transports) and no longer
 * than MAX_FRAME_PAYLOAD; unknown versions and types are errors, not skipped. On byte-stream transports (TCP),
 * `FrameReader` cuts frames out of the stream with the same checks.
 *
 * Trust assumptions: none — frames arrive from the network through a relay that may be hostile. Everything that
 * matters is authenticated one layer up; ABORT is advisory and is reported as PEER_ABORTED, never trusted to say why.
 */

import { ByteReader, ByteWriter } from '../bytes';
import { fail, isErrorCode, type ErrorCode } from '../errors';
import { MAX_CHUNK_SIZE, TAG_BYTES } from '../crypto/stream';

export const PROTOCOL_VERSION = 1;
export const FRAME_HEADER_BYTES = 6;
/** Largest payload: a DATA frame of the largest chunk size, with room to spare. */
export const MAX_FRAME_PAYLOAD = MAX_CHUNK_SIZE + TAG_BYTES + 8;
export const MAX_HANDSHAKE_PAYLOAD = 1024;
export const MAX_CONTROL_PAYLOAD = 16 * 1024 * 1024 + 1024;

export const FRAME_TYPES = {
  HELLO: 0x01,
  HANDSHAKE_REPLY: 0x02,
  HANDSHAKE_FINISH: 0x03,
  CONTROL: 0x10,
  DATA: 0x11,
  ABORT: 0x7f,
} as const;

export type FrameTypeName = keyof typeof FRAME_TYPES;

export type Frame =
  | { readonly type: 'HELLO'; readonly payload: Uint8Array }
  | { readonly type: 'HANDSHAKE_REPLY'; readonly payload: Uint8Array }
  | { readonly type: 'HANDSHAKE_FINISH'; readonly payload: Uint8Array }
  | { readonly type: 'CONTROL'; readonly payload: Uint8Array }
  | { readonly type: 'DATA'; readonly fileIndex: number; readonly chunkIndex: number; readonly sealed: Uint8Array }
  | { readonly type: 'ABORT'; readonly code: ErrorCode | 'UNKNOWN' };

const TYPE_BY_BYTE = new Map<number, FrameTypeName>(
  (Object.entries(FRAME_TYPES) as [FrameTypeName, number][]).map(([name, byte]) => [byte, name]),
);

function limitFor(type: FrameTypeName): number {
  switch (type) {
    case 'HELLO':
    case 'HANDSHAKE_REPLY':
    case 'HANDSHAKE_FINISH':
      return MAX_HANDSHAKE_PAYLOAD;
    case 'CONTROL':
      return MAX_CONTROL_PAYLOAD;
    case 'DATA':
      return MAX_FRAME_PAYLOAD;
    case 'ABORT':
      return 256;
  }
}

export function encodeFrame(frame: Frame): Uint8Array {
  let payload: Uint8Array;
  switch (frame.type) {
    case 'DATA':
      payload = new ByteWriter(frame.sealed.length + 8).u32(frame.fileIndex).u32(frame.chunkIndex).bytes(frame.sealed).finish();
      break;
    case 'ABORT':
      payload = new ByteWriter(64).bytes8(new TextEncoder().encode(frame.code)).finish();
      break;
    default:
      payload = frame.payload;
  }
  if (payload.length > limitFor(frame.type)) fail('FRAME_TOO_LARGE', `${frame.type} payload too large`);
  return new ByteWriter(payload.length + FRAME_HEADER_BYTES)
    .u8(PROTOCOL_VERSION)
    .u8(FRAME_TYPES[frame.type])
    .u32(payload.length)
    .bytes(payload)
    .finish();
}

interface Header {
  readonly type: FrameTypeName;
  readonly length: number;
}

function decodeHeader(bytes: Uint8Array): Header {
  if (bytes.length < FRAME_HEADER_BYTES) fail('FRAME_TOO_SHORT', 'frame shorter than its header');
  if (bytes[0] !== PROTOCOL_VERSION) fail('FRAME_BAD_VERSION', `frame version ${bytes[0]} is not supported`);
  const type = TYPE_BY_BYTE.get(bytes[1]!);
  if (!type) fail('FRAME_UNKNOWN_TYPE', 'unknown frame type');
  const length = new DataView(bytes.buffer, bytes.byteOffset + 2, 4).getUint32(0);
  if (length > limitFor(type)) fail('FRAME_TOO_LARGE', `${type} payload too large`);
  return { type, length };
}

function decodeBody(type: FrameTypeName, payload: Uint8Array): Frame {
  switch (type) {
    case 'DATA': {
      const r = new ByteReader(payload, 'FRAME_TOO_SHORT');
      const fileIndex = r.u32();
      const chunkIndex = r.u32();
      const sealed = r.rest();
      if (sealed.length < TAG_BYTES) fail('FRAME_TOO_SHORT', 'DATA frame shorter than a tag');
      return { type, fileIndex, chunkIndex, sealed };
    }
    case 'ABORT': {
      const r = new ByteReader(payload, 'FRAME_BAD_LENGTH');
      const raw = r.bytes8();
      r.end();
      const text = String.fromCharCode(...raw);
      return { type, code: isErrorCode(text) ? text : 'UNKNOWN' };
    }
    default:
      if (payload.length === 0) fail('FRAME_TOO_SHORT', `${type} frame is empty`);
      return { type, payload };
  }
}

/** Decode one whole frame (message transports). The length must match exactly. */
export function decodeFrame(bytes: Uint8Array): Frame {
  const header = decodeHeader(bytes);
  if (bytes.length !== FRAME_HEADER_BYTES + header.length) fail('FRAME_BAD_LENGTH', 'frame length mismatch');
  return decodeBody(header.type, bytes.slice(FRAME_HEADER_BYTES));
}

/**
 * Cuts frames out of a byte stream (TCP). `push` returns the complete frames; a bad header fails immediately,
 * before its claimed payload is buffered, so a hostile length cannot make us allocate.
 */
export class FrameReader {
  private buffer: Uint8Array = new Uint8Array(0);

  push(bytes: Uint8Array): Frame[] {
    this.buffer = this.buffer.length === 0 ? bytes.slice() : concat(this.buffer, bytes);
    const frames: Frame[] = [];
    for (;;) {
      if (this.buffer.length < FRAME_HEADER_BYTES) break;
      const header = decodeHeader(this.buffer);
      const total = FRAME_HEADER_BYTES + header.length;
      if (this.buffer.length < total) break;
      frames.push(decodeBody(header.type, this.buffer.slice(FRAME_HEADER_BYTES, total)));
      this.buffer = this.buffer.slice(total);
    }
    return frames;
  }

  /** Bytes held that do not yet form a frame. Non-zero at end of stream means the stream was cut mid-frame. */
  get pending(): number {
    return this.buffer.length;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
