/**
 * The protocol core, running inside Chromium. Bundled by scripts/build-core-bundle.mjs (platform browser, no Node
 * polyfills) into dist/browser/core-bundle.js, loaded by index.html, and driven by core-in-chromium.spec.ts.
 *
 * Everything here runs in the page, over the page's own WebCrypto: the vectors are checked through the same
 * wrappers the Node tests use (src/crypto/primitives.ts), and the transfers run the real session runner over the
 * in-memory transport from src/testing/. Each function returns plain JSON (no Uint8Array, no Error), because that
 * is what page.evaluate can carry back, and because a failure should arrive as a readable list rather than as one
 * opaque exception. Bytes are compared here, in the page, so 2 MiB never crosses the bridge.
 *
 * Nothing here decides pass or fail for the suite: the spec asserts on the counts and codes returned.
 */

import { ByteWriter, concatBytes, equalBytes, fromHex, toHex, utf8 } from '../../src/bytes';
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
  sha256,
  x25519,
  x25519FromSecret,
} from '../../src/crypto/primitives';
import {
  chunkCount,
  createDecryptStream,
  createEncryptStream,
  deriveFileStreamKeys,
  openChunk,
  sealChunk,
  type FileStreamKeys,
} from '../../src/crypto/stream';
import { errorCodeOf, type ErrorCode } from '../../src/errors';
import { decodeFrame, encodeFrame, FRAME_TYPES, type Frame } from '../../src/frames/frames';
import { InitiatorHandshake, ResponderHandshake, type HandshakeConfig, type HandshakeResult } from '../../src/handshake/handshake';
import type { TransportBinding } from '../../src/handshake/key-schedule';
import { fingerprintOf, SAFETY_NUMBER_ITERATIONS, safetyNumber, shortFingerprint } from '../../src/identity/fingerprint';
import { identityFromSeed } from '../../src/identity/identity';
import { encodeLink, parseLink } from '../../src/identity/link';
import { decodeManifest, encodeManifest, hashManifest } from '../../src/manifest/codec';
import type { Manifest, ManifestEntry } from '../../src/manifest/manifest';
import { systemClock } from '../../src/ports/clock';
import type { RandomSource } from '../../src/ports/random';
import { corruptFrame } from '../../src/testing/faults';
import { memorySource, MemorySink, type MemoryFile } from '../../src/testing/memory-files';
import { linkedTransports, type Tamper } from '../../src/testing/memory-transport';
import { SeededRandom } from '../../src/testing/seeded-random';
import { decodeControl, encodeControl, type ControlMessage } from '../../src/transfer/control';
import { ControlOpener, ControlSealer } from '../../src/transfer/control-channel';
import { startReceiver, startSender, type SessionOutcome } from '../../src/transfer/session';

// ---------------------------------------------------------------- results (plain JSON, shared with the spec)

export interface VectorFailure {
  readonly file: string;
  /** `array/name` of the case, or '(file)' when the file could not be read at all. */
  readonly vector: string;
  /** The first check of that case that did not hold, with what was got and what was wanted. */
  readonly detail: string;
}

export interface VectorRun {
  readonly passed: number;
  readonly failed: number;
  /** Cases run per file (one per element of each array in the file), for the spec to hold against the files. */
  readonly perFile: Record<string, number>;
  readonly failures: VectorFailure[];
  readonly ms: number;
}

export interface SideReport {
  readonly ok: boolean;
  readonly phase: string;
  readonly code: ErrorCode | null;
  readonly errorFromPeer: boolean;
  readonly level: 2 | 3 | null;
  readonly verifiedBy: string | null;
}

export interface FileReport {
  readonly path: string;
  readonly size: number;
  readonly committed: boolean;
  /** Committed under its final name with exactly the source bytes. */
  readonly identical: boolean;
}

export interface TransferReport {
  readonly sender: SideReport;
  readonly receiver: SideReport;
  readonly files: FileReport[];
  readonly allFilesIdentical: boolean;
  readonly directoriesCreated: string[];
  readonly pendingParts: number;
  /** DATA frames that crossed the transport, and how many STREAM chunks the manifest implies. */
  readonly dataFrames: number;
  readonly expectedDataFrames: number;
  readonly ms: number;
}

export interface SealdropTests {
  runPublishedVectors(files: Record<string, unknown>): Promise<VectorRun>;
  runFrozenVectors(files: Record<string, unknown>): Promise<VectorRun>;
  runMemoryTransfer(): Promise<TransferReport>;
  runTamperedTransfer(): Promise<TransferReport>;
}

declare global {
  interface Window {
    sealdropTests?: SealdropTests;
  }
}

// ---------------------------------------------------------------- checking vectors

/** A check that did not hold; caught per case and reported, never thrown out of the page. */
class Mismatch extends Error {}

function sameHex(check: string, got: Uint8Array, want: string): void {
  const hex = toHex(got);
  if (hex !== want) throw new Mismatch(`${check}: got ${hex}, want ${want}`);
}

function holds(check: string, got: unknown, want: unknown): void {
  if (got !== want) throw new Mismatch(`${check}: got ${String(got)}, want ${String(want)}`);
}

/** JSON with object keys sorted, so two structures compare by content whatever order their keys were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function sameJson(check: string, got: unknown, want: unknown): void {
  const [g, w] = [canonical(got), canonical(want)];
  if (g !== w) throw new Mismatch(`${check}: got ${g}, want ${w}`);
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

/** The same for synchronous work (parsers, decoders). */
function throwsCode(work: () => unknown): Promise<ErrorCode | 'resolved' | 'uncoded'> {
  return rejectionCode(Promise.resolve().then(work));
}

function flipFirstBit(bytes: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[0] = (copy[0] ?? 0) ^ 0x01;
  return copy;
}

// Fields of a vector, read loosely: a missing or mistyped field fails that case with its name, rather than
// becoming an empty byte string that might compare equal to something.
type Fields = Record<string, unknown>;

function stringField(v: Fields, key: string): string {
  const value = v[key];
  if (typeof value !== 'string') throw new Mismatch(`field ${key} is missing or not a string`);
  return value;
}

function hexField(v: Fields, key: string): Uint8Array {
  return fromHex(stringField(v, key));
}

function numberField(v: Fields, key: string): number {
  const value = v[key];
  if (typeof value !== 'number') throw new Mismatch(`field ${key} is missing or not a number`);
  return value;
}

function objectField(v: Fields, key: string): Fields {
  const value = v[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Mismatch(`field ${key} is missing or not an object`);
  }
  return value as Fields;
}

function arrayField(v: Fields, key: string): Fields[] {
  const value = v[key];
  if (!Array.isArray(value)) throw new Mismatch(`field ${key} is missing or not an array`);
  return value as Fields[];
}

function stringArrayField(v: Fields, key: string): string[] {
  const value: unknown[] = arrayField(v, key);
  if (!value.every((item) => typeof item === 'string')) throw new Mismatch(`field ${key} holds a non-string`);
  return value;
}

function oneOf<T extends string>(v: Fields, key: string, allowed: readonly T[]): T {
  const value = stringField(v, key);
  if (!(allowed as readonly string[]).includes(value)) throw new Mismatch(`field ${key}: unexpected ${value}`);
  return value as T;
}

/** One named check; a file's runner turns the file into a list of these. */
interface Case {
  readonly name: string;
  readonly run: () => Promise<void>;
}

type FileRunner = (file: Fields) => Case[];

/** Cases for every element of `file[key]`, named `key/<element name or index>`. */
function casesOf(file: Fields, key: string, check: (v: Fields) => Promise<void> | void): Case[] {
  return arrayField(file, key).map((v, index) => ({
    name: `${key}/${typeof v['name'] === 'string' ? v['name'] : index}`,
    run: async () => {
      await check(v);
    },
  }));
}

/**
 * Runs every case of every file through the runner named for that file. A file without a runner, or whose shape
 * the runner cannot read, is one failure: a new or reshaped vector file must not be skipped in silence.
 */
async function runVectorFiles(files: Record<string, unknown>, runners: Record<string, FileRunner>): Promise<VectorRun> {
  const started = performance.now();
  const failures: VectorFailure[] = [];
  const perFile: Record<string, number> = {};
  let passed = 0;
  for (const [file, content] of Object.entries(files)) {
    const runner = runners[file];
    let cases: Case[];
    try {
      if (!runner) throw new Mismatch('no runner for this file in test/e2e/browser-entry.ts');
      if (typeof content !== 'object' || content === null) throw new Mismatch('not a JSON object');
      cases = runner(content as Fields);
    } catch (error) {
      failures.push({ file, vector: '(file)', detail: error instanceof Error ? error.message : String(error) });
      continue;
    }
    perFile[file] = cases.length;
    for (const { name, run } of cases) {
      try {
        await run();
        passed++;
      } catch (error) {
        const detail = error instanceof Mismatch ? error.message : `threw ${errorCodeOf(error) ?? String(error)}`;
        failures.push({ file, vector: name, detail });
      }
    }
  }
  return { passed, failed: failures.length, perFile, failures, ms: Math.round(performance.now() - started) };
}

// ---------------------------------------------------------------- published vectors (test/vectors/published/)

/** Any code works; the STREAM layer passes this one, and the check proves it comes back unchanged. */
const AUTH_FAILED: ErrorCode = 'CHUNK_AUTH_FAILED';

async function ed25519Vector(v: Fields): Promise<void> {
  const { publicKey, privateKey } = await ed25519FromSeed(hexField(v, 'secretKey'));
  const message = hexField(v, 'message');
  const signature = hexField(v, 'signature');
  const published = hexField(v, 'publicKey');
  sameHex('public key from seed', publicKey, stringField(v, 'publicKey'));
  sameHex('signature', await ed25519Sign(privateKey, message), stringField(v, 'signature'));
  holds('published signature verifies', await ed25519Verify(published, message, signature), true);
  holds('flipped signature verifies', await ed25519Verify(published, message, flipFirstBit(signature)), false);
  if (message.length > 0) {
    holds('flipped message verifies', await ed25519Verify(published, flipFirstBit(message), signature), false);
  }
}

async function x25519Vector(v: Fields): Promise<void> {
  switch (oneOf(v, 'kind', ['scalar-mult', 'diffie-hellman', 'low-order'])) {
    case 'scalar-mult': {
      const { privateKey } = await x25519FromSecret(hexField(v, 'scalar'));
      sameHex('X25519(scalar, u)', await x25519(privateKey, hexField(v, 'uCoordinate')), stringField(v, 'output'));
      return;
    }
    case 'diffie-hellman': {
      const alice = await x25519FromSecret(hexField(v, 'alicePrivate'));
      const bob = await x25519FromSecret(hexField(v, 'bobPrivate'));
      sameHex('Alice public', alice.publicKey, stringField(v, 'alicePublic'));
      sameHex('Bob public', bob.publicKey, stringField(v, 'bobPublic'));
      sameHex('K (Alice side)', await x25519(alice.privateKey, hexField(v, 'bobPublic')), stringField(v, 'shared'));
      sameHex('K (Bob side)', await x25519(bob.privateKey, hexField(v, 'alicePublic')), stringField(v, 'shared'));
      return;
    }
    case 'low-order': {
      const { privateKey } = await x25519FromSecret(hexField(v, 'scalar'));
      const code = await rejectionCode(x25519(privateKey, hexField(v, 'uCoordinate')));
      holds('low-order point rejected with', code, stringField(v, 'expectedError'));
      return;
    }
  }
}

async function hkdfVector(v: Fields): Promise<void> {
  holds('hash', v['hash'], 'SHA-256');
  const [ikm, salt, info, length] = [hexField(v, 'ikm'), hexField(v, 'salt'), hexField(v, 'info'), numberField(v, 'length')];
  sameHex('Extract', await hkdfExtract(salt, ikm), stringField(v, 'prk'));
  // RFC 5869 §2.2: "not provided" and zero-length salt both mean HashLen zeros.
  if (salt.length === 0) sameHex('Extract (no salt)', await hkdfExtract(undefined, ikm), stringField(v, 'prk'));
  sameHex('Expand', await hkdfExpand(hexField(v, 'prk'), info, length), stringField(v, 'okm'));
  sameHex('HKDF', await hkdf(ikm, salt, info, length), stringField(v, 'okm'));
}

async function gcmVector(v: Fields): Promise<void> {
  const key = await importAesGcmKey(hexField(v, 'key'));
  const [iv, aad] = [hexField(v, 'iv'), hexField(v, 'aad')];
  const sealed = concatBytes(hexField(v, 'ct'), hexField(v, 'tag'));
  if (oneOf(v, 'result', ['valid', 'invalid']) === 'valid') {
    sameHex('encrypt', await aesGcmEncrypt(key, iv, hexField(v, 'pt'), aad), toHex(sealed));
    sameHex('decrypt', await aesGcmDecrypt(key, iv, sealed, aad, AUTH_FAILED), stringField(v, 'pt'));
  } else {
    holds('decrypt fails with', await rejectionCode(aesGcmDecrypt(key, iv, sealed, aad, AUTH_FAILED)), AUTH_FAILED);
  }
}

/** The same checks as test/crypto/published-vectors.test.ts, one case per vector. */
const PUBLISHED: Record<string, FileRunner> = {
  'rfc8032-ed25519.json': (file) => casesOf(file, 'vectors', ed25519Vector),
  'rfc7748-x25519.json': (file) => casesOf(file, 'vectors', x25519Vector),
  'rfc5869-hkdf.json': (file) => casesOf(file, 'vectors', hkdfVector),
  'rfc4231-hmac-sha256.json': (file) =>
    casesOf(file, 'vectors', async (v) => {
      sameHex('HMAC', await hmacSha256(hexField(v, 'key'), hexField(v, 'data')), stringField(v, 'hmac'));
    }),
  'aes-gcm.json': (file) => casesOf(file, 'vectors', gcmVector),
};

// ---------------------------------------------------------------- frozen vectors (test/vectors/*.json)

// What each file means is in its own description and in scripts/generate-vectors.ts; the checks recompute every
// output from the recorded inputs, as test/vectors/frozen-vectors.test.ts does in Node.

const fingerprintsFile: FileRunner = (file) => [
  ...casesOf(file, 'identities', async (v) => {
    const { publicKey } = await identityFromSeed(hexField(v, 'seed'));
    sameHex('public key from seed', publicKey, stringField(v, 'publicKey'));
    const fingerprint = await fingerprintOf(publicKey);
    sameHex('fingerprint', fingerprint, stringField(v, 'fingerprint'));
    holds('short form', shortFingerprint(fingerprint), stringField(v, 'short'));
  }),
  ...casesOf(file, 'safetyNumbers', async (v) => {
    const keyOf = (name: unknown) => arrayField(file, 'identities').find((i) => i['name'] === name)?.['publicKey'];
    holds('publicKeyA is identity a', keyOf(v['a']), stringField(v, 'publicKeyA'));
    holds('publicKeyB is identity b', keyOf(v['b']), stringField(v, 'publicKeyB'));
    const [a, b, iterations] = [hexField(v, 'publicKeyA'), hexField(v, 'publicKeyB'), numberField(v, 'iterations')];
    holds('iterations', iterations, SAFETY_NUMBER_ITERATIONS);
    holds('safety number (a, b)', await safetyNumber(a, b, iterations), stringField(v, 'safetyNumber'));
    holds('safety number (b, a)', await safetyNumber(b, a, iterations), stringField(v, 'safetyNumber'));
  }),
];

async function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

/** Pushes `pieces` through `transform` and collects what comes out. */
function through(pieces: readonly Uint8Array[], transform: TransformStream<Uint8Array, Uint8Array>) {
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
  return readAll(input.pipeThrough(transform));
}

const byteByByte = (bytes: Uint8Array) => Array.from(bytes, (b) => Uint8Array.of(b));

const streamFile: FileRunner = (file) => {
  const [dataSecret, manifestHash] = [hexField(file, 'dataSecret'), hexField(file, 'manifestHash')];
  const [fileIndex, chunkSize] = [numberField(file, 'fileIndex'), numberField(file, 'chunkSize')];
  /** The keys the real code derives, checked against the recorded okm, prefix and aad. */
  const derive = async (): Promise<FileStreamKeys> => {
    const keys = await deriveFileStreamKeys(dataSecret, manifestHash, fileIndex, chunkSize);
    const info = concatBytes(utf8('sealdrop/v1 file'), Uint8Array.of(0), manifestHash, new ByteWriter(4).u32(fileIndex).finish());
    const okm = await hkdfExpand(dataSecret, info, 39);
    sameHex('okm', okm, stringField(file, 'okm'));
    sameHex('nonce prefix', keys.noncePrefix, stringField(file, 'noncePrefix'));
    sameHex('nonce prefix = okm[32..39)', keys.noncePrefix, toHex(okm.subarray(32)));
    sameHex('aad', keys.aad, stringField(file, 'aad'));
    return keys;
  };
  /** The derived key is non-extractable; a key imported from okm[0..32) must seal the same chunks. */
  const fromOkm = async (): Promise<FileStreamKeys> => {
    const okm = hexField(file, 'okm');
    return { key: await importAesGcmKey(okm.slice(0, 32)), noncePrefix: okm.slice(32), aad: hexField(file, 'aad'), chunkSize };
  };
  return [
    ...casesOf(file, 'streams', async (v) => {
      const plaintext = hexField(v, 'plaintext');
      holds('plaintext length', plaintext.length, numberField(v, 'plaintextLength'));
      const want = stringArrayField(v, 'chunks');
      const keys = await derive();
      const whole = await through(plaintext.length > 0 ? [plaintext] : [], createEncryptStream(keys));
      sameJson('chunks (plaintext in one piece)', whole.map(toHex), want);
      sameJson('chunks (plaintext byte by byte)', (await through(byteByByte(plaintext), createEncryptStream(keys))).map(toHex), want);
      const okmKeys = await fromOkm();
      const alone = await Promise.all(
        want.map((_, i) =>
          sealChunk(okmKeys, i, plaintext.slice(i * chunkSize, (i + 1) * chunkSize), i === want.length - 1),
        ),
      );
      sameJson('chunks (sealed one by one under okm[0..32))', alone.map(toHex), want);
      const opened = await through(byteByByte(concatBytes(...whole)), createDecryptStream(keys));
      sameHex('decrypted (sealed stream byte by byte)', concatBytes(...opened), toHex(plaintext));
    }),
    ...casesOf(file, 'seek', async (v) => {
      const keys = await derive();
      const [index, last, plaintext] = [numberField(v, 'chunkIndex'), v['last'] === true, hexField(v, 'plaintext')];
      sameHex('chunk sealed alone', await sealChunk(keys, index, plaintext, last), stringField(v, 'sealed'));
      sameHex('chunk opened alone', await openChunk(keys, index, hexField(v, 'sealed'), last), toHex(plaintext));
      const stream = arrayField(file, 'streams').find((t) => t['plaintextLength'] === numberField(v, 'plaintextLength'));
      holds('same chunk of the whole stream', stream && stringArrayField(stream, 'chunks')[index], stringField(v, 'sealed'));
    }),
  ];
};

const FRAME_TYPE_NAMES = ['HELLO', 'HANDSHAKE_REPLY', 'HANDSHAKE_FINISH', 'CONTROL', 'DATA', 'ABORT'] as const;

function frameFromJson(f: Fields): Frame {
  const type = oneOf(f, 'type', FRAME_TYPE_NAMES);
  switch (type) {
    case 'DATA':
      return { type, fileIndex: numberField(f, 'fileIndex'), chunkIndex: numberField(f, 'chunkIndex'), sealed: hexField(f, 'sealed') };
    case 'ABORT':
      return { type, code: stringField(f, 'code') as ErrorCode };
    default:
      return { type, payload: hexField(f, 'payload') };
  }
}

/** The JSON form scripts/generate-vectors.ts writes. */
function frameToJson(frame: Frame) {
  switch (frame.type) {
    case 'DATA':
      return { type: frame.type, fileIndex: frame.fileIndex, chunkIndex: frame.chunkIndex, sealed: toHex(frame.sealed) };
    case 'ABORT':
      return { type: frame.type, code: frame.code };
    default:
      return { type: frame.type, payload: toHex(frame.payload) };
  }
}

function controlFromJson(m: Fields): ControlMessage {
  switch (oneOf(m, 'kind', ['accept', 'file-verified'])) {
    case 'accept':
      return {
        kind: 'accept',
        resume: arrayField(m, 'resume').map((p) => ({ fileIndex: numberField(p, 'fileIndex'), verifiedChunks: numberField(p, 'verifiedChunks') })),
      };
    case 'file-verified':
      return { kind: 'file-verified', fileIndex: numberField(m, 'fileIndex') };
  }
}

const framesFile: FileRunner = (file) => {
  const control = objectField(file, 'control');
  const records = arrayField(control, 'records');
  return [
    ...casesOf(file, 'valid', (v) => {
      const frame = frameFromJson(objectField(v, 'frame'));
      sameHex('encoded', encodeFrame(frame), stringField(v, 'encoded'));
      sameJson('decoded', frameToJson(decodeFrame(hexField(v, 'encoded'))), v['frame']);
    }),
    // Records use implicit sequence numbers, so record i is sealed and opened after records 0 … i-1.
    ...records.map((record, i): Case => ({
      name: `control.records/${i}`,
      run: async () => {
        holds('sequence', numberField(record, 'sequence'), i);
        const message = controlFromJson(objectField(record, 'message'));
        sameHex('encoded message', encodeControl(message), stringField(record, 'plaintext'));
        sameJson('decoded message', decodeControl(hexField(record, 'plaintext')), message);
        const secret = hexField(control, 'controlSecret');
        const [sealer, opener] = [await ControlSealer.create(secret), await ControlOpener.create(secret)];
        for (const earlier of records.slice(0, i)) {
          await sealer.seal(hexField(earlier, 'plaintext'));
          await opener.open(hexField(earlier, 'sealed'));
        }
        sameHex('sealed', await sealer.seal(hexField(record, 'plaintext')), stringField(record, 'sealed'));
        sameHex('opened', await opener.open(hexField(record, 'sealed')), stringField(record, 'plaintext'));
        const carried = arrayField(file, 'valid').map((v) => objectField(v, 'frame')).filter((f) => f['type'] === 'CONTROL');
        holds(`payload of CONTROL frame ${i} in valid`, carried[i]?.['payload'], stringField(record, 'sealed'));
      },
    })),
    ...casesOf(file, 'invalid', async (v) => {
      holds('rejected with', await throwsCode(() => decodeFrame(hexField(v, 'bytes'))), stringField(v, 'code'));
    }),
  ];
};

const linksFile: FileRunner = (file) => {
  const valid = arrayField(file, 'valid');
  return [
    ...casesOf(file, 'valid', (v) => {
      const link = {
        kind: oneOf(v, 'kind', ['transfer', 'pairing']),
        roomId: hexField(v, 'roomId'),
        fingerprint: hexField(v, 'fingerprint'),
        secret: hexField(v, 'secret'),
        relays: stringArrayField(v, 'relays'),
      };
      holds('encoded', encodeLink(link), stringField(v, 'text'));
      const parsed = parseLink(stringField(v, 'text'));
      sameJson('parsed', { ...parsed, roomId: toHex(parsed.roomId), fingerprint: toHex(parsed.fingerprint), secret: toHex(parsed.secret) },
        { ...link, roomId: toHex(link.roomId), fingerprint: toHex(link.fingerprint), secret: toHex(link.secret) });
    }),
    ...casesOf(file, 'equivalent', (v) => {
      const target = valid.find((t) => t['name'] === stringField(v, 'sameAs'));
      if (!target) throw new Mismatch(`no valid link named ${String(v['sameAs'])}`);
      holds('re-encoded', encodeLink(parseLink(stringField(v, 'text'))), stringField(target, 'text'));
    }),
    ...casesOf(file, 'invalid', async (v) => {
      holds('rejected with', await throwsCode(() => parseLink(stringField(v, 'text'))), stringField(v, 'code'));
    }),
  ];
};

const manifestFile: FileRunner = (file) =>
  casesOf(file, 'vectors', async (v) => {
    const entries: ManifestEntry[] = [];
    for (const e of arrayField(v, 'entries')) {
      const path = stringField(e, 'path');
      if (oneOf(e, 'kind', ['file', 'directory']) === 'directory') {
        entries.push({ kind: 'directory', path });
        continue;
      }
      const content = hexField(e, 'content');
      holds(`size of ${path}`, numberField(e, 'size'), content.length);
      sameHex(`sha256 of ${path}`, await sha256(content), stringField(e, 'sha256'));
      entries.push({ kind: 'file', path, size: content.length, sha256: hexField(e, 'sha256') });
    }
    const manifest: Manifest = { entries };
    sameHex('encoded', encodeManifest(manifest), stringField(v, 'encoded'));
    sameHex('hash', await hashManifest(manifest), stringField(v, 'hash'));
    const asJson = (m: Manifest) => m.entries.map((e) => (e.kind === 'file' ? { ...e, sha256: toHex(e.sha256) } : e));
    sameJson('decoded', asJson(decodeManifest(hexField(v, 'encoded'))), asJson(manifest));
  });

function bindingFromJson(b: Fields): TransportBinding {
  return oneOf(b, 'kind', ['none', 'dtls']) === 'none'
    ? { kind: 'none' }
    : { kind: 'dtls', initiatorFingerprint: hexField(b, 'initiatorFingerprint'), responderFingerprint: hexField(b, 'responderFingerprint') };
}

/** Counts the bytes a side draws: the vectors promise exactly one 32-byte ephemeral secret per side. */
class CountingRandom extends SeededRandom {
  drawn = 0;
  override bytes(length: number): Uint8Array {
    this.drawn += length;
    return super.bytes(length);
  }
}

/** One side's HandshakeConfig from its recorded inputs; null in the file means "absent". */
async function handshakeConfig(v: Fields, side: Fields, random: RandomSource): Promise<HandshakeConfig> {
  const signer = await identityFromSeed(hexField(side, 'identitySeed'));
  sameHex('identity key', signer.publicKey, stringField(side, 'identityPublicKey'));
  const e = objectField(side, 'expect');
  const versions = objectField(v, 'versions');
  return {
    signer,
    random,
    sessionId: hexField(v, 'sessionId'),
    ...(v['psk'] !== null ? { psk: hexField(v, 'psk') } : {}),
    binding: bindingFromJson(objectField(v, 'binding')),
    intent: oneOf(side, 'intent', ['send', 'receive', 'pair']),
    ...(side['manifestHash'] !== null ? { manifestHash: hexField(side, 'manifestHash') } : {}),
    ...(side['name'] !== null ? { name: stringField(side, 'name') } : {}),
    expect: {
      ...(e['pinnedKey'] !== null ? { pinnedKey: hexField(e, 'pinnedKey') } : {}),
      ...(e['linkFingerprint'] !== null ? { linkFingerprint: hexField(e, 'linkFingerprint') } : {}),
      ...(e['linkIssued'] === true ? { linkIssued: true } : {}),
    },
    versions: { min: numberField(versions, 'min'), max: numberField(versions, 'max') },
  };
}

/** What one side learned, in the file's terms: its outcome and the peer it authenticated. */
function sideResult(result: HandshakeResult) {
  return {
    transcriptHash: toHex(result.transcriptHash),
    secrets: {
      controlInitiator: toHex(result.secrets.controlInitiator),
      controlResponder: toHex(result.secrets.controlResponder),
      data: toHex(result.secrets.data),
      exporter: toHex(result.secrets.exporter),
    },
    outcome: { level: result.level, verifiedBy: result.verifiedBy },
    version: result.version,
    peer: {
      identityKey: toHex(result.peer.identityKey),
      intent: result.peer.intent,
      manifestHash: toHex(result.peer.manifestHash),
      name: result.peer.name,
    },
  };
}

function expectedSide(v: Fields, role: 'initiator' | 'responder') {
  const peer = objectField(v, role === 'initiator' ? 'responder' : 'initiator');
  return {
    transcriptHash: v['transcriptHash'],
    secrets: v['secrets'],
    outcome: objectField(v, 'outcome')[role],
    version: objectField(v, 'versions')['max'],
    // An absent manifest hash or name travels as the empty one.
    peer: {
      identityKey: peer['identityPublicKey'],
      intent: peer['intent'],
      manifestHash: peer['manifestHash'] ?? '',
      name: peer['name'] ?? '',
    },
  };
}

/**
 * Each side runs against the recorded messages of the other rather than a live peer (as the Node test does), so
 * a failure names the side whose output moved.
 */
const handshakeFile: FileRunner = (file) =>
  casesOf(file, 'vectors', async (v) => {
    const [iSide, rSide] = [objectField(v, 'initiator'), objectField(v, 'responder')];
    for (const [role, side] of [['initiator', iSide], ['responder', rSide]] as const) {
      const first32 = new SeededRandom(hexField(side, 'randomSeed')).bytes(32);
      sameHex(`${role} ephemeral secret`, first32, stringField(side, 'ephemeralSecret'));
    }
    const iRandom = new CountingRandom(hexField(iSide, 'randomSeed'));
    const rRandom = new CountingRandom(hexField(rSide, 'randomSeed'));
    const { handshake: initiator, hello } = await InitiatorHandshake.start(await handshakeConfig(v, iSide, iRandom));
    sameHex('HELLO', hello, stringField(v, 'hello'));
    const rConfig = await handshakeConfig(v, rSide, rRandom);
    const { handshake: responder, reply } = await ResponderHandshake.onHello(rConfig, hexField(v, 'hello'));
    sameHex('HANDSHAKE_REPLY', reply, stringField(v, 'reply'));
    const { finish, result: i } = await initiator.onReply(hexField(v, 'reply'));
    sameHex('HANDSHAKE_FINISH', finish, stringField(v, 'finish'));
    const r = await responder.onFinish(hexField(v, 'finish'));
    holds('bytes drawn by the initiator', iRandom.drawn, 32);
    holds('bytes drawn by the responder', rRandom.drawn, 32);
    sameJson('initiator result', sideResult(i), expectedSide(v, 'initiator'));
    sameJson('responder result', sideResult(r), expectedSide(v, 'responder'));
  });

const FROZEN: Record<string, FileRunner> = {
  'fingerprints.json': fingerprintsFile,
  'stream.json': streamFile,
  'frames.json': framesFile,
  'links.json': linksFile,
  'manifest.json': manifestFile,
  'handshake.json': handshakeFile,
};

// ---------------------------------------------------------------- in-memory transfers

const sessionId = new Uint8Array(16).fill(0x5a);
const psk = new Uint8Array(32).fill(0x42);

/** The same generator as test/integration/memory-transfer.test.ts: cheap, deterministic, not all one byte. */
function bytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const FILES: readonly MemoryFile[] = [
  { path: 'empty.txt', data: new Uint8Array(0) },
  { path: 'big.bin', data: bytes(2 * 1024 * 1024, 7) },
];
const DIRECTORIES: readonly string[] = ['empty-folder'];

function side(outcome: SessionOutcome): SideReport {
  return {
    ok: outcome.ok,
    phase: outcome.phase,
    code: outcome.code,
    errorFromPeer: outcome.errorFromPeer,
    level: outcome.handshake?.level ?? null,
    verifiedBy: outcome.handshake?.verifiedBy ?? null,
  };
}

/**
 * One transfer over a linked pair, set up as a link transfer (memory-transfer.test.ts, `linkSides`): the sender
 * issued the link and holds its secret; the receiver holds the secret and the sender's fingerprint. The sender is
 * the handshake responder. `tamper` plays a malicious relay on the path.
 */
async function transfer(tamper: Tamper = (frame) => [frame]): Promise<TransferReport> {
  const started = performance.now();
  const sender = await identityFromSeed(new Uint8Array(32).fill(1));
  const receiver = await identityFromSeed(new Uint8Array(32).fill(2));
  let dataFrames = 0;
  const counting: Tamper = (frame, info) => {
    const out = tamper(frame, info);
    dataFrames += out.filter((f) => f[1] === FRAME_TYPES.DATA).length;
    return out;
  };
  const [senderEnd, receiverEnd] = linkedTransports({ tamper: counting });
  const { manifest, source } = memorySource(FILES, DIRECTORIES);
  const sink = new MemorySink();

  const s = await startSender({
    transport: senderEnd,
    clock: systemClock,
    random: new SeededRandom('sender'),
    signer: sender,
    handshakeRole: 'responder',
    sessionId,
    psk,
    expect: { linkIssued: true },
    manifest,
    source,
  });
  const r = startReceiver({
    transport: receiverEnd,
    clock: systemClock,
    random: new SeededRandom('receiver'),
    signer: receiver,
    handshakeRole: 'initiator',
    sessionId,
    psk,
    expect: { linkFingerprint: await fingerprintOf(sender.publicKey) },
    decide: () => Promise.resolve(true),
    openSink: ({ manifest: m }) => sink.open(m),
  });
  const [sent, received] = await Promise.all([s.outcome, r.outcome]);

  const files = FILES.map((file): FileReport => {
    const got = sink.committed.get(file.path);
    return { path: file.path, size: file.data.length, committed: !!got, identical: !!got && equalBytes(got, file.data) };
  });
  return {
    sender: side(sent),
    receiver: side(received),
    files,
    allFilesIdentical: files.every((f) => f.identical),
    directoriesCreated: DIRECTORIES.filter((dir) => sink.directories.has(dir)),
    pendingParts: sink.pendingParts,
    dataFrames,
    expectedDataFrames: FILES.reduce((n, f) => n + chunkCount(f.data.length), 0),
    ms: Math.round(performance.now() - started),
  };
}

// ---------------------------------------------------------------- the page's API

const tests: SealdropTests = {
  runPublishedVectors: (files) => runVectorFiles(files, PUBLISHED),
  runFrozenVectors: (files) => runVectorFiles(files, FROZEN),
  runMemoryTransfer: () => transfer(),
  // One bit of the sixth chunk's GCM tag flipped in flight, sender to receiver.
  runTamperedTransfer: () => transfer(corruptFrame({ direction: 'a-to-b', type: 'DATA', nth: 5 })),
};

window.sealdropTests = tests;
