/**
 * electron-builder.yml, offline: loaded with electron-builder's own config loader (the YAML parser it uses when it
 * packages), validated with its own schema validation (`validateConfiguration`, scheme.json), and asserted on what
 * security depends on: every Electron fuse set explicitly — checked against the fuse list of the installed
 * @electron/fuses through electron-builder's own fuse mapping, so a fuse added by an upgrade fails here — native
 * modules unpacked from the asar, hardened runtime with minimal entitlements, and a notarisation hook that skips
 * cleanly without Apple credentials. No network, no Electron binary.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
// Resolve electron-builder's own copies of its libraries, whatever npm hoisted.
const requireHere = createRequire(import.meta.url);
const requireFromBuilder = createRequire(requireHere.resolve('electron-builder'));
const requireFromLib = createRequire(requireFromBuilder.resolve('app-builder-lib'));

interface BuilderConfig {
  appId?: string;
  productName?: string;
  asar?: boolean;
  asarUnpack?: string[];
  files?: (string | { filter: string[] })[];
  electronFuses?: Record<string, boolean>;
  afterSign?: string;
  linux?: { target?: string[]; category?: string; maintainer?: string };
  mac?: { target?: string[]; hardenedRuntime?: boolean; entitlements?: string; entitlementsInherit?: string; notarize?: boolean; extendInfo?: Record<string, string> };
  win?: { target?: string[] };
  [key: string]: unknown;
}

const configModule = requireFromBuilder('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>;
};
const { DebugLogger } = requireFromLib('builder-util') as { DebugLogger: new (enabled?: boolean) => unknown };
// Through the package entry: loading platformPackager on its own trips over a circular import in app-builder-lib.
const { PlatformPackager } = requireFromBuilder('app-builder-lib') as {
  PlatformPackager: { prototype: { generateFuseConfig(fuses: Record<string, boolean>): Promise<Record<string, unknown>> } };
};
const { FuseV1Options } = requireFromLib('@electron/fuses') as { FuseV1Options: Record<string, string | number> };

let config: BuilderConfig;

beforeAll(async () => {
  config = await configModule.getConfig(root, path.join(root, 'electron-builder.yml'), null);
});

const EXPECTED_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema validation", async () => {
    await expect(configModule.validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('would fail that validation with a misspelt fuse (the validator really checks)', async () => {
    const broken = { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } };
    await expect(configModule.validateConfiguration(broken, new DebugLogger(false))).rejects.toThrow(/configuration\.electronFuses/);
  });

  it('names the app', () => {
    expect(config.appId).toBe('org.sealdrop.app');
    expect(config.productName).toBe('Sealdrop');
  });

  it('sets every fuse explicitly, to the secure value', () => {
    expect(config.electronFuses).toEqual(EXPECTED_FUSES);
  });

  it("covers every fuse the installed @electron/fuses knows, through electron-builder's own mapping", async () => {
    const fuseWire = await PlatformPackager.prototype.generateFuseConfig.call({}, config.electronFuses!);
    const allFuses = Object.values(FuseV1Options).filter((value): value is number => typeof value === 'number');
    expect(allFuses.length).toBeGreaterThanOrEqual(8);
    for (const fuse of allFuses) {
      expect(fuseWire[fuse], `fuse ${FuseV1Options[fuse]} is set`).toBeTypeOf('boolean');
    }
    expect(fuseWire[FuseV1Options['RunAsNode'] as number]).toBe(false);
    expect(fuseWire[FuseV1Options['EnableNodeOptionsEnvironmentVariable'] as number]).toBe(false);
    expect(fuseWire[FuseV1Options['EnableNodeCliInspectArguments'] as number]).toBe(false);
    expect(fuseWire[FuseV1Options['OnlyLoadAppFromAsar'] as number]).toBe(true);
    expect(fuseWire[FuseV1Options['GrantFileProtocolExtraPrivileges'] as number]).toBe(false);
  });

  it('packs the app into an asar and unpacks the native modules', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining(['**/*.node', 'node_modules/node-datachannel/**', 'node_modules/@napi-rs/keyring*/**', 'node_modules/bufferutil/**']),
    );
  });

  it('ships only the build output (no sources, no source maps)', () => {
    // The loader normalises a list of patterns into one file set: [{ filter: [...] }].
    const patterns = (config.files ?? []).flatMap((entry) => (typeof entry === 'string' ? [entry] : (entry).filter));
    expect(patterns).toEqual(['out/**', '!out/**/*.map', 'package.json']);
  });

  it('targets AppImage and deb, dmg, and nsis', () => {
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toBe('Network');
    expect(config.linux?.maintainer).toMatch(/\S+ <[^>]+@[^>]+>/);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
  });

  it('signs macOS builds with the hardened runtime and minimal entitlements', () => {
    expect(config.mac?.hardenedRuntime).toBe(true);
    expect(config.mac?.entitlements).toBe('assets/entitlements.mac.plist');
    expect(config.mac?.entitlementsInherit).toBe('assets/entitlements.mac.plist');
    expect(config.mac?.extendInfo?.['NSCameraUsageDescription']).toMatch(/camera/i);
    const plist = readFileSync(path.join(root, config.mac!.entitlements!), 'utf8');
    const granted = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((match) => match[1]);
    expect(granted.sort()).toEqual(['com.apple.security.cs.allow-jit', 'com.apple.security.device.camera']);
  });
});

describe('the notarisation hook', () => {
  type Hook = ((context: object, env?: Record<string, string | undefined>, log?: (line: string) => void) => Promise<string>) & {
    default: unknown;
  };

  it('is the afterSign hook, and notarises in one place only', () => {
    expect(config.afterSign).toBe('scripts/notarize.cjs');
    expect(existsSync(path.join(root, config.afterSign!))).toBe(true);
    expect(config.mac?.notarize).toBe(false);
  });

  it('does nothing for other platforms, and skips with a message without Apple credentials', async () => {
    const hook = requireHere(path.join(root, 'scripts', 'notarize.cjs')) as Hook;
    expect(hook.default).toBe(hook);
    const context = { electronPlatformName: 'darwin', appOutDir: '/tmp/out', packager: { appInfo: { productFilename: 'Sealdrop' } } };
    const log = vi.fn();
    expect(await hook({ ...context, electronPlatformName: 'linux' }, {}, log)).toBe('not-macos');
    expect(await hook(context, {}, log)).toBe('skipped');
    expect(await hook(context, { APPLE_ID: 'a@example.org', APPLE_TEAM_ID: 'T' }, log)).toBe('skipped');
    expect(log.mock.calls.flat().join('\n')).toMatch(/APPLE_APP_SPECIFIC_PASSWORD/);
    expect(log.mock.calls.flat().join('\n')).not.toContain('a@example.org');
  });
});
