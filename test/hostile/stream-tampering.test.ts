/**
 * A hostile relay edits the sealed file stream it forwards. Each attack gets its own case and its exact code
 * (src/crypto/stream.ts lists which mechanism catches which attack).
 */
import { beforeAll, describe, it } from 'vitest';
import { concatBytes } from '../../src/bytes';
import {
  createBoundedDecryptStream,
  createDecryptStream,
  createEncryptStream,
  deriveFileStreamKeys,
  openChunk,
  sealChunk,
  TAG_BYTES,
  type FileStreamKeys,
} from '../../src/crypto/stream';
import { expectCode } from '../helpers/expect-code';

const CHUNK = 64;
const SIZE = 4 * CHUNK + 10; // five chunks: four full, one short final
const dataSecret = new Uint8Array(32).fill(0x42);
const otherSessionSecret = new Uint8Array(32).fill(0x43);
const manifestHash = new Uint8Array(32).fill(0x17);

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

function plaintextOf(size: number, salt: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + salt) & 0xff);
}

/** Sealed chunks of a file, one array element per chunk. */
async function sealFile(keys: FileStreamKeys, plaintext: Uint8Array): Promise<Uint8Array[]> {
  return collect(source([plaintext]).pipeThrough(createEncryptStream(keys)));
}

/** What the receiver does: decrypt, knowing nothing about the length. */
function receive(keys: FileStreamKeys, chunks: readonly Uint8Array[]) {
  return collect(source([concatBytes(...chunks)]).pipeThrough(createDecryptStream(keys)));
}

/** What the receiver does when the manifest gave it the plaintext size (the normal case). */
function receiveBounded(keys: FileStreamKeys, chunks: readonly Uint8Array[], size = SIZE) {
  return collect(source([concatBytes(...chunks)]).pipeThrough(createBoundedDecryptStream(keys, size)));
}

function flip(bytes: Uint8Array, at: number, mask = 0x01): Uint8Array {
  const out = bytes.slice();
  out[at] = out[at]! ^ mask;
  return out;
}

describe('hostile relay tampers with the file stream', () => {
  let keys: FileStreamKeys;
  let chunks: Uint8Array[];

  beforeAll(async () => {
    keys = await deriveFileStreamKeys(dataSecret, manifestHash, 0, CHUNK);
    chunks = await sealFile(keys, plaintextOf(SIZE, 1));
    if (chunks.length !== 5) throw new Error('fixture should have five chunks');
    // Sanity: the untouched stream opens through both receivers.
    await receive(keys, chunks);
    await receiveBounded(keys, chunks);
  });

  it('bit flip in a chunk ciphertext → CHUNK_AUTH_FAILED', async () => {
    const tampered = [...chunks];
    tampered[1] = flip(chunks[1]!, 10);
    await expectCode(receive(keys, tampered), 'CHUNK_AUTH_FAILED');
    await expectCode(receiveBounded(keys, tampered), 'CHUNK_AUTH_FAILED');
  });

  it('bit flip in a chunk tag → CHUNK_AUTH_FAILED', async () => {
    const tampered = [...chunks];
    tampered[2] = flip(chunks[2]!, CHUNK + TAG_BYTES - 1, 0x80);
    await expectCode(receive(keys, tampered), 'CHUNK_AUTH_FAILED');
    await expectCode(receiveBounded(keys, tampered), 'CHUNK_AUTH_FAILED');
  });

  it('bit flip in the final chunk → CHUNK_AUTH_FAILED', async () => {
    const tampered = [...chunks];
    tampered[4] = flip(chunks[4]!, 0);
    await expectCode(receive(keys, tampered), 'CHUNK_AUTH_FAILED');
    await expectCode(receiveBounded(keys, tampered), 'CHUNK_AUTH_FAILED');
  });

  it('two chunks swapped (reordering) → CHUNK_AUTH_FAILED', async () => {
    const tampered = [chunks[0]!, chunks[2]!, chunks[1]!, chunks[3]!, chunks[4]!];
    await expectCode(receive(keys, tampered), 'CHUNK_AUTH_FAILED');
    await expectCode(receiveBounded(keys, tampered), 'CHUNK_AUTH_FAILED');
  });

  it('a chunk duplicated → CHUNK_AUTH_FAILED', async () => {
    const tampered = [chunks[0]!, chunks[1]!, chunks[1]!, chunks[2]!, chunks[3]!, chunks[4]!];
    await expectCode(receive(keys, tampered), 'CHUNK_AUTH_FAILED');
    // Same length as the original when the duplicate replaces a chunk: still caught by the counter.
    await expectCode(receiveBounded(keys, [chunks[0]!, chunks[1]!, chunks[1]!, chunks[3]!, chunks[4]!]), 'CHUNK_AUTH_FAILED');
  });

  it('a middle chunk dropped → CHUNK_AUTH_FAILED', async () => {
    const tampered = [chunks[0]!, chunks[1]!, chunks[3]!, chunks[4]!];
    await expectCode(receive(keys, tampered), 'CHUNK_AUTH_FAILED');
    await expectCode(receiveBounded(keys, tampered), 'CHUNK_AUTH_FAILED');
  });

  it('truncation at a chunk boundary → TRUNCATED', async () => {
    await expectCode(receive(keys, chunks.slice(0, 2)), 'TRUNCATED');
    await expectCode(receiveBounded(keys, chunks.slice(0, 2)), 'TRUNCATED');
  });

  it('everything dropped → TRUNCATED', async () => {
    await expectCode(receive(keys, []), 'TRUNCATED');
    await expectCode(receiveBounded(keys, []), 'TRUNCATED');
  });

  it('the final chunk removed → TRUNCATED', async () => {
    await expectCode(receive(keys, chunks.slice(0, 4)), 'TRUNCATED');
    await expectCode(receiveBounded(keys, chunks.slice(0, 4)), 'TRUNCATED');
  });

  it('bytes appended after the final chunk, bounded stream → TRAILING_DATA', async () => {
    await expectCode(receiveBounded(keys, [...chunks, Uint8Array.of(0)]), 'TRAILING_DATA');
    await expectCode(receiveBounded(keys, [...chunks, chunks[1]!]), 'TRAILING_DATA');
  });

  it('bytes appended after the final chunk, unbounded stream → CHUNK_AUTH_FAILED (the final chunk no longer opens)', async () => {
    await expectCode(receive(keys, [...chunks, Uint8Array.of(0)]), 'CHUNK_AUTH_FAILED');
  });

  it('a full-size final chunk followed by more chunks → CHUNK_AUTH_FAILED (final presented as non-final)', async () => {
    const exact = await sealFile(keys, plaintextOf(2 * CHUNK, 2)); // the final chunk is full-size
    const extra = await sealChunk(keys, 2, plaintextOf(5, 3), true);
    await expectCode(receive(keys, [...exact, extra]), 'CHUNK_AUTH_FAILED');
    await expectCode(receiveBounded(keys, [...exact, extra], 2 * CHUNK + 5), 'CHUNK_AUTH_FAILED');
  });

  it('a chunk from another file of the same session (different fileIndex) spliced in → CHUNK_AUTH_FAILED', async () => {
    const otherFileKeys = await deriveFileStreamKeys(dataSecret, manifestHash, 1, CHUNK);
    const otherFile = await sealFile(otherFileKeys, plaintextOf(SIZE, 9));
    const tampered = [...chunks];
    tampered[2] = otherFile[2]!; // same index, same length: only the per-file key and aad differ
    await expectCode(receive(keys, tampered), 'CHUNK_AUTH_FAILED');
    await expectCode(receiveBounded(keys, tampered), 'CHUNK_AUTH_FAILED');
  });

  it('a chunk from another manifest of the same session spliced in → CHUNK_AUTH_FAILED', async () => {
    const otherKeys = await deriveFileStreamKeys(dataSecret, new Uint8Array(32).fill(0x18), 0, CHUNK);
    const other = await sealFile(otherKeys, plaintextOf(SIZE, 1));
    const tampered = [...chunks];
    tampered[4] = other[4]!;
    await expectCode(receiveBounded(keys, tampered), 'CHUNK_AUTH_FAILED');
  });

  it('a chunk from another session (different data secret) spliced in → CHUNK_AUTH_FAILED', async () => {
    const otherSessionKeys = await deriveFileStreamKeys(otherSessionSecret, manifestHash, 0, CHUNK);
    const otherSession = await sealFile(otherSessionKeys, plaintextOf(SIZE, 1)); // even the same plaintext
    const tampered = [...chunks];
    tampered[3] = otherSession[3]!;
    await expectCode(receive(keys, tampered), 'CHUNK_AUTH_FAILED');
    await expectCode(receiveBounded(keys, tampered), 'CHUNK_AUTH_FAILED');
  });

  it('a non-final chunk presented as final → CHUNK_AUTH_FAILED', async () => {
    // The attacker cannot re-seal the last flag without the key; all it can do is relabel what it has.
    await expectCode(openChunk(keys, 3, chunks[3]!, true), 'CHUNK_AUTH_FAILED');
    // The converse: the final chunk presented as non-final (resealing it short is impossible, so use a full one).
    const exact = await sealFile(keys, plaintextOf(2 * CHUNK, 2));
    await expectCode(openChunk(keys, 1, exact[1]!, false), 'CHUNK_AUTH_FAILED');
  });

  it('a chunk presented at another index → CHUNK_AUTH_FAILED', async () => {
    await expectCode(openChunk(keys, 2, chunks[1]!, false), 'CHUNK_AUTH_FAILED');
  });

  it('resume from the wrong chunk index → CHUNK_AUTH_FAILED', async () => {
    const resumed = collect(source([concatBytes(...chunks.slice(2))]).pipeThrough(createDecryptStream(keys, { startChunk: 1 })));
    await expectCode(resumed, 'CHUNK_AUTH_FAILED');
  });

  it('an empty final chunk after full chunks → EMPTY_FINAL_CHUNK at the chunk API', async () => {
    await expectCode(sealChunk(keys, 4, new Uint8Array(0), true), 'EMPTY_FINAL_CHUNK');
    await expectCode(openChunk(keys, 4, new Uint8Array(TAG_BYTES), true), 'EMPTY_FINAL_CHUNK');
    // In a stream: full chunks followed by a 16-byte stub (what an empty final chunk would look like).
    await expectCode(receive(keys, [...chunks.slice(0, 4), new Uint8Array(TAG_BYTES)]), 'EMPTY_FINAL_CHUNK');
  });
});
