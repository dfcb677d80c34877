/**
 * OS notifications for incoming offers while Sealdrop sits in the tray: the payload (title, body, actions) built
 * from an offer and the policy's verdict (offer-policy.ts), and a notifier that shows it through an injected
 * `showNotification` and reports the user's answer as the `notification:offer` event.
 *
 * What a notification may claim (DECISIONS.md 7, PROTOCOL.md §12.7): a display name is the sender's own choice, so
 * only a VERIFIED contact is named plainly; anyone else is "unverified" or "new", in quotes, with the short
 * fingerprint beside the name. Every offer line states its level. Names pass through `displayText` (no bidi or
 * control characters, bounded length).
 *
 * Actions: 'accept' and 'decline' buttons where the platform shows them (Electron: macOS, Windows); clicking the
 * notification itself is 'open', which shows the offer card in the window — the way to answer on Linux, where
 * notification buttons are not available.
 *
 * Which verdicts notify: 'ask' (with the buttons), 'auto-accept' (so nothing arrives unannounced), and a refusal
 * for a key change or a too-low level (the user should know someone tried). A refusal because receiving is off is
 * silent: the user switched receiving off.
 */

import type { OfferInfo } from '../../src/ipc/contract';
import { displayText, formatBytes, formatCounts } from './display-text';
import type { ServiceEvents } from './events';
import type { IncomingVerdict } from './offer-policy';

const MAX_NAME_CHARS = 40;
const MAX_FILE_NAME_CHARS = 48;
const MAX_LISTED_FILES = 3;

export type NotificationAction = 'accept' | 'decline' | 'open';

export interface NotificationPayload {
  /** The transfer the notification is about; answers are reported with it. */
  readonly transferId: string;
  readonly title: string;
  readonly body: string;
  /** Buttons, in order; empty for a notice that only opens the window. */
  readonly actions: readonly { readonly action: 'accept' | 'decline'; readonly label: string }[];
  /** Stay on screen until answered (Electron `timeoutType: 'never'`, urgency 'critical' on Linux). */
  readonly sticky: boolean;
}

/** Show `payload`; call `onAction` when the user presses a button or clicks the notification. */
export type ShowNotification = (payload: NotificationPayload, onAction: (action: NotificationAction) => void) => void;

function senderName(offer: OfferInfo): string {
  const name = displayText(offer.peer.name, MAX_NAME_CHARS) || 'unnamed device';
  switch (offer.peer.status) {
    case 'verified':
      return name;
    case 'seen':
      return `Unverified contact “${name}” (${offer.peer.short})`;
    case 'keyChanged':
      return `“${name}” (${offer.peer.short})`;
    case 'new':
      return `New device “${name}” (${offer.peer.short})`;
  }
}

function levelLine(offer: OfferInfo): string {
  return offer.level === 3 ? 'Level 3, end-to-end encrypted to this device' : 'Level 2: the sender could not be verified';
}

function summary(offer: OfferInfo): string {
  const names = offer.names.slice(0, MAX_LISTED_FILES).map((name) => displayText(name, MAX_FILE_NAME_CHARS));
  const more = offer.files + offer.directories - names.length;
  const list = names.length === 0 ? '' : `\n${names.join(', ')}${more > 0 ? `, +${more} more` : ''}`;
  return `${formatCounts(offer.files, offer.directories)} · ${formatBytes(offer.bytes)}${list}`;
}

/** The notification for `offer` under `verdict`, or null when this verdict is silent (see the file header). */
export function offerNotification(offer: OfferInfo, verdict: IncomingVerdict): NotificationPayload | null {
  const base = { transferId: offer.transferId };
  switch (verdict.decision) {
    case 'ask':
      return {
        ...base,
        title: `${senderName(offer)} wants to send you files`,
        body: `${summary(offer)}\n${levelLine(offer)}`,
        actions: [
          { action: 'accept', label: 'Accept' },
          { action: 'decline', label: 'Decline' },
        ],
        sticky: true,
      };
    case 'auto-accept':
      return {
        ...base,
        title: `Receiving from ${senderName(offer)}`,
        body: `${summary(offer)}\nAccepted automatically: verified contact, ${levelLine(offer)}`,
        actions: [],
        sticky: false,
      };
    case 'refuse':
      switch (verdict.reason) {
        case 'key-changed':
          return {
            ...base,
            title: `Refused: the key of ${senderName(offer)} has changed`,
            body: 'Nothing was received. Open Sealdrop and compare the new safety number before receiving from this contact again.',
            actions: [],
            sticky: true,
          };
        case 'level-too-low':
          return {
            ...base,
            title: `Refused a transfer from ${senderName(offer)}`,
            body: 'Nothing was received: the sender could not be verified (Level 2), and your settings require Level 3.',
            actions: [],
            sticky: false,
          };
        case 'unverified':
          return {
            ...base,
            title: `Refused a transfer from ${senderName(offer)}`,
            body: 'Nothing was received: only verified contacts can send while Sealdrop is closed. Open Sealdrop and compare safety numbers to verify this sender.',
            actions: [],
            sticky: false,
          };
        case 'not-receiving':
          return null;
      }
  }
}

export interface OfferNotifierOptions {
  readonly showNotification: ShowNotification;
  readonly events: ServiceEvents;
  /** Main-side reaction to an answer (e.g. the transfer service accepting), besides the renderer event. */
  readonly onAction?: (transferId: string, action: NotificationAction) => void;
}

export interface OfferNotifier {
  /** Show the notification for `offer` under `verdict`; false when the verdict is silent. */
  notify(offer: OfferInfo, verdict: IncomingVerdict): boolean;
}

export function createOfferNotifier(options: OfferNotifierOptions): OfferNotifier {
  return {
    notify(offer, verdict) {
      const payload = offerNotification(offer, verdict);
      if (payload === null) return false;
      const allowed = new Set<NotificationAction>(['open', ...payload.actions.map((a) => a.action)]);
      let answered = false;
      options.showNotification(payload, (action) => {
        // One answer per notification, and only an action this notification offered.
        if (answered || !allowed.has(action)) return;
        answered = action !== 'open';
        options.events.emit('notification:offer', { transferId: payload.transferId, action });
        options.onAction?.(payload.transferId, action);
      });
      return true;
    },
  };
}
