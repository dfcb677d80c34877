/**
 * Randomness port. The core never calls a random source it was not given, so tests can use a seeded one
 * (src/testing/seeded-random.ts) and produce repeatable vectors. Production uses `webCryptoRandom`.
 */

export interface RandomSource {
  /** `length` bytes from a cryptographically secure generator. */
  bytes(length: number): Uint8Array;
}

/** The platform CSPRNG through WebCrypto (Node 20+, browsers, Electron renderer). */
export const webCryptoRandom: RandomSource = {
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    // getRandomValues is limited to 65536 bytes per call.
    for (let offset = 0; offset < length; offset += 65536) {
      globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(length, offset + 65536)));
    }
    return out;
  },
};
