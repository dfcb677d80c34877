/**
 * Strict validation of a manifest received from a possibly hostile sender.
 *
 * Purpose: after `validateManifest` returns, every path is a relative, NFC-normalised, '/'-separated name that means
 * the same thing on Linux, macOS and Windows, no two entries can land on the same file on a case-insensitive or
 * normalisation-insensitive disk, no entry sits under a file, and the sizes add up to something a disk could hold.
 * Each broken rule has its own stable code, so tests (and users) can tell which trick a sender tried.
 *
 * Trust assumptions: the sender is untrusted and chooses every byte; a field may be any value a decoder can
 * produce, and an in-process caller may hand in any JavaScript value. Nothing here looks at the receiver's disk:
 * names already present there, symlinks planted earlier, and NTFS 8.3 short names (`LONGFI~1.TXT`) are left to the
 * file sink, which must create with exclusive create and never follow links.
 *
 * Wire layout: none; this module checks decoded values. The encoding is in `codec.ts`.
 *
 * Path rules, checked in this order; the first rule a path breaks decides the code:
 *   1. non-empty                                                        MANIFEST_EMPTY_PATH
 *   2. at most `maxPathBytes` UTF-8 bytes                               MANIFEST_PATH_TOO_LONG
 *   3. no lone surrogates, and already NFC (`normalize('NFC')` is the identity), so two spellings of one name
 *      cannot both appear; the sender's `buildManifest` normalises, receivers only check   BAD_ENCODING
 *   4. relative: no leading '/' or '\', no drive prefix `C:` (which also covers `C:foo`); UNC `\\server` and the
 *      device namespaces `\\?\`, `\\.\` start with '\'                                       MANIFEST_ABSOLUTE_PATH
 *   5. no segment '.' or '..'                                           MANIFEST_TRAVERSAL
 *   6. no empty segment ('a//b', trailing '/'); '/' is the only separator   MANIFEST_EMPTY_SEGMENT
 *   7. no U+0000–U+001F or U+007F–U+009F                                MANIFEST_CONTROL_CHARACTER
 *   8. none of Windows' `< > : " | ? * \` (':' also stops NTFS alternate streams `a:b`), and none of the bidi
 *      embeddings/overrides/isolates U+202A–U+202E, U+2066–U+2069 that make `evil\u202Etxt.exe` display as
 *      `evilexe.txt`                                                    MANIFEST_RESERVED_CHARACTER
 *   9. each segment at most `maxSegmentBytes` UTF-8 bytes               MANIFEST_SEGMENT_TOO_LONG
 *  10. no Windows device name: CON PRN AUX NUL COM0–9 COM¹²³ LPT0–9 LPT¹²³, in any case, with or without an
 *      extension (`nul.tar.gz`) and with spaces before the dot (`CON .txt`). We add CONIN$ and CONOUT$, which
 *      Win32 `CreateFile` also opens as the console; no honest transfer needs them.   MANIFEST_RESERVED_NAME
 *  11. no segment ending in '.' or ' ': Windows strips them, so `.. ` would become `..` and `a.` would become `a`
 *                                                                       MANIFEST_TRAILING_DOT_OR_SPACE
 * Fullwidth look-alikes such as U+FF0E '．' stay legal names: they only turn into ASCII through Windows' "best fit"
 * ANSI conversion, and the receiver's file APIs (Node/libuv, Electron) use the UTF-16 `W` functions throughout.
 *
 * Manifest rules, in order: entry count (MANIFEST_TOO_MANY_ENTRIES); then per entry, in index order: kind
 * (MANIFEST_BAD_KIND), path, size (MANIFEST_BAD_SIZE), hash (MANIFEST_BAD_HASH), running total
 * (MANIFEST_TOTAL_TOO_LARGE); then across entries: MANIFEST_DUPLICATE_PATH, then MANIFEST_PARENT_IS_FILE.
 *
 * Name folding for duplicates and parents. Disks disagree on which names are equal: NTFS upcases each UTF-16 unit
 * through a 1:1 table, APFS and ext4-casefold use Unicode case folding with normalisation, HFS+ decomposes and also
 * ignores a few invisible code points. JavaScript has no case-fold function, so each segment gets three keys,
 *     lower = NFC(s.toLowerCase()),  upper = NFC(s.toUpperCase()),  folded = NFC(s.toUpperCase().toLowerCase()),
 * after deleting HFS+'s ignorable code points (Apple TN1150; U+200C–U+200F, U+202A–U+202E, U+206A–U+206F, U+FEFF;
 * the git CVE-2014-9390 class), and two paths clash if any one of their keys is equal. This is deliberately
 * over-inclusive: `straße` and `STRASSE` clash (through `upper`), so do `ς`, `σ` and `Σ`, and `ſ` and `s`.
 * Refusing a rare honest pair costs a rename; accepting a real clash lets one entry overwrite another. Folding acts
 * per segment (see `foldKey`).
 */

import { fail } from '../errors';
import { MANIFEST_LIMITS, type Manifest } from './manifest';

const WINDOWS_DEVICE_NAMES: ReadonlySet<string> = new Set([
  'CON', 'PRN', 'AUX', 'NUL', 'CONIN$', 'CONOUT$',
  ...[...'0123456789¹²³'].flatMap((digit) => [`COM${digit}`, `LPT${digit}`]),
]);
const SHORTEST_DEVICE_NAME = 3; // CON
const LONGEST_DEVICE_NAME = 7; // CONOUT$

/** `< > : " | ? * \` and the bidi controls that reorder how a name is displayed. */
function isReservedCodeUnit(c: number): boolean {
  return (
    c === 0x3c || c === 0x3e || c === 0x3a || c === 0x22 || c === 0x7c || c === 0x3f || c === 0x2a || c === 0x5c ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069)
  );
}

function isControlCodeUnit(c: number): boolean {
  return c <= 0x1f || (c >= 0x7f && c <= 0x9f);
}

const HFS_IGNORABLE = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

const EXCERPT_LENGTH = 24;

/**
 * A short, inert excerpt of a hostile name for an error message: printable ASCII kept, everything else written as
 * `\u{…}`, cut after about 24 characters. Never echo a whole path from the other side.
 */
export function pathExcerpt(text: string): string {
  let out = '';
  for (const char of text) {
    if (out.length >= EXCERPT_LENGTH) return `"${out}..."`;
    const cp = char.codePointAt(0) as number;
    out += cp >= 0x20 && cp < 0x7f && char !== '"' && char !== '\\' ? char : `\\u{${cp.toString(16)}}`;
  }
  return `"${out}"`;
}

/** UTF-8 length without allocating; a lone surrogate counts 3 bytes, as `TextEncoder`'s U+FFFD would. */
function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      n += 4;
      i += 1;
    } else n += 3;
  }
  return n;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff; // NaN past the end is false
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      if (!isLowSurrogate(text.charCodeAt(i + 1))) return true;
      i += 1;
    } else if (isLowSurrogate(c)) {
      return true;
    }
  }
  return false;
}

/** The stem is the text before the first '.', less trailing spaces: `CON .tar.gz` has stem `CON`. */
function isWindowsDeviceName(segment: string): boolean {
  const dot = segment.indexOf('.');
  let end = dot < 0 ? segment.length : dot;
  while (end > 0 && segment.charCodeAt(end - 1) === 0x20) end -= 1;
  if (end < SHORTEST_DEVICE_NAME || end > LONGEST_DEVICE_NAME) return false;
  return WINDOWS_DEVICE_NAMES.has(segment.slice(0, end).toUpperCase());
}

function hex(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The path rules. `where` prefixes messages ("path", "entry 12"). */
function checkPath(path: unknown, where: string): void {
  if (typeof path !== 'string') fail('BAD_INPUT', `${where}: path is not a string`);
  if (path.length === 0) fail('MANIFEST_EMPTY_PATH', `${where}: path is empty`);

  const max = MANIFEST_LIMITS.maxPathBytes;
  // A string has at most as many UTF-16 units as UTF-8 bytes, so this cheap test bounds the work below.
  if (path.length > max) fail('MANIFEST_PATH_TOO_LONG', `${where}: path longer than ${max} bytes`);
  if (utf8Length(path) > max) fail('MANIFEST_PATH_TOO_LONG', `${where}: path longer than ${max} bytes`);
  if (hasLoneSurrogate(path)) fail('BAD_ENCODING', `${where}: path contains a lone surrogate`);
  if (path.normalize('NFC') !== path) fail('BAD_ENCODING', `${where}: path is not NFC-normalised`);

  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) {
    fail('MANIFEST_ABSOLUTE_PATH', `${where}: path is absolute (starts ${pathExcerpt(path.slice(0, 3))})`);
  }

  const segments = path.split('/');
  if (segments.some((s) => s === '.' || s === '..')) {
    fail('MANIFEST_TRAVERSAL', `${where}: path has a '.' or '..' segment`);
  }
  if (segments.includes('')) fail('MANIFEST_EMPTY_SEGMENT', `${where}: path has an empty segment`);

  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (isControlCodeUnit(c)) fail('MANIFEST_CONTROL_CHARACTER', `${where}: path contains control character ${hex(c)}`);
  }
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (isReservedCodeUnit(c)) fail('MANIFEST_RESERVED_CHARACTER', `${where}: path contains reserved ${hex(c)}`);
  }

  const maxSegment = MANIFEST_LIMITS.maxSegmentBytes;
  for (const segment of segments) {
    if (utf8Length(segment) > maxSegment) {
      fail('MANIFEST_SEGMENT_TOO_LONG', `${where}: a name is longer than ${maxSegment} bytes`);
    }
  }
  for (const segment of segments) {
    if (isWindowsDeviceName(segment)) {
      fail('MANIFEST_RESERVED_NAME', `${where}: ${pathExcerpt(segment)} is a reserved Windows device name`);
    }
  }
  for (const segment of segments) {
    if (segment.endsWith('.') || segment.endsWith(' ')) {
      fail('MANIFEST_TRAILING_DOT_OR_SPACE', `${where}: ${pathExcerpt(segment)} ends in a dot or space`);
    }
  }
}

/**
 * Checks one relative path against the path rules listed at the top of this file.
 * @throws SealdropError with the code of the first rule broken (MANIFEST_* or BAD_ENCODING); BAD_INPUT for a
 *   non-string.
 */
export function validatePath(path: string): void {
  checkPath(path, 'path');
}

/** Checks one entry's own fields and returns the bytes it adds to the total (0 for a directory). */
function checkEntry(entry: unknown, where: string): number {
  const fields = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : undefined;
  const kind = fields?.['kind'];
  if (fields === undefined || (kind !== 'file' && kind !== 'directory')) {
    fail('MANIFEST_BAD_KIND', `${where}: only files and directories can be transferred`);
  }
  checkPath(fields['path'], where);
  if (kind === 'directory') return 0;

  const size = fields['size'];
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MANIFEST_LIMITS.maxFileSize) {
    fail('MANIFEST_BAD_SIZE', `${where}: size is not an integer from 0 to 2^42`);
  }
  const hash = fields['sha256'];
  if (!(hash instanceof Uint8Array) || hash.length !== 32) {
    fail('MANIFEST_BAD_HASH', `${where}: sha256 is not 32 bytes`);
  }
  return size;
}

type Fold = (text: string) => string;
const FOLDS: readonly Fold[] = [
  (s) => s.toLowerCase().normalize('NFC'),
  (s) => s.toUpperCase().normalize('NFC'),
  (s) => s.toUpperCase().toLowerCase().normalize('NFC'),
];

/**
 * Folds the whole path in one call. That equals folding segment by segment: '/' is neither cased nor
 * case-ignorable (so Final_Sigma context stops at it), it is a starter that composes with nothing (so NFC never
 * crosses it), and no character case-maps to or from it; so a folded key still has its '/' where the path had them.
 */
function foldKey(path: string, fold: Fold): string {
  return fold(path.replace(HFS_IGNORABLE, ''));
}

/** Index of the first element of ascending `sorted` that is >= `target`. */
function lowerBound(sorted: readonly string[], target: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Duplicate and parent-is-file checks in O(n log n) string comparisons, whatever the depth of the paths: walking
 * every ancestor of every path would be quadratic in path length, which a hostile sender can make 2,048 segments
 * deep within `maxEncodedBytes`.
 */
function checkCollisions(paths: readonly string[], isFile: readonly boolean[]): void {
  const folded = FOLDS.map((fold) => {
    const keys = paths.map((path) => foldKey(path, fold));
    const indexOf = new Map<string, number>();
    return { keys, indexOf };
  });

  for (const { keys, indexOf } of folded) {
    keys.forEach((key, i) => {
      const first = indexOf.get(key);
      if (first !== undefined) {
        fail('MANIFEST_DUPLICATE_PATH', `entries ${first} and ${i} name the same path (ignoring case and form)`);
      }
      indexOf.set(key, i);
    });
  }

  // With the keys sorted (by UTF-16 code units, the default), everything under file F, the keys starting with
  // F + '/', sits in one run beginning at the first key >= F + '/': one binary search per file finds any.
  for (const { keys, indexOf } of folded) {
    const sorted = [...keys].sort();
    keys.forEach((key, file) => {
      if (!isFile[file]) return;
      const prefix = `${key}/`;
      const next = sorted[lowerBound(sorted, prefix)];
      if (next !== undefined && next.startsWith(prefix)) {
        fail('MANIFEST_PARENT_IS_FILE', `entry ${indexOf.get(next)} lies under entry ${file}, which is a file`);
      }
    });
  }
}

/**
 * Checks a whole manifest against every rule listed at the top of this file. Returns normally only if the
 * manifest is safe to show and to materialise under a directory the receiver chose.
 * @throws SealdropError with the code of the first broken rule (order documented above); BAD_INPUT if `m` is not
 *   shaped like a manifest at all.
 */
export function validateManifest(m: Manifest): void {
  const entries: unknown = typeof m === 'object' && m !== null ? (m as { entries?: unknown }).entries : undefined;
  if (!Array.isArray(entries)) fail('BAD_INPUT', 'manifest has no entries array');
  const max = MANIFEST_LIMITS.maxEntries;
  if (entries.length > max) fail('MANIFEST_TOO_MANY_ENTRIES', `manifest has more than ${max} entries`);

  const paths: string[] = [];
  const isFile: boolean[] = [];
  let total = 0;
  entries.forEach((entry: unknown, i) => {
    const where = `entry ${i}`;
    const size = checkEntry(entry, where);
    // Each size is at most 2^42 and we stop as soon as the sum passes 2^44, so the sum stays exact.
    total += size;
    if (total > MANIFEST_LIMITS.maxTotalSize) fail('MANIFEST_TOTAL_TOO_LARGE', `${where}: total size passes 2^44`);
    const { kind, path } = entry as { kind: string; path: string };
    paths.push(path);
    isFile.push(kind === 'file');
  });
  checkCollisions(paths, isFile);
}
