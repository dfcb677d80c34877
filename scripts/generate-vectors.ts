/**
 * Generates Sealdrop's own frozen test vectors: test/vectors/{fingerprints,links,handshake,stream,frames,manifest}.json.
 *
 * Run: `npm run vectors:generate` (= `npx tsx scripts/generate-vectors.ts`). The output is a pure function of this
 * file and the core: every "random" value comes from SeededRandom (docs/PROTOCOL.md §11) under a fixed label, and
 * everything else (Ed25519, X25519, HKDF, AES-GCM) is deterministic, so two runs write identical bytes. There are no
 * timestamps in the output on purpose.
 *
 * Once committed the vectors are frozen: test/vectors/frozen-vectors.test.ts recomputes every output from the
 * recorded inputs and fails on any difference. Regenerating is a protocol change, to be made on purpose and with a
 * PROTOCOL_VERSION decision, never to make a failing test pass.
 *
 * Each file records every input in full (hex for bytes), so a second implementation can reproduce the outputs from
 * docs/PROTOCOL.md alone without running this script. Expected error codes of the invalid inputs are written here by
 * hand and checked against the implementation before anything is written: the generator refuses to freeze a vector
 * the code disagrees with.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { concatBytes, fromHex, toHex, utf8 } from '../src/bytes';
import { hkdfExpand, sha256 } from '../src/crypto/primitives';
import { createEncryptStream, deriveFileStreamKeys, sealChunk } from '../src/crypto/stream';
import { errorCodeOf, type ErrorCode } from '../src/errors';
import { decodeFrame, encodeFrame, type Frame } from '../src/frames/frames';
import {
  InitiatorHandshake,
  ResponderHandshake,
  type HandshakeConfig,
  type PeerExpectation,
  type VersionRange,
} from '../src/handshake/handshake';
import type { TransportBinding } from '../src/handshake/key-schedule';
import type { Intent } from '../src/handshake/messages';
import { fingerprintOf, SAFETY_NUMBER_ITERATIONS, safetyNumber, shortFingerprint } from '../src/identity/fingerprint';
import { identityFromSeed } from '../src/identity/identity';
import { encodeLink, parseLink, type LinkKind } from '../src/identity/link';
import { encodeManifest, hashManifest } from '../src/manifest/codec';
import type { Manifest } from '../src/manifest/manifest';
import type { RandomSource } from '../src/ports/random';
// The zone rule keeps the in-memory fakes out of shipped code. This script ships nowhere: it is test tooling whose
// whole job is to run the core over seeded randomness, so it needs SeededRandom exactly as the tests do.
// eslint-disable-next-line import-x/no-restricted-paths
import { SeededRandom } from '../src/testing/seeded-random';
import { encodeControl, type ControlMessage } from '../src/transfer/control';
import { ControlSealer } from '../src/transfer/control-channel';

const OUT_DIR = new URL('../test/vectors/', import.meta.url);
const GENERATOR = 'scripts/generate-vectors.ts (npm run vectors:generate); frozen, see test/vectors/frozen-vectors.test.ts';

/** A fixed, random-looking input: the first `length` bytes of SeededRandom(utf8("sealdrop vectors/" ‖ label)). */
function fixed(label: string, length = 32): Uint8Array {
  return new SeededRandom(`sealdrop vectors/${label}`).bytes(length);
}

function write(name: string, description: string, body: Record<string, unknown>): void {
  const json = JSON.stringify({ generator: GENERATOR, description, ...body }, null, 2) + '\n';
  writeFileSync(new URL(name, OUT_DIR), json);
  console.log(`wrote test/vectors/${name}`);
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`generate-vectors: ${what}`);
}

/** The code `work` fails with; the generator stops if it does not fail, or fails with another code. */
async function expectFailure(what: string, expected: ErrorCode, work: () => unknown): Promise<ErrorCode> {
  let code: ErrorCode | undefined;
  try {
    await work();
  } catch (error) {
    code = errorCodeOf(error);
  }
  check(code === expected, `${what}: expected ${expected}, implementation gave ${code ?? 'no error'}`);
  return expected;
}

// ---------------------------------------------------------------- fingerprints.json

const IDENTITY_NAMES = ['alice', 'bob', 'carol'] as const;
type IdentityName = (typeof IDENTITY_NAMES)[number];

function identitySeed(name: IdentityName): Uint8Array {
  return fixed(`identity ${name}`);
}

async function fingerprints(): Promise<void> {
  const identities = [];
  const publicKeys = new Map<IdentityName, Uint8Array>();
  for (const name of IDENTITY_NAMES) {
    const seed = identitySeed(name);
    const { publicKey } = await identityFromSeed(seed);
    const fingerprint = await fingerprintOf(publicKey);
    publicKeys.set(name, publicKey);
    identities.push({
      name,
      seed: toHex(seed),
      publicKey: toHex(publicKey),
      fingerprint: toHex(fingerprint),
      short: shortFingerprint(fingerprint),
    });
  }
  const safetyNumbers = [];
  for (let i = 0; i < IDENTITY_NAMES.length; i++) {
    for (let j = i + 1; j < IDENTITY_NAMES.length; j++) {
      const a = publicKeys.get(IDENTITY_NAMES[i]!)!;
      const b = publicKeys.get(IDENTITY_NAMES[j]!)!;
      const number = await safetyNumber(a, b);
      check(number === (await safetyNumber(b, a)), 'safety number depends on argument order');
      safetyNumbers.push({
        a: IDENTITY_NAMES[i],
        b: IDENTITY_NAMES[j],
        publicKeyA: toHex(a),
        publicKeyB: toHex(b),
        iterations: SAFETY_NUMBER_ITERATIONS,
        safetyNumber: number,
      });
    }
  }
  write(
    'fingerprints.json',
    'Identity keys, fingerprints and safety numbers (src/identity/identity.ts, fingerprint.ts). ' +
      'identities: seed (32-byte Ed25519 seed, RFC 8032 §5.1.5) -> publicKey; fingerprint = SHA-256(utf8("sealdrop/v1 ' +
      'fingerprint") || 0x00 || 0x01 || publicKey); short = first 10 fingerprint bytes in RFC 4648 base32, four groups ' +
      'of four. safetyNumbers: 60 digits for each pair with the default iteration count, identical for both argument ' +
      'orders. All bytes hex.',
    { identities, safetyNumbers },
  );
}

// ---------------------------------------------------------------- links.json

async function links(): Promise<void> {
  const aliceFp = await fingerprintOf((await identityFromSeed(identitySeed('alice'))).publicKey);
  const specs: { name: string; kind: LinkKind; relays: string[] }[] = [
    { name: 'transfer link, two relays', kind: 'transfer', relays: ['wss://relay.example.org/v1', 'ws://192.0.2.7:8080'] },
    { name: 'pairing link, no relays', kind: 'pairing', relays: [] },
  ];
  const valid = specs.map((spec) => {
    const link = {
      kind: spec.kind,
      roomId: fixed(`link ${spec.kind} room id`, 16),
      fingerprint: aliceFp,
      secret: fixed(`link ${spec.kind} secret`),
      relays: spec.relays,
    };
    const text = encodeLink(link);
    check(encodeLink(parseLink(text)) === text, `${spec.name} does not round-trip`);
    return {
      name: spec.name,
      kind: link.kind,
      roomId: toHex(link.roomId),
      fingerprint: toHex(link.fingerprint),
      secret: toHex(link.secret),
      relays: link.relays,
      text,
    };
  });

  // Invalid links are built by editing a valid payload, so each breaks exactly one rule.
  const withRelays = (): number[] => [...fromLinkText(valid[0]!.text)];
  const relayless = (): number[] => [...fromLinkText(valid[1]!.text)];
  const asText = (bytes: number[]) => 'sealdrop://' + toB64(bytes);
  const cases: { name: string; text: string; code: ErrorCode }[] = [
    { name: 'not a sealdrop scheme', text: valid[0]!.text.replace('sealdrop://', 'https://'), code: 'LINK_BAD_SCHEME' },
    { name: 'empty text', text: '', code: 'LINK_BAD_SCHEME' },
    { name: 'standard base64 character "+"', text: valid[1]!.text.slice(0, -1) + '+', code: 'LINK_BAD_CHARACTERS' },
    { name: 'base64 padding', text: valid[1]!.text + '=', code: 'LINK_BAD_CHARACTERS' },
    { name: 'inner whitespace', text: valid[1]!.text.slice(0, 20) + ' ' + valid[1]!.text.slice(20), code: 'LINK_BAD_CHARACTERS' },
    { name: 'no payload', text: 'sealdrop://', code: 'LINK_BAD_LENGTH' },
    { name: 'base64url length 1 mod 4', text: valid[1]!.text + 'AA', code: 'LINK_BAD_LENGTH' },
    { name: 'non-canonical base64url (unused bits set)', text: valid[1]!.text.slice(0, -1) + 'B', code: 'LINK_BAD_LENGTH' },
    { name: 'version 2', text: asText([2, ...relayless().slice(1)]), code: 'LINK_VERSION_UNSUPPORTED' },
    { name: 'version 0', text: asText([0, ...relayless().slice(1)]), code: 'LINK_VERSION_UNSUPPORTED' },
    { name: 'kind 3', text: asText([1, 3, ...relayless().slice(2)]), code: 'LINK_BAD_KIND' },
    { name: 'kind 0', text: asText([1, 0, ...relayless().slice(2)]), code: 'LINK_BAD_KIND' },
    { name: 'truncated before the relay count', text: asText(relayless().slice(0, 82)), code: 'LINK_BAD_LENGTH' },
    { name: 'one trailing byte', text: asText([...relayless(), 0]), code: 'LINK_BAD_LENGTH' },
    { name: 'relay list cut short', text: asText(withRelays().slice(0, -1)), code: 'LINK_BAD_LENGTH' },
    { name: 'five relays', text: asText([...relayless().slice(0, 82), 5]), code: 'LINK_BAD_RELAY' },
    { name: 'empty relay address', text: asText([...relayless().slice(0, 82), 1, 0]), code: 'LINK_BAD_RELAY' },
    {
      name: 'https relay',
      text: asText([...relayless().slice(0, 82), 1, ...lengthPrefixed('https://relay.example.org/')]),
      code: 'LINK_BAD_RELAY',
    },
    {
      name: 'relay with credentials',
      text: asText([...relayless().slice(0, 82), 1, ...lengthPrefixed('wss://user:pw@relay.example.org/')]),
      code: 'LINK_BAD_RELAY',
    },
  ];
  const invalid = [];
  for (const c of cases) {
    await expectFailure(c.name, c.code, () => parseLink(c.text));
    invalid.push(c);
  }
  const equivalent = [
    { name: 'upper-case scheme', text: valid[0]!.text.replace('sealdrop://', 'SEALDROP://'), sameAs: valid[0]!.name },
    { name: 'surrounding whitespace', text: `  ${valid[1]!.text}\n`, sameAs: valid[1]!.name },
  ];
  for (const e of equivalent) {
    const target = valid.find((v) => v.name === e.sameAs)!;
    check(encodeLink(parseLink(e.text)) === target.text, `${e.name} does not parse to ${e.sameAs}`);
  }
  write(
    'links.json',
    'Transfer and pairing links (src/identity/link.ts; docs/PROTOCOL.md §4). valid: the fields encode to exactly text ' +
      '(and text parses back to the fields). equivalent: texts the parser accepts that name the same link as sameAs. ' +
      'invalid: texts the parser must reject with exactly code. Bytes hex; relays and texts verbatim.',
    { valid, equivalent, invalid },
  );
}

function fromLinkText(text: string): Uint8Array {
  const body = text.slice('sealdrop://'.length).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(body + '='.repeat((4 - (body.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

function toB64(bytes: number[]): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function lengthPrefixed(text: string): number[] {
  return [text.length, ...utf8(text)];
}

// ---------------------------------------------------------------- handshake.json

interface SideSpec {
  readonly identity: IdentityName;
  readonly randomSeed: string;
  readonly intent: Intent;
  readonly manifestHash?: Uint8Array;
  readonly name?: string;
  readonly expect: 'link-fingerprint' | 'link-issued' | 'pin-peer';
}

interface HandshakeSpec {
  readonly name: string;
  readonly comment: string;
  readonly psk?: Uint8Array;
  readonly binding: TransportBinding;
  readonly initiator: SideSpec;
  readonly responder: SideSpec;
}

/** Counts the bytes drawn, so the generator can confirm each side takes exactly its 32-byte ephemeral secret. */
class CountingRandom implements RandomSource {
  drawn = 0;
  constructor(private readonly inner: RandomSource) {}
  bytes(length: number): Uint8Array {
    this.drawn += length;
    return this.inner.bytes(length);
  }
}

const VERSIONS: VersionRange = { min: 1, max: 1 };

function bindingJson(binding: TransportBinding) {
  return binding.kind === 'none'
    ? { kind: 'none' }
    : {
        kind: 'dtls',
        initiatorFingerprint: toHex(binding.initiatorFingerprint),
        responderFingerprint: toHex(binding.responderFingerprint),
      };
}

async function handshakes(manifestHash: Uint8Array): Promise<void> {
  const specs: HandshakeSpec[] = [
    {
      name: 'link-transfer',
      comment:
        'Link flow: bob received a transfer link from alice. bob (receiver) joins the room as initiator and expects ' +
        'the fingerprint in the link; alice (sender, link issuer) is responder. Link secret as psk, no transport binding.',
      psk: fixed('handshake link-transfer psk'),
      binding: { kind: 'none' },
      initiator: { identity: 'bob', randomSeed: 'handshake link-transfer initiator', intent: 'receive', name: 'Bob’s phone', expect: 'link-fingerprint' },
      responder: {
        identity: 'alice',
        randomSeed: 'handshake link-transfer responder',
        intent: 'send',
        manifestHash,
        name: 'Zoë’s laptop',
        expect: 'link-issued',
      },
    },
    {
      name: 'pinned-dtls',
      comment:
        'Pinned contacts, no link: carol (sender) is initiator, alice (receiver) is responder; each pins the ' +
        'other. DTLS transport binding with both certificate fingerprints. No display names.',
      binding: { kind: 'dtls', initiatorFingerprint: fixed('handshake pinned-dtls dtls initiator'), responderFingerprint: fixed('handshake pinned-dtls dtls responder') },
      initiator: { identity: 'carol', randomSeed: 'handshake pinned-dtls initiator', intent: 'send', manifestHash, expect: 'pin-peer' },
      responder: { identity: 'alice', randomSeed: 'handshake pinned-dtls responder', intent: 'receive', expect: 'pin-peer' },
    },
    {
      name: 'pairing',
      comment:
        'Pairing link: alice issued a pairing link to carol. carol joins as initiator and expects the link ' +
        'fingerprint; alice is responder. Intent pair on both sides, so neither sends a manifest hash.',
      psk: fixed('handshake pairing psk'),
      binding: { kind: 'none' },
      initiator: { identity: 'carol', randomSeed: 'handshake pairing initiator', intent: 'pair', name: 'carol-desktop', expect: 'link-fingerprint' },
      responder: { identity: 'alice', randomSeed: 'handshake pairing responder', intent: 'pair', name: 'alice-laptop', expect: 'link-issued' },
    },
  ];

  const vectors = [];
  for (const spec of specs) {
    const signers = {
      initiator: await identityFromSeed(identitySeed(spec.initiator.identity)),
      responder: await identityFromSeed(identitySeed(spec.responder.identity)),
    };
    const sessionId = fixed(`handshake ${spec.name} session id`, 16);
    const sides = { initiator: spec.initiator, responder: spec.responder } as const;
    const expectations: Record<'initiator' | 'responder', PeerExpectation> = { initiator: {}, responder: {} };
    for (const role of ['initiator', 'responder'] as const) {
      const peer = signers[role === 'initiator' ? 'responder' : 'initiator'].publicKey;
      const kind = sides[role].expect;
      expectations[role] =
        kind === 'pin-peer'
          ? { pinnedKey: peer }
          : kind === 'link-fingerprint'
            ? { linkFingerprint: await fingerprintOf(peer) }
            : { linkIssued: true };
    }
    const randoms = {
      initiator: new CountingRandom(new SeededRandom(utf8(spec.initiator.randomSeed))),
      responder: new CountingRandom(new SeededRandom(utf8(spec.responder.randomSeed))),
    };
    const config = (role: 'initiator' | 'responder'): HandshakeConfig => {
      const side = sides[role];
      return {
        signer: signers[role],
        random: randoms[role],
        sessionId,
        ...(spec.psk ? { psk: spec.psk } : {}),
        binding: spec.binding,
        intent: side.intent,
        ...(side.manifestHash ? { manifestHash: side.manifestHash } : {}),
        ...(side.name !== undefined ? { name: side.name } : {}),
        expect: expectations[role],
        versions: VERSIONS,
      };
    };

    const { handshake: initiator, hello } = await InitiatorHandshake.start(config('initiator'));
    const { handshake: responder, reply } = await ResponderHandshake.onHello(config('responder'), hello);
    const { finish, result: iResult } = await initiator.onReply(reply);
    const rResult = await responder.onFinish(finish);
    check(randoms.initiator.drawn === 32 && randoms.responder.drawn === 32, `${spec.name}: a side drew other than 32 bytes`);
    check(toHex(iResult.transcriptHash) === toHex(rResult.transcriptHash), `${spec.name}: transcripts differ`);
    for (const key of ['controlInitiator', 'controlResponder', 'data', 'exporter'] as const) {
      check(toHex(iResult.secrets[key]) === toHex(rResult.secrets[key]), `${spec.name}: ${key} differs`);
    }
    check(iResult.level === 3 && rResult.level === 3, `${spec.name}: expected Level 3 on both sides`);

    const sideJson = (role: 'initiator' | 'responder') => {
      const side = sides[role];
      const expect = expectations[role];
      return {
        identity: side.identity,
        identitySeed: toHex(identitySeed(side.identity)),
        identityPublicKey: toHex(signers[role].publicKey),
        randomSeed: toHex(utf8(side.randomSeed)),
        ephemeralSecret: toHex(new SeededRandom(utf8(side.randomSeed)).bytes(32)),
        intent: side.intent,
        manifestHash: side.manifestHash ? toHex(side.manifestHash) : null,
        name: side.name ?? null,
        expect: {
          pinnedKey: expect.pinnedKey ? toHex(expect.pinnedKey) : null,
          linkFingerprint: expect.linkFingerprint ? toHex(expect.linkFingerprint) : null,
          linkIssued: expect.linkIssued ?? false,
        },
      };
    };
    vectors.push({
      name: spec.name,
      comment: spec.comment,
      versions: VERSIONS,
      sessionId: toHex(sessionId),
      psk: spec.psk ? toHex(spec.psk) : null,
      binding: bindingJson(spec.binding),
      initiator: sideJson('initiator'),
      responder: sideJson('responder'),
      hello: toHex(hello),
      reply: toHex(reply),
      finish: toHex(finish),
      transcriptHash: toHex(iResult.transcriptHash),
      secrets: {
        controlInitiator: toHex(iResult.secrets.controlInitiator),
        controlResponder: toHex(iResult.secrets.controlResponder),
        data: toHex(iResult.secrets.data),
        exporter: toHex(iResult.secrets.exporter),
      },
      outcome: {
        initiator: { level: iResult.level, verifiedBy: iResult.verifiedBy },
        responder: { level: rResult.level, verifiedBy: rResult.verifiedBy },
      },
    });
  }
  write(
    'handshake.json',
    'Complete handshakes (src/handshake/; docs/PROTOCOL.md §5). Inputs: each side\'s identitySeed (Ed25519 seed), ' +
      'randomSeed (the bytes given to SeededRandom, docs/PROTOCOL.md §11; here the UTF-8 of a label), intent, ' +
      'manifestHash (null = none), name (null = none, encoded as the empty name), expect (what the side knows of its ' +
      'peer: pinnedKey, linkFingerprint, linkIssued); shared sessionId, psk (the link secret, null = no link), binding ' +
      '(transport binding) and versions (the range both sides advertise). Each side\'s SeededRandom is used for ' +
      'nothing but the handshake and draws exactly 32 bytes from it: its X25519 ephemeral secret, given as ' +
      'ephemeralSecret (= the first 32 bytes of SeededRandom(randomSeed)). Outputs: the HELLO, HANDSHAKE_REPLY and ' +
      'HANDSHAKE_FINISH payloads (frame payloads, without the frame header), the final transcript hash, the four ' +
      'session secrets (equal on both sides) and each side\'s level and verifiedBy. Ed25519 signatures are ' +
      'deterministic (RFC 8032), so the outputs are exact. All bytes hex.',
    { vectors },
  );
}

// ---------------------------------------------------------------- stream.json

async function collect(readable: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = readable.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}

async function encryptAll(keys: Awaited<ReturnType<typeof deriveFileStreamKeys>>, plaintext: Uint8Array) {
  const input = new ReadableStream<Uint8Array>({
    start(controller) {
      if (plaintext.length > 0) controller.enqueue(plaintext);
      controller.close();
    },
  });
  return collect(input.pipeThrough(createEncryptStream(keys)));
}

async function stream(): Promise<void> {
  const dataSecret = fixed('stream data secret');
  const manifestHash = fixed('stream manifest hash');
  const fileIndex = 3;
  const chunkSize = 64;
  const keys = await deriveFileStreamKeys(dataSecret, manifestHash, fileIndex, chunkSize);
  // The 39-byte HKDF output, recorded for second implementations; the test checks that its key half and prefix half
  // are the ones the real code uses (the key itself is non-extractable there).
  const okm = await hkdfExpand(
    dataSecret,
    concatBytes(utf8('sealdrop/v1 file'), Uint8Array.of(0), manifestHash, Uint8Array.of(0, 0, 0, fileIndex)),
    39,
  );
  check(toHex(okm.slice(32)) === toHex(keys.noncePrefix), 'okm does not match the derived nonce prefix');

  const plaintextAll = fixed('stream plaintext', 200);
  const streams = [];
  for (const length of [0, 63, 64, 65, 200]) {
    const plaintext = plaintextAll.slice(0, length);
    const chunks = await encryptAll(keys, plaintext);
    streams.push({ plaintextLength: length, plaintext: toHex(plaintext), chunks: chunks.map(toHex) });
  }
  const longest = streams.at(-1)!;
  const single = await sealChunk(keys, 1, plaintextAll.slice(64, 128), false);
  check(toHex(single) === longest.chunks[1], 'chunk 1 sealed alone differs from the stream');
  write(
    'stream.json',
    'STREAM over AES-256-GCM for one file (src/crypto/stream.ts; docs/PROTOCOL.md §6). Inputs: dataSecret (the ' +
      'session data secret), manifestHash, fileIndex, chunkSize. Derived: okm = HKDF-Expand(dataSecret, ' +
      'utf8("sealdrop/v1 file") || 0x00 || manifestHash || u32 fileIndex, 39), key = okm[0..32), noncePrefix = ' +
      'okm[32..39), aad = utf8("sealdrop/v1 chunk") || 0x00 || manifestHash || u32 fileIndex; nonce_i = noncePrefix || ' +
      'u32 i || u8 last. streams: each plaintext (a prefix of the same 200 bytes) sealed as a whole stream, one entry ' +
      'per chunk (ciphertext || tag), in order. seek: one chunk sealed on its own, equal to the same chunk of the ' +
      'stream of plaintextLength bytes. All bytes hex.',
    {
      dataSecret: toHex(dataSecret),
      manifestHash: toHex(manifestHash),
      fileIndex,
      chunkSize,
      okm: toHex(okm),
      noncePrefix: toHex(keys.noncePrefix),
      aad: toHex(keys.aad),
      streams,
      seek: [{ plaintextLength: 200, chunkIndex: 1, last: false, plaintext: toHex(plaintextAll.slice(64, 128)), sealed: toHex(single) }],
    },
  );
}

// ---------------------------------------------------------------- frames.json

function frameJson(frame: Frame) {
  switch (frame.type) {
    case 'DATA':
      return { type: frame.type, fileIndex: frame.fileIndex, chunkIndex: frame.chunkIndex, sealed: toHex(frame.sealed) };
    case 'ABORT':
      return { type: frame.type, code: frame.code };
    default:
      return { type: frame.type, payload: toHex(frame.payload) };
  }
}

function controlJson(message: ControlMessage) {
  switch (message.kind) {
    case 'accept':
      return { kind: message.kind, resume: message.resume };
    case 'file-verified':
      return { kind: message.kind, fileIndex: message.fileIndex };
    default:
      throw new Error(`generate-vectors: no JSON form for control ${message.kind}`);
  }
}

async function frames(): Promise<void> {
  const controlSecret = fixed('frames control secret');
  const sealer = await ControlSealer.create(controlSecret);
  const messages: ControlMessage[] = [
    { kind: 'accept', resume: [{ fileIndex: 0, verifiedChunks: 0 }, { fileIndex: 2, verifiedChunks: 17 }, { fileIndex: 70000, verifiedChunks: 65536 }] },
    { kind: 'file-verified', fileIndex: 2 },
  ];
  const records = [];
  for (const [sequence, message] of messages.entries()) {
    const plaintext = encodeControl(message);
    records.push({ sequence, message: controlJson(message), plaintext: toHex(plaintext), sealed: toHex(await sealer.seal(plaintext)) });
  }

  const list: { name: string; frame: Frame }[] = [
    { name: 'HELLO', frame: { type: 'HELLO', payload: fixed('frames hello payload', 51) } },
    { name: 'HANDSHAKE_REPLY', frame: { type: 'HANDSHAKE_REPLY', payload: fixed('frames reply payload', 40) } },
    { name: 'HANDSHAKE_FINISH', frame: { type: 'HANDSHAKE_FINISH', payload: fixed('frames finish payload', 20) } },
    ...records.map((record) => ({
      name: `CONTROL record ${record.sequence} (${record.message.kind})`,
      frame: { type: 'CONTROL' as const, payload: fromHex(record.sealed) },
    })),
    { name: 'DATA', frame: { type: 'DATA', fileIndex: 2, chunkIndex: 0x01020304, sealed: fixed('frames data sealed', 24) } },
    { name: 'ABORT', frame: { type: 'ABORT', code: 'CANCELLED' } },
  ];
  const valid = list.map(({ name, frame }) => ({ name, frame: frameJson(frame), encoded: toHex(encodeFrame(frame)) }));

  const cases: { name: string; bytes: string; code: ErrorCode }[] = [
    { name: 'empty', bytes: '', code: 'FRAME_TOO_SHORT' },
    { name: 'header cut after 5 bytes', bytes: '0101000000', code: 'FRAME_TOO_SHORT' },
    { name: 'version 0', bytes: '000100000001aa', code: 'FRAME_BAD_VERSION' },
    { name: 'version 2', bytes: '020100000001aa', code: 'FRAME_BAD_VERSION' },
    { name: 'unknown type 0x04', bytes: '010400000001aa', code: 'FRAME_UNKNOWN_TYPE' },
    { name: 'unknown type 0x00', bytes: '010000000001aa', code: 'FRAME_UNKNOWN_TYPE' },
    { name: 'payload shorter than the length', bytes: '010100000002aa', code: 'FRAME_BAD_LENGTH' },
    { name: 'payload longer than the length', bytes: '010100000001aabb', code: 'FRAME_BAD_LENGTH' },
    { name: 'HELLO length over 1024', bytes: '010100000401', code: 'FRAME_TOO_LARGE' },
    { name: 'ABORT length over 256', bytes: '017f00000101', code: 'FRAME_TOO_LARGE' },
    { name: 'empty HELLO', bytes: '010100000000', code: 'FRAME_TOO_SHORT' },
    { name: 'empty CONTROL', bytes: '011000000000', code: 'FRAME_TOO_SHORT' },
    { name: 'DATA without the chunk index', bytes: '01110000000600000002aabb', code: 'FRAME_TOO_SHORT' },
    { name: 'DATA sealed part shorter than a tag', bytes: '011100000017' + '00000002' + '00000000' + 'aa'.repeat(15), code: 'FRAME_TOO_SHORT' },
    { name: 'ABORT with a trailing byte', bytes: '017f000000030141' + '41', code: 'FRAME_BAD_LENGTH' },
    { name: 'ABORT code length overruns', bytes: '017f000000020541', code: 'FRAME_BAD_LENGTH' },
  ];
  for (const c of cases) await expectFailure(c.name, c.code, () => decodeFrame(fromHex(c.bytes)));

  write(
    'frames.json',
    'Frame encodings (src/frames/frames.ts) and sealed control records (src/transfer/control.ts, ' +
      'control-channel.ts; docs/PROTOCOL.md §7, §7.1). frame := u8 version || u8 type || u32 length || payload. valid: the frame ' +
      'fields encode to exactly encoded, and encoded decodes back to the fields. control: control messages encoded ' +
      '(plaintext) and sealed under controlSecret with implicit sequence numbers 0, 1, ... (nonce = 0x00000000 || u64 ' +
      'sequence, aad = utf8("sealdrop/v1 control") || 0x00); the CONTROL frames in valid carry these records. invalid: ' +
      'whole frames the decoder must reject with exactly code. All bytes hex.',
    { valid, control: { controlSecret: toHex(controlSecret), records }, invalid: cases },
  );
}

// ---------------------------------------------------------------- manifest.json

async function manifest(): Promise<Uint8Array> {
  const contents = new Map<string, Uint8Array>([
    ['empty.txt', new Uint8Array(0)],
    ['photos/2024/día-1.txt', utf8('Sealdrop frozen vector: a nested file.\n')],
  ]);
  const m: Manifest = {
    entries: [
      { kind: 'file', path: 'empty.txt', size: 0, sha256: await sha256(contents.get('empty.txt')!) },
      { kind: 'directory', path: 'photos' },
      {
        kind: 'file',
        path: 'photos/2024/día-1.txt',
        size: contents.get('photos/2024/día-1.txt')!.length,
        sha256: await sha256(contents.get('photos/2024/día-1.txt')!),
      },
    ],
  };
  const encoded = encodeManifest(m);
  const hash = await hashManifest(m);
  write(
    'manifest.json',
    'Canonical manifest encoding and manifest hash (src/manifest/codec.ts). entries, in ' +
      'order (entry i is file index i): a top-level empty file, a directory, and a file nested two levels deep with ' +
      'a non-ASCII (NFC) name; files carry their content so sha256 can be checked. encoded = encodeManifest(entries); ' +
      'hash = SHA-256(utf8("sealdrop/v1 manifest") || 0x00 || encoded). Paths verbatim, bytes hex.',
    {
      vectors: [
        {
          name: 'directory, empty file, nested file',
          entries: m.entries.map((entry) =>
            entry.kind === 'directory'
              ? { kind: entry.kind, path: entry.path }
              : { kind: entry.kind, path: entry.path, size: entry.size, sha256: toHex(entry.sha256), content: toHex(contents.get(entry.path)!) },
          ),
          encoded: toHex(encoded),
          hash: toHex(hash),
        },
      ],
    },
  );
  return hash;
}

// ---------------------------------------------------------------- main

mkdirSync(OUT_DIR, { recursive: true });
const manifestHash = await manifest();
await fingerprints();
await links();
await handshakes(manifestHash);
await stream();
await frames();
