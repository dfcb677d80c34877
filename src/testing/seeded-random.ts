/**
 * Deterministic "randomness" for tests and frozen vectors — NEVER for production.
 *
 * Output stream: SHA-256(utf8("sealdrop/v1 test drbg") ‖ 0x00 ‖ seed ‖ u64 counter) for counter = 0, 1, 2, …,
 * concatenated; `bytes(n)` takes the next n bytes. Simple enough to reimplement from docs/PROTOCOL.md §11 so a second
 * implementation can reproduce the vectors in test/vectors/.
 */

import { ByteWriter, concatBytes, utf8 } from '../bytes';
import { sha256Sync } from '../crypto/sha256';
import type { RandomSource } from '../ports/random';

export class SeededRandom implements RandomSource {
  private counter = 0;
  private pool: Uint8Array = new Uint8Array(0);
  private readonly prefix: Uint8Array;

  constructor(seed: string | Uint8Array) {
    const seedBytes = typeof seed === 'string' ? utf8(seed) : seed;
    this.prefix = concatBytes(utf8('sealdrop/v1 test drbg'), Uint8Array.of(0), seedBytes);
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let filled = Math.min(length, this.pool.length);
    out.set(this.pool.subarray(0, filled));
    this.pool = this.pool.subarray(filled);
    while (filled < length) {
      const block = sha256Sync(concatBytes(this.prefix, new ByteWriter(8).u64(this.counter++).finish()));
      const take = Math.min(block.length, length - filled);
      out.set(block.subarray(0, take), filled);
      filled += take;
      this.pool = block.subarray(take);
    }
    return out;
  }
}
