/**
 * Sealdrop's own frozen vectors: test/vectors/{fingerprints,links,handshake,stream,frames,manifest}.json, written once
 * by scripts/generate-vectors.ts and committed. Every output is recomputed here from the inputs recorded in the JSON,
 * through the real code, and compared byte for byte (as hex, so a failure shows the diff). Invalid inputs must fail
 * with exactly the recorded error code.
 *
 * A failure here means the wire format or the key schedule changed. Do not regenerate to make it pass unless the
 * change is intended; then it is a protocol change (docs/PROTOCOL.md, PROTOCOL_VERSION).
 *
 * A missing file, a file without its generator/description header or a section with zero vectors fails the run:
 * loading happens while the suite is collected, and a throw there fails this whole test file.
 */

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/bytes';
import { aesGcmEncrypt, importAesGcmKey, sha256 } from '../../src/crypto/primitives';
import { createDecryptStream, createEncryptStream, deriveFileStreamKeys, sealChunk, type FileStreamKeys } from '../../src/crypto/stream';
import { isErrorCode, type ErrorCode } from '../../src/errors';
import { decodeFrame, encodeFrame, type Frame } from '../../src/frames/frames';
import {
  InitiatorHandshake,
  ResponderHandshake,
  type HandshakeConfig,
  type PeerExpectation,
  type VerifiedBy,
  type VersionRange,
} from '../../src/handshake/handshake';
import type { TransportBinding } from '../../src/handshake/key-schedule';
import type { Intent } from '../../src/handshake/messages';
import { fingerprintOf, SAFETY_NUMBER_ITERATIONS, safetyNumber, shortFingerprint } from '../../src/identity/fingerprint';
import { identityFromSeed } from '../../src/identity/identity';
import { encodeLink, parseLink, type LinkKind } from '../../src/identity/link';
import { decodeManifest, encodeManifest, hashManifest } from '../../src/manifest/codec';
import type { Manifest, ManifestEntry } from '../../src/manifest/manifest';
import type { RandomSource } from '../../src/ports/random';
import { SeededRandom } from '../../src/testing/seeded-random';
import { decodeControl, encodeControl, type ControlMessage } from '../../src/transfer/control';
import { ControlOpener, ControlSealer } from '../../src/transfer/control-channel';
import { expectCode } from '../helpers/expect-code';

// ---------------------------------------------------------------- loading

interface Header {
  readonly generator: string;
  readonly description: string;
}

function load<T>(url: URL): T {
  const parsed = JSON.parse(readFileSync(url, 'utf8')) as Partial<Header>;
  for (const key of ['generator', 'description'] as const) {
    const value = parsed[key];
    if (typeof value !== 'string' || value.trim() === '') throw new Error(`${url.pathname}: no ${key}`);
  }
  return parsed as T;
}

/** The list, or a throw (failing the file) when it is missing or empty: zero vectors must not pass silently. */
function vectors<T>(list: readonly T[] | undefined, what: string): readonly T[] {
  const isList = (value: unknown): value is readonly T[] => Array.isArray(value);
  if (!isList(list) || list.length === 0) throw new Error(`${what}: no vectors`);
  return list;
}

function code(text: string): ErrorCode {
  if (!isErrorCode(text)) throw new Error(`${text} is not an error code`);
  return text;
}

async function collect(readable: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const reader = readable.getReader();
  const out: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

function pipe(parts: readonly Uint8Array[], pair: ReadableWritablePair<Uint8Array, Uint8Array>) {
  let i = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < parts.length) controller.enqueue(parts[i++]);
      else controller.close();
    },
  });
  return collect(source.pipeThrough(pair));
}

function byteByByte(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (byte) => Uint8Array.of(byte));
}

// ---------------------------------------------------------------- fingerprints.json

interface FingerprintFile {
  readonly identities: readonly {
    readonly name: string;
    readonly seed: string;
    readonly publicKey: string;
    readonly fingerprint: string;
    readonly short: string;
  }[];
  readonly safetyNumbers: readonly {
    readonly a: string;
    readonly b: string;
    readonly publicKeyA: string;
    readonly publicKeyB: string;
    readonly iterations: number;
    readonly safetyNumber: string;
  }[];
}

describe('frozen vectors: fingerprints.json', () => {
  const file = load<FingerprintFile>(new URL('./fingerprints.json', import.meta.url));
  const identities = vectors(file.identities, 'fingerprints.json identities');

  for (const v of identities) {
    it(`identity ${v.name}: public key, fingerprint, short form`, async () => {
      const { publicKey } = await identityFromSeed(fromHex(v.seed));
      expect(toHex(publicKey)).toBe(v.publicKey);
      const fingerprint = await fingerprintOf(publicKey);
      expect(toHex(fingerprint)).toBe(v.fingerprint);
      expect(shortFingerprint(fingerprint)).toBe(v.short);
    });
  }

  for (const v of vectors(file.safetyNumbers, 'fingerprints.json safetyNumbers')) {
    it(`safety number ${v.a}/${v.b}, both argument orders`, async () => {
      expect(identities.find((i) => i.name === v.a)?.publicKey).toBe(v.publicKeyA);
      expect(identities.find((i) => i.name === v.b)?.publicKey).toBe(v.publicKeyB);
      // Recorded with the production default; a changed default is a protocol change and must show up here.
      expect(v.iterations).toBe(SAFETY_NUMBER_ITERATIONS);
      const a = fromHex(v.publicKeyA);
      const b = fromHex(v.publicKeyB);
      expect(await safetyNumber(a, b)).toBe(v.safetyNumber);
      expect(await safetyNumber(b, a)).toBe(v.safetyNumber);
    });
  }
});

// ---------------------------------------------------------------- links.json

interface LinkFile {
  readonly valid: readonly {
    readonly name: string;
    readonly kind: LinkKind;
    readonly roomId: string;
    readonly fingerprint: string;
    readonly secret: string;
    readonly relays: readonly string[];
    readonly text: string;
  }[];
  readonly equivalent: readonly { readonly name: string; readonly text: string; readonly sameAs: string }[];
  readonly invalid: readonly { readonly name: string; readonly text: string; readonly code: string }[];
}

describe('frozen vectors: links.json', () => {
  const file = load<LinkFile>(new URL('./links.json', import.meta.url));
  const valid = vectors(file.valid, 'links.json valid');

  for (const v of valid) {
    it(`valid: ${v.name}`, () => {
      const fields = {
        kind: v.kind,
        roomId: fromHex(v.roomId),
        fingerprint: fromHex(v.fingerprint),
        secret: fromHex(v.secret),
        relays: v.relays,
      };
      expect(encodeLink(fields)).toBe(v.text);
      const parsed = parseLink(v.text);
      expect({ ...parsed, roomId: toHex(parsed.roomId), fingerprint: toHex(parsed.fingerprint), secret: toHex(parsed.secret) })
        .toEqual({ kind: v.kind, roomId: v.roomId, fingerprint: v.fingerprint, secret: v.secret, relays: v.relays });
    });
  }

  for (const v of vectors(file.equivalent, 'links.json equivalent')) {
    it(`equivalent: ${v.name}`, () => {
      const target = valid.find((t) => t.name === v.sameAs);
      expect(target, v.sameAs).toBeDefined();
      expect(encodeLink(parseLink(v.text))).toBe(target!.text);
    });
  }

  for (const v of vectors(file.invalid, 'links.json invalid')) {
    it(`invalid: ${v.name} → ${v.code}`, async () => {
      await expectCode(() => parseLink(v.text), code(v.code));
    });
  }
});

// ---------------------------------------------------------------- handshake.json

interface SideVector {
  readonly identity: string;
  readonly identitySeed: string;
  readonly identityPublicKey: string;
  readonly randomSeed: string;
  readonly ephemeralSecret: string;
  readonly intent: Intent;
  readonly manifestHash: string | null;
  readonly name: string | null;
  readonly expect: { readonly pinnedKey: string | null; readonly linkFingerprint: string | null; readonly linkIssued: boolean };
}

interface Outcome {
  readonly level: 2 | 3;
  readonly verifiedBy: VerifiedBy;
}

interface HandshakeVector {
  readonly name: string;
  readonly versions: VersionRange;
  readonly sessionId: string;
  readonly psk: string | null;
  readonly binding:
    | { readonly kind: 'none' }
    | { readonly kind: 'dtls'; readonly initiatorFingerprint: string; readonly responderFingerprint: string };
  readonly initiator: SideVector;
  readonly responder: SideVector;
  readonly hello: string;
  readonly reply: string;
  readonly finish: string;
  readonly transcriptHash: string;
  readonly secrets: { readonly controlInitiator: string; readonly controlResponder: string; readonly data: string; readonly exporter: string };
  readonly outcome: { readonly initiator: Outcome; readonly responder: Outcome };
}

/** Counts the bytes a side draws; the vectors promise exactly one 32-byte ephemeral secret per side. */
class CountingRandom implements RandomSource {
  drawn = 0;
  private readonly inner: SeededRandom;
  constructor(seed: Uint8Array) {
    this.inner = new SeededRandom(seed);
  }
  bytes(length: number): Uint8Array {
    this.drawn += length;
    return this.inner.bytes(length);
  }
}

function bindingOf(v: HandshakeVector): TransportBinding {
  return v.binding.kind === 'none'
    ? { kind: 'none' }
    : {
        kind: 'dtls',
        initiatorFingerprint: fromHex(v.binding.initiatorFingerprint),
        responderFingerprint: fromHex(v.binding.responderFingerprint),
      };
}

function expectationOf(side: SideVector): PeerExpectation {
  return {
    ...(side.expect.pinnedKey !== null ? { pinnedKey: fromHex(side.expect.pinnedKey) } : {}),
    ...(side.expect.linkFingerprint !== null ? { linkFingerprint: fromHex(side.expect.linkFingerprint) } : {}),
    ...(side.expect.linkIssued ? { linkIssued: true } : {}),
  };
}

async function configOf(v: HandshakeVector, side: SideVector, random: RandomSource): Promise<HandshakeConfig> {
  const signer = await identityFromSeed(fromHex(side.identitySeed));
  expect(toHex(signer.publicKey), `${side.identity} public key`).toBe(side.identityPublicKey);
  return {
    signer,
    random,
    sessionId: fromHex(v.sessionId),
    ...(v.psk !== null ? { psk: fromHex(v.psk) } : {}),
    binding: bindingOf(v),
    intent: side.intent,
    ...(side.manifestHash !== null ? { manifestHash: fromHex(side.manifestHash) } : {}),
    ...(side.name !== null ? { name: side.name } : {}),
    expect: expectationOf(side),
    versions: v.versions,
  };
}

describe('frozen vectors: handshake.json', () => {
  const file = load<{ vectors: readonly HandshakeVector[] }>(new URL('./handshake.json', import.meta.url));

  for (const v of vectors(file.vectors, 'handshake.json vectors')) {
    it(`${v.name}: each side reproduces its messages, the transcript hash and the session secrets`, async () => {
      for (const side of [v.initiator, v.responder]) {
        expect(toHex(new SeededRandom(fromHex(side.randomSeed)).bytes(32)), `${side.identity} ephemeral`).toBe(side.ephemeralSecret);
      }
      // Each side runs against the recorded messages of the other, not against a live peer, so a failure names
      // the side whose output moved.
      const iRandom = new CountingRandom(fromHex(v.initiator.randomSeed));
      const rRandom = new CountingRandom(fromHex(v.responder.randomSeed));
      const { handshake: initiator, hello } = await InitiatorHandshake.start(await configOf(v, v.initiator, iRandom));
      expect(toHex(hello)).toBe(v.hello);
      const { handshake: responder, reply } = await ResponderHandshake.onHello(await configOf(v, v.responder, rRandom), fromHex(v.hello));
      expect(toHex(reply)).toBe(v.reply);
      const { finish, result: iResult } = await initiator.onReply(fromHex(v.reply));
      expect(toHex(finish)).toBe(v.finish);
      const rResult = await responder.onFinish(fromHex(v.finish));

      expect(iRandom.drawn).toBe(32);
      expect(rRandom.drawn).toBe(32);
      for (const [result, outcome, peer] of [
        [iResult, v.outcome.initiator, v.responder],
        [rResult, v.outcome.responder, v.initiator],
      ] as const) {
        expect(toHex(result.transcriptHash)).toBe(v.transcriptHash);
        expect({
          controlInitiator: toHex(result.secrets.controlInitiator),
          controlResponder: toHex(result.secrets.controlResponder),
          data: toHex(result.secrets.data),
          exporter: toHex(result.secrets.exporter),
        }).toEqual(v.secrets);
        expect({ level: result.level, verifiedBy: result.verifiedBy }).toEqual(outcome);
        expect(result.version).toBe(v.versions.max);
        expect({
          identityKey: toHex(result.peer.identityKey),
          intent: result.peer.intent,
          manifestHash: toHex(result.peer.manifestHash),
          name: result.peer.name,
        }).toEqual({
          identityKey: peer.identityPublicKey,
          intent: peer.intent,
          manifestHash: peer.manifestHash ?? '',
          name: peer.name ?? '',
        });
      }
    });
  }
});

// ---------------------------------------------------------------- stream.json

interface StreamFile {
  readonly dataSecret: string;
  readonly manifestHash: string;
  readonly fileIndex: number;
  readonly chunkSize: number;
  readonly okm: string;
  readonly noncePrefix: string;
  readonly aad: string;
  readonly streams: readonly { readonly plaintextLength: number; readonly plaintext: string; readonly chunks: readonly string[] }[];
  readonly seek: readonly {
    readonly plaintextLength: number;
    readonly chunkIndex: number;
    readonly last: boolean;
    readonly plaintext: string;
    readonly sealed: string;
  }[];
}

describe('frozen vectors: stream.json', () => {
  const file = load<StreamFile>(new URL('./stream.json', import.meta.url));
  const streams = vectors(file.streams, 'stream.json streams');
  const keys = (): Promise<FileStreamKeys> =>
    deriveFileStreamKeys(fromHex(file.dataSecret), fromHex(file.manifestHash), file.fileIndex, file.chunkSize);

  it('derives the recorded nonce prefix and aad', async () => {
    const k = await keys();
    expect(toHex(k.noncePrefix)).toBe(file.noncePrefix);
    expect(toHex(k.aad)).toBe(file.aad);
  });

  it('okm: its key half seals chunk 0 of every stream exactly as the stream did, its tail is the nonce prefix', async () => {
    const okm = fromHex(file.okm);
    expect(okm.length).toBe(39);
    expect(toHex(okm.subarray(32))).toBe(file.noncePrefix);
    const key = await importAesGcmKey(okm.slice(0, 32));
    for (const s of streams) {
      const last = s.chunks.length === 1;
      const nonce = concatBytes(okm.subarray(32), Uint8Array.of(0, 0, 0, 0, last ? 1 : 0));
      const first = fromHex(s.plaintext).subarray(0, file.chunkSize);
      expect(toHex(await aesGcmEncrypt(key, nonce, first, fromHex(file.aad)))).toBe(s.chunks[0]);
    }
  });

  for (const s of streams) {
    it(`${s.plaintextLength}-byte plaintext: sealed chunks, whole and byte by byte, and back`, async () => {
      const k = await keys();
      const plaintext = fromHex(s.plaintext);
      expect(plaintext.length).toBe(s.plaintextLength);
      const whole = await pipe(plaintext.length > 0 ? [plaintext] : [], createEncryptStream(k));
      expect(whole.map(toHex)).toEqual(s.chunks);
      const bytewise = await pipe(byteByByte(plaintext), createEncryptStream(k));
      expect(bytewise.map(toHex)).toEqual(s.chunks);
      // Every chunk sealed on its own (what resume does) is the same chunk.
      for (const [i, chunk] of s.chunks.entries()) {
        const part = plaintext.subarray(i * file.chunkSize, (i + 1) * file.chunkSize);
        expect(toHex(await sealChunk(k, i, part, i === s.chunks.length - 1)), `chunk ${i}`).toBe(chunk);
      }
      const opened = await pipe(byteByByte(fromHex(s.chunks.join(''))), createDecryptStream(k));
      expect(toHex(concatBytes(...opened))).toBe(s.plaintext);
    });
  }

  for (const v of vectors(file.seek, 'stream.json seek')) {
    it(`chunk ${v.chunkIndex} sealed alone equals chunk ${v.chunkIndex} of the ${v.plaintextLength}-byte stream`, async () => {
      const sealed = toHex(await sealChunk(await keys(), v.chunkIndex, fromHex(v.plaintext), v.last));
      expect(sealed).toBe(v.sealed);
      expect(streams.find((s) => s.plaintextLength === v.plaintextLength)?.chunks[v.chunkIndex]).toBe(sealed);
    });
  }
});

// ---------------------------------------------------------------- frames.json

type FrameVector =
  | { readonly type: 'HELLO' | 'HANDSHAKE_REPLY' | 'HANDSHAKE_FINISH' | 'CONTROL'; readonly payload: string }
  | { readonly type: 'DATA'; readonly fileIndex: number; readonly chunkIndex: number; readonly sealed: string }
  | { readonly type: 'ABORT'; readonly code: string };

interface FrameFile {
  readonly valid: readonly { readonly name: string; readonly frame: FrameVector; readonly encoded: string }[];
  readonly control: {
    readonly controlSecret: string;
    readonly records: readonly {
      readonly sequence: number;
      readonly message: ControlMessage;
      readonly plaintext: string;
      readonly sealed: string;
    }[];
  };
  readonly invalid: readonly { readonly name: string; readonly bytes: string; readonly code: string }[];
}

function frameOf(v: FrameVector): Frame {
  switch (v.type) {
    case 'DATA':
      return { type: v.type, fileIndex: v.fileIndex, chunkIndex: v.chunkIndex, sealed: fromHex(v.sealed) };
    case 'ABORT':
      return { type: v.type, code: code(v.code) };
    default:
      return { type: v.type, payload: fromHex(v.payload) };
  }
}

describe('frozen vectors: frames.json', () => {
  const file = load<FrameFile>(new URL('./frames.json', import.meta.url));
  const records = vectors(file.control?.records, 'frames.json control.records');
  const valid = vectors(file.valid, 'frames.json valid');

  it('control records: encoded and sealed under the control secret in sequence, then opened and decoded back', async () => {
    const sealer = await ControlSealer.create(fromHex(file.control.controlSecret));
    const opener = await ControlOpener.create(fromHex(file.control.controlSecret));
    for (const [i, r] of records.entries()) {
      expect(r.sequence, 'records are listed in sequence order').toBe(i);
      const plaintext = encodeControl(r.message);
      expect(toHex(plaintext)).toBe(r.plaintext);
      expect(toHex(await sealer.seal(plaintext))).toBe(r.sealed);
      expect(decodeControl(await opener.open(fromHex(r.sealed)))).toEqual(r.message);
    }
  });

  it('CONTROL frames carry the control records, in order', () => {
    const payloads = valid.flatMap((v) => (v.frame.type === 'CONTROL' ? [v.frame.payload] : []));
    expect(payloads).toEqual(records.map((r) => r.sealed));
  });

  for (const v of valid) {
    it(`valid: ${v.name}`, () => {
      const frame = frameOf(v.frame);
      expect(toHex(encodeFrame(frame))).toBe(v.encoded);
      expect(decodeFrame(fromHex(v.encoded))).toEqual(frame);
    });
  }

  for (const v of vectors(file.invalid, 'frames.json invalid')) {
    it(`invalid: ${v.name} → ${v.code}`, async () => {
      await expectCode(() => decodeFrame(fromHex(v.bytes)), code(v.code));
    });
  }
});

// ---------------------------------------------------------------- manifest.json

interface ManifestVector {
  readonly name: string;
  readonly entries: readonly (
    | { readonly kind: 'directory'; readonly path: string }
    | { readonly kind: 'file'; readonly path: string; readonly size: number; readonly sha256: string; readonly content: string }
  )[];
  readonly encoded: string;
  readonly hash: string;
}

describe('frozen vectors: manifest.json', () => {
  const file = load<{ vectors: readonly ManifestVector[] }>(new URL('./manifest.json', import.meta.url));

  for (const v of vectors(file.vectors, 'manifest.json vectors')) {
    it(`${v.name}: canonical encoding and hash`, async () => {
      const entries: ManifestEntry[] = [];
      for (const entry of v.entries) {
        if (entry.kind === 'directory') {
          entries.push({ kind: 'directory', path: entry.path });
          continue;
        }
        const content = fromHex(entry.content);
        expect(content.length, entry.path).toBe(entry.size);
        expect(toHex(await sha256(content)), entry.path).toBe(entry.sha256);
        entries.push({ kind: 'file', path: entry.path, size: entry.size, sha256: fromHex(entry.sha256) });
      }
      const manifest: Manifest = { entries };
      expect(toHex(encodeManifest(manifest))).toBe(v.encoded);
      expect(toHex(await hashManifest(manifest))).toBe(v.hash);
      expect(decodeManifest(fromHex(v.encoded))).toEqual(manifest);
    });
  }
});
