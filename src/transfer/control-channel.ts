/**
 * Sealed control records (docs/PROTOCOL.md §7.1): one AES-256-GCM key per direction from the key schedule, and an
 * implicit 64-bit sequence number per direction, as TLS 1.3 records do (RFC 8446 §5.3).
 *
 *   nonce  = 0x00000000 ‖ u64 sequence      (first record of each direction is 0)
 *   aad    = utf8("sealdrop/v1 control") ‖ 0x00
 *   record = AES-256-GCM(key_direction, nonce, control message, aad)
 *
 * Because the sequence number is implicit, a dropped, replayed, reordered or injected record fails authentication
 * (CONTROL_AUTH_FAILED) — the receiver never has to trust a counter from the wire. A record from another session
 * fails too: its key came from another transcript.
 */

import { ByteWriter, concatBytes, utf8 } from '../bytes';
import { aesGcmDecrypt, aesGcmEncrypt, importAesGcmKey } from '../crypto/primitives';
import { fail } from '../errors';

const AAD = concatBytes(utf8('sealdrop/v1 control'), Uint8Array.of(0));
const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

function nonce(sequence: number): Uint8Array {
  return new ByteWriter(12).u32(0).u64(sequence).finish();
}

export class ControlSealer {
  private sequence = 0;
  private constructor(private readonly key: CryptoKey) {}

  static async create(secret: Uint8Array): Promise<ControlSealer> {
    return new ControlSealer(await importAesGcmKey(secret));
  }

  seal(plaintext: Uint8Array): Promise<Uint8Array> {
    if (this.sequence >= MAX_SEQUENCE) fail('BAD_INPUT', 'control sequence exhausted');
    return aesGcmEncrypt(this.key, nonce(this.sequence++), plaintext, AAD);
  }
}

export class ControlOpener {
  private sequence = 0;
  private failed = false;
  private constructor(private readonly key: CryptoKey) {}

  static async create(secret: Uint8Array): Promise<ControlOpener> {
    return new ControlOpener(await importAesGcmKey(secret));
  }

  /** Opens the next record in sequence. After one failure the channel stays failed. */
  async open(record: Uint8Array): Promise<Uint8Array> {
    if (this.failed) fail('CONTROL_AUTH_FAILED', 'control channel already failed');
    const sequence = this.sequence++;
    try {
      return await aesGcmDecrypt(this.key, nonce(sequence), record, AAD, 'CONTROL_AUTH_FAILED');
    } catch (error) {
      this.failed = true;
      throw error;
    }
  }
}
