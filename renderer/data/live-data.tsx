/**
 * The renderer's view of main's state, loaded once and kept live by the API's events.
 *
 * Every screen reads from here, so every screen shows the same data and the app subscribes to each event once.
 * Contacts: the subscription is made BEFORE the initial `list()`, so a change during the first load is not lost;
 * once a change event has arrived, a late initial load is stale and dropped. Settings have no change event (only
 * this window changes them), so `applySettings` takes what `settings.set` returned. Transfers and offers live in
 * the API's tracker and are read with useSyncExternalStore.
 */

import { createContext, useCallback, useContext, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import {
  toApiError,
  useApi,
  type ApiError,
  type ContactInfo,
  type IdentityInfo,
  type OfferView,
  type SettingsInfo,
  type TransferView,
  type Unsubscribe,
} from '../api';

export type Loadable<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly value: T }
  | { readonly status: 'error'; readonly error: ApiError };

export interface LiveData {
  readonly identity: Loadable<IdentityInfo>;
  readonly contacts: Loadable<readonly ContactInfo[]>;
  /** Oldest first. */
  readonly offers: readonly OfferView[];
  /** Newest first. */
  readonly transfers: readonly TransferView[];
  readonly settings: Loadable<SettingsInfo>;
  /** Replace the settings with what `settings.set` / `settings.chooseDownloadDir` returned. */
  readonly applySettings: (settings: SettingsInfo) => void;
  /** Load everything again (after an error). */
  readonly reload: () => void;
}

const LiveDataContext = createContext<LiveData | null>(null);

/** A snapshot resource: an initial load plus an event that delivers the whole new value. */
function useSnapshot<T>(
  load: () => Promise<T>,
  subscribe: ((handler: (value: T) => void) => Unsubscribe) | null,
  generation: number,
): [Loadable<T>, (value: T) => void] {
  const [state, setState] = useState<Loadable<T>>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    let eventSeen = false;
    setState({ status: 'loading' });
    const unsubscribe = subscribe?.((value) => {
      eventSeen = true;
      if (live) setState({ status: 'ready', value });
    });
    load().then(
      (value) => {
        if (live && !eventSeen) setState({ status: 'ready', value });
      },
      (error: unknown) => {
        if (live && !eventSeen) setState({ status: 'error', error: toApiError(error) });
      },
    );
    return () => {
      live = false;
      unsubscribe?.();
    };
    // load/subscribe close over the one API object, which never changes; generation is the reload trigger.
  }, [generation]);
  const set = useCallback((value: T) => setState({ status: 'ready', value }), []);
  return [state, set];
}

export function LiveDataProvider({ children }: { readonly children: ReactNode }) {
  const api = useApi();
  const [generation, setGeneration] = useState(0);
  const [identity] = useSnapshot(() => api.identity.get(), null, generation);
  const [contacts] = useSnapshot(() => api.contacts.list(), (h) => api.contacts.onChanged(h), generation);
  const [settings, applySettings] = useSnapshot(() => api.settings.get(), null, generation);
  const transfers = useSyncExternalStore(api.transfer.onChanged, api.transfer.list);
  const offers = useSyncExternalStore(api.offers.onChanged, api.offers.list);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const value = useMemo<LiveData>(
    () => ({ identity, contacts, offers, transfers, settings, applySettings, reload }),
    [identity, contacts, offers, transfers, settings, applySettings, reload],
  );
  return <LiveDataContext.Provider value={value}>{children}</LiveDataContext.Provider>;
}

export function useLiveData(): LiveData {
  const data = useContext(LiveDataContext);
  if (!data) throw new Error('useLiveData outside <LiveDataProvider>');
  return data;
}

/** The value when ready, else `fallback` (for badges and pickers that render something while loading). */
export function valueOr<T>(loadable: Loadable<T>, fallback: T): T {
  return loadable.status === 'ready' ? loadable.value : fallback;
}
