/**
 * Permission requests and checks, on a fake session that records the handlers permissionPolicy installs: every
 * permission is denied, except the camera — video only, from the app's main frame, while a user-started QR scan is
 * active — and write-only sanitized clipboard from the app's main frame.
 */

import type { WebContents } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { permissionPolicy } from '../../main/app/security';

type RequestHandler = (contents: WebContents, permission: string, callback: (granted: boolean) => void, details: object) => void;
type CheckHandler = (contents: WebContents | null, permission: string, origin: string, details: object) => boolean;

const APP = 'app://sealdrop/index.html';
const PERMISSIONS = [
  'media', 'display-capture', 'geolocation', 'notifications', 'midi', 'midiSysex', 'pointerLock', 'fullscreen', 'openExternal',
  'clipboard-read', 'hid', 'serial', 'usb', 'idle-detection', 'fileSystem', 'window-management', 'local-fonts', 'storage-access',
  'speaker-selection', 'keyboardLock', 'unknown',
];

function install(cameraOn: boolean) {
  let requestHandler: RequestHandler | null = null;
  let checkHandler: CheckHandler | null = null;
  let deviceHandler: ((details: object) => boolean) | null = null;
  const session = {
    setPermissionRequestHandler: vi.fn((handler: RequestHandler) => (requestHandler = handler)),
    setPermissionCheckHandler: vi.fn((handler: CheckHandler) => (checkHandler = handler)),
    setDevicePermissionHandler: vi.fn((handler: (details: object) => boolean) => (deviceHandler = handler)),
  };
  const camera = { on: cameraOn };
  permissionPolicy(session, { cameraAllowed: () => camera.on });
  expect(session.setPermissionRequestHandler).toHaveBeenCalledTimes(1);
  expect(session.setPermissionCheckHandler).toHaveBeenCalledTimes(1);
  expect(session.setDevicePermissionHandler).toHaveBeenCalledTimes(1);
  const contents = (url: string) => ({ getURL: () => url }) as unknown as WebContents;
  return {
    camera,
    request(permission: string, details: object, pageUrl = APP): boolean {
      const callback = vi.fn();
      requestHandler!(contents(pageUrl), permission, callback, details);
      expect(callback).toHaveBeenCalledTimes(1);
      return callback.mock.calls[0]![0] as boolean;
    },
    check(permission: string, origin: string, details: object): boolean {
      return checkHandler!(contents(APP), permission, origin, details);
    },
    device: (details: object) => deviceHandler!(details),
  };
}

const cameraRequest = { isMainFrame: true, requestingUrl: APP, mediaTypes: ['video'], securityOrigin: 'app://sealdrop' };

describe('permission requests', () => {
  it('grants the camera for the QR scan: video only, app main frame, while the scan is active', () => {
    const policy = install(true);
    expect(policy.request('media', cameraRequest)).toBe(true);
  });

  it('denies the camera when no scan is active, and after it ends', () => {
    const policy = install(false);
    expect(policy.request('media', cameraRequest)).toBe(false);
    policy.camera.on = true;
    expect(policy.request('media', cameraRequest)).toBe(true);
    policy.camera.on = false;
    expect(policy.request('media', cameraRequest)).toBe(false);
  });

  it('denies the microphone, and camera with microphone, even during a scan', () => {
    const policy = install(true);
    for (const mediaTypes of [['audio'], ['video', 'audio'], ['audio', 'video'], ['video', 'video'], [], undefined]) {
      expect(policy.request('media', { ...cameraRequest, mediaTypes }), JSON.stringify(mediaTypes)).toBe(false);
    }
  });

  it('denies the camera to a subframe, another origin, or a page that is not the app', () => {
    const policy = install(true);
    expect(policy.request('media', { ...cameraRequest, isMainFrame: false })).toBe(false);
    expect(policy.request('media', { ...cameraRequest, requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(policy.request('media', { ...cameraRequest, requestingUrl: 'app://evil/index.html' })).toBe(false);
    expect(policy.request('media', cameraRequest, 'https://evil.example/')).toBe(false);
  });

  it('denies every other permission, scan or not', () => {
    for (const cameraOn of [false, true]) {
      const policy = install(cameraOn);
      for (const permission of PERMISSIONS.filter((p) => p !== 'media')) {
        expect(policy.request(permission, { isMainFrame: true, requestingUrl: APP, mediaTypes: ['video'] }), permission).toBe(false);
      }
    }
  });

  it('allows writing (never reading) the clipboard from the app, to copy a link', () => {
    const policy = install(false);
    expect(policy.request('clipboard-sanitized-write', { isMainFrame: true, requestingUrl: APP })).toBe(true);
    expect(policy.request('clipboard-sanitized-write', { isMainFrame: true, requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(policy.request('clipboard-read', { isMainFrame: true, requestingUrl: APP })).toBe(false);
  });
});

describe('permission checks', () => {
  it('answer yes only for the app main frame video check during a scan', () => {
    const policy = install(true);
    const details = { isMainFrame: true, requestingUrl: APP, mediaType: 'video', securityOrigin: 'app://sealdrop' };
    expect(policy.check('media', 'app://sealdrop', details)).toBe(true);
    expect(policy.check('media', 'app://sealdrop', { ...details, mediaType: 'audio' })).toBe(false);
    expect(policy.check('media', 'app://sealdrop', { ...details, mediaType: 'unknown' })).toBe(false);
    expect(policy.check('media', 'app://sealdrop', { ...details, isMainFrame: false })).toBe(false);
    expect(policy.check('media', 'https://evil.example', details)).toBe(false);
    expect(policy.check('media', 'app://sealdrop', { ...details, requestingUrl: 'https://evil.example/' })).toBe(false);
    policy.camera.on = false;
    expect(policy.check('media', 'app://sealdrop', details)).toBe(false);
  });

  it('answer no for everything else', () => {
    const policy = install(true);
    for (const permission of PERMISSIONS.filter((p) => p !== 'media')) {
      expect(policy.check(permission, 'app://sealdrop', { isMainFrame: true, requestingUrl: APP }), permission).toBe(false);
    }
  });

  it('never grant HID, USB or serial devices', () => {
    const policy = install(true);
    for (const deviceType of ['hid', 'usb', 'serial']) expect(policy.device({ deviceType, origin: 'app://sealdrop' })).toBe(false);
  });
});
