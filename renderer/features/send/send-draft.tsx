/**
 * What the user has picked or dropped and not sent yet. Held above the screens so a drop on any screen lands here
 * and survives a look at another screen before sending.
 */

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export interface StagedItem {
  /** Stable within this draft; React key and removal handle. */
  readonly key: string;
  readonly file: File;
  /** A dropped folder (the preload resolves its path; main walks it). */
  readonly isDirectory: boolean;
}

export interface PickedItem {
  readonly file: File;
  readonly isDirectory: boolean;
}

export interface SendDraft {
  readonly items: readonly StagedItem[];
  /** Adds items, skipping ones already staged (same name, size and modification time). Returns how many were new. */
  readonly add: (items: readonly PickedItem[]) => number;
  readonly remove: (key: string) => void;
  readonly clear: () => void;
}

const SendDraftContext = createContext<SendDraft | null>(null);

function identityOf(item: PickedItem): string {
  return `${item.isDirectory ? 'd' : 'f'}:${item.file.name}:${item.file.size}:${item.file.lastModified}`;
}

export function SendDraftProvider({ children }: { readonly children: ReactNode }) {
  const [items, setItems] = useState<readonly StagedItem[]>([]);
  const [counter, setCounter] = useState(0);
  const add = useCallback(
    (picked: readonly PickedItem[]) => {
      const known = new Set(items.map(identityOf));
      const fresh = picked.filter((item) => {
        const id = identityOf(item);
        if (known.has(id)) return false;
        known.add(id);
        return true;
      });
      if (fresh.length === 0) return 0;
      setItems((current) => [...current, ...fresh.map((item, i) => ({ ...item, key: `${counter + i}` }))]);
      setCounter((n) => n + fresh.length);
      return fresh.length;
    },
    [items, counter],
  );
  const remove = useCallback((key: string) => setItems((current) => current.filter((item) => item.key !== key)), []);
  const clear = useCallback(() => setItems([]), []);
  const value = useMemo(() => ({ items, add, remove, clear }), [items, add, remove, clear]);
  return <SendDraftContext.Provider value={value}>{children}</SendDraftContext.Provider>;
}

export function useSendDraft(): SendDraft {
  const draft = useContext(SendDraftContext);
  if (!draft) throw new Error('useSendDraft outside <SendDraftProvider>');
  return draft;
}
