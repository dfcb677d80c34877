/**
 * The renderer's session runner: the client that runs the handshake and all encryption and decryption of a
 * transfer, with the bundled src/ core, over a MessagePort of ciphertext frames main hands it
 * (docs/decisions/0004; main/desktop/renderer-sessions.ts is the other end).
 *
 *   main: network path ══ pipeTransports ══ PortTransport ─ MessagePort ─┐
 *                                                                         renderer (here):
 *   `transfer:session` (TransferSessionInfo) ── client.onSession ───────→ pair by transferId
 *   window 'message' { SESSION_PORT_MESSAGE, transferId } + port ───────→ (either may come first; 60 s to match)
 *                                                                           │
 *                            createPortTransport(domPortEndpoint(port)) ← ──┘
 *                            startSender / startReceiver (src/transfer/session.ts)
 *                              identity:sign      the handshake's two signatures (the key stays in main)
 *                              disk:*             plaintext in (sender) / verified plaintext out (receiver)
 *                              transfer:report    connected → offer (the answer: main's decision) → finished
 *
 * Trust assumptions:
 * - A window message is accepted only when it is a SessionPortMessage whose `source` is this window and whose origin
 *   is the page's own (src/ipc/api.ts header): only our own scripts run in the window, so such a message comes from
 *   the preload or our bundle. The check is injectable so plain-Node tests can pass a fake window.
 * - Main is trusted for the session parameters (pins, link secret, binding); this side is not trusted by main, which
 *   validates every report and disk call. The peer and the network path are not trusted at all: the session
 *   authenticates everything that arrives on the port.
 * - One session per transfer at a time: a second port or parameters for a transfer that is running are refused (and
 *   the port closed), so nothing can splice itself into a running session. A later session of the same transfer (a
 *   resumption after the path was lost) starts normally once the first has finished.
 * - A half that is never matched is dropped after PAIR_TIMEOUT_MS: its port is closed, and for parameters without a
 *   port main hears `finished` with TIMEOUT instead of waiting for a session that will never run.
 *
 * Reports are best effort: a failed report is logged and never stops the runner or a session, except the offer,
 * whose answer is the decision — if main cannot answer, the session fails with main's code.
 */

import { errorCodeOf, fail, type ErrorCode } from '../../src/errors';
import { isSessionPortMessage } from '../../src/ipc/api';
import type { TransferReport, TransferSessionInfo } from '../../src/ipc/contract';
import { decodeManifest, encodeManifest } from '../../src/manifest/codec';
import { systemClock, type Clock, type TimerId } from '../../src/ports/clock';
import { silentLogger, type Logger } from '../../src/ports/logger';
import { webCryptoRandom, type RandomSource } from '../../src/ports/random';
import { startReceiver, startSender, type RunningSession, type SessionCommon } from '../../src/transfer/session';
import { createPortTransport, type PortEndpoint, type PortTransport } from '../../src/transport/port-transport';
import type { RendererApi } from '../api-types';
import { coded } from './coded-error';
import { ipcFileSink, ipcFileSource } from './disk-adapters';
import { domPortEndpoint } from './dom-port';
import { ipcSigner, localBinding, peerExpectation } from './session-options';

/** How long the parameters of a session wait for its port, or the port for the parameters. */
export const PAIR_TIMEOUT_MS = 60_000;

/** The part of a window 'message' event the runner reads. */
export interface SessionPortEvent {
  readonly data: unknown;
  readonly ports: readonly MessagePort[];
  readonly source: unknown;
  readonly origin: string;
}

/** The window, or a stand-in for it in tests. */
export interface SessionMessageTarget {
  addEventListener(type: 'message', listener: (event: SessionPortEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: SessionPortEvent) => void): void;
}

export interface SessionRunnerOptions {
  readonly client: RendererApi['client'];
  readonly messages: SessionMessageTarget;
  /**
   * Whether a message comes from this page. Default: `event.source` is `messages` itself (the window) and
   * `event.origin` is `location.origin`; outside a browser the default accepts nothing.
   */
  readonly isOwnMessage?: (event: SessionPortEvent) => boolean;
  /** The port as a PortEndpoint. Default `domPortEndpoint`; tests hand in their own ports. */
  readonly endpointOf?: (port: MessagePort) => PortEndpoint;
  readonly clock?: Clock;
  readonly random?: RandomSource;
  readonly logger?: Logger;
}

interface Half {
  info: TransferSessionInfo | null;
  port: MessagePort | null;
  readonly timer: TimerId;
}

interface Running {
  cancel(): void;
}

/** A short prefix of a transfer id for logs (ids are random, not secret, but logs need not carry them whole). */
function short(transferId: string): string {
  return transferId.slice(0, 8);
}

/**
 * Start listening for sessions from main and run each one to its end.
 * Call once, at startup, before main can hand over a session: a port posted before the listener exists is lost.
 * Returns a function that stops listening, closes unmatched ports and cancels every running session (whose
 * `finished` reports still reach main).
 */
export function startSessionRunner(options: SessionRunnerOptions): () => void {
  const { client, messages } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? webCryptoRandom;
  const logger = options.logger ?? silentLogger;
  const endpointOf = options.endpointOf ?? domPortEndpoint;
  const isOwnMessage =
    options.isOwnMessage ??
    ((event: SessionPortEvent) => event.source === messages && typeof location !== 'undefined' && event.origin === location.origin);

  const halves = new Map<string, Half>();
  const running = new Map<string, Running>();
  let stopped = false;

  const closePort = (port: MessagePort): void => {
    try {
      endpointOf(port).close();
    } catch (error) {
      logger.warn('session.port-close-failed', { message: String(error) });
    }
  };

  const report = (message: TransferReport): void => {
    const failed = (error: unknown) =>
      logger.warn('session.report-failed', { transfer: short(message.transferId), type: message.type, code: codeOf(error) });
    // Called now, not a microtask later: main must see `connected` before the `offer` that follows it.
    try {
      client.report(message).catch(failed);
    } catch (error) {
      failed(error);
    }
  };

  const drop = (transferId: string): void => {
    const half = halves.get(transferId);
    if (!half) return;
    halves.delete(transferId);
    logger.warn('session.unmatched', { transfer: short(transferId), has: half.info ? 'parameters' : 'port' });
    if (half.port) closePort(half.port);
    if (half.info) report({ transferId, type: 'finished', ok: false, code: 'TIMEOUT' });
  };

  /** Add one half; start the session when both are there. */
  const arrive = (transferId: string, info: TransferSessionInfo | null, port: MessagePort | null): void => {
    const refuse = (why: string): void => {
      logger.warn('session.refused', { transfer: short(transferId), why });
      if (port) closePort(port);
    };
    if (stopped) return refuse('the runner has stopped');
    if (running.has(transferId)) return refuse('a session of this transfer is running');
    const half = halves.get(transferId);
    if (!half) {
      halves.set(transferId, { info, port, timer: clock.setTimer(PAIR_TIMEOUT_MS, () => drop(transferId)) });
      return;
    }
    if ((info && half.info) || (port && half.port)) return refuse('a second half for a session already waiting');
    const pairedInfo = info ?? half.info;
    const pairedPort = port ?? half.port;
    if (!pairedInfo || !pairedPort) return;
    clock.clearTimer(half.timer);
    halves.delete(transferId);
    run(pairedInfo, pairedPort);
  };

  const run = (info: TransferSessionInfo, port: MessagePort): void => {
    const transferId = info.transferId;
    let session: RunningSession | null = null;
    let cancelled = false;
    const entry: Running = {
      cancel: () => {
        cancelled = true;
        session?.cancel();
      },
    };
    running.set(transferId, entry);
    void (async () => {
      let transport: PortTransport | null = null;
      let ok = false;
      let code: ErrorCode | null = null;
      try {
        transport = createPortTransport(endpointOf(port), {
          path: info.path,
          binding: localBinding(info),
          maxFrameBytes: info.maxFrameBytes,
          logger,
        });
        session = await startSession(info, transport);
        if (cancelled) session.cancel();
        const outcome = await session.outcome;
        ok = outcome.ok;
        code = outcome.code;
      } catch (error) {
        // The session never started (bad parameters, a manifest main should not have sent): tell main on the port
        // and in the report, with the reason.
        code = errorCodeOf(error) ?? 'INTERNAL';
        logger.warn('session.start-failed', { transfer: short(transferId), code });
        if (transport) transport.closeWith({ code, message: 'the session could not start' });
        else closePort(port);
      } finally {
        if (running.get(transferId) === entry) running.delete(transferId);
      }
      logger.info('session.finished', { transfer: short(transferId), ok, code });
      report({ transferId, type: 'finished', ok, code });
    })();
  };

  const startSession = async (info: TransferSessionInfo, transport: PortTransport): Promise<RunningSession> => {
    const transferId = info.transferId;
    const common: SessionCommon = {
      transport,
      clock,
      random,
      logger,
      signer: ipcSigner((request) => client.sign(request), info.identityKey, info.transferId),
      handshakeRole: info.handshakeRole,
      sessionId: info.sessionId,
      ...(info.psk !== null ? { psk: info.psk } : {}),
      expect: peerExpectation(info.expect),
      requireLevel3: info.requireLevel3,
      name: info.name,
      onEvent: (event) => {
        if (event.type !== 'connected') return;
        const { handshake } = event;
        report({
          transferId,
          type: 'connected',
          level: handshake.level,
          verifiedBy: handshake.verifiedBy,
          peerKey: handshake.peer.identityKey,
          peerName: handshake.peer.name,
        });
      },
    };
    if (info.role === 'sender') {
      if (info.manifest === null) fail('BAD_INPUT', 'a sending session needs the manifest');
      return startSender({ ...common, manifest: decodeManifest(info.manifest), source: ipcFileSource(client.disk, transferId) });
    }
    return startReceiver({
      ...common,
      decide: async ({ manifest }) => {
        client.manifest(
          transferId,
          manifest.entries.flatMap((entry) => (entry.kind === 'file' ? [{ path: entry.path, size: entry.size }] : [])),
        );
        // Main decodes the manifest again, applies its policy or asks the user, and answers once decided.
        const { decision } = await coded(
          () => client.report({ transferId, type: 'offer', manifest: encodeManifest(manifest) }),
          'INTERNAL',
        );
        return decision === 'accept';
      },
      openSink: () => Promise.resolve(ipcFileSink(client.disk, transferId)),
    });
  };

  const onMessage = (event: SessionPortEvent): void => {
    if (!isSessionPortMessage(event.data) || !isOwnMessage(event)) return;
    const [port, ...extra] = event.ports;
    for (const other of extra) closePort(other);
    if (!port) {
      logger.warn('session.port-missing', { transfer: short(event.data.transferId) });
      return;
    }
    arrive(event.data.transferId, null, port);
  };

  messages.addEventListener('message', onMessage);
  const unsubscribe = client.onSession((info) => arrive(info.transferId, info, null));

  return () => {
    if (stopped) return;
    stopped = true;
    messages.removeEventListener('message', onMessage);
    unsubscribe();
    for (const half of halves.values()) {
      clock.clearTimer(half.timer);
      if (half.port) closePort(half.port);
    }
    halves.clear();
    for (const entry of [...running.values()]) entry.cancel();
  };
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unknown';
}
