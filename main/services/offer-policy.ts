/**
 * What happens to an incoming offer that nobody is looking at (the window closed, Sealdrop in the tray). Pure, so
 * every combination is tested (test/services/offer-policy.test.ts walks the whole truth table).
 *
 * The rules, first match wins:
 *   1. the sender's key changed (status 'keyChanged')   → refuse  — a hard stop; not even a question (DECISIONS.md 6)
 *   2. Level 2 while "require Level 3" is on            → refuse
 *   3. receiving is off                                 → refuse
 *   4. a VERIFIED contact, auto-accept on, Level 3      → auto-accept
 *   5. anything else (new sender, seen-but-unverified contact, auto-accept off, Level 2 allowed)
 *                                                       → ask: a notification with accept / decline
 *
 * Auto-accept needs all three conditions: a contact whose safety number was compared (a 'seen' pin came from a
 * link, which proves less), the user's opt-in, and Level 3 on this very session. The reasons are ordered so that
 * the most important one is reported: a key change is worth telling even when receiving is off.
 */

import type { ContactStatus, OfferDecision, SecurityLevel, SettingsInfo } from '../../src/ipc/contract';

export type IncomingRefusal = 'key-changed' | 'level-too-low' | 'not-receiving';

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
  readonly settings: Pick<SettingsInfo, 'autoAcceptVerified' | 'requireLevel3'>;
}

export function decideIncoming(offer: IncomingOffer): IncomingVerdict {
  const { peerContactStatus, level, receiving, settings } = offer;
  if (peerContactStatus === 'keyChanged') return { decision: 'refuse', reason: 'key-changed' };
  if (level < 3 && settings.requireLevel3) return { decision: 'refuse', reason: 'level-too-low' };
  if (!receiving) return { decision: 'refuse', reason: 'not-receiving' };
  if (peerContactStatus === 'verified' && settings.autoAcceptVerified && level === 3) return { decision: 'auto-accept' };
  return { decision: 'ask' };
}

/** The `transfer:report` answer for a verdict (contract.ts `OfferDecision`). */
export function offerDecisionOf(verdict: IncomingVerdict): OfferDecision {
  switch (verdict.decision) {
    case 'auto-accept':
      return 'accept';
    case 'refuse':
      return 'decline';
    case 'ask':
      return 'ask';
  }
}
