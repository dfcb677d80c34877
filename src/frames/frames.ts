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
 * The decoder is strict: a frame must be exactly as long as its header says (on message transports) and its payload
 * no longer than its type's limit (`limitFor`: 1024 for handshake frames, MAX_CONTROL_PAYLOAD for CONTROL,
 * MAX_FRAME_PAYLOAD for DATA, 256 for ABORT; docs/PROTOCOL.md §8); unknown versions and types are errors, not
 * skipped. On byte-stream transports (TCP), `FrameReader` cuts frames out of the stream with the same checks.
 *
 * Trust assumptions: none — frames arrive from the network through a relay that may be hostile. Everything that
 * matters is authenticated one layer up, except ABORT, which cannot be: it is sent only while its sender has no
 * control key yet. So the decoder only maps a code it does not know to 'UNKNOWN', and the session
 * (transfer/session.ts) reports every ABORT as PEER_ABORTED, whatever code it carries, and only logs the claimed
 * code (PROTOCOL.md §7.6).
 */

import { ByteReader, ByteWriter } from '../bytes';
import { fail, isErrorCode, type ErrorCode } from '../errors';
import { MAX_CHUNK_SIZE, TAG_BYTES } from '../crypto/stream';

export const PROTOCOL_VERSION = 1;
export const FRAME_HEADER_BYTES = 6;
/**
 * The DATA payload limit, exactly the largest DATA payload: u32 fileIndex ‖ u32 chunkIndex ‖ a sealed chunk of the
 * largest chunk size (MAX_CHUNK_SIZE + the 16-byte tag). There is no slack, and only DATA uses it: CONTROL has a
 * larger limit of its own. The whole frame adds the 6-byte header (see session.ts fitChunkSize for the path limit).
 */
export const MAX_FRAME_PAYLOAD = MAX_CHUNK_SIZE + TAG_BYTES + 8;
/** Handshake payloads. Version 1 needs far less (HELLO 51, REPLY ≤ 281, FINISH ≤ 245 bytes); the cap bounds buffering. */
export const MAX_HANDSHAKE_PAYLOAD = 1024;
/** CONTROL payloads: the largest record is an OFFER of a 16 MiB manifest, 16 MiB + 21 bytes; 1024 leaves room. */
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
      return 256; // u8 length ‖ at most 255 code bytes
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

/** Pieces below this size are packed into shared blocks of BLOCK_BYTES rather than kept as arrays of their own. */
const SMALL_PIECE = 4096;
const BLOCK_BYTES = 64 * 1024;

/**
 * Cuts frames out of a byte stream (TCP). `push` returns the complete frames; a bad header fails immediately,
 * before its claimed payload is buffered, so a hostile length cannot make us allocate.
 *
 * Cost is linear in the bytes pushed, however the stream is cut: pieces are copied once into a list (the reader
 * never keeps the caller's buffer) and joined only when a whole frame is there, so a 4 MiB frame arriving in 1-byte
 * pieces is not re-copied on every push. A decoded header is kept, so it is not parsed again for each piece.
 * After a push has thrown, the stream is unusable: later pushes throw the same error again.
 */
export class FrameReader {
  /** Owned copies of pushed bytes not yet cut into frames; the first `head` bytes of pieces[0] are consumed. */
  private pieces: Uint8Array[] = [];
  private head = 0;
  private held = 0;
  private header: Header | null = null;
  /** Block that small pieces are packed into; while `blockOpen`, the last piece views block[blockStart, blockUsed). */
  private block: Uint8Array | null = null;
  private blockUsed = 0;
  private blockStart = 0;
  private blockOpen = false;

  push(bytes: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    this.cut(bytes, (type, frame) => frames.push(decodeBody(type, frame.subarray(FRAME_HEADER_BYTES))));
    return frames;
  }

  /**
   * Like `push`, but yields each complete frame as its wire bytes (header included), for byte-stream transports
   * that hand frames on to a message-oriented consumer. Only the header checks run here — version, type and the
   * length limit, which is all framing needs; the body is checked by `decodeFrame` when the frame is consumed.
   * Frames are appended to `out` as they are cut, so when a later header in the same piece throws, the frames
   * before it are already there (a transport can deliver them, then report the error).
   */
  pushEncoded(bytes: Uint8Array, out: Uint8Array[] = []): Uint8Array[] {
    this.cut(bytes, (_type, frame) => out.push(frame));
    return out;
  }

  /** Bytes held that do not yet form a frame. Non-zero at end of stream means the stream was cut mid-frame. */
  get pending(): number {
    return this.held;
  }

  private cut(bytes: Uint8Array, emit: (type: FrameTypeName, frame: Uint8Array) => void): void {
    this.append(bytes);
    for (;;) {
      if (!this.header) {
        if (this.held < FRAME_HEADER_BYTES) break;
        this.header = decodeHeader(this.peek(FRAME_HEADER_BYTES));
      }
      const total = FRAME_HEADER_BYTES + this.header.length;
      if (this.held < total) break;
      const type = this.header.type;
      this.header = null;
      emit(type, this.take(total));
    }
  }

  /**
   * Keep a copy of `bytes`. Small pieces are packed into a shared block instead of one array each, so a stream fed
   * byte by byte costs a byte per byte, not a typed-array object per byte.
   */
  private append(bytes: Uint8Array): void {
    const n = bytes.length;
    if (n === 0) return;
    this.held += n;
    if (n >= SMALL_PIECE) {
      // new Uint8Array(…) copies even when `bytes` is a Node Buffer, whose slice() would be a view.
      this.pieces.push(new Uint8Array(bytes));
      this.blockOpen = false;
      return;
    }
    if (!this.block || this.blockUsed + n > this.block.length) {
      this.block = new Uint8Array(BLOCK_BYTES);
      this.blockUsed = 0;
      this.blockOpen = false;
    }
    this.block.set(bytes, this.blockUsed);
    if (!this.blockOpen) {
      this.blockStart = this.blockUsed;
      this.pieces.push(this.block.subarray(0, 0));
      this.blockOpen = true;
    }
    this.blockUsed += n;
    // The last piece is a view on the block; widen it to cover the new bytes (offsets into it stay valid).
    this.pieces[this.pieces.length - 1] = this.block.subarray(this.blockStart, this.blockUsed);
  }

  /** The first `n` held bytes, copied (n is small: a header). */
  private peek(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0;
    let offset = this.head;
    for (let i = 0; filled < n; i++) {
      const piece = this.pieces[i]!;
      const k = Math.min(n - filled, piece.length - offset);
      out.set(piece.subarray(offset, offset + k), filled);
      filled += k;
      offset = 0;
    }
    return out;
  }

  /** Remove and return the first `n` held bytes as one array, copying only when they span several pieces. */
  private take(n: number): Uint8Array {
    const first = this.pieces[0]!;
    let out: Uint8Array;
    let used = 0;
    if (first.length - this.head >= n) {
      // Within one piece, which is already our own copy: a view is enough.
      out = first.subarray(this.head, this.head + n);
      this.head += n;
    } else {
      out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const piece = this.pieces[used]!;
        const k = Math.min(n - filled, piece.length - this.head);
        out.set(piece.subarray(this.head, this.head + k), filled);
        filled += k;
        this.head += k;
        if (this.head === piece.length) {
          used++;
          this.head = 0;
        }
      }
    }
    if (this.pieces[used] && this.head === this.pieces[used]!.length) {
      used++;
      this.head = 0;
    }
    // One splice per frame (not a shift per piece) keeps a frame made of a million 1-byte pieces linear.
    if (used > 0) this.pieces.splice(0, used);
    // The block's view is always the last piece, so it was consumed only if nothing is left.
    if (this.pieces.length === 0) this.blockOpen = false;
    this.held -= n;
    return out;
  }
}
