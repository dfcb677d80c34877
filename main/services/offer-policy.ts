/**
 * What happens to an offer that arrives unasked, through this device's relay mailbox (a contact sent to it), while
 * Sealdrop may be sitting in the tray. Pure, so every combination is tested (test/services/offer-policy.test.ts walks
 * the whole truth table). Offers from a link the user pasted are not decided here: the user is at the window and
 * answers the offer card.
 *
 * The rules, first match wins:
 *   1. the sender's key changed (status 'keyChanged')   → refuse  — a hard stop; not even a question (DECISIONS.md 6)
 *   2. Level 2 while "require Level 3" is on            → refuse
 *   3. receiving is off                                 → refuse
 *   4. a VERIFIED contact, auto-accept on, Level 3      → auto-accept
 *   5. not a verified contact and the window is closed → refuse  — nobody is there to compare a safety number, and a
 *      notification button is no place to trust a stranger; the notification says who tried
 *   6. anything else (the window is open)               → ask: the offer card and a notification with accept / decline
 *
 * Auto-accept needs all three conditions: a contact whose safety number was compared (a 'seen' pin came from a
 * link, which proves less), the user's opt-in, and Level 3 on this very session. The reasons are ordered so that
 * the most important one is reported: a key change is worth telling even when receiving is off.
 */

import type { ContactStatus, OfferDecision, SecurityLevel, SettingsInfo } from '../../src/ipc/contract';

export type IncomingRefusal = 'key-changed' | 'level-too-low' | 'not-receiving' | 'unverified';

export type IncomingVerdict =
  | { readonly decision: 'auto-accept' }
  | { readonly decision: 'ask' }
  | { readonly decision: 'refuse'; readonly reason: IncomingRefusal };

export interface IncomingOffer {
  /** The sender's trust-store status; 'new' when the sender is not a contact. */
  readonly peerContactStatus: ContactStatus | 'new';
  /** The level the finished handshake reached. */
  readonly level: SecurityLevel;
  /** The tray's receiving switch. */
  readonly receiving: boolean;
  /** The main window is shown (false: closed to the tray). */
  readonly windowVisible: boolean;
  readonly settings: Pick<SettingsInfo, 'autoAcceptVerified' | 'requireLevel3'>;
}

export function decideIncoming(offer: IncomingOffer): IncomingVerdict {
  const { peerContactStatus, level, receiving, windowVisible, settings } = offer;
  if (peerContactStatus === 'keyChanged') return { decision: 'refuse', reason: 'key-changed' };
  if (level < 3 && settings.requireLevel3) return { decision: 'refuse', reason: 'level-too-low' };
  if (!receiving) return { decision: 'refuse', reason: 'not-receiving' };
  if (peerContactStatus === 'verified' && settings.autoAcceptVerified && level === 3) return { decision: 'auto-accept' };
  if (peerContactStatus !== 'verified' && !windowVisible) return { decision: 'refuse', reason: 'unverified' };
  return { decision: 'ask' };
}

/** The `transfer:report` answer for a verdict (contract.ts `OfferDecision`); null: the user has to answer. */
export function offerDecisionOf(verdict: IncomingVerdict): OfferDecision | null {
  switch (verdict.decision) {
    case 'auto-accept':
      return 'accept';
    case 'refuse':
      return 'decline';
    case 'ask':
      return null;
  }
}
