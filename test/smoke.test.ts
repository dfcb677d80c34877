import { describe, expect, it } from 'vitest';
import { ed25519FromSeed, ed25519Sign, ed25519Verify } from '../src/crypto/primitives';

describe('primitives smoke', () => {
  it('signs and verifies', async () => {
    const kp = await ed25519FromSeed(new Uint8Array(32).fill(7));
    const sig = await ed25519Sign(kp.privateKey, new Uint8Array([1, 2, 3]));
    expect(await ed25519Verify(kp.publicKey, new Uint8Array([1, 2, 3]), sig)).toBe(true);
    expect(await ed25519Verify(kp.publicKey, new Uint8Array([1, 2, 4]), sig)).toBe(false);
  });
});
