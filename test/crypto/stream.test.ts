import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, equalBytes } from '../../src/bytes';
import {
  chunkCount,
  chunkOffset,
  chunkPlaintextLength,
  ciphertextSize,
  createBoundedDecryptStream,
  createDecryptStream,
  createEncryptStream,
  DEFAULT_CHUNK_SIZE,
  deriveFileStreamKeys,
  MAX_CHUNK_SIZE,
  MAX_CHUNKS,
  MIN_CHUNK_SIZE,
  openChunk,
  plaintextSize,
  sealChunk,
  TAG_BYTES,
  type FileStreamKeys,
} from '../../src/crypto/stream';
import { expectCode } from '../helpers/expect-code';

const CHUNK = 64;
const PIECE = CHUNK + TAG_BYTES;
const dataSecret = new Uint8Array(32).fill(0x42);
const manifestHash = new Uint8Array(32).fill(0x17);

function keysFor(chunkSize = CHUNK, fileIndex = 0): Promise<FileStreamKeys> {
  return deriveFileStreamKeys(dataSecret, manifestHash, fileIndex, chunkSize);
}

/** Deterministic filler (xorshift32); SeededRandom is a DRBG for keys and too slow for a megabyte of plaintext. */
function randomBytes(n: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed | 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A ReadableStream that enqueues `parts` one at a time, as a network would. */
function source(parts: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]);
      else controller.close();
    },
  });
}

async function collect(readable: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const reader = readable.getReader();
  const out: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

function run(pair: ReadableWritablePair<Uint8Array, Uint8Array>, parts: readonly Uint8Array[]) {
  return collect(source(parts).pipeThrough(pair));
}

function bytewise(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (b) => Uint8Array.of(b));
}

function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let last = 0;
  for (const p of points) {
    parts.push(bytes.subarray(last, p));
    last = p;
  }
  parts.push(bytes.subarray(last));
  return parts;
}

async function encrypt(keys: FileStreamKeys, plaintext: Uint8Array, parts?: Uint8Array[]) {
  return run(createEncryptStream(keys), parts ?? [plaintext]);
}

describe('STREAM size arithmetic', () => {
  it('counts chunks: the empty file has one empty chunk', () => {
    expect(chunkCount(0, CHUNK)).toBe(1);
    expect(chunkCount(1, CHUNK)).toBe(1);
    expect(chunkCount(CHUNK - 1, CHUNK)).toBe(1);
    expect(chunkCount(CHUNK, CHUNK)).toBe(1);
    expect(chunkCount(CHUNK + 1, CHUNK)).toBe(2);
    expect(chunkCount(3 * CHUNK, CHUNK)).toBe(3);
    expect(chunkCount(1024 * 1024)).toBe(16);
    expect(chunkCount(MAX_CHUNKS * CHUNK, CHUNK)).toBe(MAX_CHUNKS);
  });

  it('rejects impossible plaintext sizes and chunk sizes', async () => {
    for (const size of [-1, Number.NaN, 1.5, Number.POSITIVE_INFINITY, 2 ** 53]) {
      await expectCode(() => chunkCount(size, CHUNK), 'IMPOSSIBLE_SIZE');
      await expectCode(() => ciphertextSize(size, CHUNK), 'IMPOSSIBLE_SIZE');
    }
    await expectCode(() => chunkCount(MAX_CHUNKS * CHUNK + 1, CHUNK), 'IMPOSSIBLE_SIZE');
    for (const chunkSize of [0, MIN_CHUNK_SIZE - 1, MAX_CHUNK_SIZE + 1, 64.5, Number.NaN]) {
      await expectCode(() => chunkCount(10, chunkSize), 'IMPOSSIBLE_SIZE');
      await expectCode(() => plaintextSize(100, chunkSize), 'IMPOSSIBLE_SIZE');
      await expectCode(() => deriveFileStreamKeys(dataSecret, manifestHash, 0, chunkSize), 'IMPOSSIBLE_SIZE');
    }
  });

  it('gives each chunk its plaintext length and offset', async () => {
    const size = 2 * CHUNK + 5;
    expect([0, 1, 2].map((i) => chunkPlaintextLength(size, i, CHUNK))).toEqual([CHUNK, CHUNK, 5]);
    expect(chunkPlaintextLength(0, 0, CHUNK)).toBe(0);
    expect(chunkPlaintextLength(3 * CHUNK, 2, CHUNK)).toBe(CHUNK);
    expect(chunkOffset(3, CHUNK)).toBe(3 * CHUNK);
    for (const index of [-1, 3, 1.5]) await expectCode(() => chunkPlaintextLength(size, index, CHUNK), 'CHUNK_INDEX_RANGE');
    for (const index of [-1, MAX_CHUNKS, 0.5]) await expectCode(() => chunkOffset(index, CHUNK), 'CHUNK_INDEX_RANGE');
  });

  it('computes sealed sizes', () => {
    expect(ciphertextSize(0, CHUNK)).toBe(TAG_BYTES);
    expect(ciphertextSize(1, CHUNK)).toBe(1 + TAG_BYTES);
    expect(ciphertextSize(CHUNK, CHUNK)).toBe(PIECE);
    expect(ciphertextSize(CHUNK + 1, CHUNK)).toBe(PIECE + 1 + TAG_BYTES);
    expect(ciphertextSize(1024 * 1024)).toBe(1024 * 1024 + 16 * TAG_BYTES);
  });

  it('inverts sealed sizes', () => {
    expect(plaintextSize(TAG_BYTES, CHUNK)).toBe(0);
    expect(plaintextSize(TAG_BYTES + 1, CHUNK)).toBe(1);
    expect(plaintextSize(PIECE, CHUNK)).toBe(CHUNK);
    expect(plaintextSize(PIECE + TAG_BYTES + 1, CHUNK)).toBe(CHUNK + 1);
    expect(plaintextSize(3 * PIECE, CHUNK)).toBe(3 * CHUNK);
  });

  it('rejects every sealed size no plaintext produces', async () => {
    const impossible = [
      -1,
      -PIECE,
      Number.NaN,
      1.5,
      PIECE + 0.5,
      Number.POSITIVE_INFINITY,
      0, // a stream has at least one chunk
      ...Array.from({ length: TAG_BYTES - 1 }, (_, i) => i + 1), // 1..15: shorter than one tag
      ...Array.from({ length: TAG_BYTES - 1 }, (_, i) => 2 * PIECE + i + 1), // full chunks + a stub shorter than a tag
      PIECE + TAG_BYTES, // one full chunk + an empty final chunk
      3 * PIECE + TAG_BYTES, // several full chunks + an empty final chunk
      2 ** 53, // beyond exact integers
      2 ** 53 + 2 * PIECE,
      (MAX_CHUNKS + 1) * PIECE, // 2^32 + 1 full chunks: one more than the nonce counter allows
      MAX_CHUNKS * PIECE + TAG_BYTES + 1, // 2^32 full chunks + a short final chunk
    ];
    for (const size of impossible) await expectCode(() => plaintextSize(size, CHUNK), 'IMPOSSIBLE_SIZE');
    expect(plaintextSize(MAX_CHUNKS * PIECE, CHUNK)).toBe(MAX_CHUNKS * CHUNK);
  });

  it('ciphertextSize refuses results it cannot represent exactly', async () => {
    // 2^53 - 1 bytes in 4 MiB chunks is 2^31 chunks (a legal count), but adding their tags leaves the safe integers.
    await expectCode(() => ciphertextSize(Number.MAX_SAFE_INTEGER, MAX_CHUNK_SIZE), 'IMPOSSIBLE_SIZE');
  });

  it('plaintextSize(ciphertextSize(n)) = n (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: MIN_CHUNK_SIZE, max: MAX_CHUNK_SIZE }), (n, chunkSize) => {
        let sealed: number;
        try {
          sealed = ciphertextSize(n, chunkSize);
        } catch {
          return; // too many chunks or unrepresentable: covered above
        }
        expect(plaintextSize(sealed, chunkSize)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.constantFrom(16, 17, 64, 1000, DEFAULT_CHUNK_SIZE), (n, chunkSize) => {
        expect(plaintextSize(ciphertextSize(n, chunkSize), chunkSize)).toBe(n);
      }),
    );
  });

  it('every sealed size is either impossible or the image of exactly one plaintext size (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(16, 64, 100), (sealed, chunkSize) => {
        let n: number;
        try {
          n = plaintextSize(sealed, chunkSize);
        } catch {
          return;
        }
        expect(ciphertextSize(n, chunkSize)).toBe(sealed);
      }),
    );
  });
});

describe('STREAM round trips', () => {
  const sizes = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK];

  for (const size of sizes) {
    it(`round-trips ${size} bytes with chunk size ${CHUNK}`, async () => {
      const keys = await keysFor();
      const plaintext = randomBytes(size);
      const sealed = await encrypt(keys, plaintext);
      expect(sealed.length).toBe(chunkCount(size, CHUNK));
      sealed.forEach((piece, i) => expect(piece.length).toBe(chunkPlaintextLength(size, i, CHUNK) + TAG_BYTES));
      const wire = concatBytes(...sealed);
      expect(wire.length).toBe(ciphertextSize(size, CHUNK));
      expect(concatBytes(...(await run(createDecryptStream(keys), [wire])))).toEqual(plaintext);
      expect(concatBytes(...(await run(createBoundedDecryptStream(keys, size), [wire])))).toEqual(plaintext);
    });

    it(`feeding ${size} bytes byte by byte gives the same result`, async () => {
      const keys = await keysFor();
      const plaintext = randomBytes(size);
      const whole = concatBytes(...(await encrypt(keys, plaintext)));
      const bytewiseSealed = concatBytes(...(await encrypt(keys, plaintext, bytewise(plaintext))));
      expect(bytewiseSealed).toEqual(whole);
      expect(concatBytes(...(await run(createDecryptStream(keys), bytewise(whole))))).toEqual(plaintext);
      expect(concatBytes(...(await run(createBoundedDecryptStream(keys, size), bytewise(whole))))).toEqual(plaintext);
    });
  }

  it('round-trips 1 MiB at the default 64 KiB chunk size', async () => {
    const keys = await keysFor(DEFAULT_CHUNK_SIZE);
    const plaintext = randomBytes(1024 * 1024);
    const sealed = await encrypt(keys, plaintext);
    expect(sealed.length).toBe(16);
    const wire = concatBytes(...sealed);
    expect(wire.length).toBe(ciphertextSize(plaintext.length));
    expect(plaintextSize(wire.length)).toBe(plaintext.length);
    const parts = splitAt(wire, [1, 1000, 65_551, 65_552, 65_553, 500_000, wire.length - 1]);
    // equalBytes rather than toEqual: vitest's deep equality walks a megabyte element by element (seconds).
    expect(equalBytes(concatBytes(...(await run(createBoundedDecryptStream(keys, plaintext.length), parts))), plaintext)).toBe(true);
  });

  it('works with pipeline depth 1', async () => {
    const keys = await keysFor();
    const plaintext = randomBytes(5 * CHUNK + 3);
    const wire = concatBytes(...(await run(createEncryptStream(keys, { depth: 1 }), [plaintext])));
    expect(wire).toEqual(concatBytes(...(await encrypt(keys, plaintext))));
    expect(concatBytes(...(await run(createDecryptStream(keys, { depth: 1 }), [wire])))).toEqual(plaintext);
  });

  it('random plaintext and random split points round-trip (property)', async () => {
    const keys = await keysFor(MIN_CHUNK_SIZE);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        async (plaintext, plainCuts, sealedCuts) => {
          const sealed = concatBytes(...(await encrypt(keys, plaintext, splitAt(plaintext, plainCuts))));
          expect(sealed.length).toBe(ciphertextSize(plaintext.length, MIN_CHUNK_SIZE));
          const opened = await run(createBoundedDecryptStream(keys, plaintext.length), splitAt(sealed, sealedCuts));
          expect(concatBytes(...opened)).toEqual(plaintext);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('STREAM chunk-level API (seekable)', () => {
  it('sealing chunk i alone equals the i-th output of the stream', async () => {
    const keys = await keysFor();
    const size = 4 * CHUNK + 9;
    const plaintext = randomBytes(size);
    const sealed = await encrypt(keys, plaintext);
    const count = chunkCount(size, CHUNK);
    for (let i = 0; i < count; i++) {
      const offset = chunkOffset(i, CHUNK);
      const chunk = plaintext.subarray(offset, offset + chunkPlaintextLength(size, i, CHUNK));
      expect(await sealChunk(keys, i, chunk, i === count - 1)).toEqual(sealed[i]);
      expect(await openChunk(keys, i, sealed[i]!, i === count - 1)).toEqual(chunk);
    }
  });

  it('resumes: encrypting and decrypting from startChunk reproduce the tail of the full stream', async () => {
    const keys = await keysFor();
    const size = 5 * CHUNK + 11;
    const plaintext = randomBytes(size);
    const sealed = await encrypt(keys, plaintext);
    for (const start of [1, 3, 5]) {
      const tail = plaintext.subarray(chunkOffset(start, CHUNK));
      const resumedSealed = await run(createEncryptStream(keys, { startChunk: start }), bytewise(tail));
      expect(resumedSealed).toEqual(sealed.slice(start));
      const sealedTail = concatBytes(...sealed.slice(start));
      expect(concatBytes(...(await run(createDecryptStream(keys, { startChunk: start }), [sealedTail])))).toEqual(tail);
      const bounded = createBoundedDecryptStream(keys, size, { startChunk: start });
      expect(concatBytes(...(await run(bounded, bytewise(sealedTail))))).toEqual(tail);
    }
  });

  it('enforces chunk shapes and indexes', async () => {
    const keys = await keysFor();
    await expectCode(sealChunk(keys, 0, new Uint8Array(CHUNK + 1), true), 'CHUNK_TOO_LARGE');
    await expectCode(sealChunk(keys, 0, new Uint8Array(CHUNK - 1), false), 'CHUNK_TOO_LARGE');
    await expectCode(sealChunk(keys, 1, new Uint8Array(0), true), 'EMPTY_FINAL_CHUNK');
    await expectCode(sealChunk(keys, -1, new Uint8Array(CHUNK), false), 'CHUNK_INDEX_RANGE');
    await expectCode(sealChunk(keys, MAX_CHUNKS, new Uint8Array(1), true), 'CHUNK_INDEX_RANGE');
    expect((await sealChunk(keys, MAX_CHUNKS - 1, new Uint8Array(1), true)).length).toBe(1 + TAG_BYTES);
    await expectCode(openChunk(keys, 0, new Uint8Array(TAG_BYTES - 1), true), 'CHUNK_AUTH_FAILED');
    await expectCode(openChunk(keys, 0, new Uint8Array(PIECE + 1), true), 'CHUNK_TOO_LARGE');
    await expectCode(openChunk(keys, 2, new Uint8Array(TAG_BYTES), true), 'EMPTY_FINAL_CHUNK');
  });

  it('rejects malformed key material', async () => {
    await expectCode(deriveFileStreamKeys(new Uint8Array(31), manifestHash, 0, CHUNK), 'BAD_KEY');
    await expectCode(deriveFileStreamKeys(dataSecret, new Uint8Array(33), 0, CHUNK), 'BAD_KEY');
    await expectCode(deriveFileStreamKeys(dataSecret, manifestHash, -1, CHUNK), 'BAD_INPUT');
  });
});

describe('STREAM tampering (property)', () => {
  /**
   * Decided precisely: a byte changed in place keeps every length, so it can only be caught by a tag:
   * CHUNK_AUTH_FAILED, never TRUNCATED or TRAILING_DATA.
   */
  it('any single-byte change of the ciphertext fails with CHUNK_AUTH_FAILED', async () => {
    const keys = await keysFor(MIN_CHUNK_SIZE);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 120 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (plaintext, position, delta) => {
          const sealed = concatBytes(...(await encrypt(keys, plaintext)));
          const at = position % sealed.length;
          sealed[at] = sealed[at]! ^ delta;
          await expectCode(run(createDecryptStream(keys), [sealed]), 'CHUNK_AUTH_FAILED');
          await expectCode(run(createBoundedDecryptStream(keys, plaintext.length), [sealed]), 'CHUNK_AUTH_FAILED');
        },
      ),
      { numRuns: 200 },
    );
  });

  it('every byte position of a multi-chunk stream is covered by a tag', async () => {
    const keys = await keysFor(MIN_CHUNK_SIZE);
    const plaintext = randomBytes(3 * MIN_CHUNK_SIZE + 5);
    const sealed = concatBytes(...(await encrypt(keys, plaintext)));
    for (let at = 0; at < sealed.length; at++) {
      const tampered = sealed.slice();
      tampered[at] = tampered[at]! ^ 0x01;
      await expectCode(run(createDecryptStream(keys), [tampered]), 'CHUNK_AUTH_FAILED');
    }
  });

  /**
   * Cutting the stream anywhere. Exact code by where the cut lands (p = chunkSize + 16, L = bytes kept):
   *   L mod p = 0 (a chunk boundary, including L = 0)     → TRUNCATED  (the last piece is a valid non-final chunk)
   *   L mod p in 1..15 (a stub shorter than a tag)        → TRUNCATED
   *   L mod p = 16 after at least one full piece          → EMPTY_FINAL_CHUNK (the stub would be an empty final chunk)
   *   otherwise                                           → CHUNK_AUTH_FAILED (a partial chunk opened as final)
   */
  it('truncation anywhere fails with the code its position implies', async () => {
    const keys = await keysFor(MIN_CHUNK_SIZE);
    const piece = MIN_CHUNK_SIZE + TAG_BYTES;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), fc.nat(), async (plaintext, cut) => {
        const sealed = concatBytes(...(await encrypt(keys, plaintext)));
        const kept = cut % sealed.length;
        const rest = kept % piece;
        const full = Math.floor(kept / piece);
        const code =
          rest === 0 || rest < TAG_BYTES
            ? 'TRUNCATED'
            : rest === TAG_BYTES && full > 0
              ? 'EMPTY_FINAL_CHUNK'
              : 'CHUNK_AUTH_FAILED';
        await expectCode(run(createDecryptStream(keys), [sealed.subarray(0, kept)]), code);
        await expectCode(run(createBoundedDecryptStream(keys, plaintext.length), [sealed.subarray(0, kept)]), code);
      }),
      { numRuns: 200 },
    );
  });

  /**
   * Appending bytes: with the sealed length known (bounded) → TRAILING_DATA; without it the extra bytes are read as
   * part of (or after) the final chunk, whose tag or last-flag then fails → CHUNK_AUTH_FAILED.
   */
  it('appended bytes fail with TRAILING_DATA when bounded and CHUNK_AUTH_FAILED otherwise', async () => {
    const keys = await keysFor(MIN_CHUNK_SIZE);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ minLength: 1, maxLength: 60 }), async (plaintext, extra) => {
        const sealed = concatBytes(...(await encrypt(keys, plaintext)), extra);
        await expectCode(run(createDecryptStream(keys), [sealed]), 'CHUNK_AUTH_FAILED');
        await expectCode(run(createBoundedDecryptStream(keys, plaintext.length), [sealed]), 'TRAILING_DATA');
      }),
      { numRuns: 150 },
    );
  });
});
