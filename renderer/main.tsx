/**
 * Renderer entry. Connects to the preload API once; if it is missing (the page opened outside the app) the page
 * says so instead of rendering screens with nothing behind them.
 */

import Alert from '@mui/material/Alert';
import CssBaseline from '@mui/material/CssBaseline';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiContext, connectApi, type SealdropApi } from './api';
import { App } from './app';
import { AnnouncerProvider } from './components/announcer';
import { LiveDataProvider } from './data/live-data';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');

let api: SealdropApi | null = null;
try {
  api = connectApi();
} catch {
  api = null;
}

createRoot(container).render(
  <StrictMode>
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
  </StrictMode>,
);
