/**
 * What the user has picked or dropped and not sent yet. Held above the screens so a drop on any screen lands here
 * and survives a look at another screen before sending.
 */

import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import type { PickedItem, SendItem } from '../../api';

/** A staged item: a dropped File (folders told apart at drop time) or an item picked in main's dialog. */
export type DraftItem =
  | { readonly kind: 'dropped'; readonly file: File; readonly isDirectory: boolean }
  | { readonly kind: 'picked'; readonly item: PickedItem };

export type StagedItem = DraftItem & { readonly key: string };

export interface SendDraft {
  readonly items: readonly StagedItem[];
  /** Adds items, skipping ones already staged. Returns how many were new. */
  readonly add: (items: readonly DraftItem[]) => number;
  readonly remove: (key: string) => void;
  readonly clear: () => void;
}

export function itemName(item: DraftItem): string {
  return item.kind === 'dropped' ? item.file.name : item.item.name;
}

export function isFolder(item: DraftItem): boolean {
  return item.kind === 'dropped' ? item.isDirectory : item.item.kind === 'directory';
}

/** Size in bytes, or null for a folder (counted by main when it builds the manifest). */
export function itemSize(item: DraftItem): number | null {
  if (isFolder(item)) return null;
  return item.kind === 'dropped' ? item.file.size : item.item.size;
}

export function toSendItem(item: DraftItem): SendItem {
  return item.kind === 'dropped' ? { kind: 'dropped', file: item.file } : { kind: 'picked', item: item.item };
}

function identityOf(item: DraftItem): string {
  // Picked ids are unique per pick, so the same file picked twice is caught by name, kind and size instead.
  return `${isFolder(item) ? 'd' : 'f'}:${itemName(item)}:${itemSize(item) ?? ''}:${item.kind === 'dropped' ? item.file.lastModified : ''}`;
}

const SendDraftContext = createContext<SendDraft | null>(null);

export function SendDraftProvider({ children }: { readonly children: ReactNode }) {
  const [items, setItems] = useState<readonly StagedItem[]>([]);
  const counter = useRef(0);
  const add = useCallback(
    (picked: readonly DraftItem[]) => {
      const known = new Set(items.map(identityOf));
      const fresh: StagedItem[] = [];
      for (const item of picked) {
        const id = identityOf(item);
        if (known.has(id)) continue;
        known.add(id);
        fresh.push({ ...item, key: String(counter.current++) });
      }
      if (fresh.length > 0) setItems((current) => [...current, ...fresh]);
      return fresh.length;
    },
    [items],
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
