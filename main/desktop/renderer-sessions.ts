/**
 * Sessions that run in the renderer (docs/decisions/0004): main keeps the network path and the disk, the sandboxed
 * renderer runs the handshake and all encryption and decryption with the bundled src/ core.
 *
 *   network Transport ══ pipeTransports ══ PortTransport ── MessagePort ── renderer: session (src/transfer/session.ts)
 *                                                                          │ identity:sign  (main signs; key stays here)
 *                                                                          │ disk:*         (served from this registry)
 *                                                                          └ transfer:report (connected / offer / finished)
 *
 * `rendererSessions(...)` is a SessionRunner (main/transfer/common.ts) for one transfer: runSend / runReceive call it
 * exactly as they call the in-process runner, so path selection, retries and resume are the same code as the CLI's.
 * Each session gets a fresh port; the renderer learns the session's parameters from `transfer:session`.
 *
 * Trust assumptions: the renderer is our own bundled code but is treated as able to send anything (a bug, or a
 * compromised page). So the registry here, not the renderer, decides what a disk call may touch: a transfer's calls
 * reach only that transfer's own source or sink, a sender's calls can only read the files the user picked (by
 * manifest index, within each file's size), a receiver's calls can only write after main accepted the offer, into
 * the sink main opened from a manifest main decoded and validated itself. What the renderer can do is lie about
 * content it decrypted — it is the client that decrypts, so that is inherent — and it cannot widen where bytes go.
 * Reports are checked against the session's state (no offer before connected, no second offer, one finish).
 */

import { equalBytes } from '../../src/bytes';
import { fail, type ErrorCode } from '../../src/errors';
import { fingerprintOf } from '../../src/identity/fingerprint';
import type { TransferSessionInfo, TransferReport, PartProgressInfo, DiskWriteRequest } from '../../src/ipc/contract';
import { decodeManifest, encodeManifest, hashManifest } from '../../src/manifest/codec';
import { manifestTotals, type Manifest } from '../../src/manifest/manifest';
import type { FileSink, FileSource } from '../../src/ports/files';
import { silentLogger, type Logger } from '../../src/ports/logger';
import type { Transport } from '../../src/ports/transport';
import type { TransportBinding } from '../../src/handshake/key-schedule';
import { createPortTransport, pipeTransports, type PortEndpoint } from '../../src/transport/port-transport';
import type {
  HandshakeView,
  RunnerReceiverOptions,
  RunnerSenderOptions,
  RunningSessionView,
  SessionOutcomeView,
  SessionRunner,
} from '../transfer/common';

/** How a session's port reaches the renderer: Electron's MessageChannelMain in the app, a test bridge in CI. */
export interface SessionChannels {
  /** A new channel: `local` stays in main; `start` hands the other end and the session to the renderer. */
  open(): { readonly local: PortEndpoint; start(info: TransferSessionInfo): boolean };
}

/** After the path ended, how long the renderer has to send its `finished` report before main decides for it. */
const FINISH_GRACE_MS = 5_000;

interface Slot {
  readonly transferId: string;
  readonly role: 'sender' | 'receiver';
  manifest: Manifest | null;
  readonly source: FileSource | null;
  sink: FileSink | null;
  handshake: HandshakeView | null;
  /** Set synchronously when `connected` arrives, so an `offer` right behind it (handled concurrently) waits for it. */
  connected: Promise<HandshakeView> | null;
  offered: boolean;
  /** The session has settled (or is settling); its outcome is decided. */
  ended: boolean;
  /** Main has signed this session's handshake (once, and only before `connected`). */
  signed: boolean;
  /** Per manifest index: plaintext bytes read (sender) or verified (receiver), for progress. */
  readonly done: Map<number, number>;
  readonly options: RunnerSenderOptions | RunnerReceiverOptions;
  finish(outcome: SessionOutcomeView): void;
}

/** The sessions of every transfer that currently runs in the renderer, for `disk:*` and `transfer:report`. */
export class SessionRegistry {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly logger: Logger = silentLogger) {}

  /** @internal */
  add(slot: Slot): void {
    this.slots.get(slot.transferId)?.finish(failed('TRANSPORT_CLOSED', null, slot.manifest));
    this.slots.set(slot.transferId, slot);
  }

  /** @internal */
  remove(slot: Slot): void {
    if (this.slots.get(slot.transferId) === slot) this.slots.delete(slot.transferId);
  }

  has(transferId: string): boolean {
    return this.slots.has(transferId);
  }

  private slot(transferId: string, role?: 'sender' | 'receiver'): Slot {
    const slot = this.slots.get(transferId);
    if (!slot) fail('BAD_INPUT', 'no session of this transfer is running');
    if (role && slot.role !== role) fail('BAD_INPUT', `this session is not a ${role}'s`);
    return slot;
  }

  /** `transfer:report` for a session that runs in the renderer; the offer answer arrives once decided. */
  async report(report: TransferReport): Promise<{ readonly decision: 'accept' | 'decline' | null }> {
    const slot = this.slot(report.transferId);
    switch (report.type) {
      case 'connected': {
        if (slot.connected) fail('BAD_INPUT', 'connected was already reported');
        slot.connected = fingerprintOf(report.peerKey).then((fingerprint) => {
          checkClaim(slot.options.expect, report, fingerprint);
          const handshake: HandshakeView = { level: report.level, verifiedBy: report.verifiedBy, peer: { identityKey: report.peerKey, fingerprint, name: report.peerName } };
          slot.handshake = handshake;
          slot.options.onEvent?.({ type: 'connected', handshake });
          return handshake;
        });
        await slot.connected;
        return { decision: null };
      }
      case 'offer':
        return { decision: await this.offer(slot, report.manifest) };
      case 'finished': {
        // Success needs a handshake main accepted (a `connected` that fit the expectation).
        const ok = report.ok && slot.handshake !== null;
        slot.finish({
          phase: ok ? 'complete' : 'failed',
          ok,
          code: ok ? null : report.ok ? 'BAD_INPUT' : (report.code ?? 'TRANSPORT_CLOSED'),
          errorFromPeer: false,
          handshake: slot.handshake,
          manifest: slot.manifest,
        });
        return { decision: null };
      }
    }
  }

  private async offer(slot: Slot, encoded: Uint8Array): Promise<'accept' | 'decline'> {
    if (slot.role !== 'receiver') fail('BAD_INPUT', 'only a receiving session reports an offer');
    if (!slot.connected) fail('BAD_INPUT', 'an offer before the handshake finished');
    if (slot.offered) fail('BAD_INPUT', 'the offer was already reported');
    slot.offered = true;
    const handshake = await slot.connected;
    // The renderer decrypted this; main decodes and validates it again before any path is derived from it.
    const manifest = decodeManifest(encoded);
    slot.manifest = manifest;
    const options = slot.options as RunnerReceiverOptions;
    const yes = await options.decide({ manifest, handshake });
    // The answer may come long after the session ended (the sender left while the user thought about it): then
    // there is nothing to accept, and no sink is opened for a session nobody will close.
    if (!yes || slot.ended) return 'decline';
    slot.sink = await options.openSink({ manifest, manifestHash: await hashManifest(manifest) });
    this.logger.info('session.accepted', { transfer: slot.transferId.slice(0, 8) });
    return 'accept';
  }

  /**
   * `identity:sign` for `transferId`: allowed once per session, in the context of the session's own handshake role,
   * before it reported `connected`. Without this, main would sign any 32-byte hash under a handshake context at any
   * time, which would let a compromised renderer run this device's identity in handshakes elsewhere.
   * @throws SealdropError BAD_INPUT otherwise.
   */
  authorizeSignature(transferId: string, context: string): void {
    const slot = this.slot(transferId);
    const expected = slot.options.handshakeRole === 'initiator' ? 'handshake initiator' : 'handshake responder';
    if (context !== expected) fail('BAD_INPUT', `this session signs as the ${slot.options.handshakeRole}`);
    if (slot.signed || slot.connected || slot.ended) fail('BAD_INPUT', 'this session has already signed its handshake');
    slot.signed = true;
  }

  // ------------------------------------------------------------------------------------------ disk:*

  async read(transferId: string, index: number, offset: number, length: number): Promise<Uint8Array> {
    const slot = this.slot(transferId, 'sender');
    const size = fileSize(slot, index);
    if (offset + length > size) fail('BAD_INPUT', 'read beyond the end of the file');
    const bytes = await slot.source!.read(index, offset, length);
    this.progress(slot, index, offset + length);
    return bytes;
  }

  progressOf(transferId: string, index: number): Promise<PartProgressInfo | null> {
    return this.sink(transferId, index).progress(index);
  }

  async writeChunk(request: DiskWriteRequest): Promise<void> {
    const size = fileSize(this.slot(request.transferId, 'receiver'), request.index);
    const { chunkSize } = request.progress;
    if (request.chunkIndex * chunkSize + request.plaintext.length > size) fail('BAD_INPUT', 'chunk beyond the end of the file');
    const sink = this.sink(request.transferId, request.index);
    await sink.writeChunk(request.index, request.chunkIndex, request.plaintext, request.progress);
    this.progress(this.slot(request.transferId), request.index, request.chunkIndex * chunkSize + request.plaintext.length);
  }

  createDirectory(transferId: string, index: number): Promise<void> {
    const sink = this.sink(transferId, null);
    const entry = this.slot(transferId).manifest!.entries[index];
    if (entry?.kind !== 'directory') fail('BAD_INPUT', 'not a directory of this transfer');
    return sink.createDirectory(index);
  }

  commit(transferId: string, index: number): Promise<void> {
    return this.sink(transferId, index).commit(index);
  }

  discard(transferId: string, index: number): Promise<void> {
    return this.sink(transferId, index).discard(index);
  }

  /** The receiver's sink, open only once main accepted the offer; with `index`, that entry must be a file. */
  private sink(transferId: string, index: number | null): FileSink {
    const slot = this.slot(transferId, 'receiver');
    if (!slot.sink) fail('BAD_INPUT', 'the offer has not been accepted');
    if (index !== null) fileSize(slot, index);
    return slot.sink;
  }

  private progress(slot: Slot, index: number, end: number): void {
    if (end <= (slot.done.get(index) ?? 0)) return;
    slot.done.set(index, end);
    let bytes = 0;
    for (const value of slot.done.values()) bytes += value;
    slot.options.onEvent?.({ type: 'progress', bytes, total: manifestTotals(slot.manifest!).bytes });
  }
}

/**
 * The renderer's account of the handshake must fit what main asked it to check, or main would pin (and show) a key
 * the handshake never verified: the pinned key or the link's fingerprint when one was expected, a pinned key for
 * 'pin', and no Level 3 without a reason.
 * @throws SealdropError BAD_INPUT for a claim that does not fit.
 */
function checkClaim(
  expect: RunnerReceiverOptions['expect'],
  report: Extract<TransferReport, { type: 'connected' }>,
  fingerprint: Uint8Array,
): void {
  const refuse = (why: string): never => fail('BAD_INPUT', `connected report refused: ${why}`);
  if (expect.pinnedKey && !equalBytes(expect.pinnedKey, report.peerKey)) refuse('not the pinned key');
  if (expect.linkFingerprint && !equalBytes(expect.linkFingerprint, fingerprint)) refuse('not the key in the link');
  if (report.level === 2 && report.verifiedBy !== 'none') refuse('Level 2 with a verification');
  if (report.level === 3) {
    switch (report.verifiedBy) {
      case 'pin':
        if (!(expect.pinnedKey ?? null) && !expect.isPinned?.(report.peerKey)) refuse('no pin for this key');
        return;
      case 'link-fingerprint':
        if (!expect.linkFingerprint) refuse('no link fingerprint was expected');
        return;
      case 'link-secret':
        if (!expect.linkIssued) refuse('no link was issued');
        return;
      case 'none':
        refuse('Level 3 without a verification');
    }
  }
}

function fileSize(slot: Slot, index: number): number {
  const entry = slot.manifest?.entries[index];
  if (entry?.kind !== 'file') fail('BAD_INPUT', 'not a file of this transfer');
  return entry.size;
}

function failed(code: ErrorCode, handshake: HandshakeView | null, manifest: Manifest | null): SessionOutcomeView {
  return { phase: 'failed', ok: false, code, errorFromPeer: false, handshake, manifest };
}

export interface RendererSessionsOptions {
  readonly transferId: string;
  /** This device's public identity key (the renderer sends it in the handshake; main signs for it). */
  readonly identityKey: Uint8Array;
  /** Every pinned contact's key, for the handshake's lookup of a peer it was not told to expect. */
  readonly pinnedKeys: () => readonly Uint8Array[];
  readonly contactId: string | null;
  readonly channels: SessionChannels;
  readonly registry: SessionRegistry;
  readonly logger?: Logger;
  /** Timers for the grace period (tests inject none: real timers). */
  readonly setTimer?: (ms: number, run: () => void) => () => void;
}

/** The SessionRunner of one transfer whose sessions run in the renderer. */
export function rendererSessions(options: RendererSessionsOptions): SessionRunner {
  const start = (
    role: 'sender' | 'receiver',
    runner: RunnerSenderOptions | RunnerReceiverOptions,
    manifest: Manifest | null,
    source: FileSource | null,
  ): RunningSessionView => {
    const logger = options.logger ?? silentLogger;
    const network = runner.transport;
    const opened = options.channels.open();
    const local = opened.local;
    const hand = (info: TransferSessionInfo) => opened.start(info);
    const port = createPortTransport(local, { path: network.path, binding: network.binding, maxFrameBytes: network.maxFrameBytes, logger });
    let settle!: (outcome: SessionOutcomeView) => void;
    const outcome = new Promise<SessionOutcomeView>((resolve) => (settle = resolve));
    let settled = false;
    const setTimer = options.setTimer ?? ((ms, run) => {
      const timer = setTimeout(run, ms);
      return () => clearTimeout(timer);
    });
    let cancelGrace: (() => void) | null = null;
    let pipeEnded = false;
    let pipeDone!: () => void;
    const pipeEnd = new Promise<void>((resolve) => (pipeDone = resolve));
    /** Close both ends now: main's own decision (cancel, no renderer, the renderer went silent). */
    const closeNow = (code: ErrorCode) => {
      port.closeWith({ code, message: 'session ended' });
      network.close();
    };
    const slot: Slot = {
      transferId: options.transferId,
      role,
      manifest,
      source,
      sink: null,
      handshake: null,
      connected: null,
      offered: false,
      ended: false,
      signed: false,
      done: new Map(),
      options: runner,
      finish: (result) => {
        if (settled) return;
        settled = true;
        slot.ended = true;
        cancelGrace?.();
        options.registry.remove(slot);
        if (pipeEnded) return settle(result);
        if (result.code === 'CANCELLED' || result.code === 'INTERNAL') {
          closeNow(result.code);
          return settle(result);
        }
        // The renderer reported how its session ended; its last frames (a DECLINE, an ABORT, the final ACK) may still
        // be on their way through the port, and its own close follows them. The outcome is reported once the pipe
        // has delivered them and closed the network path behind them — the caller tears the path's room down next —
        // or after a grace period if the renderer never closes its end.
        const stop = setTimer(FINISH_GRACE_MS, () => {
          closeNow(result.code ?? 'TRANSPORT_CLOSED');
          settle(result);
        });
        void pipeEnd.then(() => {
          stop();
          settle(result);
        });
      },
    };
    options.registry.add(slot);
    void pipeTransports(network, port).then((reason) => {
      pipeEnded = true;
      pipeDone();
      // The renderer reports how its session ended; if it cannot (the window is gone), main decides after a grace.
      if (!settled) cancelGrace = setTimer(FINISH_GRACE_MS, () => slot.finish(failed(reason.code, slot.handshake, slot.manifest)));
    });
    const info: TransferSessionInfo = {
      transferId: options.transferId,
      identityKey: options.identityKey,
      role,
      handshakeRole: runner.handshakeRole,
      sessionId: runner.sessionId,
      psk: runner.psk ?? null,
      expect: {
        pinnedKey: runner.expect.pinnedKey ?? null,
        linkFingerprint: runner.expect.linkFingerprint ?? null,
        linkIssued: runner.expect.linkIssued ?? false,
        pinnedKeys: options.pinnedKeys(),
      },
      requireLevel3: runner.requireLevel3 ?? true,
      name: runner.name ?? '',
      binding: transcriptBinding(network, runner.handshakeRole),
      maxFrameBytes: network.maxFrameBytes,
      path: network.path === 'memory' ? 'direct' : network.path,
      manifest: manifest && role === 'sender' ? encodeManifest(manifest) : null,
      contactId: options.contactId,
    };
    if (!hand(info)) {
      logger.warn('session.no-renderer', { transfer: options.transferId.slice(0, 8) });
      slot.finish(failed('INTERNAL', null, manifest));
    }
    return {
      outcome,
      cancel: () => slot.finish(failed('CANCELLED', slot.handshake, slot.manifest)),
    };
  };
  return {
    startSender: (runner) => Promise.resolve(start('sender', runner, runner.manifest, runner.source)),
    startReceiver: (runner) => start('receiver', runner, null, null),
  };
}

/** The binding as the handshake transcript orders it (initiator first), from this side's view of the path. */
function transcriptBinding(transport: Transport, handshakeRole: 'initiator' | 'responder'): TransportBinding {
  const local = transport.binding;
  if (local.kind === 'none') return { kind: 'none' };
  return handshakeRole === 'initiator'
    ? { kind: 'dtls', initiatorFingerprint: local.local, responderFingerprint: local.remote }
    : { kind: 'dtls', initiatorFingerprint: local.remote, responderFingerprint: local.local };
}
