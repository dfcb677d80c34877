/**
 * Text that main shows outside the renderer — tray menu labels, OS notifications — built from values another
 * device chose (display names, file names). Those are self-asserted (docs/PROTOCOL.md §12.7), and the offer names
 * reach main from the renderer's report, so they are cleaned here once more instead of trusting every upstream
 * check: control and bidi characters removed (a U+202E can make "txt.exe" display as "exe.txt"), whitespace
 * collapsed, and length bounded, so one long name cannot push the security state off a notification.
 */

// C0/C1 controls, bidi embeddings/overrides/isolates/marks, zero-width characters, line/paragraph separators, BOM.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

/** `text` without invisible or reordering characters, whitespace collapsed, at most `max` characters (with "…"). */
export function displayText(text: string, max: number): string {
  const clean = text.replace(INVISIBLE, '').replace(/\s+/gu, ' ').trim();
  const chars = Array.from(clean); // code points, so a surrogate pair is never cut in half
  return chars.length <= max ? clean : `${chars.slice(0, Math.max(1, max - 1)).join('').trimEnd()}…`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** "0 B", "999 B", "1.5 KB", "12 MB": decimal units, one decimal below 10. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]!}`;
}

/** "1 file", "3 files", "2 files, 1 folder". */
export function formatCounts(files: number, directories: number): string {
  const parts = [`${files} ${files === 1 ? 'file' : 'files'}`];
  if (directories > 0) parts.push(`${directories} ${directories === 1 ? 'folder' : 'folders'}`);
  return parts.join(', ');
}
