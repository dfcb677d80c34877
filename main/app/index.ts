/**
 * The Electron entry (ADR 0004 §1): the composition root of the desktop app and the only file besides the
 * preload that loads 'electron' at run time. It holds lifecycle only — every security decision is made in
 * security.ts, every IPC rule in ipc.ts, every behaviour in main/services/ — so it stays thin enough to read in one
 * sitting. Tests never load it (no Electron binary runs in CI); what it wires is tested through those modules.
 *
 * Lifecycle:
 * - one instance: a second launch focuses the first and exits;
 * - `app:` is registered as a privileged scheme before 'ready', then served from out/renderer;
 * - closing the window hides it while "receive in tray" is on: the renderer (which runs the sessions) stays alive
 *   and the tray menu offers receiving on/off, open and quit; otherwise closing the window quits;
 * - "start at login" is applied from the settings at startup.
 *
 * Development: `npm start` (electron-vite dev) sets ELECTRON_RENDERER_URL to its local dev server; it is honoured
 * only in an unpackaged app, and only on localhost (security.ts createAppUrlPolicy). Pages from the dev server do
 * not get the app:// response headers, so the CSP is enforced in builds only (`npm run build:desktop`, `npm run
 * dist`); sandbox, isolation, navigation, permission and IPC-sender rules apply in both.
 */

import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MessageChannelMain,
  nativeImage,
  Notification,
  protocol,
  session,
  shell,
  Tray,
  webContents,
  type MenuItemConstructorOptions,
  type MessagePortMain,
} from 'electron';
import { trayMenu, trayTooltip, type TrayAction } from '../services/tray-model';
import { hostname } from 'node:os';
import path from 'node:path';
import { webCryptoRandom } from '../../src/ports/random';
import type { PortEndpoint } from '../../src/transport/port-transport';
import { keychainKeyStore } from '../adapters/keychain';
import { wallClock } from '../adapters/wall-clock';
import { createDesktop, type Desktop } from '../desktop/create-desktop';
import type { SessionChannels } from '../desktop/renderer-sessions';
import type { Logger } from '../../src/ports/logger';
import type { SettingsInfo } from '../../src/ipc/contract';
import { createRendererEvents, registerIpc, type Services } from './ipc';
import {
  APP_ENTRY_URL,
  createAppUrlPolicy,
  createMainWindow,
  hardenWebContents,
  isTrustedSender,
  permissionPolicy,
  registerAppProtocol,
  registerAppScheme,
} from './security';

/** How long one user-started QR scan may keep the camera. */
const CAMERA_WINDOW_MS = 2 * 60_000;

const here = import.meta.dirname; // out/main
const preloadPath = path.join(here, '..', 'preload', 'index.cjs');
const rendererDir = path.join(here, '..', 'renderer');
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const isAppUrl = createAppUrlPolicy({ devServerUrl });

const logger: Logger = {
  debug: () => {},
  info: (event, fields) => console.info(event, fields ?? {}),
  warn: (event, fields) => console.warn(event, fields ?? {}),
  error: (event, fields) => console.error(event, fields ?? {}),
};

let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
let quitting = false;
let keepInTray = true;
let desktop: Desktop | null = null;
/** Offer notifications on screen, by transfer: referenced so their handlers live, closed when moot. */
const notifications = new Map<string, Notification>();
let cameraUntil = 0;

/** The QR-scan camera window (camera:start-scan / camera:stop-scan): main's permission handler reads it. */
const camera: Services['camera'] = {
  startScan: () => {
    cameraUntil = Date.now() + CAMERA_WINDOW_MS;
    return { until: cameraUntil };
  },
  stopScan: () => {
    cameraUntil = 0;
  },
};

/** A MessagePortMain as the port transport's endpoint (src/transport/port-transport.ts). */
function mainPortEndpoint(port: MessagePortMain): PortEndpoint {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage: (listener) => {
      port.on('message', (event) => listener(event.data));
      port.start();
    },
    onClose: (listener) => port.on('close', listener),
    close: () => port.close(),
  };
}

/** Each session gets a fresh MessageChannelMain: one end stays here, the other goes to the app's page. */
const channels: SessionChannels = {
  open() {
    const { port1, port2 } = new MessageChannelMain();
    return { local: mainPortEndpoint(port1), start: (info) => events.startSession(info, port2) };
  },
};

/**
 * The services of main/desktop/create-desktop.ts with their Electron dependencies: the identity in the OS keychain,
 * the trust store and settings under userData, native dialogs, and sessions handed to the renderer over
 * MessagePorts.
 */
async function createServices(): Promise<Omit<Services, 'camera'>> {
  const built = await createDesktop({
    userData: app.getPath('userData'),
    defaultDownloadDir: app.getPath('downloads'),
    deviceName: hostname(),
    keyStore: keychainKeyStore(),
    random: webCryptoRandom,
    clock: wallClock,
    logger,
    events,
    channels,
    pickPaths: async (kind, context) => {
      const contents = webContents.fromId(context.webContentsId);
      const owner = (contents ? BrowserWindow.fromWebContents(contents) : null) ?? mainWindow;
      const properties: ('openFile' | 'openDirectory' | 'multiSelections')[] = kind === 'folder' ? ['openDirectory', 'multiSelections'] : ['openFile', 'multiSelections'];
      const result = owner ? await dialog.showOpenDialog(owner, { properties }) : await dialog.showOpenDialog({ properties });
      return result.canceled ? [] : result.filePaths;
    },
    confirmDropped: async (paths, context) => {
      const contents = webContents.fromId(context.webContentsId);
      const owner = (contents ? BrowserWindow.fromWebContents(contents) : null) ?? mainWindow;
      const listed = paths.slice(0, 8).map((item) => `• ${path.basename(item)}`);
      if (paths.length > listed.length) listed.push(`• and ${paths.length - listed.length} more`);
      const options = {
        type: 'question' as const,
        buttons: ['Send', 'Cancel'],
        defaultId: 0,
        cancelId: 1,
        message: paths.length === 1 ? 'Send this item with Sealdrop?' : `Send these ${paths.length} items with Sealdrop?`,
        detail: `${listed.join('\n')}\n\nFrom ${path.dirname(paths[0] ?? '')}`,
      };
      const result = owner ? await dialog.showMessageBox(owner, options) : await dialog.showMessageBox(options);
      return result.response === 0;
    },
    chooseDirectory: async () => {
      const options = { properties: ['openDirectory' as const, 'createDirectory' as const] };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    openPath: async (target) => {
      const problem = await shell.openPath(target);
      if (problem !== '') logger.warn('shell.open-path-failed', {});
    },
    setLoginItemSettings: (value) => app.setLoginItemSettings(value),
    showNotification: (payload, onAction) => {
      if (!Notification.isSupported()) return;
      const notification = new Notification({
        title: payload.title,
        body: payload.body,
        actions: payload.actions.map((action) => ({ type: 'button' as const, text: action.label })),
        timeoutType: payload.sticky ? 'never' : 'default',
        urgency: payload.sticky ? 'critical' : 'normal',
      });
      // Held until answered or closed: a collected Notification no longer delivers its clicks.
      notifications.get(payload.transferId)?.close();
      notifications.set(payload.transferId, notification);
      const forget = () => {
        if (notifications.get(payload.transferId) === notification) notifications.delete(payload.transferId);
      };
      notification.on('action', (details) => {
        const action = payload.actions[details.actionIndex];
        forget();
        if (action) onAction(action.action);
      });
      notification.on('click', () => {
        forget();
        onAction('open');
      });
      notification.on('close', forget);
      notification.show();
    },
    windowVisible: () => mainWindow !== null && !mainWindow.isDestroyed() && mainWindow.isVisible(),
    showWindow: () => showWindow(),
  });
  desktop = built;
  built.tray.subscribe((state) => {
    updateTrayMenu();
    // A question nobody needs to answer any more (the transfer ended) leaves the screen.
    for (const transfer of state.recent) {
      if (transfer.state === 'waiting' || transfer.state === 'running') continue;
      const notification = notifications.get(transfer.transferId);
      if (notification && notification.actions.length > 0) {
        notification.close();
        notifications.delete(transfer.transferId);
      }
    }
  });
  app.on('before-quit', () => void built.close());
  return built.services;
}

/** Settings the shell itself applies: closing to the tray, start at login. */
function applySettings(settings: SettingsInfo): SettingsInfo {
  keepInTray = settings.receiveInTray;
  app.setLoginItemSettings({ openAtLogin: settings.startAtLogin });
  return settings;
}

/** The services as IPC sees them: the camera window is the shell's own, and settings changes reach the shell. */
function withShell(base: Omit<Services, 'camera'>): Services {
  return {
    identity: base.identity,
    contacts: base.contacts,
    transfer: base.transfer,
    disk: base.disk,
    camera,
    settings: {
      get: (context) => base.settings.get(context),
      set: async (request, context) => applySettings(await base.settings.set(request, context)),
      chooseDownloadDir: (context) => base.settings.chooseDownloadDir(context),
    },
  };
}

function showWindow(): void {
  if (mainWindow === null || mainWindow.isDestroyed()) {
    mainWindow = createMainWindow({
      BrowserWindow,
      preloadPath,
      url: devServerUrl ?? APP_ENTRY_URL,
      isAppUrl,
      devTools: !app.isPackaged,
      onLoadError: (error) => logger.error('window.load-failed', { error: error instanceof Error ? error.message : 'unknown' }),
    });
    mainWindow.on('close', (event) => {
      if (!quitting && keepInTray) {
        event.preventDefault();
        mainWindow?.hide();
      }
    });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** What a tray menu item does (tray-model.ts decides the items; this only maps actions to the shell). */
function runTrayAction(action: TrayAction): void {
  switch (action.type) {
    case 'toggle-receiving':
      desktop?.receiving.set(!desktop.receiving.get());
      return;
    case 'open':
    case 'show-transfer':
      showWindow();
      return;
    case 'quit':
      app.quit();
      return;
  }
}

function updateTrayMenu(): void {
  if (tray === null || desktop === null) return;
  const state = desktop.tray.state();
  tray.setToolTip(trayTooltip(state));
  tray.setContextMenu(
    Menu.buildFromTemplate(
      trayMenu(state).map((item): MenuItemConstructorOptions => {
        switch (item.kind) {
          case 'separator':
            return { type: 'separator' };
          case 'label':
            return { label: item.label, enabled: false };
          case 'checkbox':
            return { label: item.label, type: 'checkbox', checked: item.checked, click: () => runTrayAction(item.action) };
          case 'action':
            return { label: item.label, click: () => runTrayAction(item.action) };
        }
      }),
    ),
  );
}

const events = createRendererEvents(() => mainWindow?.webContents ?? null, isAppUrl);

registerAppScheme(protocol);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  // Every webContents, not only the ones created here, gets the navigation and window-open policy.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { isAppUrl }));
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    if (!keepInTray) app.quit();
  });
  app.on('activate', () => showWindow());

  app
    .whenReady()
    .then(async () => {
      registerAppProtocol(protocol, { rootDir: rendererDir });
      permissionPolicy(session.defaultSession, { cameraAllowed: () => Date.now() < cameraUntil, isAppUrl });
      const services = withShell(await createServices());
      registerIpc(ipcMain, services, { isTrustedSender: (event) => isTrustedSender(event, isAppUrl), logger });

      const settings = await Promise.resolve()
        .then(() => services.settings.get({ webContentsId: -1 }))
        .catch(() => null);
      if (settings !== null) applySettings(settings);

      // electron-builder copies assets/tray.png to resources/ (extraResources); in development it is read in place.
      const trayIconPath = app.isPackaged
        ? path.join(process.resourcesPath, 'tray.png')
        : path.join(app.getAppPath(), 'assets', 'tray.png');
      const trayIcon = nativeImage.createFromPath(trayIconPath);
      if (trayIcon.isEmpty()) logger.warn('tray.icon-missing', { file: 'tray.png' });
      tray = new Tray(trayIcon);
      tray.on('click', () => showWindow());
      updateTrayMenu();
      showWindow();
    })
    .catch((error: unknown) => {
      logger.error('app.start-failed', { error: error instanceof Error ? error.message : 'unknown' });
      app.exit(1);
    });
}
