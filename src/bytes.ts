/**
 * Byte helpers for the core: Uint8Array only, no Buffer, no platform imports.
 *
 * Integers on the wire are big-endian (network order). `ByteWriter` / `ByteReader` are the only way protocol
 * encoders and decoders touch bytes, so every length check lives in one place: a reader that runs past the end throws
 * the caller-chosen code instead of returning undefined.
 */

import { fail, type ErrorCode } from './errors';

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

/** Strict UTF-8 decode: invalid sequences throw `code`. */
export function fromUtf8(bytes: Uint8Array, code: ErrorCode = 'BAD_ENCODING'): string {
  try {
    return textDecoder.decode(bytes);
  } catch (error) {
    return fail(code, 'invalid UTF-8', error);
  }
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time equality for equal-length inputs (length itself is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** Overwrite a secret buffer with zeros once it is no longer needed. */
export function wipe(...buffers: readonly (Uint8Array | undefined)[]): void {
  for (const buffer of buffers) buffer?.fill(0);
}

const HEX = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += HEX[byte >> 4]! + HEX[byte & 15]!;
  return out;
}

export function fromHex(hex: string, code: ErrorCode = 'BAD_ENCODING'): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) fail(code, 'invalid hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64URL_INDEX = new Map<string, number>([...B64URL].map((c, i) => [c, i]));

/** RFC 4648 §5 base64url without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]! + B64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64URL[n >> 18]! + B64URL[(n >> 12) & 63]! + B64URL[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Strict base64url decode: only the 64 URL-safe characters, no padding, no whitespace, and the unused low bits of
 * the last character must be zero (so every byte string has exactly one encoding).
 */
export function fromBase64Url(text: string, code: ErrorCode = 'BAD_ENCODING'): Uint8Array {
  if (text.length % 4 === 1) fail(code, 'invalid base64url length');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const char of text) {
    const v = B64URL_INDEX.get(char);
    if (v === undefined) fail(code, 'invalid base64url character');
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) fail(code, 'non-canonical base64url');
  return out;
}

/** Appends big-endian integers and byte strings into a growable buffer. */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private offset = 0;

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buffer.buffer);
  }

  private reserve(n: number): void {
    if (this.offset + n <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.offset + n) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.offset));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) fail('BAD_INPUT', 'u8 out of range');
    this.reserve(1);
    this.view.setUint8(this.offset, value);
    this.offset += 1;
    return this;
  }

  u16(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) fail('BAD_INPUT', 'u16 out of range');
    this.reserve(2);
    this.view.setUint16(this.offset, value);
    this.offset += 2;
    return this;
  }

  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) fail('BAD_INPUT', 'u32 out of range');
    this.reserve(4);
    this.view.setUint32(this.offset, value);
    this.offset += 4;
    return this;
  }

  /** Unsigned 64-bit; JavaScript numbers are exact up to 2^53 - 1, which bounds every size we accept. */
  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) fail('BAD_INPUT', 'u64 out of range');
    this.reserve(8);
    this.view.setUint32(this.offset, Math.floor(value / 0x1_0000_0000));
    this.view.setUint32(this.offset + 4, value >>> 0);
    this.offset += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.reserve(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
    return this;
  }

  /** A byte string prefixed by its length as u8. */
  bytes8(value: Uint8Array): this {
    return this.u8(value.length).bytes(value);
  }

  /** A byte string prefixed by its length as u16. */
  bytes16(value: Uint8Array): this {
    return this.u16(value.length).bytes(value);
  }

  /** A byte string prefixed by its length as u32. */
  bytes32(value: Uint8Array): this {
    return this.u32(value.length).bytes(value);
  }

  get length(): number {
    return this.offset;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.offset);
  }
}

/** Reads big-endian integers and byte strings; any overrun throws the code given at construction. */
export class ByteReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly data: Uint8Array,
    private readonly code: ErrorCode = 'BAD_ENCODING',
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  private need(n: number): void {
    if (this.offset + n > this.data.length) fail(this.code, 'message truncated');
  }

  u8(): number {
    this.need(1);
    const v = this.view.getUint8(this.offset);
    this.offset += 1;
    return v;
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  /** u64 that must fit a safe integer; larger values throw `code` (no silent rounding). */
  u64(): number {
    this.need(8);
    const high = this.view.getUint32(this.offset);
    const low = this.view.getUint32(this.offset + 4);
    this.offset += 8;
    if (high > 0x1fffff) fail(this.code, 'u64 exceeds 2^53 - 1');
    return high * 0x1_0000_0000 + low;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.data.slice(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  bytes8(): Uint8Array {
    return this.bytes(this.u8());
  }

  bytes16(): Uint8Array {
    return this.bytes(this.u16());
  }

  bytes32(max: number): Uint8Array {
    const n = this.u32();
    if (n > max) fail(this.code, 'length field exceeds limit');
    return this.bytes(n);
  }

  rest(): Uint8Array {
    const v = this.data.slice(this.offset);
    this.offset = this.data.length;
    return v;
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  /** Throws unless every byte was consumed: trailing garbage is an error, not padding. */
  end(): void {
    if (this.offset !== this.data.length) fail(this.code, 'trailing bytes after message');
  }
}
