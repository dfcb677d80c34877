// electron-builder afterSign hook: notarise the signed macOS app with Apple's notary service.
//
// Runs only for macOS builds, and only when all of APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD and APPLE_TEAM_ID are set;
// otherwise it logs why it skipped, so unsigned local and CI builds still complete. electron-builder's built-in
// notarisation is switched off in electron-builder.yml (mac.notarize: false), so this is the only place it happens.
// The credentials are read from the environment and passed to @electron/notarize; they are never logged.

'use strict';

const path = require('node:path');

const REQUIRED = ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID'];

/** @param {{ electronPlatformName: string, appOutDir: string, packager: { appInfo: { productFilename: string } } }} context */
async function notarizeApp(context, env = process.env, log = console.log) {
  if (context.electronPlatformName !== 'darwin') return 'not-macos';
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) {
    log(`[notarize] skipped: ${missing.join(', ')} not set`);
    return 'skipped';
  }
  const { notarize } = require('@electron/notarize');
  const appPath = path.join(context.appOutDir, `${context.packager.appInfo.productFilename}.app`);
  log(`[notarize] submitting ${path.basename(appPath)} to Apple's notary service`);
  await notarize({
    appPath,
    appleId: env.APPLE_ID,
    appleIdPassword: env.APPLE_APP_SPECIFIC_PASSWORD,
    teamId: env.APPLE_TEAM_ID,
  });
  log('[notarize] done');
  return 'notarized';
}

module.exports = notarizeApp;
module.exports.default = notarizeApp;
