/**
 * Published test vectors, run through our WebCrypto wrappers in src/crypto/primitives.ts.
 *
 * The vectors are data in test/vectors/published/*.json, each file naming its source (document, section, URL):
 * - RFC 8032 §7.1 Ed25519 TEST 1, 2, 3, 1024, SHA(abc)
 * - RFC 7748 §5.2 X25519 scalar multiplications, §6.1 Alice/Bob, and the small-order points (libsodium's list)
 * - RFC 5869 Appendix A HKDF-SHA-256 test cases 1–3
 * - RFC 4231 §4 HMAC-SHA-256 test cases 1, 2, 3, 4, 6, 7
 * - McGrew–Viega GCM spec Appendix B test cases 13–16 and Wycheproof aes_gcm_test.json AES-256 cases
 *
 * Every vector is its own test and every assertion is on exact bytes (as hex, so a failure shows the diff). Only our
 * wrappers are called here; node:crypto was used once, off-line, to check the vectors were copied correctly.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/bytes';
import { errorCodeOf, type ErrorCode } from '../../src/errors';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  ed25519FromSeed,
  ed25519Sign,
  ed25519Verify,
  hkdf,
  hkdfExpand,
  hkdfExtract,
  hmacSha256,
  importAesGcmKey,
  x25519,
  x25519FromSecret,
} from '../../src/crypto/primitives';

// ---------------------------------------------------------------- loading

interface Source {
  readonly document: string;
  readonly section: string;
  readonly url: string;
}

interface VectorFile<V> {
  readonly source: Source;
  readonly description: string;
  readonly vectors: readonly V[];
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function isSource(value: unknown): value is Source {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return isNonEmptyString(s['document']) && isNonEmptyString(s['section']) && isNonEmptyString(s['url']);
}

/**
 * Reads one vector file. Only the envelope is checked here; the vector fields are typed by the caller and any
 * missing one shows up as a failing test (fromHex of undefined throws), not as a silent pass.
 */
function readVectorFile<V>(name: string): VectorFile<V> {
  const parsed: unknown = JSON.parse(readFileSync(new URL(`../vectors/published/${name}`, import.meta.url), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${name}: not a JSON object`);
  const file = parsed as Record<string, unknown>;
  if (!Array.isArray(file['vectors'])) throw new Error(`${name}: no vectors array`);
  return parsed as VectorFile<V>;
}

/** Asserts the provenance every published-vector file must carry. */
function expectProvenance(file: VectorFile<unknown>, count: number): void {
  expect(isSource(file.source), 'source names a document, a section and a URL').toBe(true);
  expect(file.source.url).toMatch(/^https:\/\//);
  expect(isNonEmptyString(file.description)).toBe(true);
  // it.each over an empty array makes no tests at all, so a truncated file would otherwise pass.
  expect(file.vectors).toHaveLength(count);
}

/** The error code a rejected promise carries, or a marker when it resolved or threw something uncoded. */
async function rejectionCode(promise: Promise<unknown>): Promise<ErrorCode | 'resolved' | 'uncoded'> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return errorCodeOf(error) ?? 'uncoded';
  }
}

function flipFirstBit(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[0] = (copy[0] ?? 0) ^ 0x01;
  return copy;
}

// ---------------------------------------------------------------- RFC 8032 Ed25519

interface Ed25519Vector {
  readonly name: string;
  readonly secretKey: string;
  readonly publicKey: string;
  readonly message: string;
  readonly signature: string;
}

describe('RFC 8032 §7.1 Ed25519', () => {
  const file = readVectorFile<Ed25519Vector>('rfc8032-ed25519.json');

  it('file names its source', () => expectProvenance(file, 5));

  it.each(file.vectors)('$name: seed gives the public key, signing gives the signature', async (v) => {
    const { publicKey, privateKey } = await ed25519FromSeed(fromHex(v.secretKey));
    expect(toHex(publicKey)).toBe(v.publicKey);
    expect(toHex(await ed25519Sign(privateKey, fromHex(v.message)))).toBe(v.signature);
  });

  it.each(file.vectors)('$name: the published signature verifies, a one-bit change does not', async (v) => {
    const publicKey = fromHex(v.publicKey);
    const message = fromHex(v.message);
    const signature = fromHex(v.signature);
    expect(await ed25519Verify(publicKey, message, signature)).toBe(true);
    expect(await ed25519Verify(publicKey, message, flipFirstBit(signature))).toBe(false);
    if (message.length > 0) expect(await ed25519Verify(publicKey, flipFirstBit(message), signature)).toBe(false);
  });
});

// ---------------------------------------------------------------- RFC 7748 X25519

interface X25519ScalarMult {
  readonly kind: 'scalar-mult';
  readonly name: string;
  readonly scalar: string;
  readonly uCoordinate: string;
  readonly output: string;
}

interface X25519DiffieHellman {
  readonly kind: 'diffie-hellman';
  readonly name: string;
  readonly alicePrivate: string;
  readonly alicePublic: string;
  readonly bobPrivate: string;
  readonly bobPublic: string;
  readonly shared: string;
}

interface X25519LowOrder {
  readonly kind: 'low-order';
  readonly name: string;
  readonly scalar: string;
  readonly uCoordinate: string;
  readonly expectedError: ErrorCode;
}

type X25519Vector = X25519ScalarMult | X25519DiffieHellman | X25519LowOrder;

describe('RFC 7748 X25519', () => {
  const file = readVectorFile<X25519Vector>('rfc7748-x25519.json');
  const scalarMult = file.vectors.filter((v): v is X25519ScalarMult => v.kind === 'scalar-mult');
  const diffieHellman = file.vectors.filter((v): v is X25519DiffieHellman => v.kind === 'diffie-hellman');
  const lowOrder = file.vectors.filter((v): v is X25519LowOrder => v.kind === 'low-order');

  it('file names its sources', () => {
    expectProvenance(file, 12);
    expect(isSource((file as unknown as Record<string, unknown>)['lowOrderSource'])).toBe(true);
    expect([scalarMult.length, diffieHellman.length, lowOrder.length]).toEqual([2, 1, 9]);
  });

  it.each(scalarMult)('$name: X25519(scalar, u) = output', async (v) => {
    const { privateKey } = await x25519FromSecret(fromHex(v.scalar));
    expect(toHex(await x25519(privateKey, fromHex(v.uCoordinate)))).toBe(v.output);
  });

  it.each(diffieHellman)('$name: public keys and the shared K, both directions', async (v) => {
    const alice = await x25519FromSecret(fromHex(v.alicePrivate));
    const bob = await x25519FromSecret(fromHex(v.bobPrivate));
    expect(toHex(alice.publicKey)).toBe(v.alicePublic);
    expect(toHex(bob.publicKey)).toBe(v.bobPublic);
    expect(toHex(await x25519(alice.privateKey, fromHex(v.bobPublic)))).toBe(v.shared);
    expect(toHex(await x25519(bob.privateKey, fromHex(v.alicePublic)))).toBe(v.shared);
  });

  it.each(lowOrder)('low-order peer $name is rejected with $expectedError', async (v) => {
    const { privateKey } = await x25519FromSecret(fromHex(v.scalar));
    expect(await rejectionCode(x25519(privateKey, fromHex(v.uCoordinate)))).toBe(v.expectedError);
  });
});

// ---------------------------------------------------------------- RFC 5869 HKDF-SHA-256

interface HkdfVector {
  readonly name: string;
  readonly hash: 'SHA-256';
  readonly ikm: string;
  readonly salt: string;
  readonly info: string;
  readonly length: number;
  readonly prk: string;
  readonly okm: string;
}

describe('RFC 5869 Appendix A HKDF-SHA-256', () => {
  const file = readVectorFile<HkdfVector>('rfc5869-hkdf.json');

  it('file names its source', () => {
    expectProvenance(file, 3);
    expect(file.vectors.every((v) => v.hash === 'SHA-256')).toBe(true);
  });

  it.each(file.vectors)('$name: Extract gives PRK', async (v) => {
    expect(toHex(await hkdfExtract(fromHex(v.salt), fromHex(v.ikm)))).toBe(v.prk);
    // RFC 5869 §2.2: "not provided" and zero-length salt both mean HashLen zeros.
    if (v.salt === '') expect(toHex(await hkdfExtract(undefined, fromHex(v.ikm)))).toBe(v.prk);
  });

  it.each(file.vectors)('$name: Expand gives OKM', async (v) => {
    expect(toHex(await hkdfExpand(fromHex(v.prk), fromHex(v.info), v.length))).toBe(v.okm);
  });

  it.each(file.vectors)('$name: HKDF gives OKM', async (v) => {
    expect(toHex(await hkdf(fromHex(v.ikm), fromHex(v.salt), fromHex(v.info), v.length))).toBe(v.okm);
  });
});

// ---------------------------------------------------------------- RFC 4231 HMAC-SHA-256

interface HmacVector {
  readonly name: string;
  readonly key: string;
  readonly data: string;
  readonly hmac: string;
}

describe('RFC 4231 HMAC-SHA-256', () => {
  const file = readVectorFile<HmacVector>('rfc4231-hmac-sha256.json');

  it('file names its source', () => expectProvenance(file, 6));

  it.each(file.vectors)('$name', async (v) => {
    expect(toHex(await hmacSha256(fromHex(v.key), fromHex(v.data)))).toBe(v.hmac);
  });
});

// ---------------------------------------------------------------- AES-256-GCM

interface GcmVector {
  readonly name: string;
  readonly from: 'gcm-spec' | 'wycheproof';
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly pt: string;
  readonly ct: string;
  readonly tag: string;
  readonly result: 'valid' | 'invalid';
}

/** Any code works; this one is what the STREAM layer passes, and the test proves it comes back unchanged. */
const AUTH_FAILED: ErrorCode = 'CHUNK_AUTH_FAILED';

describe('AES-256-GCM (McGrew–Viega Appendix B, Wycheproof)', () => {
  const file = readVectorFile<GcmVector>('aes-gcm.json');
  const valid = file.vectors.filter((v) => v.result === 'valid');
  const invalid = file.vectors.filter((v) => v.result === 'invalid');

  it('file names its sources', () => {
    expectProvenance(file, 15);
    expect(isSource((file as unknown as Record<string, unknown>)['wycheproofSource'])).toBe(true);
    expect([valid.length, invalid.length]).toEqual([8, 7]);
  });

  it.each(valid)('$name: encrypt gives ct ‖ tag', async (v) => {
    const key = await importAesGcmKey(fromHex(v.key));
    expect(toHex(await aesGcmEncrypt(key, fromHex(v.iv), fromHex(v.pt), fromHex(v.aad)))).toBe(v.ct + v.tag);
  });

  it.each(valid)('$name: decrypt gives the plaintext back', async (v) => {
    const key = await importAesGcmKey(fromHex(v.key));
    const sealed = concatBytes(fromHex(v.ct), fromHex(v.tag));
    expect(toHex(await aesGcmDecrypt(key, fromHex(v.iv), sealed, fromHex(v.aad), AUTH_FAILED))).toBe(v.pt);
  });

  it.each(invalid)('$name: decrypt fails with the caller-chosen code', async (v) => {
    const key = await importAesGcmKey(fromHex(v.key));
    const sealed = concatBytes(fromHex(v.ct), fromHex(v.tag));
    expect(await rejectionCode(aesGcmDecrypt(key, fromHex(v.iv), sealed, fromHex(v.aad), AUTH_FAILED))).toBe(
      AUTH_FAILED,
    );
  });
});
