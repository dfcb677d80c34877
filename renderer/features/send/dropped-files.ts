import type { DraftItem } from './send-draft';

/**
 * The files and folders in a drop. Must run synchronously inside the drop handler: DataTransfer items are only
 * readable during the event. Folders are told apart with webkitGetAsEntry (the File object alone for a folder looks
 * like an empty file of unknown type); the preload turns each File into its path with webUtils.getPathForFile.
 */
export function itemsFromDataTransfer(data: DataTransfer): DraftItem[] {
  const out: DraftItem[] = [];
  const items = Array.from(data.items).filter((item) => item.kind === 'file');
  if (items.length > 0) {
    for (const item of items) {
      const file = item.getAsFile();
      if (!file) continue;
      const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
      out.push({ kind: 'dropped', file, isDirectory: entry?.isDirectory ?? false });
    }
    return out;
  }
  return Array.from(data.files).map((file) => ({ kind: 'dropped', file, isDirectory: false }));
}

/** True when a drag carries files (not text or a link dragged from inside the page). */
export function dragHasFiles(data: DataTransfer | null): boolean {
  return data !== null && Array.from(data.types).includes('Files');
}
