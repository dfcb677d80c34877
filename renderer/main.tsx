/**
 * Renderer entry. Connects to the preload API once; if it is missing (the page opened outside the app) the page
 * says so instead of rendering screens with nothing behind them.
 *
 * Styles: main's CSP allows <style> elements only with the per-response nonce (main/app/security.ts, "CSP
 * decision"). Vite writes `<meta property="csp-nonce" nonce="SEALDROP_CSP_NONCE">` (vite.config.ts html.cspNonce),
 * main's protocol handler replaces the placeholder per response, and Emotion — which is how MUI inserts every style —
 * stamps that nonce on its <style> elements. Chromium hides nonce attributes from getAttribute after parsing, so the
 * value is read from the `nonce` property.
 *
 * Sessions: the session runner (session/session-runner.ts) starts here, once, right after the API connects and before
 * anything renders: main may hand over a session as soon as the page has loaded, and a session's MessagePort posted
 * to the window before the runner listens would be lost. It lives for the page, outside React, so StrictMode's
 * double effects and screen changes cannot stop a transfer.
 */

import createCache from '@emotion/cache';
import { CacheProvider } from '@emotion/react';
import Alert from '@mui/material/Alert';
import CssBaseline from '@mui/material/CssBaseline';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiContext, connectApi, type RendererApi } from './api';
import { App } from './app';
import { AnnouncerProvider } from './components/announcer';
import { LiveDataProvider } from './data/live-data';
import { startSessionRunner } from './session/session-runner';
import type { Logger } from '../src/ports/logger';

function styleNonce(): string | undefined {
  const meta = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]');
  const nonce = meta?.nonce || meta?.getAttribute('nonce') || '';
  return nonce === '' ? undefined : nonce;
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');

const nonce = styleNonce();
const cache = createCache(nonce === undefined ? { key: 'sd' } : { key: 'sd', nonce });

// Event names and codes only (src/ports/logger.ts): never keys, secrets or the other side's paths.
const consoleLogger: Logger = {
  debug: () => {},
  info: (event, fields) => console.info(event, fields ?? {}),
  warn: (event, fields) => console.warn(event, fields ?? {}),
  error: (event, fields) => console.error(event, fields ?? {}),
};

let api: RendererApi | null = null;
try {
  api = connectApi();
} catch {
  api = null;
}
if (api) startSessionRunner({ client: api.client, messages: window, logger: consoleLogger });

createRoot(container).render(
  <StrictMode>
    <CacheProvider value={cache}>
      {api ? (
        <ApiContext.Provider value={api}>
          <AnnouncerProvider>
            <LiveDataProvider>
              <App />
            </LiveDataProvider>
          </AnnouncerProvider>
        </ApiContext.Provider>
      ) : (
        <>
          <CssBaseline />
          <Alert severity="error" role="alert" sx={{ m: 4 }}>
            This window is not connected to the Sealdrop app, so it cannot send or receive anything.
          </Alert>
        </>
      )}
    </CacheProvider>
  </StrictMode>,
);
