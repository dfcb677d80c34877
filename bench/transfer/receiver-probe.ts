/**
 * tsx bench/transfer/receiver-probe.ts [--mib 128] [--files 1000] [--dir PATH]
 *
 * Where a Sealdrop receiver's time goes, one component at a time, each run the way the session runs it: one chunk
 * after the other, each awaited before the next (src/transfer/session.ts, openAndWrite). Complements the CLI
 * benchmark (bench/transfer.bench.ts), which shows the total; numbers in the same run, same machine:
 *   - openChunk (WebCrypto AES-256-GCM) 64 KiB chunks awaited one by one, and 32 in flight for comparison;
 *   - SHA-256 of the plaintext: the pure-TypeScript Sha256 the session uses (+ exportState per chunk, as it does)
 *     against node:crypto;
 *   - FsSink.writeChunk for one large file: with the default persistence (datasync + atomic state file every
 *     64 chunks or 250 ms) and with persistence pushed out of the way (to isolate the fsync cost);
 *   - FsSink for many 4 KiB files: writeChunk + commit per file, per-file cost at the start and at the end
 *     (the state file holds every entry, so each write grows with the number of files done).
 */

import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Sha256 } from '../../src/crypto/sha256';
import { DEFAULT_CHUNK_SIZE, deriveFileStreamKeys, openChunk, sealChunk } from '../../src/crypto/stream';
import { buildManifest } from '../../src/manifest/build';
import { hashManifest } from '../../src/manifest/codec';
import { openFsSink, type FsSinkOptions } from '../../main/adapters/fs-sink';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const MIB = option('mib', 128);
const FILES = option('files', 1000);
const CHUNK = DEFAULT_CHUNK_SIZE;
const CHUNKS = (MIB * 1024 * 1024) / CHUNK;
const dirArg = args.includes('--dir') ? args[args.indexOf('--dir') + 1] : undefined;
const scratch = mkdtempSync(join(dirArg ?? tmpdir(), 'sealdrop-probe-'));

const mbps = (bytes: number, ms: number) => `${((bytes / 1e6) / (ms / 1000)).toFixed(0).padStart(5)} MB/s`;
const say = (label: string, value: string) => process.stdout.write(`${label.padEnd(62)} ${value}\n`);

async function timed(work: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function main(): Promise<void> {
  process.stdout.write(`receiver probe: ${MIB} MiB in ${CHUNK / 1024} KiB chunks, ${FILES} × 4 KiB files, scratch ${scratch}\n\n`);
  const plain = new Uint8Array(randomBytes(CHUNK));
  const keys = await deriveFileStreamKeys(new Uint8Array(32).fill(7), new Uint8Array(32).fill(9), 0, CHUNK);
  const sealed: Uint8Array[] = [];
  for (let i = 0; i < Math.min(CHUNKS, 256); i++) sealed.push(await sealChunk(keys, i, plain, false));
  const bytes = CHUNKS * CHUNK;

  say('openChunk, one at a time (as the session)', mbps(bytes, await timed(async () => {
    for (let i = 0; i < CHUNKS; i++) await openChunk(keys, i % sealed.length, sealed[i % sealed.length]!, false);
  })));
  say('openChunk, 32 in flight', mbps(bytes, await timed(async () => {
    const inFlight: Promise<Uint8Array>[] = [];
    for (let i = 0; i < CHUNKS; i++) {
      inFlight.push(openChunk(keys, i % sealed.length, sealed[i % sealed.length]!, false));
      if (inFlight.length >= 32) await inFlight.shift();
    }
    await Promise.all(inFlight);
  })));
  say('sealChunk, 8 in flight (as the sender)', mbps(bytes, await timed(async () => {
    const inFlight: Promise<Uint8Array>[] = [];
    for (let i = 0; i < CHUNKS; i++) {
      inFlight.push(sealChunk(keys, i, plain, false));
      if (inFlight.length >= 8) await inFlight.shift();
    }
    await Promise.all(inFlight);
  })));
  say('SHA-256 pure TypeScript (Sha256.update + exportState per chunk)', mbps(bytes, await timed(() => {
    const h = new Sha256();
    for (let i = 0; i < CHUNKS; i++) {
      h.update(plain);
      h.exportState();
    }
    h.digest();
  })));
  say('SHA-256 node:crypto createHash', mbps(bytes, await timed(() => {
    const h = createHash('sha256');
    for (let i = 0; i < CHUNKS; i++) h.update(plain);
    h.digest();
  })));

  // ---- the sink, one large file
  for (const [label, options] of [
    ['FsSink.writeChunk, default persistence (fsync every 64 chunks)', {}],
    ['FsSink.writeChunk, persistence only at commit', { persistEveryChunks: Number.MAX_SAFE_INTEGER, persistIntervalMs: 2 ** 31 - 1 }],
  ] as [string, FsSinkOptions][]) {
    const size = bytes;
    const manifest = buildManifest([{ kind: 'file', path: 'big.bin', size, sha256: new Uint8Array(32) }]);
    const out = mkdtempSync(join(scratch, 'sink-'));
    const sink = await openFsSink(out, manifest, await hashManifest(manifest), options);
    const state = new Sha256().exportState();
    const ms = await timed(async () => {
      for (let i = 0; i < CHUNKS; i++) {
        await sink.writeChunk(0, i, plain, { verifiedChunks: i + 1, chunkSize: CHUNK, hashState: state, committed: false });
      }
      await sink.commit(0);
    });
    await sink.close();
    rmSync(out, { recursive: true, force: true });
    say(label, mbps(size, ms));
  }

  // ---- the sink, many small files
  const small = new Uint8Array(randomBytes(4096));
  const digest = new Uint8Array(createHash('sha256').update(small).digest());
  const items = Array.from({ length: FILES }, (_, i) => ({ kind: 'file' as const, path: `d/f${String(i).padStart(6, '0')}.bin`, size: 4096, sha256: digest }));
  const manifest = buildManifest(items);
  const out = mkdtempSync(join(scratch, 'sink-files-'));
  const sink = await openFsSink(out, manifest, await hashManifest(manifest));
  const state = new Sha256().exportState();
  const index = new Map(manifest.entries.map((e, i) => [e.path, i]));
  const perFile: number[] = [];
  const total = await timed(async () => {
    for (const item of items) {
      const i = index.get(item.path)!;
      perFile.push(await timed(async () => {
        await sink.writeChunk(i, 0, small, { verifiedChunks: 1, chunkSize: CHUNK, hashState: state, committed: false });
        await sink.commit(i);
      }));
    }
  });
  await sink.close();
  rmSync(out, { recursive: true, force: true });
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const tenth = Math.max(1, Math.floor(FILES / 10));
  say(`FsSink, ${FILES} × 4 KiB (writeChunk + commit each)`, `${Math.round(FILES / (total / 1000))} files/s`);
  say('  per file, first 10 %', `${avg(perFile.slice(0, tenth)).toFixed(2)} ms`);
  say('  per file, last 10 %', `${avg(perFile.slice(-tenth)).toFixed(2)} ms`);
  rmSync(scratch, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
