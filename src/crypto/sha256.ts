/**
 * Incremental (streaming) SHA-256 in pure TypeScript, with a serialisable running state.
 *
 * Purpose: WebCrypto's `digest` is one-shot, but the transfer layer hashes the plaintext of multi-GB files chunk by
 * chunk, and a receiver that crashes must be able to persist the hash state at a chunk boundary and resume later.
 * This module gives both: `update` any number of times, `exportState` at any point, `Sha256.fromState` to continue.
 * It runs unchanged in Node 20+, Chromium and the Electron renderer (Uint8Array only, no platform imports).
 *
 * Spec references (FIPS 180-4, August 2015):
 * - §3.2 / §2.2.2: all arithmetic is on 32-bit words modulo 2^32; ROTR^n is a right rotation.
 * - §4.1.2: the six logical functions Ch, Maj, Σ0, Σ1, σ0, σ1.
 * - §4.2.2: the 64 round constants K.
 * - §5.1.1: padding: a single 1 bit, zeros, then the message length in bits as a 64-bit big-endian integer.
 * - §5.3.3: the initial hash value H(0).
 * - §6.2.2: the compression function (message schedule W, eight working variables, 64 rounds).
 * - Test vectors: NIST CSRC "Example Algorithms" SHA256.pdf ("abc", the 448-bit message) and FIPS 180-2 App. B.3
 *   (one million 'a'); see test/crypto/sha256.test.ts, which also cross-checks against node:crypto.
 *
 * Trust assumptions:
 * - SHA-256 is used here for integrity of plaintext the peer already authenticated with AEAD; this file adds no
 *   secrecy. Its inner loop uses only 32-bit add/xor/and/rotate with no secret-dependent branches or table indices,
 *   which is as close to constant-time as JavaScript allows, but nothing here is promised constant-time.
 * - An exported state is NOT authenticated. It reveals up to 63 bytes of buffered plaintext and lets whoever can
 *   write it choose the resulting digest. Store it where the plaintext itself is stored (or seal it), never send it
 *   to the peer, and treat a state read back from disk as untrusted input: `fromState` checks its shape strictly,
 *   but it cannot know whether the eight words are the ones this device wrote.
 * - Lengths are JavaScript numbers, so at most 2^53 − 1 bytes can be hashed (FIPS allows 2^61 − 1); that bounds
 *   every file size the protocol accepts, and exceeding it throws BAD_INPUT instead of silently wrapping.
 *
 * State encoding (version 1), big-endian, exactly 42 + n bytes:
 *
 *   offset  size  field
 *   0       1     format version = 0x01
 *   1       32    H0..H7, eight u32 words of the running hash value (§6.2.2 step 4 output)
 *   33      8     u64 total bytes hashed so far (must be ≤ 2^53 − 1)
 *   41      1     n = buffered length, 0..63; must equal (total mod 64)
 *   42      n     the buffered bytes of the incomplete block
 *
 * `fromState` rejects, with BAD_ENCODING: a wrong version, any length other than 42 + n, n > 63, n ≠ total mod 64,
 * a total above 2^53 − 1, and (since no block has been compressed yet) a total below 64 whose H is not H(0).
 *
 * Performance: blocks are compressed straight from the caller's array when 64 bytes are available; only a partial
 * block is copied. The message schedule is one preallocated module-level array (JavaScript is single-threaded and
 * `compress` never yields), so steady-state hashing allocates nothing per block or per `update`.
 */

import { ByteReader, ByteWriter } from '../bytes';
import { fail } from '../errors';

/** Marker for the serialised running state; the state itself travels as the bytes `exportState` returns. */
// The brief fixes this name; the concrete currency is `Uint8Array` (see the state encoding above).
export interface Sha256State {
  /** opaque, serialisable */
}

/** The only state format `exportState` writes and `fromState` accepts. */
const STATE_VERSION = 1;
const STATE_HEADER_LENGTH = 1 + 32 + 8 + 1;
const BLOCK_LENGTH = 64;

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

// FIPS 180-4 §5.3.3: first 32 bits of the fractional parts of the square roots of the first 8 primes.
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// §6.2.2 step 1 message schedule, shared by every instance (see Performance above). Int32Array rather than
// Uint32Array: every value is produced by `| 0` arithmetic, and int32 loads stay small integers in V8 while uint32
// loads above 2^31 become heap numbers; the bits are identical (measured, see the benchmark note in the report).
const W = new Int32Array(64);

/**
 * FIPS 180-4 §6.2.2: compress every 64-byte block of `data[pos, end)` into `h`. `end - pos` must be a multiple
 * of 64. Words are stored as int32; `| 0` after each sum is the mod-2^32 addition of §3.2.
 */
function compress(h: Int32Array, data: Uint8Array, pos: number, end: number): void {
  let h0 = h[0]!;
  let h1 = h[1]!;
  let h2 = h[2]!;
  let h3 = h[3]!;
  let h4 = h[4]!;
  let h5 = h[5]!;
  let h6 = h[6]!;
  let h7 = h[7]!;
  while (pos < end) {
    // Step 1: W0..W15 are the block's big-endian words (§3.1 item 3); W16..W63 from σ0, σ1 (§4.1.2, 4.6–4.7).
    for (let t = 0; t < 16; t++, pos += 4) {
      W[t] = (data[pos]! << 24) | (data[pos + 1]! << 16) | (data[pos + 2]! << 8) | data[pos + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!;
      const w2 = W[t - 2]!;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[t] = (s1 + W[t - 7]! + s0 + W[t - 16]!) | 0;
    }
    // Steps 2–3: 64 rounds over the working variables a..h with Σ0, Σ1, Ch, Maj (§4.1.2, 4.2–4.5).
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let hh = h7;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    // Step 4: the intermediate hash value H(i).
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + hh) | 0;
  }
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
  h[4] = h4;
  h[5] = h5;
  h[6] = h6;
  h[7] = h7;
}

/**
 * Streaming SHA-256 (FIPS 180-4). Feed bytes with `update`, finish with `digest`; at any point `exportState`
 * captures the running state and `Sha256.fromState` continues from it, in this process or a later one.
 *
 * A hasher is single-use: after `digest`, every further `update`, `digest` or `exportState` throws BAD_INPUT.
 */
export class Sha256 {
  private readonly h = new Int32Array(IV);
  /** The incomplete block: its first `buffered` bytes are message bytes not yet compressed. */
  private readonly block = new Uint8Array(BLOCK_LENGTH);
  private buffered = 0;
  private total = 0;
  private finished = false;

  /** Total message bytes fed so far (including bytes fed before an `exportState` this hasher was restored from). */
  get bytesHashed(): number {
    return this.total;
  }

  /**
   * Absorb `data` (any length, including zero). The caller may reuse or modify `data` as soon as this returns.
   * @throws SealdropError BAD_INPUT after `digest`, or if the total would exceed 2^53 − 1 bytes.
   */
  update(data: Uint8Array): this {
    if (this.finished) fail('BAD_INPUT', 'SHA-256: update after digest');
    const length = data.length;
    if (length > Number.MAX_SAFE_INTEGER - this.total) fail('BAD_INPUT', 'SHA-256: input exceeds 2^53 - 1 bytes');
    this.total += length;

    let pos = 0;
    let buffered = this.buffered;
    const block = this.block;
    if (buffered > 0) {
      // Top up the partial block by hand: at most 63 bytes, and no subarray view to allocate (byte-by-byte callers).
      const take = Math.min(BLOCK_LENGTH - buffered, length);
      for (let i = 0; i < take; i++) block[buffered + i] = data[i]!;
      buffered += take;
      pos = take;
      if (buffered < BLOCK_LENGTH) {
        this.buffered = buffered;
        return this;
      }
      compress(this.h, block, 0, BLOCK_LENGTH);
      buffered = 0;
    }
    const wholeEnd = length - ((length - pos) % BLOCK_LENGTH);
    if (wholeEnd > pos) compress(this.h, data, pos, wholeEnd);
    for (let i = wholeEnd; i < length; i++) block[buffered++] = data[i]!;
    this.buffered = buffered;
    return this;
  }

  /**
   * Finish (FIPS 180-4 §5.1.1 padding) and return the 32-byte digest H0 ‖ … ‖ H7, big-endian (§6.2.2).
   * Wipes the buffered plaintext; the hasher is spent afterwards.
   * @throws SealdropError BAD_INPUT if `digest` was already called.
   */
  digest(): Uint8Array {
    if (this.finished) fail('BAD_INPUT', 'SHA-256: digest called twice');
    this.finished = true;
    const block = this.block;
    let n = this.buffered;
    block[n++] = 0x80;
    if (n > BLOCK_LENGTH - 8) {
      block.fill(0, n);
      compress(this.h, block, 0, BLOCK_LENGTH);
      n = 0;
    }
    block.fill(0, n, BLOCK_LENGTH - 8);
    // Message length in bits as u64. total ≤ 2^53 − 1, so bits < 2^56: split before multiplying to stay exact.
    const high = Math.floor(this.total / 0x2000_0000); // total × 8 / 2^32
    const low = (this.total % 0x2000_0000) * 8;
    writeU32(block, 56, high);
    writeU32(block, 60, low);
    compress(this.h, block, 0, BLOCK_LENGTH);

    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) writeU32(out, i * 4, this.h[i]!);
    block.fill(0);
    this.buffered = 0;
    return out;
  }

  /**
   * Serialise the running state (version ‖ H ‖ total ‖ n ‖ buffered bytes; see the file header). Does not disturb
   * this hasher. The result contains up to 63 bytes of plaintext and is unauthenticated: store it like plaintext.
   * @throws SealdropError BAD_INPUT after `digest`.
   */
  exportState(): Uint8Array {
    if (this.finished) fail('BAD_INPUT', 'SHA-256: exportState after digest');
    const writer = new ByteWriter(STATE_HEADER_LENGTH + this.buffered);
    writer.u8(STATE_VERSION);
    for (let i = 0; i < 8; i++) writer.u32(this.h[i]! >>> 0);
    writer.u64(this.total);
    writer.u8(this.buffered);
    writer.bytes(this.block.subarray(0, this.buffered));
    return writer.finish();
  }

  /**
   * Continue from bytes produced by `exportState`. The input is copied, not retained.
   * @throws SealdropError BAD_ENCODING if the bytes are not a well-formed version-1 state (see the file header).
   */
  static fromState(state: Uint8Array): Sha256 {
    const reader = new ByteReader(state, 'BAD_ENCODING');
    if (reader.u8() !== STATE_VERSION) fail('BAD_ENCODING', 'SHA-256 state: unsupported version');
    const hasher = new Sha256();
    for (let i = 0; i < 8; i++) hasher.h[i] = reader.u32();
    const total = reader.u64();
    const buffered = reader.u8();
    if (buffered >= BLOCK_LENGTH) fail('BAD_ENCODING', 'SHA-256 state: buffered length out of range');
    if (total % BLOCK_LENGTH !== buffered) fail('BAD_ENCODING', 'SHA-256 state: buffered length does not match total');
    hasher.block.set(reader.bytes(buffered));
    reader.end();
    if (total < BLOCK_LENGTH && !hasher.h.every((word, i) => word === IV[i])) {
      fail('BAD_ENCODING', 'SHA-256 state: hash words set before any block was compressed');
    }
    hasher.total = total;
    hasher.buffered = buffered;
    return hasher;
  }
}

function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24;
  out[offset + 1] = value >>> 16;
  out[offset + 2] = value >>> 8;
  out[offset + 3] = value;
}

/** One-shot SHA-256 of `data`, synchronously (WebCrypto's `digest` is async only). */
export function sha256Sync(data: Uint8Array): Uint8Array {
  return new Sha256().update(data).digest();
}

/**
 * What the transfer layer needs from a hash: streaming, resumable from exported bytes. Implementations throw
 * SealdropError BAD_INPUT on misuse (update after digest) and BAD_ENCODING on malformed state.
 */
export interface IncrementalHash {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
  exportState(): Uint8Array;
  readonly bytesHashed: number;
}

/** Builds fresh or restored hashers; injected into the core so a faster (e.g. WASM) SHA-256 can replace this one. */
export type HashFactory = {
  create(): IncrementalHash;
  fromState(state: Uint8Array): IncrementalHash;
};

/** The pure-TypeScript SHA-256 of this file as a HashFactory. */
export const pureSha256: HashFactory = Object.freeze({
  create: (): IncrementalHash => new Sha256(),
  fromState: (state: Uint8Array): IncrementalHash => Sha256.fromState(state),
});
