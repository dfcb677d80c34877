/**
 * Serves the BUILT renderer (out/renderer, `npx vite build --config renderer/vite.config.ts`) on 127.0.0.1 the way
 * the app serves it on app://sealdrop/.
 *
 * Stands in for: Electron's `protocol.handle('app', …)`. What is real: the request handler itself,
 * `createAppRequestHandler` from main/app/security.ts — the same path checks, MIME types, security headers, the
 * Content-Security-Policy of every response, and the per-response CSP nonce that replaces SEALDROP_CSP_NONCE in
 * index.html and appears in the document's style-src. Only the scheme differs: each http request path is handed to
 * the handler as the app:// URL it would have had. A loopback http origin is a secure context (W3C Secure Contexts
 * §3.2), so WebCrypto and createImageBitmap behave as under app://.
 */

import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { APP_ORIGIN, createAppRequestHandler } from '../../../main/app/security';

export const RENDERER_DIR = resolve(import.meta.dirname, '../../../out/renderer');

export interface RendererServer {
  readonly origin: string;
  close(): Promise<void>;
}

/** @throws Error when the renderer has not been built. */
export async function serveRenderer(rootDir: string = RENDERER_DIR): Promise<RendererServer> {
  if (!existsSync(join(rootDir, 'index.html'))) {
    throw new Error(`${rootDir}/index.html is missing: run npx vite build --config renderer/vite.config.ts`);
  }
  const handle = createAppRequestHandler({ rootDir });
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    handle({ url: `${APP_ORIGIN}${path}`, method: request.method ?? 'GET' })
      .then(async (answer) => {
        const body = Buffer.from(await answer.arrayBuffer());
        response.writeHead(answer.status, Object.fromEntries(answer.headers.entries()));
        response.end(request.method === 'HEAD' ? undefined : body);
      })
      .catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((ready, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', ready);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  };
}
