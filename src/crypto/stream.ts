/**
 * STREAM (Hoang, Reyhanitabar, Rogaway, Vizár, "Online Authenticated-Encryption and its Nonce-Reuse
 * Misuse-Resistance", CRYPTO 2015, §7) over AES-256-GCM: file contents as a sequence of independently sealed chunks.
 * The construction follows age (C2SP age.md, "Payload") and typage's lib/stream.ts, with AES-256-GCM instead of
 * ChaCha20-Poly1305 because both Node and every browser ship AES-GCM in WebCrypto.
 *
 * Per file (docs/PROTOCOL.md §6):
 *   okm      = HKDF-Expand(data secret, "sealdrop/v1 file" ‖ 0x00 ‖ manifestHash[32] ‖ u32 fileIndex, 39)
 *   key      = okm[0..32)          AES-256 key, non-extractable
 *   prefix   = okm[32..39)         7-byte nonce prefix
 *   nonce_i  = prefix ‖ u32 i ‖ u8 last     (last = 0x01 on the final chunk only, else 0x00)
 *   aad      = "sealdrop/v1 chunk" ‖ 0x00 ‖ manifestHash[32] ‖ u32 fileIndex
 *   sealed_i = AES-256-GCM(key, nonce_i, chunk_i, aad) = ciphertext ‖ tag[16]
 *
 * Chunks: every chunk but the last holds exactly `chunkSize` bytes; the last holds 1..chunkSize bytes, or 0 bytes
 * only when it is also the first (the empty file). So a plaintext of n bytes has max(1, ⌈n / chunkSize⌉) chunks.
 *
 * What this detects, and how:
 * - a flipped bit anywhere                          → GCM tag fails (CHUNK_AUTH_FAILED)
 * - chunks reordered, duplicated or dropped         → the counter in the nonce differs (CHUNK_AUTH_FAILED)
 * - the stream cut at a chunk boundary               → no chunk carries last = 1 (TRUNCATED)
 * - a chunk from another file / another session      → different key and aad (CHUNK_AUTH_FAILED)
 * - bytes after the final chunk                      → TRAILING_DATA (bounded stream; CHUNK_AUTH_FAILED otherwise)
 * Seekable: chunk i can be sealed or opened on its own, which is what resume needs.
 *
 * Trust assumptions: the data secret is known only to the two endpoints (handshake.ts); one (data secret,
 * manifestHash, fileIndex) triple is used for one file in one session, so nonces never repeat under a key.
 * Chunk counts are limited to 2^32 (IMPOSSIBLE_SIZE above). That covers the largest file a manifest accepts
 * (2^42 bytes) at every chunk size from 1024 up; at smaller chunk sizes a manifest-legal size can exceed it.
 *
 * The streaming API keeps up to 32 chunks in flight in WebCrypto by default and cuts its input without a copy per
 * chunk (see Chunker), relying on WebCrypto copying its input synchronously.
 */

import { ByteWriter, concatBytes, utf8 } from '../bytes';
import { fail } from '../errors';
import { aesGcmDecrypt, aesGcmEncrypt, GCM_TAG_BYTES, hkdfExpand, importAesGcmKey } from './primitives';

export const DEFAULT_CHUNK_SIZE = 64 * 1024;
export const MIN_CHUNK_SIZE = 16;
export const MAX_CHUNK_SIZE = 4 * 1024 * 1024;
export const MAX_CHUNKS = 0x1_0000_0000;
export const NONCE_PREFIX_BYTES = 7;
export const TAG_BYTES = GCM_TAG_BYTES;

/** Keys and parameters for one file's stream. Build with `deriveFileStreamKeys`. */
export interface FileStreamKeys {
  readonly key: CryptoKey;
  readonly noncePrefix: Uint8Array;
  readonly aad: Uint8Array;
  readonly chunkSize: number;
}

export function checkChunkSize(chunkSize: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE) {
    fail('IMPOSSIBLE_SIZE', 'chunk size out of range');
  }
}

/** Derive the per-file key, nonce prefix and aad from the session's data secret. */
export async function deriveFileStreamKeys(
  dataSecret: Uint8Array,
  manifestHash: Uint8Array,
  fileIndex: number,
  chunkSize = DEFAULT_CHUNK_SIZE,
): Promise<FileStreamKeys> {
  checkChunkSize(chunkSize);
  if (dataSecret.length !== 32 || manifestHash.length !== 32) fail('BAD_KEY', 'stream secrets are 32 bytes');
  const binding = new ByteWriter(40).bytes(manifestHash).u32(fileIndex).finish();
  const okm = await hkdfExpand(dataSecret, concatBytes(utf8('sealdrop/v1 file'), Uint8Array.of(0), binding), 39);
  try {
    const key = await importAesGcmKey(okm.subarray(0, 32));
    return {
      key,
      noncePrefix: okm.slice(32, 39),
      aad: concatBytes(utf8('sealdrop/v1 chunk'), Uint8Array.of(0), binding),
      chunkSize,
    };
  } finally {
    okm.fill(0);
  }
}

// ---------------------------------------------------------------- size arithmetic (pure)

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) fail('IMPOSSIBLE_SIZE', 'size must be a non-negative safe integer');
}

/** Number of chunks for a plaintext of `size` bytes (the empty file has one empty chunk). */
export function chunkCount(size: number, chunkSize = DEFAULT_CHUNK_SIZE): number {
  checkSize(size);
  checkChunkSize(chunkSize);
  const count = size === 0 ? 1 : Math.ceil(size / chunkSize);
  if (count > MAX_CHUNKS) fail('IMPOSSIBLE_SIZE', 'too many chunks');
  return count;
}

/** Plaintext length of chunk `index` in a file of `size` bytes. */
export function chunkPlaintextLength(size: number, index: number, chunkSize = DEFAULT_CHUNK_SIZE): number {
  const count = chunkCount(size, chunkSize);
  if (!Number.isInteger(index) || index < 0 || index >= count) fail('CHUNK_INDEX_RANGE', 'chunk index out of range');
  return index < count - 1 ? chunkSize : size - chunkSize * (count - 1);
}

/** Byte offset of chunk `index` in the plaintext. */
export function chunkOffset(index: number, chunkSize = DEFAULT_CHUNK_SIZE): number {
  checkChunkSize(chunkSize);
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) fail('CHUNK_INDEX_RANGE', 'bad chunk index');
  return index * chunkSize;
}

/** Total sealed size of a plaintext of `size` bytes. */
export function ciphertextSize(size: number, chunkSize = DEFAULT_CHUNK_SIZE): number {
  const sealed = size + chunkCount(size, chunkSize) * TAG_BYTES;
  // Near 2^53 the tags push the total past exact integers; a rounded size would be silently wrong.
  if (!Number.isSafeInteger(sealed)) fail('IMPOSSIBLE_SIZE', 'sealed size exceeds 2^53 - 1');
  return sealed;
}

/** Inverse of `ciphertextSize`; throws IMPOSSIBLE_SIZE for lengths no plaintext produces. */
export function plaintextSize(sealedSize: number, chunkSize = DEFAULT_CHUNK_SIZE): number {
  checkSize(sealedSize);
  checkChunkSize(chunkSize);
  const full = Math.floor(sealedSize / (chunkSize + TAG_BYTES));
  const rest = sealedSize % (chunkSize + TAG_BYTES);
  if (rest === 0) {
    if (full === 0) fail('IMPOSSIBLE_SIZE', 'a stream has at least one chunk');
    if (full > MAX_CHUNKS) fail('IMPOSSIBLE_SIZE', 'too many chunks');
    return full * chunkSize;
  }
  if (rest < TAG_BYTES) fail('IMPOSSIBLE_SIZE', 'trailing bytes shorter than a tag');
  if (rest === TAG_BYTES && full > 0) fail('IMPOSSIBLE_SIZE', 'empty final chunk after full chunks');
  if (full + 1 > MAX_CHUNKS) fail('IMPOSSIBLE_SIZE', 'too many chunks');
  return full * chunkSize + rest - TAG_BYTES;
}

// ---------------------------------------------------------------- chunk-level API

function nonceFor(keys: FileStreamKeys, index: number, last: boolean): Uint8Array {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_CHUNKS) fail('CHUNK_INDEX_RANGE', 'bad chunk index');
  const nonce = new Uint8Array(12);
  nonce.set(keys.noncePrefix, 0);
  new DataView(nonce.buffer).setUint32(NONCE_PREFIX_BYTES, index);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

function checkChunkShape(keys: FileStreamKeys, index: number, length: number, last: boolean): void {
  if (length > keys.chunkSize) fail('CHUNK_TOO_LARGE', 'chunk larger than the chunk size');
  if (!last && length !== keys.chunkSize) fail('CHUNK_TOO_LARGE', 'only the final chunk may be short');
  if (last && length === 0 && index !== 0) fail('EMPTY_FINAL_CHUNK', 'an empty final chunk is only valid alone');
}

/** Seal chunk `index` of a file. */
export async function sealChunk(keys: FileStreamKeys, index: number, plaintext: Uint8Array, last: boolean) {
  checkChunkShape(keys, index, plaintext.length, last);
  return aesGcmEncrypt(keys.key, nonceFor(keys, index, last), plaintext, keys.aad);
}

/** Open chunk `index`; `last` must say whether the receiver expects this to be the final chunk. */
export async function openChunk(keys: FileStreamKeys, index: number, sealed: Uint8Array, last: boolean) {
  if (sealed.length < TAG_BYTES) fail('CHUNK_AUTH_FAILED', 'sealed chunk shorter than its tag');
  checkChunkShape(keys, index, sealed.length - TAG_BYTES, last);
  return aesGcmDecrypt(keys.key, nonceFor(keys, index, last), sealed, keys.aad, 'CHUNK_AUTH_FAILED');
}

// ---------------------------------------------------------------- WHATWG streams

/**
 * How many chunks may be in flight in WebCrypto at once. WebCrypto runs each call off the main thread (Node's
 * libuv pool, Chromium's crypto worker), so a deep pipeline lets every core work; measured with
 * `npm run bench:crypto`, 32 × 64 KiB (2 MiB in flight) is where the gain levels off.
 */
const DEFAULT_PIPELINE_DEPTH = 32;

/** Keeps up to `depth` async results in flight and emits them in order. */
class OrderedPipeline {
  private readonly queue: Promise<Uint8Array>[] = [];
  constructor(private readonly depth: number) {}

  async push(work: Promise<Uint8Array>, emit: (bytes: Uint8Array) => void): Promise<void> {
    work.catch(() => undefined); // observed later in order; avoid an unhandled rejection meanwhile
    this.queue.push(work);
    while (this.queue.length >= this.depth) emit(await this.queue.shift()!);
  }

  async drain(emit: (bytes: Uint8Array) => void): Promise<void> {
    while (this.queue.length > 0) emit(await this.queue.shift()!);
  }
}

export interface StreamOptions {
  /** First chunk index (resume). Default 0. */
  readonly startChunk?: number;
  /** Concurrent WebCrypto operations. Default 32. */
  readonly depth?: number;
}

/**
 * Cuts an input byte stream into pieces of `size` and hands every piece that is known NOT to be the last one to
 * `dispatch` as soon as more input proves it; the remainder (1..size bytes, or 0 for an empty stream) is held for
 * `finish`. Pieces are passed as views — of the caller's input where a whole piece lies inside it, otherwise of one
 * reused assembly buffer — which is safe because WebCrypto copies its input before `encrypt`/`decrypt` return
 * (W3C Web Cryptography API §14.3.1/§14.3.2: "get a copy of the bytes held by the data parameter"), and `dispatch`
 * calls into WebCrypto synchronously. No allocation or copy per chunk on the hot path.
 */
class Chunker {
  private readonly buffer: Uint8Array;
  private filled = 0;

  constructor(private readonly size: number) {
    this.buffer = new Uint8Array(size);
  }

  async push(input: Uint8Array, dispatch: (piece: Uint8Array) => Promise<void>): Promise<void> {
    let offset = 0;
    while (offset < input.length) {
      if (this.filled === this.size) {
        // Input continues, so the assembled piece is not the last one.
        await dispatch(this.buffer);
        this.filled = 0;
      }
      if (this.filled === 0 && input.length - offset > this.size) {
        // A whole piece with more input after it: dispatch straight from the caller's bytes.
        await dispatch(input.subarray(offset, offset + this.size));
        offset += this.size;
        continue;
      }
      const take = Math.min(this.size - this.filled, input.length - offset);
      this.buffer.set(input.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
    }
  }

  /** The held remainder: the final piece. */
  get rest(): Uint8Array {
    return this.buffer.subarray(0, this.filled);
  }
}

/**
 * Plaintext bytes in (any split) → one sealed chunk per output. The final chunk is only known at the end of input,
 * so up to one chunk is always held back until more input (or the end) arrives.
 */
export function createEncryptStream(keys: FileStreamKeys, options: StreamOptions = {}) {
  const pipeline = new OrderedPipeline(options.depth ?? DEFAULT_PIPELINE_DEPTH);
  const chunker = new Chunker(keys.chunkSize);
  let index = options.startChunk ?? 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(input, controller) {
      const emit = (b: Uint8Array) => controller.enqueue(b);
      await chunker.push(input, (piece) => pipeline.push(sealChunk(keys, index++, piece, false), emit));
    },
    async flush(controller) {
      const emit = (b: Uint8Array) => controller.enqueue(b);
      await pipeline.push(sealChunk(keys, index++, chunker.rest, true), emit);
      await pipeline.drain(emit);
    },
  });
}

/**
 * Sealed bytes in (any split, e.g. byte by byte) → plaintext chunks out. Ends with TRUNCATED if the input stops
 * before a final chunk, CHUNK_AUTH_FAILED on any tampering (including bytes after the final chunk; use
 * `createBoundedDecryptStream` to have those reported as TRAILING_DATA).
 */
export function createDecryptStream(keys: FileStreamKeys, options: StreamOptions = {}) {
  const pipeline = new OrderedPipeline(options.depth ?? DEFAULT_PIPELINE_DEPTH);
  const pieceSize = keys.chunkSize + TAG_BYTES;
  const chunker = new Chunker(pieceSize);
  let index = options.startChunk ?? 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(input, controller) {
      const emit = (b: Uint8Array) => controller.enqueue(b);
      await chunker.push(input, (piece) => pipeline.push(openChunk(keys, index++, piece, false), emit));
    },
    async flush(controller) {
      const emit = (b: Uint8Array) => controller.enqueue(b);
      await pipeline.drain(emit);
      const piece = chunker.rest;
      if (piece.length < TAG_BYTES) fail('TRUNCATED', 'stream ended without a final chunk');
      try {
        emit(await openChunk(keys, index, piece, true));
      } catch (error) {
        // Distinguish a cut at a chunk boundary (the piece is a valid non-final chunk) from tampering.
        if (piece.length === pieceSize && (await openChunk(keys, index, piece, false).then(() => true, () => false))) {
          fail('TRUNCATED', 'stream ended without a final chunk');
        }
        throw error;
      }
    },
  });
}

/**
 * Wraps a decrypt stream so that bytes after the final chunk are reported as TRAILING_DATA rather than as a tag
 * failure: use when the sealed length is known in advance (it always is: the manifest gives the plaintext size).
 */
export function createBoundedDecryptStream(keys: FileStreamKeys, plaintextBytes: number, options: StreamOptions = {}) {
  const expected = ciphertextSize(plaintextBytes, keys.chunkSize) - (options.startChunk ?? 0) * (keys.chunkSize + TAG_BYTES);
  let seen = 0;
  const limiter = new TransformStream<Uint8Array, Uint8Array>({
    transform(input, controller) {
      seen += input.length;
      if (seen > expected) fail('TRAILING_DATA', 'bytes after the final chunk');
      controller.enqueue(input);
    },
  });
  const decrypt = createDecryptStream(keys, options);
  return { writable: limiter.writable, readable: limiter.readable.pipeThrough(decrypt) };
}
