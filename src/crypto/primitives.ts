/**
 * Thin wrappers over WebCrypto for the four primitives Sealdrop uses, so the rest of the core never touches
 * `crypto.subtle` directly and every algorithm choice is visible in one file.
 *
 * - Ed25519 signatures (RFC 8032 §5.1): long-term identity keys. Private keys are imported from a 32-byte seed as
 *   PKCS #8 (RFC 8410 §7) and kept as non-extractable CryptoKeys.
 * - X25519 (RFC 7748 §6.1): ephemeral Diffie-Hellman. An all-zero shared secret (a low-order peer point) is
 *   rejected, as RFC 7748 §6.1 recommends and TLS 1.3 (RFC 8446 §7.4.2) requires.
 * - HMAC-SHA256 and HKDF-SHA256 (RFC 2104, RFC 5869 §2.2 Extract, §2.3 Expand), written over WebCrypto HMAC so the
 *   key schedule can use Extract and Expand separately, as TLS 1.3 does.
 * - AES-256-GCM (NIST SP 800-38D) with 96-bit nonces and 128-bit tags.
 *
 * Trust assumptions: the platform's WebCrypto is correct and its random source is a CSPRNG. Everything here is
 * checked against published vectors in test/vectors/ (RFC 8032, RFC 7748, RFC 5869, NIST/Wycheproof GCM).
 * Runs unchanged in Node 20+, Chromium and the Electron renderer.
 */

import { concatBytes, equalBytes } from '../bytes';
import { fail, type ErrorCode } from '../errors';

/** WebCrypto's typings want ArrayBuffer-backed views; ours always are, this just tells TypeScript so. */
export function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) fail('BAD_INPUT', 'WebCrypto is not available in this environment');
  return s;
}

// ---------------------------------------------------------------- hashing

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-256', buf(data)));
}

export async function sha512(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest('SHA-512', buf(data)));
}

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  // WebCrypto rejects zero-length HMAC keys; RFC 2104 pads any key to the block size with zeros, so an empty key
  // is equivalent to a single zero byte (both pad to 64 zero bytes).
  const raw = key.length === 0 ? new Uint8Array(1) : key;
  const k = await subtle().importKey('raw', buf(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, buf(data)));
}

/** Constant-time verification of an HMAC-SHA256 tag. */
export async function hmacSha256Verify(key: Uint8Array, data: Uint8Array, tag: Uint8Array): Promise<boolean> {
  return equalBytes(await hmacSha256(key, data), tag);
}

/** RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); an absent salt is HashLen zeros. */
export async function hkdfExtract(salt: Uint8Array | undefined, ikm: Uint8Array): Promise<Uint8Array> {
  return hmacSha256(salt && salt.length > 0 ? salt : new Uint8Array(32), ikm);
}

/** RFC 5869 §2.3: OKM = T(1) ‖ T(2) ‖ … truncated to `length` (≤ 255 × 32). */
export async function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  if (!Number.isInteger(length) || length < 0 || length > 255 * 32) fail('BAD_INPUT', 'HKDF length out of range');
  const out = new Uint8Array(length);
  let previous = new Uint8Array(0);
  for (let i = 1, offset = 0; offset < length; i++) {
    previous = new Uint8Array(await hmacSha256(prk, concatBytes(previous, info, Uint8Array.of(i))));
    out.set(previous.subarray(0, Math.min(32, length - offset)), offset);
    offset += 32;
  }
  return out;
}

/** RFC 5869 HKDF = Expand(Extract(salt, IKM), info, L). */
export async function hkdf(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number) {
  return hkdfExpand(await hkdfExtract(salt, ikm), info, length);
}

// ---------------------------------------------------------------- Ed25519

// RFC 8410 §7: PKCS #8 PrivateKeyInfo for an OKP key is a fixed 16-byte prefix followed by the 32-byte seed.
const ED25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const X25519_PKCS8_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20,
]);

export interface Ed25519KeyPair {
  /** 32-byte encoded public key A (RFC 8032 §5.1.5). */
  readonly publicKey: Uint8Array;
  /** Non-extractable signing key. */
  readonly privateKey: CryptoKey;
}

function base64UrlToBytes(text: string): Uint8Array {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Import an OKP private key from its 32-byte seed; returns the non-extractable key and the raw public key. */
async function importOkpSeed(
  algorithm: 'Ed25519' | 'X25519',
  seed: Uint8Array,
  usages: KeyUsage[],
): Promise<{ privateKey: CryptoKey; publicKey: Uint8Array }> {
  if (seed.length !== 32) fail('BAD_KEY', `${algorithm} private key must be 32 bytes`);
  const prefix = algorithm === 'Ed25519' ? ED25519_PKCS8_PREFIX : X25519_PKCS8_PREFIX;
  const pkcs8 = concatBytes(prefix, seed);
  try {
    // Imported extractable once, only to read the public half (WebCrypto has no "public from private" call) …
    const extractable = await subtle().importKey('pkcs8', buf(pkcs8), { name: algorithm }, true, usages);
    const jwk = await subtle().exportKey('jwk', extractable);
    if (typeof jwk.x !== 'string') fail('BAD_KEY', 'platform did not return a public key');
    // … then re-imported non-extractable for actual use.
    const privateKey = await subtle().importKey('pkcs8', buf(pkcs8), { name: algorithm }, false, usages);
    return { privateKey, publicKey: base64UrlToBytes(jwk.x) };
  } finally {
    pkcs8.fill(0);
  }
}

/** An Ed25519 key pair from a 32-byte secret seed (RFC 8032 §5.1.5). */
export async function ed25519FromSeed(seed: Uint8Array): Promise<Ed25519KeyPair> {
  return importOkpSeed('Ed25519', seed, ['sign']);
}

export async function ed25519Sign(privateKey: CryptoKey, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().sign({ name: 'Ed25519' }, privateKey, buf(message)));
}

/** Verify an Ed25519 signature; malformed keys or signatures verify as false rather than throwing. */
export async function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = await subtle().importKey('raw', buf(publicKey), { name: 'Ed25519' }, false, ['verify']);
    return await subtle().verify({ name: 'Ed25519' }, key, buf(signature), buf(message));
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- X25519

export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: CryptoKey;
}

/** An X25519 key pair from 32 secret bytes (RFC 7748 §5 clamps them; the platform does it on use). */
export async function x25519FromSecret(secret: Uint8Array): Promise<X25519KeyPair> {
  return importOkpSeed('X25519', secret, ['deriveBits']);
}

/**
 * X25519(private, peerPublic) → 32-byte shared secret. Throws BAD_KEY for a malformed peer key or an all-zero
 * result (a low-order point chosen by an attacker to force a known secret).
 */
export async function x25519(privateKey: CryptoKey, peerPublic: Uint8Array): Promise<Uint8Array> {
  if (peerPublic.length !== 32) fail('BAD_KEY', 'X25519 public key must be 32 bytes');
  let shared: Uint8Array;
  try {
    const pub = await subtle().importKey('raw', buf(peerPublic), { name: 'X25519' }, false, []);
    shared = new Uint8Array(await subtle().deriveBits({ name: 'X25519', public: pub }, privateKey, 256));
  } catch (error) {
    return fail('BAD_KEY', 'X25519 key agreement failed', error);
  }
  if (equalBytes(shared, new Uint8Array(32))) fail('BAD_KEY', 'X25519 produced an all-zero shared secret');
  return shared;
}

// ---------------------------------------------------------------- AES-256-GCM

export const AES_KEY_BYTES = 32;
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

/** Import a 256-bit AES-GCM key as a non-extractable CryptoKey. */
export async function importAesGcmKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== AES_KEY_BYTES) fail('BAD_KEY', 'AES-256-GCM key must be 32 bytes');
  return subtle().importKey('raw', buf(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** Import an AES-GCM key of any standard size (128/192/256) — for published vectors only. */
export async function importAesGcmKeyAnySize(raw: Uint8Array): Promise<CryptoKey> {
  if (![16, 24, 32].includes(raw.length)) fail('BAD_KEY', 'AES key must be 16, 24 or 32 bytes');
  return subtle().importKey('raw', buf(raw), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
}

/** Returns ciphertext ‖ 16-byte tag. */
export async function aesGcmEncrypt(
  key: CryptoKey,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  additionalData: Uint8Array,
): Promise<Uint8Array> {
  if (nonce.length !== GCM_NONCE_BYTES) fail('BAD_INPUT', 'GCM nonce must be 12 bytes');
  const params: AesGcmParams = { name: 'AES-GCM', iv: buf(nonce), additionalData: buf(additionalData), tagLength: 128 };
  return new Uint8Array(await subtle().encrypt(params, key, buf(plaintext)));
}

/** Decrypt ciphertext ‖ tag; any authentication failure throws `code`. */
export async function aesGcmDecrypt(
  key: CryptoKey,
  nonce: Uint8Array,
  sealed: Uint8Array,
  additionalData: Uint8Array,
  code: ErrorCode,
): Promise<Uint8Array> {
  if (nonce.length !== GCM_NONCE_BYTES) fail('BAD_INPUT', 'GCM nonce must be 12 bytes');
  if (sealed.length < GCM_TAG_BYTES) fail(code, 'ciphertext shorter than the GCM tag');
  try {
    const params: AesGcmParams = { name: 'AES-GCM', iv: buf(nonce), additionalData: buf(additionalData), tagLength: 128 };
    return new Uint8Array(await subtle().decrypt(params, key, buf(sealed)));
  } catch (error) {
    return fail(code, 'authentication failed', error);
  }
}
