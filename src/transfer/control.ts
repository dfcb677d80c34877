/**
 * Control messages (docs/PROTOCOL.md §7): everything after the handshake that is not file data. Each travels as the
 * plaintext of one sealed control record (control-channel.ts), so the relay sees only their sizes.
 *
 *   control := u8 kind ‖ body
 *   kind  name            body                                                   direction
 *   1     OFFER           u32 chunkSize ‖ manifest (manifest/codec.ts)           sender → receiver
 *   2     ACCEPT          u32 n ‖ n × (u32 fileIndex ‖ u32 verifiedChunks)       receiver → sender
 *   3     DECLINE         (empty)                                                receiver → sender
 *   4     FILE_VERIFIED   u32 fileIndex                                          receiver → sender
 *   5     COMPLETE        (empty)                                                receiver → sender
 *   6     CANCEL          u8 length ‖ ASCII error code (CANCELLED or a failure)  either way
 *   7     PROGRESS        u32 fileIndex ‖ u32 verifiedChunks                     receiver → sender
 *
 * PROGRESS is the receiver's heartbeat, sent every third of the idle window while data is expected: it tells the
 * sender that the receiver is alive and how far it got, so a large file that takes longer than the idle window to
 * arrive (after the sender has handed all of it to the path) is not mistaken for a stall.
 *
 * ACCEPT is also the resume request: for each file it names, the receiver already holds that many verified chunks
 * (the STREAM chunk index the sender continues from). Files not named start at chunk 0.
 *
 * Trust assumptions: decoded only after the record authenticated, i.e. the bytes come from the peer — who may still
 * be hostile (a malicious sender or receiver), so every field is range-checked here or by the state machine.
 */

import { ByteReader, ByteWriter } from '../bytes';
import { checkChunkSize } from '../crypto/stream';
import { fail, isErrorCode, SealdropError, type ErrorCode } from '../errors';
import { decodeManifest, encodeManifest } from '../manifest/codec';
import type { Manifest } from '../manifest/manifest';

export interface ResumePoint {
  readonly fileIndex: number;
  readonly verifiedChunks: number;
}

export type ControlMessage =
  | { readonly kind: 'offer'; readonly chunkSize: number; readonly manifest: Manifest; readonly manifestBytes: Uint8Array }
  | { readonly kind: 'accept'; readonly resume: readonly ResumePoint[] }
  | { readonly kind: 'decline' }
  | { readonly kind: 'file-verified'; readonly fileIndex: number }
  | { readonly kind: 'complete' }
  | { readonly kind: 'cancel'; readonly code: ErrorCode }
  | { readonly kind: 'progress'; readonly fileIndex: number; readonly verifiedChunks: number };

const KIND = { offer: 1, accept: 2, decline: 3, 'file-verified': 4, complete: 5, cancel: 6, progress: 7 } as const;
const MAX_RESUME_POINTS = 100_000;

export function encodeControl(message: ControlMessage): Uint8Array {
  const w = new ByteWriter(64).u8(KIND[message.kind]);
  switch (message.kind) {
    case 'offer':
      checkChunkSize(message.chunkSize);
      return w.u32(message.chunkSize).bytes(message.manifestBytes.length > 0 ? message.manifestBytes : encodeManifest(message.manifest)).finish();
    case 'accept':
      if (message.resume.length > MAX_RESUME_POINTS) fail('BAD_INPUT', 'too many resume points');
      w.u32(message.resume.length);
      for (const point of message.resume) w.u32(point.fileIndex).u32(point.verifiedChunks);
      return w.finish();
    case 'file-verified':
      return w.u32(message.fileIndex).finish();
    case 'progress':
      return w.u32(message.fileIndex).u32(message.verifiedChunks).finish();
    case 'cancel':
      return w.bytes8(new TextEncoder().encode(message.code)).finish();
    case 'decline':
    case 'complete':
      return w.finish();
  }
}

/** Strict decode; anything malformed is CONTROL_BAD_MESSAGE (manifest rule violations keep their own codes). */
export function decodeControl(bytes: Uint8Array): ControlMessage {
  const r = new ByteReader(bytes, 'CONTROL_BAD_MESSAGE');
  const kind = r.u8();
  let message: ControlMessage;
  switch (kind) {
    case KIND.offer: {
      const chunkSize = r.u32();
      try {
        checkChunkSize(chunkSize);
      } catch {
        fail('CONTROL_BAD_MESSAGE', 'offer with an impossible chunk size');
      }
      const manifestBytes = r.rest();
      let manifest: Manifest;
      try {
        manifest = decodeManifest(manifestBytes);
      } catch (error) {
        // Manifest rule violations keep their MANIFEST_* codes; a malformed encoding (bad UTF-8, non-NFC names)
        // from the peer is a protocol violation, not a local fault.
        if (error instanceof SealdropError && error.code === 'BAD_ENCODING') fail('CONTROL_BAD_MESSAGE', 'malformed offer manifest', error);
        throw error;
      }
      return { kind: 'offer', chunkSize, manifest, manifestBytes };
    }
    case KIND.accept: {
      const count = r.u32();
      if (count > MAX_RESUME_POINTS || count * 8 > r.remaining) fail('CONTROL_BAD_MESSAGE', 'bad resume list length');
      const resume: ResumePoint[] = [];
      for (let i = 0; i < count; i++) resume.push({ fileIndex: r.u32(), verifiedChunks: r.u32() });
      message = { kind: 'accept', resume };
      break;
    }
    case KIND.decline:
      message = { kind: 'decline' };
      break;
    case KIND['file-verified']:
      message = { kind: 'file-verified', fileIndex: r.u32() };
      break;
    case KIND.complete:
      message = { kind: 'complete' };
      break;
    case KIND.progress:
      message = { kind: 'progress', fileIndex: r.u32(), verifiedChunks: r.u32() };
      break;
    case KIND.cancel: {
      const text = String.fromCharCode(...r.bytes8());
      message = { kind: 'cancel', code: isErrorCode(text) ? text : 'PEER_ABORTED' };
      break;
    }
    default:
      return fail('CONTROL_BAD_MESSAGE', 'unknown control message kind');
  }
  r.end();
  return message;
}
