/**
 * A first look at pasted or scanned link text, with the core's strict parser, so the user hears at once that a text
 * is not a Sealdrop link or is the wrong kind. Only a courtesy: main parses and validates again before using it,
 * and the handshake, not this check, decides who the other side is.
 */

import { errorCodeOf } from '../../src/errors';
import { parseLink, type LinkKind } from '../../src/identity/link';

export type LinkCheck =
  | { readonly ok: true; readonly kind: LinkKind; readonly text: string; readonly fingerprintHex: string }
  | { readonly ok: false; readonly code: string };

export function checkLink(text: string): LinkCheck {
  try {
    const link = parseLink(text);
    const fingerprintHex = Array.from(link.fingerprint, (byte) => byte.toString(16).padStart(2, '0')).join('');
    // The secret stays in the text we pass on; drop our parsed copy of it.
    link.secret.fill(0);
    return { ok: true, kind: link.kind, text: text.trim(), fingerprintHex };
  } catch (error) {
    return { ok: false, code: errorCodeOf(error) ?? 'LINK_BAD_SCHEME' };
  }
}
