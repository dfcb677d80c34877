/**
 * The renderer's view of main's state, loaded once and kept live by the API's `on…` events.
 *
 * Every screen reads from here, so every screen shows the same data and the app subscribes to each event once.
 * Ordering: each subscription is made BEFORE the initial `list()`/`get()`, so nothing that happens while the first
 * load is in flight is lost. Snapshot events (contacts, offers, settings) replace the whole value, so once one has
 * arrived a late initial load is stale and is dropped; transfer updates are per transfer and merged by `updatedAt`,
 * so the newer record wins whichever arrived first.
 */

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  toApiError,
  useApi,
  type ApiError,
  type ContactView,
  type IdentityView,
  type OfferView,
  type Settings,
  type TransferView,
  type Unsubscribe,
} from '../api';

export type Loadable<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly value: T }
  | { readonly status: 'error'; readonly error: ApiError };

export interface LiveData {
  readonly identity: Loadable<IdentityView>;
  readonly contacts: Loadable<readonly ContactView[]>;
  readonly offers: Loadable<readonly OfferView[]>;
  /** Newest first. */
  readonly transfers: Loadable<readonly TransferView[]>;
  readonly settings: Loadable<Settings>;
  /** Replace the settings with what `settings.update` returned, without waiting for the change event. */
  readonly applySettings: (settings: Settings) => void;
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

function mergeTransfer(map: ReadonlyMap<string, TransferView>, next: TransferView): Map<string, TransferView> {
  const current = map.get(next.id);
  const merged = new Map(map);
  if (!current || current.updatedAt <= next.updatedAt) merged.set(next.id, next);
  return merged;
}

function useTransfers(generation: number): Loadable<readonly TransferView[]> {
  const api = useApi();
  const [byId, setById] = useState<ReadonlyMap<string, TransferView>>(new Map());
  const [status, setStatus] = useState<Loadable<true>>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    setStatus({ status: 'loading' });
    const unsubscribe = api.transfer.onUpdate((transfer) => {
      if (live) setById((map) => mergeTransfer(map, transfer));
    });
    api.transfer.list().then(
      (list) => {
        if (!live) return;
        setById((map) => list.reduce<ReadonlyMap<string, TransferView>>(mergeTransfer, map));
        setStatus({ status: 'ready', value: true });
      },
      (error: unknown) => {
        if (live) setStatus({ status: 'error', error: toApiError(error) });
      },
    );
    return () => {
      live = false;
      unsubscribe();
    };
  }, [api, generation]);
  return useMemo(() => {
    if (status.status !== 'ready') return status;
    const value = [...byId.values()].sort((a, b) => b.startedAt - a.startedAt);
    return { status: 'ready', value };
  }, [byId, status]);
}

export function LiveDataProvider({ children }: { readonly children: ReactNode }) {
  const api = useApi();
  const [generation, setGeneration] = useState(0);
  const [identity] = useSnapshot(() => api.identity.get(), null, generation);
  const [contacts] = useSnapshot(() => api.contacts.list(), (h) => api.contacts.onChanged(h), generation);
  const [offers] = useSnapshot(() => api.offers.list(), (h) => api.offers.onChanged(h), generation);
  const [settings, applySettings] = useSnapshot(
    () => api.settings.get(),
    (h) => api.settings.onChanged(h),
    generation,
  );
  const transfers = useTransfers(generation);
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
