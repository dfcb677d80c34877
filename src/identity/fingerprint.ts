/**
 * Fingerprints and safety numbers: how people (and links) name an identity key.
 *
 * - fingerprint = SHA-256( utf8("sealdrop/v1 fingerprint") ‖ 0x00 ‖ 0x01 (key type Ed25519) ‖ publicKey[32] ),
 *   32 bytes. Links carry it in full; comparisons are on all 32 bytes.
 * - short form: the first 10 bytes of the fingerprint in RFC 4648 base32 (16 characters, no padding), in four groups
 *   of four ("K7QX-3M2A-RPLC-WD4E"). For recognising a device on screen, never for verification (80 bits).
 * - safety number: in the spirit of Signal's NumericFingerprintGenerator. For each identity,
 *   h₀ = SHA-512( 0x00 0x01 (format version) ‖ publicKey ‖ utf8("sealdrop/v1 safety number") ),
 *   hᵢ = SHA-512( hᵢ₋₁ ‖ publicKey ) for i = 1..5200, then the first 30 bytes of h₅₂₀₀ as six 5-byte big-endian
 *   integers, each mod 100000, written as 5 zero-padded digits → 30 digits. The pair's safety number is the two
 *   30-digit strings sorted and concatenated (60 digits), so both sides compute the same number whatever the order.
 *   The iteration count raises the cost of searching for a key whose half matches a given 30 digits (~2^99 values).
 *
 * Trust assumption: people compare all 60 digits (or scan the QR); the short form is a label only.
 */

import { concatBytes, utf8 } from '../bytes';
import { sha256, sha512 } from '../crypto/primitives';
import { fail } from '../errors';
import { IDENTITY_PUBLIC_KEY_BYTES } from './identity';

export const FINGERPRINT_BYTES = 32;
export const SAFETY_NUMBER_ITERATIONS = 5200;
const KEY_TYPE_ED25519 = 0x01;

function checkKey(publicKey: Uint8Array): void {
  if (publicKey.length !== IDENTITY_PUBLIC_KEY_BYTES) fail('BAD_KEY', 'identity public key must be 32 bytes');
}

/** The 32-byte fingerprint of an identity public key. */
export async function fingerprintOf(publicKey: Uint8Array): Promise<Uint8Array> {
  checkKey(publicKey);
  return sha256(concatBytes(utf8('sealdrop/v1 fingerprint'), Uint8Array.of(0, KEY_TYPE_ED25519), publicKey));
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32, no padding. */
export function toBase32(bytes: Uint8Array): string {
  let out = '';
  let value = 0;
  let bits = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(value >> bits) & 31]!;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31]!;
  return out;
}

/** "K7QX-3M2A-RPLC-WD4E": a recognisable label for a fingerprint; not sufficient for verification. */
export function shortFingerprint(fingerprint: Uint8Array): string {
  if (fingerprint.length !== FINGERPRINT_BYTES) fail('BAD_INPUT', 'fingerprint must be 32 bytes');
  const text = toBase32(fingerprint.subarray(0, 10));
  return [0, 4, 8, 12].map((i) => text.slice(i, i + 4)).join('-');
}

async function safetyHalf(publicKey: Uint8Array, iterations: number): Promise<string> {
  let hash = await sha512(concatBytes(Uint8Array.of(0, 1), publicKey, utf8('sealdrop/v1 safety number')));
  for (let i = 0; i < iterations; i++) hash = await sha512(concatBytes(hash, publicKey));
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0;
    for (let j = 0; j < 5; j++) value = value * 256 + hash[chunk * 5 + j]!;
    digits += String(value % 100000).padStart(5, '0');
  }
  return digits;
}

/**
 * The 60-digit safety number for a pair of identities; identical on both sides and independent of argument order.
 * `iterations` exists for the frozen test vectors only; production always uses the default.
 */
export async function safetyNumber(
  publicKeyA: Uint8Array,
  publicKeyB: Uint8Array,
  iterations = SAFETY_NUMBER_ITERATIONS,
): Promise<string> {
  checkKey(publicKeyA);
  checkKey(publicKeyB);
  const [a, b] = await Promise.all([safetyHalf(publicKeyA, iterations), safetyHalf(publicKeyB, iterations)]);
  return a < b ? a + b : b + a;
}

/** "12345 67890 …": the safety number in 12 groups of 5 digits, as shown on screens. */
export function groupSafetyNumber(digits: string): string[] {
  if (!/^\d{60}$/.test(digits)) fail('BAD_INPUT', 'a safety number has 60 digits');
  return Array.from({ length: 12 }, (_, i) => digits.slice(i * 5, i * 5 + 5));
}
