/**
 * The desktop app's main-process services, built from plain dependencies: what main/app/index.ts wires to Electron,
 * and what the Chromium end-to-end tests wire to a test bridge (everything except Electron itself). No 'electron'
 * import here or below: windows, dialogs, notifications and MessagePorts arrive as functions.
 *
 *   identity (key store) · trust store + contacts · settings · transfers (renderer-run sessions) · pairing · tray
 *
 * Trust assumptions: as for each service (see their headers). The renderer is reached only through `events` and
 * `channels`, both of which the caller binds to the app's own page.
 */

import type { Services } from '../app/ipc';
import { toHex } from '../../src/bytes';
import { fileBlobStore } from '../adapters/file-blob-store';
import type { InvokeResponse } from '../../src/ipc/contract';
import type { Clock } from '../../src/ports/clock';
import type { KeyStore } from '../../src/ports/key-store';
import { silentLogger, type Logger } from '../../src/ports/logger';
import type { RandomSource } from '../../src/ports/random';
import { TrustStore } from '../../src/trust/trust-store';
import { createContactsService } from '../services/contacts-service';
import type { ServiceEvents } from '../services/events';
import { createIdentityService } from '../services/identity-service';
import { ipcServicesOf } from '../services/ipc-services';
import { loadSettingsService, type SettingsService } from '../services/settings-service';
import { pairAsIssuer, pairAsJoiner } from '../transfer/pair';
import { watchMailbox, type MailboxWatcher } from '../transfer/mailbox';
import { createOfferNotifier, type ShowNotification } from '../services/notifications';
import { initialTrayState, recordTransfer, setReceiving, type TrayState } from '../services/tray-model';
import { relayFor } from './relays';
import type { SessionChannels } from './renderer-sessions';
import { createTransferService } from './transfer-service';

/** How long a pairing link shown by this device stays valid. */
export const PAIRING_LINK_MS = 10 * 60_000;

export interface DesktopDeps {
  /** Where the trust store and the settings live (Electron's userData). */
  readonly userData: string;
  readonly defaultDownloadDir: string;
  readonly deviceName: string;
  readonly keyStore: KeyStore;
  readonly random: RandomSource;
  /** A wall clock. */
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly events: ServiceEvents;
  readonly channels: SessionChannels;
  readonly pickPaths: (kind: 'files' | 'folder', context: { readonly webContentsId: number }) => Promise<readonly string[]>;
  /** A native confirmation of dropped paths before they are read (transfer-service.ts `confirmDropped`). */
  readonly confirmDropped: (paths: readonly string[], context: { readonly webContentsId: number }) => Promise<boolean>;
  readonly chooseDirectory?: (context: { readonly webContentsId: number }) => Promise<string | null>;
  readonly openPath: (path: string) => Promise<void>;
  readonly setLoginItemSettings: (settings: { readonly openAtLogin: boolean }) => void;
  /** Show an OS notification (notifications.ts); the answer comes back through `onAction`. */
  readonly showNotification: ShowNotification;
  /** The main window is shown (false: closed to the tray, or not created yet). */
  readonly windowVisible: () => boolean;
  /** Bring the window up (a notification was clicked). */
  readonly showWindow?: () => void;
}

export interface Desktop {
  readonly services: Omit<Services, 'camera'>;
  readonly settings: SettingsService;
  readonly trust: TrustStore;
  /** The tray's receiving switch: while on and a relay is set, this device listens in its relay mailbox. */
  readonly receiving: { get(): boolean; set(on: boolean): void };
  /** What the tray shows (tray-model.ts): receiving and the recent transfers; `subscribe` for every change. */
  readonly tray: { state(): TrayState; subscribe(listener: (state: TrayState) => void): () => void };
  /** Resolves once the mailbox is registered on the current relay (for tests and the tray tooltip). */
  mailboxReady(): Promise<void>;
  /** Stop every transfer and the mailbox (app quit). */
  close(): Promise<void>;
}

export async function createDesktop(deps: DesktopDeps): Promise<Desktop> {
  const logger = deps.logger ?? silentLogger;
  const identity = createIdentityService({ keyStore: deps.keyStore, random: deps.random, clock: deps.clock, deviceName: deps.deviceName, logger });
  const trust = await TrustStore.load(fileBlobStore(deps.userData), deps.clock, deps.random);
  const settings = await loadSettingsService({
    blobStore: fileBlobStore(deps.userData),
    defaultDownloadDir: deps.defaultDownloadDir,
    setLoginItemSettings: deps.setLoginItemSettings,
    ...(deps.chooseDirectory ? { chooseDirectory: deps.chooseDirectory } : {}),
    logger,
  });
  const deviceName = async () => (await identity.get()).name;

  const contacts = createContactsService({
    trust,
    ownKey: () => identity.publicKey(),
    events: deps.events,
    pairWith: async (link) => {
      const paired = await pairAsJoiner({ signer: await identity.signer(), name: await deviceName(), trust, random: deps.random, link });
      return paired.contact;
    },
  });

  let receiving = true;
  let trayState = initialTrayState(receiving);
  const trayListeners = new Set<(state: TrayState) => void>();
  const publishTray = (next: TrayState) => {
    trayState = next;
    for (const listener of trayListeners) listener(trayState);
  };
  const notifier = createOfferNotifier({
    showNotification: deps.showNotification,
    events: deps.events,
    onAction: (transferId, action) => {
      if (action === 'open') deps.showWindow?.();
      transfers.notificationAction(transferId, action);
    },
  });
  const transfers = createTransferService({
    signer: () => identity.signer(),
    deviceName,
    trust,
    settings: () => Promise.resolve(settings.get()),
    events: deps.events,
    channels: deps.channels,
    pickPaths: deps.pickPaths,
    confirmDropped: deps.confirmDropped,
    openPath: deps.openPath,
    contactsChanged: () => contacts.notifyChanged(),
    notifier,
    windowVisible: deps.windowVisible,
    receiving: () => receiving,
    onTray: (update) => publishTray(recordTransfer(trayState, update)),
    random: deps.random,
    clock: deps.clock,
    logger,
  });

  /**
   * Wait in a fresh pairing room; the link is returned as soon as the room is joined. The wait ends when the other
   * device pairs or after PAIRING_LINK_MS (pairAsIssuer's timeout); the room's relay goes with it.
   */
  let cancelPairing: (() => void) | null = null;
  const pairingLink = async (): Promise<InvokeResponse<'identity:pairing-link'>> => {
    // One pairing room at a time: a new link replaces the one shown before (and its embedded relay).
    cancelPairing?.();
    let cancel!: () => void;
    const abort = new Promise<void>((resolve) => (cancel = resolve));
    cancelPairing = cancel;
    const relay = await relayFor(settings.get());
    const expiresAt = deps.clock.now() + PAIRING_LINK_MS;
    return new Promise((resolve, reject) => {
      void (async () => {
        try {
          const paired = await pairAsIssuer({
            signer: await identity.signer(),
            name: await deviceName(),
            trust,
            random: deps.random,
            relayUrls: relay.linkUrls,
            connectUrl: relay.connectUrl,
            timeoutMs: PAIRING_LINK_MS,
            abort,
            onLink: (link) => resolve({ link, expiresAt }),
          });
          logger.info('pairing.done', { contact: paired.contact.id.slice(0, 8) });
          contacts.notifyChanged();
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
          logger.info('pairing.ended', { reason: error instanceof Error ? error.name : 'unknown' });
        } finally {
          if (cancelPairing === cancel) cancelPairing = null;
          await relay.close();
        }
      })();
    });
  };

  // The mailbox: contacts can send to this device without a link while receiving is on and a relay is set.
  // Keyed by relay and identity: after a rotation, contacts send to the new fingerprint's mailbox.
  let mailbox: { key: string; watcher: MailboxWatcher } | null = null;
  let closed = false;
  let mailboxUpdate: Promise<void> = Promise.resolve();
  const updateMailbox = (): Promise<void> => {
    mailboxUpdate = mailboxUpdate.then(switchMailbox).catch((error: unknown) => {
      logger.warn('mailbox.failed', { error: error instanceof Error ? error.name : 'unknown' });
    });
    return mailboxUpdate;
  };
  const switchMailbox = async () => {
    const relayUrl = receiving && !closed ? settings.get().relayUrl : '';
    const signer = relayUrl === '' ? null : await identity.signer();
    const key = signer ? `${relayUrl} ${toHex(signer.publicKey)}` : '';
    if ((mailbox?.key ?? '') === key) return;
    mailbox?.watcher.close();
    mailbox = null;
    if (!signer || closed) return;
    const watcher = watchMailbox({ relayUrl, signer, onIncoming: (roomId) => transfers.incoming(relayUrl, roomId), logger });
    watcher.registered.catch(() => undefined);
    mailbox = { key, watcher };
  };
  const unsubscribe = settings.subscribe(() => void updateMailbox());
  await updateMailbox();

  const base = ipcServicesOf({ identity, contacts, settings, pairingLink, onRotated: () => void updateMailbox() });
  const identityChannels: Services['identity'] = {
    ...base.identity,
    // Only for a session main handed to the renderer, once, in its own role (renderer-sessions.ts).
    sign: (request, context) => {
      transfers.authorizeSignature(request.transferId, request.context);
      return base.identity.sign(request, context);
    },
  };
  return {
    services: { ...base, identity: identityChannels, transfer: transfers.transfer, disk: transfers.disk },
    settings,
    trust,
    receiving: {
      get: () => receiving,
      set: (on) => {
        receiving = on;
        publishTray(setReceiving(trayState, on));
        deps.events.emit('tray:receiving-changed', { receiving });
        void updateMailbox();
      },
    },
    tray: {
      state: () => trayState,
      subscribe: (listener) => {
        trayListeners.add(listener);
        return () => void trayListeners.delete(listener);
      },
    },
    mailboxReady: async () => {
      await mailboxUpdate;
      if (!mailbox) throw new Error('no relay is set, or receiving is off');
      await mailbox.watcher.registered;
    },
    close() {
      closed = true;
      cancelPairing?.();
      unsubscribe();
      mailbox?.watcher.close();
      mailbox = null;
      transfers.close();
      return Promise.resolve();
    },
  };
}
