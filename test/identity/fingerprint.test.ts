import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, equalBytes, utf8 } from '../../src/bytes';
import { sha256 } from '../../src/crypto/primitives';
import {
  FINGERPRINT_BYTES,
  fingerprintOf,
  groupSafetyNumber,
  safetyNumber,
  shortFingerprint,
  toBase32,
} from '../../src/identity/fingerprint';
import { identityFromSeed } from '../../src/identity/identity';
import { expectCode } from '../helpers/expect-code';

async function publicKey(fill: number): Promise<Uint8Array> {
  return (await identityFromSeed(new Uint8Array(32).fill(fill))).publicKey;
}

describe('fingerprints', () => {
  let a: Uint8Array;
  let b: Uint8Array;
  beforeAll(async () => {
    a = await publicKey(1);
    b = await publicKey(2);
  });

  it('is 32 bytes, deterministic, and follows the documented construction', async () => {
    const fp = await fingerprintOf(a);
    expect(fp.length).toBe(FINGERPRINT_BYTES);
    expect(await fingerprintOf(a)).toEqual(fp);
    expect(fp).toEqual(await sha256(concatBytes(utf8('sealdrop/v1 fingerprint'), Uint8Array.of(0, 1), a)));
  });

  it('differs per key, including keys one bit apart', async () => {
    const fa = await fingerprintOf(a);
    expect(equalBytes(fa, await fingerprintOf(b))).toBe(false);
    const near = a.slice();
    near[31] = near[31]! ^ 1;
    expect(equalBytes(fa, await fingerprintOf(near))).toBe(false);
  });

  it('rejects keys that are not 32 bytes → BAD_KEY', async () => {
    for (const n of [0, 31, 33, 64]) await expectCode(fingerprintOf(new Uint8Array(n)), 'BAD_KEY');
  });

  it('shortFingerprint is four groups of four base32 characters', async () => {
    for (const key of [a, b]) {
      const short = shortFingerprint(await fingerprintOf(key));
      expect(short).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
      expect(short.replace(/-/g, '')).toBe(toBase32((await fingerprintOf(key)).subarray(0, 10)));
    }
    expect(shortFingerprint(new Uint8Array(32))).toBe('AAAA-AAAA-AAAA-AAAA');
    expect(shortFingerprint(new Uint8Array(32).fill(0xff))).toBe('7777-7777-7777-7777');
    await expectCode(() => shortFingerprint(new Uint8Array(10)), 'BAD_INPUT');
  });

  it('base32 matches RFC 4648 §10 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [input, output] of vectors) expect(toBase32(utf8(input))).toBe(output);
  });
});

describe('safety numbers', () => {
  let a: Uint8Array;
  let b: Uint8Array;
  let c: Uint8Array;
  let ab: string;
  beforeAll(async () => {
    [a, b, c] = await Promise.all([publicKey(1), publicKey(2), publicKey(3)]);
    ab = await safetyNumber(a, b);
  });

  it('has 60 digits', () => {
    expect(ab).toMatch(/^\d{60}$/);
  });

  it('is independent of argument order', async () => {
    expect(await safetyNumber(b, a)).toBe(ab);
  });

  it('is made of the two sorted 30-digit halves, one per key', async () => {
    const ac = await safetyNumber(a, c);
    const halvesAB = [ab.slice(0, 30), ab.slice(30)];
    const halvesAC = [ac.slice(0, 30), ac.slice(30)];
    const shared = halvesAB.filter((h) => halvesAC.includes(h));
    expect(shared.length).toBe(1); // a's half
    expect(halvesAB[0]! <= halvesAB[1]!).toBe(true);
  });

  it('differs when either key changes', async () => {
    expect(await safetyNumber(c, b)).not.toBe(ab);
    expect(await safetyNumber(a, c)).not.toBe(ab);
    const near = b.slice();
    near[0] = near[0]! ^ 1;
    expect(await safetyNumber(a, near)).not.toBe(ab);
  });

  it('rejects keys that are not 32 bytes → BAD_KEY', async () => {
    await expectCode(safetyNumber(a, new Uint8Array(31)), 'BAD_KEY');
    await expectCode(safetyNumber(new Uint8Array(33), a), 'BAD_KEY');
  });

  it('groupSafetyNumber gives 12 groups of 5 digits', async () => {
    const groups = groupSafetyNumber(ab);
    expect(groups.length).toBe(12);
    for (const group of groups) expect(group).toMatch(/^\d{5}$/);
    expect(groups.join('')).toBe(ab);
    for (const bad of ['', ab.slice(1), ab + '0', ab.slice(1) + 'x', ` ${ab.slice(1)}`]) {
      await expectCode(() => groupSafetyNumber(bad), 'BAD_INPUT');
    }
  });
});
