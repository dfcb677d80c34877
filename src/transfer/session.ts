/**
 * The session runner: drives one transfer session over one transport. It runs the handshake, seals and opens
 * control records and STREAM chunks, talks to the file ports, and feeds everything through the pure state machine
 * (machine.ts), which alone decides what is allowed next.
 *
 * Ordering: frames, user decisions and timer expiries go through one serial queue; each event's effects run to
 * completion (including the events they produce, such as `chunk-written`) before the next event is looked at, so
 * the machine always sees a consistent order. Long work — sending a whole file, waiting for the user — runs beside
 * the queue and reports back through it, so a CANCEL from the peer is never stuck behind a 10 GiB file.
 *
 * Trust assumptions: see handshake.ts and machine.ts. In particular a DATA frame is opened only at the exact
 * (file, chunk) position the machine expects, with the last-chunk flag derived from the manifest, never from the
 * wire; a receiver writes only through the FileSink, which never places anything under a final name before
 * `commit`, and `commit` happens only after the file's SHA-256 matched the authenticated manifest.
 */

import { equalBytes } from '../bytes';
import { chunkPlaintextLength, DEFAULT_CHUNK_SIZE, deriveFileStreamKeys, MIN_CHUNK_SIZE, openChunk, type FileStreamKeys } from '../crypto/stream';
import { pureSha256, type HashFactory, type IncrementalHash } from '../crypto/sha256';
import { errorCodeOf, fail, type ErrorCode } from '../errors';
import { decodeFrame, encodeFrame, type Frame } from '../frames/frames';
import { InitiatorHandshake, ResponderHandshake, type HandshakeConfig, type HandshakeResult, type PeerExpectation } from '../handshake/handshake';
import type { TransportBinding } from '../handshake/key-schedule';
import type { IdentitySigner } from '../identity/identity';
import { hashManifest } from '../manifest/codec';
import type { Manifest } from '../manifest/manifest';
import type { Clock, TimerId } from '../ports/clock';
import type { FileSink, FileSource } from '../ports/files';
import { silentLogger, type Logger } from '../ports/logger';
import type { RandomSource } from '../ports/random';
import type { Transport } from '../ports/transport';
import { decodeControl, encodeControl, type ResumePoint } from './control';
import { ControlOpener, ControlSealer } from './control-channel';
import { streamFile } from './stream-file';
import { initialState, isTerminal, transition, type Phase, type Timeouts, type TimerName, type TransferEffect, type TransferEvent, type TransferState } from './machine';

export interface SessionCommon {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly random: RandomSource;
  readonly signer: IdentitySigner;
  readonly logger?: Logger;
  readonly hash?: HashFactory;
  /** 'initiator' joined the room; 'responder' created it. Independent of who sends. */
  readonly handshakeRole: 'initiator' | 'responder';
  readonly sessionId: Uint8Array;
  /** The link secret, when a link was used. */
  readonly psk?: Uint8Array;
  readonly expect: PeerExpectation;
  /** Refuse a Level 2 (unverified) peer. Default true: Level 3 is the product's default on every path. */
  readonly requireLevel3?: boolean;
  readonly name?: string;
  readonly timeouts?: Timeouts;
  readonly onEvent?: (event: SessionEvent) => void;
}

export interface SenderOptions extends SessionCommon {
  readonly manifest: Manifest;
  readonly source: FileSource;
  readonly chunkSize?: number;
}

export interface ReceiverOptions extends SessionCommon {
  /**
   * Open the sink for this transfer once the user accepted. Adapters scope part files by `manifestHash`, so a
   * later session of the same transfer finds the progress of this one.
   */
  readonly openSink: (offer: { manifest: Manifest; manifestHash: Uint8Array }) => Promise<FileSink>;
  /** Ask the user (or apply a policy): true accepts. Called once, after the handshake, with the verified offer. */
  readonly decide: (offer: { manifest: Manifest; handshake: HandshakeResult }) => Promise<boolean>;
}

export type SessionEvent =
  | { readonly type: 'connected'; readonly handshake: HandshakeResult }
  | { readonly type: 'offer'; readonly manifest: Manifest }
  | { readonly type: 'progress'; readonly bytes: number; readonly total: number }
  | { readonly type: 'file-verified'; readonly fileIndex: number }
  | { readonly type: 'phase'; readonly phase: Phase };

export interface SessionOutcome {
  readonly phase: Phase;
  readonly ok: boolean;
  readonly code: ErrorCode | null;
  readonly errorFromPeer: boolean;
  readonly handshake: HandshakeResult | null;
  readonly manifest: Manifest | null;
}

type Options = (SenderOptions & { role: 'sender' }) | (ReceiverOptions & { role: 'receiver' });

/** Bytes a CONTROL frame adds around a control message: frame header 6, GCM tag 16. */
const CONTROL_OVERHEAD = 6 + 16;
/** Bytes a DATA frame adds around a sealed chunk: frame header 6, file and chunk index 8, GCM tag 16. */
const DATA_OVERHEAD = 6 + 8 + 16;

/** The requested chunk size, halved until a DATA frame fits the path's largest message. */
function fitChunkSize(requested: number, maxFrameBytes: number): number {
  let size = requested;
  while (size + DATA_OVERHEAD > maxFrameBytes && size / 2 >= MIN_CHUNK_SIZE) size /= 2;
  if (size + DATA_OVERHEAD > maxFrameBytes) fail('FRAME_TOO_LARGE', 'the path cannot carry a DATA frame');
  return size;
}

class Session {
  private state: TransferState;
  private readonly queue: { work: () => Promise<void>; done: () => void }[] = [];
  private draining = false;
  private readonly timers = new Map<TimerName, TimerId>();
  private initiator: InitiatorHandshake | null = null;
  private responder: ResponderHandshake | null = null;
  private handshake: HandshakeResult | null = null;
  private sealer: ControlSealer | null = null;
  private opener: ControlOpener | null = null;
  private readonly streamKeys = new Map<number, FileStreamKeys>();
  private readonly hashers = new Map<number, IncrementalHash>();
  private bytesDone = 0;
  private sink: FileSink | null = null;
  private closed = false;
  private resolve!: (outcome: SessionOutcome) => void;
  readonly outcome: Promise<SessionOutcome>;
  private readonly log: Logger;
  private readonly hashFactory: HashFactory;

  constructor(private readonly options: Options) {
    this.state = initialState(options.role, {
      ...(options.role === 'sender'
        ? { manifest: options.manifest, chunkSize: fitChunkSize(options.chunkSize ?? DEFAULT_CHUNK_SIZE, options.transport.maxFrameBytes) }
        : {}),
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    });
    this.log = options.logger ?? silentLogger;
    this.hashFactory = options.hash ?? pureSha256;
    this.outcome = new Promise((resolve) => (this.resolve = resolve));
  }

  start(): void {
    // 'start' is queued first: a transport may deliver frames it already holds from inside `listen`.
    void this.enqueue(() => this.apply({ type: 'start' }));
    this.options.transport.listen({
      frame: (bytes) => this.enqueue(() => this.onFrame(bytes)),
      // A path that closed because its bytes were malformed (a FrameReader code from a byte-stream transport) is
      // an attack or a bug, not a lost connection: report that code, do not retry as if the network blinked.
      close: (reason) =>
        void this.enqueue(() =>
          this.apply(reason.code === 'TRANSPORT_CLOSED' || reason.code === 'TIMEOUT' ? { type: 'transport-closed' } : { type: 'fail', code: reason.code }),
        ),
    });
  }

  /** Cancel from this side (user action). */
  cancel(): void {
    void this.enqueue(() => this.apply({ type: 'cancel' }));
  }

  /** Queue work; the promise settles (never rejects) once it ran — transports use it for receive backpressure. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    const done = new Promise<void>((resolve) => this.queue.push({ work, done: resolve }));
    if (!this.draining) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const { work, done } = this.queue.shift()!;
      try {
        await work();
      } catch (error) {
        await this.apply({ type: 'fail', code: errorCodeOf(error) ?? 'INTERNAL' }).catch(() => undefined);
        this.log.warn('session.error', { code: errorCodeOf(error) ?? 'internal', message: String(error) });
      } finally {
        done();
      }
    }
    this.draining = false;
  }

  /** Feed one event through the machine and perform its effects, including follow-up events, depth first. */
  private async apply(event: TransferEvent): Promise<void> {
    const before = this.state.phase;
    const step = transition(this.state, event);
    this.state = step.state;
    if (step.state.phase !== before) this.options.onEvent?.({ type: 'phase', phase: step.state.phase });
    for (const effect of step.effects) {
      let followUps: TransferEvent[];
      try {
        followUps = await this.perform(effect);
      } catch (error) {
        const code = errorCodeOf(error);
        if (!code) throw error;
        followUps = [{ type: 'fail', code }];
      }
      for (const followUp of followUps) await this.apply(followUp);
    }
  }

  private async perform(effect: TransferEffect): Promise<TransferEvent[]> {
    switch (effect.type) {
      case 'start-handshake':
        if (this.options.handshakeRole === 'initiator') {
          const { handshake, hello } = await InitiatorHandshake.start(this.handshakeConfig());
          this.initiator = handshake;
          await this.sendFrame({ type: 'HELLO', payload: hello });
        }
        return [];
      case 'send-control': {
        if (!this.sealer) fail('HANDSHAKE_STATE', 'no control channel');
        const plaintext = encodeControl(effect.message);
        // Checked before sealing: a record that cannot be sent must not use up a sequence number (the peer would
        // then see every later record out of sequence, CONTROL_AUTH_FAILED, instead of the real reason).
        if (plaintext.length + CONTROL_OVERHEAD > this.options.transport.maxFrameBytes) {
          fail('FRAME_TOO_LARGE', 'this control message is larger than the path carries');
        }
        await this.sendFrame({ type: 'CONTROL', payload: await this.sealer.seal(plaintext) });
        return [];
      }
      case 'present-offer':
        this.options.onEvent?.({ type: 'offer', manifest: effect.manifest });
        this.runBeside(() => this.decide(effect.manifest));
        return [];
      case 'create-directory':
        await this.requireSink().createDirectory(effect.fileIndex);
        return [];
      case 'send-file':
        this.runBeside(() => this.sendFile(effect.fileIndex, effect.fromChunk));
        return [];
      case 'open-chunk':
        return this.openAndWrite(effect.fileIndex, effect.chunkIndex, effect.last, effect.sealed);
      case 'verify-file':
        return this.verifyFile(effect.fileIndex);
      case 'set-timer': {
        this.clearTimer(effect.timer);
        const id = this.options.clock.setTimer(effect.ms, () =>
          void this.enqueue(async () => {
            // Stale: re-armed or cleared after it fired, while this expiry waited in the queue (e.g. behind the
            // very PROGRESS that re-armed it). Only the timer instance still armed may end the session.
            if (this.timers.get(effect.timer) !== id) return;
            this.timers.delete(effect.timer);
            await this.apply({ type: 'timeout', timer: effect.timer });
          }),
        );
        this.timers.set(effect.timer, id);
        return [];
      }
      case 'clear-timer':
        this.clearTimer(effect.timer);
        return [];
      case 'close':
        await this.close(effect.code);
        return [];
    }
  }

  /** Work that must not block the queue; its failure becomes a `fail` event. */
  private runBeside(work: () => Promise<void>): void {
    work().catch((error: unknown) => {
      void this.enqueue(() => this.apply({ type: 'fail', code: errorCodeOf(error) ?? 'INTERNAL' }));
    });
  }

  private clearTimer(timer: TimerName): void {
    const id = this.timers.get(timer);
    if (id !== undefined) this.options.clock.clearTimer(id);
    this.timers.delete(timer);
  }

  private handshakeConfig(): HandshakeConfig {
    const o = this.options;
    const local = o.transport.binding;
    const binding: TransportBinding =
      local.kind === 'none'
        ? { kind: 'none' }
        : o.handshakeRole === 'initiator'
          ? { kind: 'dtls', initiatorFingerprint: local.local, responderFingerprint: local.remote }
          : { kind: 'dtls', initiatorFingerprint: local.remote, responderFingerprint: local.local };
    return {
      signer: o.signer,
      random: o.random,
      sessionId: o.sessionId,
      ...(o.psk ? { psk: o.psk } : {}),
      binding,
      intent: o.role === 'sender' ? 'send' : 'receive',
      ...(o.role === 'sender' ? { manifestHash: this.senderManifestHash! } : {}),
      ...(o.name !== undefined ? { name: o.name } : {}),
      expect: o.expect,
      requireLevel3: o.requireLevel3 ?? true,
    };
  }

  /** Set before start for senders: the handshake commits to it. */
  senderManifestHash: Uint8Array | null = null;

  private async sendFrame(frame: Frame): Promise<void> {
    if (this.closed) return;
    await this.options.transport.send(encodeFrame(frame));
  }

  private async onFrame(bytes: Uint8Array): Promise<void> {
    if (isTerminal(this.state.phase)) return;
    let frame: Frame;
    try {
      frame = decodeFrame(bytes);
    } catch (error) {
      return this.apply({ type: 'fail', code: errorCodeOf(error) ?? 'BAD_ENCODING' });
    }
    switch (frame.type) {
      case 'HELLO':
      case 'HANDSHAKE_REPLY':
      case 'HANDSHAKE_FINISH':
        return this.onHandshakeFrame(frame.type, frame.payload);
      case 'CONTROL': {
        if (!this.opener || !this.handshake) return this.apply({ type: 'fail', code: 'UNEXPECTED_MESSAGE' });
        const message = decodeControl(await this.opener.open(frame.payload));
        if (message.kind === 'offer') {
          const hash = await hashManifest(message.manifest);
          if (!equalBytes(hash, this.handshake.peer.manifestHash)) fail('MANIFEST_HASH_MISMATCH', 'offer differs from the handshake');
        }
        if (message.kind === 'file-verified') this.options.onEvent?.({ type: 'file-verified', fileIndex: message.fileIndex });
        return this.apply({ type: 'control', message });
      }
      case 'DATA':
        return this.apply({ type: 'data', fileIndex: frame.fileIndex, chunkIndex: frame.chunkIndex, sealed: frame.sealed });
      case 'ABORT':
        // Unauthenticated: anyone on the path can forge one, so its claimed reason is logged, never reported.
        this.log.info('session.peer-abort', { claimed: frame.code });
        this.state = { ...this.state, errorFromPeer: true };
        return this.apply({ type: 'fail', code: 'PEER_ABORTED' });
    }
  }

  private async onHandshakeFrame(type: 'HELLO' | 'HANDSHAKE_REPLY' | 'HANDSHAKE_FINISH', payload: Uint8Array) {
    if (this.state.phase !== 'handshaking') return this.apply({ type: 'fail', code: 'HANDSHAKE_STATE' });
    const role = this.options.handshakeRole;
    if (type === 'HELLO' && role === 'responder' && !this.responder) {
      const { handshake, reply } = await ResponderHandshake.onHello(this.handshakeConfig(), payload);
      this.responder = handshake;
      return this.sendFrame({ type: 'HANDSHAKE_REPLY', payload: reply });
    }
    if (type === 'HANDSHAKE_REPLY' && role === 'initiator' && this.initiator) {
      const { finish, result } = await this.initiator.onReply(payload);
      this.initiator = null;
      await this.sendFrame({ type: 'HANDSHAKE_FINISH', payload: finish });
      return this.established(result);
    }
    if (type === 'HANDSHAKE_FINISH' && role === 'responder' && this.responder) {
      const result = await this.responder.onFinish(payload);
      this.responder = null;
      return this.established(result);
    }
    return this.apply({ type: 'fail', code: 'HANDSHAKE_STATE' });
  }

  private async established(result: HandshakeResult): Promise<void> {
    const mine = result.role === 'initiator' ? result.secrets.controlInitiator : result.secrets.controlResponder;
    const theirs = result.role === 'initiator' ? result.secrets.controlResponder : result.secrets.controlInitiator;
    this.sealer = await ControlSealer.create(mine);
    this.opener = await ControlOpener.create(theirs);
    this.handshake = result;
    this.log.info('session.connected', { level: result.level, verifiedBy: result.verifiedBy, path: this.options.transport.path });
    this.options.onEvent?.({ type: 'connected', handshake: result });
    return this.apply({ type: 'handshake-ok' });
  }

  private async keysFor(fileIndex: number): Promise<FileStreamKeys> {
    let keys = this.streamKeys.get(fileIndex);
    if (!keys) {
      const manifestHash = this.options.role === 'sender' ? this.senderManifestHash! : this.handshake!.peer.manifestHash;
      keys = await deriveFileStreamKeys(this.handshake!.secrets.data, manifestHash, fileIndex, this.state.chunkSize);
      this.streamKeys.set(fileIndex, keys);
    }
    return keys;
  }

  private totalBytes(): number {
    let total = 0;
    for (const entry of this.state.manifest?.entries ?? []) if (entry.kind === 'file') total += entry.size;
    return total;
  }

  private progress(bytes: number): void {
    this.bytesDone += bytes;
    this.options.onEvent?.({ type: 'progress', bytes: this.bytesDone, total: this.totalBytes() });
  }

  // ------------------------------------------------------------ sender

  private async sendFile(fileIndex: number, fromChunk: number): Promise<void> {
    if (this.options.role !== 'sender') return;
    const entry = this.state.manifest!.entries[fileIndex]!;
    if (entry.kind !== 'file') return;
    this.bytesDone += Math.min(entry.size, fromChunk * this.state.chunkSize);
    const complete = await streamFile({
      source: this.options.source,
      keys: await this.keysFor(fileIndex),
      fileIndex,
      size: entry.size,
      chunks: this.state.entries[fileIndex]!.chunks,
      fromChunk,
      send: (chunkIndex, sealed) => this.sendFrame({ type: 'DATA', fileIndex, chunkIndex, sealed }),
      stopped: () => isTerminal(this.state.phase),
      progress: (bytes) => this.progress(bytes),
    });
    if (complete) void this.enqueue(() => this.apply({ type: 'file-sent', fileIndex }));
  }

  // ------------------------------------------------------------ receiver

  private async decide(manifest: Manifest): Promise<void> {
    if (this.options.role !== 'receiver') return;
    const accepted = await this.options.decide({ manifest, handshake: this.handshake! });
    if (!accepted) return this.enqueue(() => this.apply({ type: 'decline' }));
    this.sink = await this.options.openSink({ manifest, manifestHash: this.handshake!.peer.manifestHash });
    const resume = await this.resumePoints(manifest);
    void this.enqueue(() => this.apply({ type: 'accept', resume }));
  }

  /** What the sink already holds, verified, from an earlier session of this transfer. */
  private async resumePoints(manifest: Manifest): Promise<ResumePoint[]> {
    if (this.options.role !== 'receiver') return [];
    const points: ResumePoint[] = [];
    for (const [fileIndex, entry] of manifest.entries.entries()) {
      if (entry.kind !== 'file') continue;
      const progress = await this.requireSink().progress(fileIndex);
      if (!progress || progress.verifiedChunks === 0) continue;
      const chunks = this.state.entries[fileIndex]?.chunks ?? 0;
      if (progress.committed) {
        // Already under its final name from an earlier session, whatever chunk size that one used.
        this.bytesDone += entry.size;
        points.push({ fileIndex, verifiedChunks: chunks });
        continue;
      }
      if (progress.chunkSize !== this.state.chunkSize) {
        // Cut with another chunk size: the chunk counts do not line up, so this file starts over.
        await this.requireSink().discard(fileIndex);
        continue;
      }
      if (progress.verifiedChunks > chunks) fail('RESUME_INVALID', 'stored progress exceeds the file');
      const hasher = this.hashFactory.fromState(progress.hashState);
      if (progress.verifiedChunks === chunks) {
        // Every chunk was written before an interruption, but the file was never committed: finish it now.
        if (!equalBytes(hasher.digest(), entry.sha256)) {
          await this.requireSink().discard(fileIndex);
          continue;
        }
        await this.requireSink().commit(fileIndex);
      } else {
        this.hashers.set(fileIndex, hasher);
      }
      this.bytesDone += hasher.bytesHashed;
      points.push({ fileIndex, verifiedChunks: progress.verifiedChunks });
    }
    return points;
  }

  private requireSink(): FileSink {
    if (!this.sink) fail('SINK_FAILED', 'no sink is open');
    return this.sink;
  }

  private async openAndWrite(fileIndex: number, chunkIndex: number, last: boolean, sealed: Uint8Array): Promise<TransferEvent[]> {
    if (this.options.role !== 'receiver') return [];
    const plaintext = await openChunk(await this.keysFor(fileIndex), chunkIndex, sealed, last);
    const entry = this.state.manifest!.entries[fileIndex]!;
    if (entry.kind !== 'file' || plaintext.length !== chunkPlaintextLength(entry.size, chunkIndex, this.state.chunkSize)) {
      // An authentic chunk of the wrong length: the sender lies about the size it committed to in the manifest.
      return [{ type: 'fail', code: 'FILE_SIZE_MISMATCH' }];
    }
    let hasher = this.hashers.get(fileIndex);
    if (!hasher) {
      hasher = this.hashFactory.create();
      this.hashers.set(fileIndex, hasher);
    }
    hasher.update(plaintext);
    try {
      await this.requireSink().writeChunk(fileIndex, chunkIndex, plaintext, {
        verifiedChunks: chunkIndex + 1,
        chunkSize: this.state.chunkSize,
        hashState: hasher.exportState(),
        committed: false,
      });
    } catch (error) {
      return [{ type: 'fail', code: errorCodeOf(error) ?? 'SINK_FAILED' }];
    }
    this.progress(plaintext.length);
    return [{ type: 'chunk-written', fileIndex, chunkIndex }];
  }

  private async verifyFile(fileIndex: number): Promise<TransferEvent[]> {
    if (this.options.role !== 'receiver') return [];
    const entry = this.state.manifest!.entries[fileIndex]!;
    if (entry.kind !== 'file') return [];
    const hasher = this.hashers.get(fileIndex) ?? this.hashFactory.create();
    const digest = hasher.digest();
    this.hashers.delete(fileIndex);
    if (!equalBytes(digest, entry.sha256)) {
      await this.requireSink().discard(fileIndex);
      return [{ type: 'fail', code: 'FILE_HASH_MISMATCH' }];
    }
    await this.requireSink().commit(fileIndex);
    return [{ type: 'file-committed', fileIndex }];
  }

  // ------------------------------------------------------------ end

  private async close(code: ErrorCode | null): Promise<void> {
    if (this.closed) return;
    if (code !== null && !this.sealer && !this.state.errorFromPeer) {
      await this.sendFrame({ type: 'ABORT', code }).catch(() => undefined);
    }
    this.closed = true;
    for (const timer of [...this.timers.keys()]) this.clearTimer(timer);
    this.options.transport.close();
    const s = this.state;
    this.resolve({
      phase: s.phase,
      ok: s.phase === 'complete',
      code: s.phase === 'complete' ? null : (s.error ?? code),
      errorFromPeer: s.errorFromPeer,
      handshake: this.handshake,
      manifest: s.manifest,
    });
  }
}

export interface RunningSession {
  readonly outcome: Promise<SessionOutcome>;
  cancel(): void;
}

/** Start a sending session; the promise settles when the session reaches a terminal phase. */
export async function startSender(options: SenderOptions): Promise<RunningSession> {
  const session = new Session({ ...options, role: 'sender' });
  session.senderManifestHash = await hashManifest(options.manifest);
  session.start();
  return { outcome: session.outcome, cancel: () => session.cancel() };
}

/** Start a receiving session. */
export function startReceiver(options: ReceiverOptions): RunningSession {
  const session = new Session({ ...options, role: 'receiver' });
  session.start();
  return { outcome: session.outcome, cancel: () => session.cancel() };
}
