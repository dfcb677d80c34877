/**
 * The desktop's transfers: `transfer:*` and `disk:*` (src/ipc/contract.ts) on top of the same orchestration the CLI
 * uses (main/transfer/send.ts, receive.ts), with the sessions themselves running in the renderer
 * (renderer-sessions.ts). Main owns what the renderer must not: the network paths, the files the user picked, the
 * download folder, the decision to accept, and the trust store.
 *
 * Transfers and their ids: every transfer gets a random 128-bit id when it starts; the renderer names transfers only
 * by those ids. Picked files are opaque ids too (`pickFiles`), valid for this run of the app.
 *
 * Accepting: an offer from a link the user pasted is always put to the user (`transfer:offer`, the offer card); an
 * offer that arrived unasked through the relay mailbox goes through the tray policy first (offer-policy.ts) and
 * is announced by a notification. A transfer with a contact whose key changed is refused before any path is opened,
 * in both directions (DECISIONS.md 6: a key change is a hard stop until the user verifies again).
 *
 * Trust assumptions: requests are validated by the IPC layer; the renderer may still name transfer ids that are not
 * its own or call verbs in the wrong state, which fail with BAD_INPUT. Progress, done and error events carry no
 * paths of the other side.
 */

import { equalBytes, toHex } from '../../src/bytes';
import { errorCodeOf, fail } from '../../src/errors';
import type { IdentitySigner } from '../../src/identity/identity';
import { parseLink } from '../../src/identity/link';
import type { OfferInfo, SettingsInfo, TransferPath } from '../../src/ipc/contract';
import type { Clock } from '../../src/ports/clock';
import { silentLogger, type Logger } from '../../src/ports/logger';
import type { RandomSource } from '../../src/ports/random';
import type { TrustStore } from '../../src/trust/trust-store';
import type { Services } from '../app/ipc';
import type { ServiceEvents } from '../services/events';
import { runReceive, runReceiveIncoming, type OfferSummary, type ReceiveCommonOptions } from '../transfer/receive';
import type { NotificationAction, OfferNotifier } from '../services/notifications';
import { decideIncoming } from '../services/offer-policy';
import type { recordTransfer } from '../services/tray-model';
import { runSend } from '../transfer/send';
import type { TransferReport } from '../transfer/events';
import { rendererSessions, SessionRegistry, type SessionChannels } from './renderer-sessions';
import { relayFor, iceServersOf, type RelayChoice } from './relays';
import { asCode, offerInfoOf, pathOf, PickedItems } from './transfer-views';

/** Mailbox offers handled at once, and waiting behind them (see `incoming`). */
const MAX_INCOMING_ACTIVE = 2;
const MAX_INCOMING_QUEUED = 4;

export interface TransferServiceOptions {
  readonly signer: () => Promise<IdentitySigner>;
  readonly deviceName: () => Promise<string>;
  readonly trust: TrustStore;
  readonly settings: () => Promise<SettingsInfo>;
  readonly events: ServiceEvents;
  readonly channels: SessionChannels;
  /** Native file dialog: absolute paths, or [] when cancelled. */
  readonly pickPaths: (kind: 'files' | 'folder', context: { readonly webContentsId: number }) => Promise<readonly string[]>;
  /**
   * Main's own confirmation of dropped paths (a native dialog listing them): true to send. Dropped paths come from
   * the renderer — from the preload's `webUtils.getPathForFile`, which page script cannot forge, but a compromised
   * renderer *process* could name any file — so main shows the user what is about to leave before it reads any of it.
   */
  readonly confirmDropped: (paths: readonly string[], context: { readonly webContentsId: number }) => Promise<boolean>;
  readonly openPath: (path: string) => Promise<void>;
  /** A contact's trust changed (a peer was pinned after a transfer). */
  readonly contactsChanged: () => void;
  /** OS notifications for offers that arrive through the mailbox (notifications.ts). */
  readonly notifier: OfferNotifier;
  /** The main window is shown (false: closed to the tray). */
  readonly windowVisible: () => boolean;
  /** The tray's receiving switch. */
  readonly receiving: () => boolean;
  /** A transfer started or changed, for the tray's recent list (tray-model.ts). */
  readonly onTray?: (update: TrayUpdate) => void;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly logger?: Logger;
}

export type TrayUpdate = Parameters<typeof recordTransfer>[1];

interface Running {
  readonly id: string;
  readonly direction: 'send' | 'receive';
  readonly folder: string | null;
  path: TransferPath | null;
  abort(): void;
  /** The user's answer to the offer card, while one is pending. */
  answer: ((yes: boolean) => void) | null;
}

export interface DesktopTransfers {
  readonly transfer: Services['transfer'];
  readonly disk: Services['disk'];
  /** A room id arrived in this device's mailbox on `relayUrl` (unauthenticated: the handshake decides who it is). */
  incoming(relayUrl: string, roomId: Uint8Array): void;
  /** The user answered an offer's notification. */
  notificationAction(transferId: string, action: NotificationAction): void;
  /** Check an `identity:sign` request against the session it names (SessionRegistry.authorizeSignature). */
  authorizeSignature(transferId: string, context: string): void;
  /** Cancel everything (app quit). */
  close(): void;
}

export function createTransferService(options: TransferServiceOptions): DesktopTransfers {
  const logger = options.logger ?? silentLogger;
  const registry = new SessionRegistry(logger);
  const running = new Map<string, Running>();
  const picked = new PickedItems(options.random);
  const newId = () => toHex(options.random.bytes(16));

  const get = (transferId: string): Running => {
    const transfer = running.get(transferId);
    if (!transfer) fail('BAD_INPUT', 'no such transfer');
    return transfer;
  };

  /** The renderer-facing events of one transfer, from the orchestration's reports. */
  const tray = (transfer: Running, update: Omit<TrayUpdate, 'transferId' | 'updatedAt'>) =>
    options.onTray?.({ transferId: transfer.id, updatedAt: options.clock.now(), direction: transfer.direction, ...update });

  const reporter = (transfer: Running, onReady?: (link: string | null) => void) => (report: TransferReport) => {
    switch (report.event) {
      case 'ready':
        onReady?.(report.link);
        return;
      case 'connected': {
        transfer.path = pathOf(report.path);
        const contact = options.trust.list().find((c) => toHex(c.fingerprint) === report.peer.fingerprint);
        tray(transfer, { peerName: contact?.name ?? report.peer.name, level: report.level, state: 'running' });
        return;
      }
      case 'progress':
        options.events.emit('transfer:progress', { transferId: transfer.id, bytes: report.bytes, total: report.total, path: transfer.path });
        tray(transfer, { bytes: report.bytes, state: 'running' });
        return;
      case 'done': {
        const bytes = report.files.reduce((sum, file) => sum + file.size, 0);
        options.events.emit('transfer:done', { transferId: transfer.id, level: report.level, path: pathOf(report.path) ?? 'relay', files: report.files.length, bytes });
        tray(transfer, { bytes, level: report.level, state: 'done' });
        return;
      }
      case 'error': {
        const code = asCode(report.code);
        options.events.emit('transfer:error', { transferId: transfer.id, code, message: report.message });
        tray(transfer, { state: code === 'DECLINED' ? 'declined' : code === 'KEY_CHANGED' || code === 'LEVEL3_REQUIRED' ? 'refused' : 'failed' });
        return;
      }
      default:
        return;
    }
  };

  const begin = (direction: 'send' | 'receive', folder: string | null): { transfer: Running; abort: Promise<void> } => {
    let abort!: () => void;
    const aborted = new Promise<void>((resolve) => (abort = resolve));
    const transfer: Running = { id: newId(), direction, folder, path: null, abort, answer: null };
    running.set(transfer.id, transfer);
    tray(transfer, { state: 'waiting' });
    return { transfer, abort: aborted };
  };

  const sessionsFor = (transfer: Running, signer: IdentitySigner, contactId: string | null) =>
    rendererSessions({
      transferId: transfer.id,
      identityKey: signer.publicKey,
      pinnedKeys: () => options.trust.list().map((contact) => contact.identityKey),
      contactId,
      channels: options.channels,
      registry,
      logger,
    });

  const finished = (transfer: Running, relay: RelayChoice | null) => {
    transfer.answer?.(false); // a question nobody can act on any more
    running.delete(transfer.id);
    options.contactsChanged();
    void relay?.close();
  };

  /**
   * What every receive shares: the download folder and paths from the settings, this identity, sessions in the
   * renderer, and how offers are decided (`confirm`). Fails before anything is recorded if the identity is unavailable.
   */
  const prepareReceive = async (
    contactId: string | null,
    confirm: (t: Running, offer: OfferSummary) => Promise<boolean>,
  ): Promise<{ t: Running; common: ReceiveCommonOptions }> => {
    const settings = await options.settings();
    const signer = await options.signer();
    const name = await options.deviceName();
    const { transfer: t, abort } = begin('receive', settings.downloadDir);
    const common: ReceiveCommonOptions = {
      outDir: settings.downloadDir,
      signer,
      name,
      trust: options.trust,
      pathMode: 'auto',
      iceServers: iceServersOf(settings),
      forceTurn: false,
      requireLevel3: settings.requireLevel3,
      random: options.random,
      clock: options.clock,
      abort,
      sessions: sessionsFor(t, signer, contactId),
      confirm: (offer) => confirm(t, offer),
      report: reporter(t),
    };
    return { t, common };
  };

  const transfer: Services['transfer'] = {
    pickFiles: async (request, context) => picked.add(await options.pickPaths(request.kind, context)),

    async send(request, context) {
      const contact = request.to.kind === 'contact' ? options.trust.get(request.to.contactId) : null;
      if (request.to.kind === 'contact') {
        if (!contact) fail('CONTACT_UNKNOWN', 'no such contact');
        if (contact.pendingKey) fail('KEY_CHANGED', `the key of ${contact.name} changed: verify it again before sending`);
      }
      const paths = [...request.paths];
      for (const id of request.picked) {
        paths.push(picked.path(id));
      }
      if (request.paths.length > 0 && !(await options.confirmDropped(request.paths, context))) {
        fail('CANCELLED', 'not sent: the dropped items were not confirmed');
      }
      const settings = await options.settings();
      // A contact is reached through its mailbox on the configured relay; an embedded relay is not reachable for it.
      if (contact && settings.relayUrl === '') fail('LINK_BAD_RELAY', 'sending to a contact needs a relay: set one in Settings');
      // Everything that can fail before the transfer exists fails here, before anything is started or recorded.
      const signer = await options.signer();
      const name = await options.deviceName();
      const relay = await relayFor(settings);
      const { transfer: t, abort } = begin('send', null);
      let linkSettled = false;
      let ready!: (link: string | null) => void;
      let failed!: (error: Error) => void;
      const link = new Promise<string | null>((resolve, reject) => {
        ready = (value) => ((linkSettled = true), resolve(value));
        failed = (error) => ((linkSettled = true), reject(error));
      });
      /** A failure after the link was handed out is an event; before, the `transfer:send` call fails with it. */
      const lateFailure = (error: unknown) => {
        if (!linkSettled) return failed(error instanceof Error ? error : new Error(String(error)));
        const code = asCode(errorCodeOf(error) ?? (error as { code?: unknown } | null)?.code);
        options.events.emit('transfer:error', { transferId: t.id, code, message: error instanceof Error ? error.message : 'send failed' });
        tray(t, { state: 'failed' });
      };
      void runSend({
        paths,
        signer,
        name,
        trust: options.trust,
        relayUrls: relay.linkUrls,
        connectUrl: relay.connectUrl,
        pathMode: 'auto',
        iceServers: iceServersOf(settings),
        forceTurn: false,
        requireLevel3: settings.requireLevel3,
        random: options.random,
        clock: options.clock,
        abort,
        ...(contact ? { to: { identityKey: contact.identityKey } } : {}),
        sessions: sessionsFor(t, signer, contact?.id ?? null),
        report: (report) => {
          if (report.event === 'error' && !linkSettled) return failed(Object.assign(new Error(report.message), { code: report.code }));
          reporter(t, ready)(report);
        },
      })
        .catch(lateFailure)
        .finally(() => finished(t, relay));
      try {
        return { transferId: t.id, link: await link };
      } catch (error) {
        fail(asCode(errorCodeOf(error) ?? (error as { code?: string }).code ?? 'INTERNAL'), error instanceof Error ? error.message : 'send failed');
      }
    },

    async receive(request) {
      const link = parseLink(request.link);
      if (link.kind !== 'transfer') fail('LINK_BAD_KIND', 'this is a pairing link: use it under Contacts → Pair');
      const changed = options.trust.list().find((c) => c.pendingKey && equalBytes(c.pendingKey.fingerprint, link.fingerprint));
      if (changed) fail('KEY_CHANGED', `this link comes from the new key of ${changed.name}: verify it again first`);
      const blocked = options.trust.findByFingerprint(link.fingerprint);
      if (blocked?.pendingKey) fail('KEY_CHANGED', `the key of ${blocked.name} changed: verify it again first`);
      const { t, common } = await prepareReceive(blocked?.id ?? null, ask);
      void runReceive({ ...common, link: request.link }).finally(() => finished(t, null));
      return { transferId: t.id };
    },

    accept(request) {
      answer(request.transferId, true);
    },

    decline(request) {
      answer(request.transferId, false);
    },

    cancel(request) {
      get(request.transferId).abort();
    },

    async openFolder(request) {
      const t = running.get(request.transferId);
      const settings = await options.settings();
      await options.openPath(t?.folder ?? settings.downloadDir);
    },

    report: (request) => registry.report(request),
  };

  /** Put an offer to the user (the offer card); resolves with the answer. */
  const ask = (t: Running, offer: OfferSummary): Promise<boolean> => {
    const info = offerInfo(t, offer);
    // A newer offer replaces a question still open for this transfer (the sender came back with another session,
    // or another pinned device joined a mailbox room): the old one is answered "no", so an answer meant for the
    // card the user saw cannot accept an offer they did not see, and nothing waits forever.
    t.answer?.(false);
    return new Promise<boolean>((resolve) => {
      const answer = (yes: boolean) => {
        if (t.answer === answer) t.answer = null;
        resolve(yes);
      };
      t.answer = answer;
      options.events.emit('transfer:offer', info);
    });
  };

  const offerInfo = (t: Running, offer: OfferSummary): OfferInfo => offerInfoOf(t.id, t.path, offer, options.trust);

  /** An offer that came through the mailbox: the tray policy first, then (maybe) the user. */
  const decideIncomingOffer = async (t: Running, offer: OfferSummary): Promise<boolean> => {
    const info = offerInfo(t, offer);
    const settings = await options.settings();
    const verdict = decideIncoming({
      peerContactStatus: info.peer.status,
      level: info.level,
      receiving: options.receiving(),
      windowVisible: options.windowVisible(),
      settings,
    });
    options.notifier.notify(info, verdict);
    if (verdict.decision === 'auto-accept') return true;
    if (verdict.decision === 'refuse') return false;
    return ask(t, offer);
  };

  /**
   * Mailbox offers run a few at a time, with a short queue; the rest are dropped. INCOMING is unauthenticated and the
   * watcher passes on up to ten a minute, each of which can hold a relay room, a WebRTC attempt and a renderer session
   * for a while: without a bound, a forger could crowd out real transfers (and the tray's recent list).
   */
  const incomingQueue: (() => Promise<void>)[] = [];
  let incomingActive = 0;
  const pumpIncoming = () => {
    while (incomingActive < MAX_INCOMING_ACTIVE && incomingQueue.length > 0) {
      const next = incomingQueue.shift()!;
      incomingActive++;
      void next().finally(() => {
        incomingActive--;
        pumpIncoming();
      });
    }
  };
  const incoming = (relayUrl: string, roomId: Uint8Array) => {
    if (incomingQueue.length >= MAX_INCOMING_QUEUED) return logger.warn('incoming.dropped', { reason: 'queue full' });
    incomingQueue.push(() => receiveIncoming(relayUrl, roomId));
    pumpIncoming();
  };
  const receiveIncoming = (relayUrl: string, roomId: Uint8Array): Promise<void> =>
    (async () => {
      if (!options.receiving()) return;
      const { t, common } = await prepareReceive(null, decideIncomingOffer);
      await runReceiveIncoming({ ...common, relayUrl, roomId }).finally(() => finished(t, null));
    })().catch((error: unknown) => logger.warn('incoming.failed', { code: errorCodeOf(error) ?? 'INTERNAL' }));

  const answer = (transferId: string, yes: boolean) => {
    const t = get(transferId);
    if (!t.answer) fail('BAD_INPUT', 'this transfer has no offer waiting for an answer');
    t.answer(yes);
  };

  const disk: Services['disk'] = {
    read: (r) => registry.read(r.transferId, r.index, r.offset, r.length),
    progress: (r) => registry.progressOf(r.transferId, r.index),
    writeChunk: (r) => registry.writeChunk(r),
    createDirectory: (r) => registry.createDirectory(r.transferId, r.index),
    commit: (r) => registry.commit(r.transferId, r.index),
    discard: (r) => registry.discard(r.transferId, r.index),
  };

  return {
    transfer,
    disk,
    incoming,
    authorizeSignature: (transferId, context) => registry.authorizeSignature(transferId, context),
    notificationAction(transferId, action) {
      if (action === 'open') return;
      const t = running.get(transferId);
      t?.answer?.(action === 'accept');
    },
    close() {
      for (const t of running.values()) t.abort();
    },
  };
}
