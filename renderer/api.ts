/**
 * The renderer's one door to the main process: `window.sealdrop`, exposed by the preload over contextBridge.
 *
 * Nothing else in renderer/ reads `window.sealdrop`; components get the API from React context (`useApi`), so a
 * component test or the dev harness can hand in another implementation of the same interface. This module adds two
 * things to the raw bridge and nothing else:
 *   - rejected calls become `ApiError` with a stable `code` (the UI explains by code, never by message text), and
 *   - unsubscribe callbacks are safe to call more than once (React effects may clean up twice in development).
 */

import { createContext, useContext } from 'react';
import { ERROR_CODES } from '../src/errors';
import type { SealdropApi, Unsubscribe } from './api-types';

export type * from './api-types';

/** A failed API call. `code` is one of src/errors.ts ERROR_CODES, or 'BRIDGE_UNAVAILABLE' / 'INTERNAL'. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const KNOWN_CODES: readonly string[] = ERROR_CODES;

/**
 * Electron's ipcRenderer.invoke rejects with a plain Error whose message embeds the remote error's text; a `code`
 * property does not survive. So: use `code` when the bridge kept it, else find a known code in the message.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return new ApiError(code, message, { cause: error });
  const found = KNOWN_CODES.find((known) => new RegExp(`\\b${known}\\b`).test(message));
  return new ApiError(found ?? 'INTERNAL', message, { cause: error });
}

function onceOnly(unsubscribe: Unsubscribe): Unsubscribe {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    unsubscribe();
  };
}

// Each namespace is wrapped member by member, by convention: `on…` members subscribe, every other member is a call
// returning a promise. The interface type is restored on the way out; the wrapping preserves every signature.
function wrapNamespace<T extends object>(namespace: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(namespace)) {
    if (typeof member !== 'function') continue;
    const call = member as (...args: unknown[]) => unknown;
    wrapped[name] = /^on[A-Z]/.test(name)
      ? (...args: unknown[]) => onceOnly(call(...args) as Unsubscribe)
      : async (...args: unknown[]) => {
          try {
            return await call(...args);
          } catch (error) {
            throw toApiError(error);
          }
        };
  }
  return wrapped as T;
}

const NAMESPACES = ['identity', 'contacts', 'transfer', 'offers', 'settings'] as const;

/**
 * The API over `source.sealdrop` (the window by default).
 * @throws ApiError BRIDGE_UNAVAILABLE when the preload did not expose it (the page was opened outside the app).
 */
export function connectApi(source: object = window): SealdropApi {
  const bridge: unknown = Reflect.get(source, 'sealdrop');
  if (typeof bridge !== 'object' || bridge === null) {
    throw new ApiError('BRIDGE_UNAVAILABLE', 'window.sealdrop is missing: this page must run inside Sealdrop');
  }
  const api: Record<string, unknown> = {};
  for (const name of NAMESPACES) {
    const namespace: unknown = Reflect.get(bridge, name);
    if (typeof namespace !== 'object' || namespace === null) {
      throw new ApiError('BRIDGE_UNAVAILABLE', `window.sealdrop.${name} is missing`);
    }
    api[name] = wrapNamespace(namespace);
  }
  return api as unknown as SealdropApi;
}

export const ApiContext = createContext<SealdropApi | null>(null);

/** The API for this render tree. */
export function useApi(): SealdropApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiContext.Provider>');
  return api;
}
