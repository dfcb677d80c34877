/**
 * Shared fixtures for the file-system adapter suites: temp folders, manifests over in-memory data, a chunk feeder
 * that drives a FileSink the way the session runner does, and a real sender/receiver pair over linked transports
 * (the setup of test/integration/memory-transfer.test.ts).
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Sha256, sha256Sync } from '../../src/crypto/sha256';
import { chunkCount } from '../../src/crypto/stream';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { buildManifest } from '../../src/manifest/build';
import { hashManifest } from '../../src/manifest/codec';
import type { Manifest } from '../../src/manifest/manifest';
import { systemClock } from '../../src/ports/clock';
import type { FileSink, FileSource, PartProgress } from '../../src/ports/files';
import type { Transport } from '../../src/ports/transport';
import { SeededRandom } from '../../src/testing/seeded-random';
import { startReceiver, startSender } from '../../src/transfer/session';

export function tempDir(prefix: string): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), `sealdrop-${prefix}-`));
}

export { pattern } from '../helpers/pattern';

export async function exists(target: string): Promise<boolean> {
  return fsp.lstat(target).then(
    () => true,
    () => false,
  );
}

export interface Offer {
  readonly manifest: Manifest;
  readonly hash: Uint8Array;
  /** Plaintext of each file, by manifest index. */
  readonly data: ReadonlyMap<number, Uint8Array>;
}

export async function offer(files: Record<string, Uint8Array | string>, directories: string[] = []): Promise<Offer> {
  const bytes = Object.entries(files).map(([p, d]) => [p, typeof d === 'string' ? new TextEncoder().encode(d) : d] as const);
  const manifest = buildManifest([
    ...bytes.map(([p, d]) => ({ kind: 'file' as const, path: p, size: d.length, sha256: sha256Sync(d) })),
    ...directories.map((p) => ({ kind: 'directory' as const, path: p })),
  ]);
  const byPath = new Map(bytes);
  const data = new Map<number, Uint8Array>();
  manifest.entries.forEach((entry, i) => {
    if (entry.kind === 'file') data.set(i, byPath.get(entry.path)!);
  });
  return { manifest, hash: await hashManifest(manifest), data };
}

export function indexOf(o: Offer, name: string): number {
  const index = o.manifest.entries.findIndex((e) => e.path === name);
  if (index < 0) throw new Error(`no entry ${name}`);
  return index;
}

/** Writes one file's chunks into a sink exactly as the session does, with a running SHA-256 state. */
export class ChunkFeeder {
  private hasher = new Sha256();
  next = 0;

  constructor(
    private readonly sink: FileSink,
    private readonly index: number,
    private readonly data: Uint8Array,
    readonly chunkSize: number,
  ) {}

  get chunks(): number {
    return chunkCount(this.data.length, this.chunkSize);
  }

  /** Continue from persisted progress (what a resuming session does). */
  resume(progress: PartProgress): this {
    this.hasher = Sha256.fromState(progress.hashState);
    this.next = progress.verifiedChunks;
    return this;
  }

  async write(count = this.chunks - this.next): Promise<void> {
    for (let n = 0; n < count; n++) {
      const i = this.next;
      const chunk = this.data.slice(i * this.chunkSize, Math.min(this.data.length, (i + 1) * this.chunkSize));
      this.hasher.update(chunk);
      await this.sink.writeChunk(this.index, i, chunk, {
        verifiedChunks: i + 1,
        chunkSize: this.chunkSize,
        hashState: this.hasher.exportState(),
        committed: false,
      });
      this.next++;
    }
  }
}

// ------------------------------------------------------------ a real session pair

const sessionId = new Uint8Array(16).fill(0x5a);
const psk = new Uint8Array(32).fill(0x42);
let identities: Promise<{ sender: IdentitySigner; receiver: IdentitySigner }> | null = null;

function parties() {
  identities ??= (async () => ({
    sender: await identityFromSeed(new Uint8Array(32).fill(1)),
    receiver: await identityFromSeed(new Uint8Array(32).fill(2)),
  }))();
  return identities;
}

/**
 * One session of a Level 3 link transfer (sender = responder, receiver = initiator) over `transports`; the
 * receiver accepts and opens its sink through `openSink`.
 */
export async function runSession(
  [senderEnd, receiverEnd]: readonly [Transport, Transport],
  manifest: Manifest,
  source: FileSource,
  openSink: (offer: { manifest: Manifest; manifestHash: Uint8Array }) => Promise<FileSink>,
) {
  const { sender, receiver } = await parties();
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
    openSink,
  });
  const [sent, received] = await Promise.all([s.outcome, r.outcome]);
  return { sent, received };
}
