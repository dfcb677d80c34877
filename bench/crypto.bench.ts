/**
 * npm run bench:crypto [-- --mib 256 --runs 3]
 *
 * STREAM (src/crypto/stream.ts, WebCrypto AES-256-GCM, 64 KiB chunks, pipelined) against a baseline measured in the
 * same run: raw AES-256-GCM through node:crypto, same key size, same 64 KiB chunk size, one cipher call per chunk,
 * synchronous. Reports MB/s for both and the ratio STREAM / raw for encryption and decryption (target ≥ 0.7).
 * Best of `runs` for each, so a noisy neighbour does not decide the result. Plain numbers, no assertions.
 */

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createDecryptStream, createEncryptStream, DEFAULT_CHUNK_SIZE, deriveFileStreamKeys } from '../src/crypto/stream';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MIB = option('mib', 256);
const RUNS = option('runs', 3);
const TOTAL = MIB * 1024 * 1024;
const CHUNK = DEFAULT_CHUNK_SIZE;
const PIECE = 1024 * 1024; // how input arrives: 1 MiB reads, as from a file

const plaintext = new Uint8Array(randomBytes(TOTAL));

function source(data: Uint8Array, pieceSize: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      controller.enqueue(data.subarray(offset, Math.min(data.length, offset + pieceSize)));
      offset += pieceSize;
    },
  });
}

async function drain(stream: ReadableStream<Uint8Array>, keep: Uint8Array[] | null): Promise<number> {
  let bytes = 0;
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return bytes;
    bytes += value.length;
    keep?.push(value);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function best(run: () => Promise<void> | void): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

const mbps = (ms: number) => TOTAL / 1e6 / (ms / 1000);

async function main() {
  const key = new Uint8Array(randomBytes(32));
  const keys = await deriveFileStreamKeys(key, new Uint8Array(32), 0, CHUNK);

  // Raw baseline: node:crypto, one AES-256-GCM call per 64 KiB chunk.
  const rawKey = randomBytes(32);
  const nonce = Buffer.alloc(12);
  const rawSealed: Buffer[] = [];
  const rawEncryptMs = await best(() => {
    rawSealed.length = 0;
    for (let offset = 0, i = 0; offset < TOTAL; offset += CHUNK, i++) {
      nonce.writeUInt32BE(i, 7);
      const cipher = createCipheriv('aes-256-gcm', rawKey, nonce);
      const body = cipher.update(plaintext.subarray(offset, offset + CHUNK));
      cipher.final();
      rawSealed.push(Buffer.concat([body, cipher.getAuthTag()]));
    }
  });
  const rawDecryptMs = await best(() => {
    for (let i = 0; i < rawSealed.length; i++) {
      nonce.writeUInt32BE(i, 7);
      const sealed = rawSealed[i]!;
      const decipher = createDecipheriv('aes-256-gcm', rawKey, nonce);
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      decipher.update(sealed.subarray(0, sealed.length - 16));
      decipher.final();
    }
  });
  rawSealed.length = 0;

  // STREAM through the WHATWG TransformStream API, as the app uses it.
  let sealedParts: Uint8Array[] = [];
  const streamEncryptMs = await best(async () => {
    sealedParts = [];
    await drain(source(plaintext, PIECE).pipeThrough(createEncryptStream(keys)), sealedParts);
  });
  const sealed = concat(sealedParts);
  sealedParts = [];
  let opened = 0;
  const streamDecryptMs = await best(async () => {
    opened = await drain(source(sealed, PIECE).pipeThrough(createDecryptStream(keys)), null);
  });
  if (opened !== TOTAL) throw new Error(`decrypted ${opened} bytes, expected ${TOTAL}`);

  const rows = [
    ['encrypt', mbps(streamEncryptMs), mbps(rawEncryptMs)],
    ['decrypt', mbps(streamDecryptMs), mbps(rawDecryptMs)],
  ] as const;
  console.log(`STREAM vs raw AES-256-GCM, ${MIB} MiB, ${CHUNK / 1024} KiB chunks, best of ${RUNS}, Node ${process.version}`);
  console.log('direction  STREAM MB/s  raw MB/s  ratio');
  for (const [name, stream, raw] of rows) {
    console.log(`${name.padEnd(9)}  ${stream.toFixed(0).padStart(11)}  ${raw.toFixed(0).padStart(8)}  ${(stream / raw).toFixed(2)}`);
  }
  console.log(`encrypt ratio: ${(rows[0][1] / rows[0][2]).toFixed(2)} (target >= 0.7)`);
  console.log(`decrypt ratio: ${(rows[1][1] / rows[1][2]).toFixed(2)} (target >= 0.7)`);
}

await main();
