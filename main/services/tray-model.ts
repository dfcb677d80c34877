/**
 * The tray, as data: whether Sealdrop is receiving, the last few transfers, and the menu and tooltip derived from
 * them. Pure functions over an immutable state, so the whole tray is tested in Node; main/app turns `trayMenu`
 * into an Electron Menu (mapping each item's `action` to a click handler) and `trayTooltip` into `setToolTip`.
 *
 * Honest security state (DECISIONS.md 7): every transfer line names its level, and a Level 2 transfer says it
 * was not verified. Peer and file names are the other side's choice, so they pass through `displayText`. Electron
 * reads '&' in menu labels as a mnemonic marker on Windows; the Electron layer escapes labels ('&' → '&&').
 */

import type { SecurityLevel } from '../../src/ipc/contract';
import { displayText, formatBytes } from './display-text';

export const MAX_RECENT_TRANSFERS = 5;
const MAX_NAME_CHARS = 32;

export type TransferDirection = 'send' | 'receive';
/** Where a transfer stands, as far as the tray cares. */
export type TrayTransferState = 'waiting' | 'running' | 'done' | 'failed' | 'declined' | 'refused';

export interface RecentTransfer {
  readonly transferId: string;
  readonly direction: TransferDirection;
  /** The peer's display name (self-asserted unless verified). */
  readonly peerName: string;
  /** Null until the handshake has finished. */
  readonly level: SecurityLevel | null;
  readonly state: TrayTransferState;
  readonly bytes: number;
  /** When it was last updated (ms); the list is ordered by it, newest first. */
  readonly updatedAt: number;
}

export interface TrayState {
  readonly receiving: boolean;
  /** Newest first, at most MAX_RECENT_TRANSFERS. */
  readonly recent: readonly RecentTransfer[];
}

export type TrayAction =
  | { readonly type: 'toggle-receiving' }
  | { readonly type: 'open' }
  | { readonly type: 'show-transfer'; readonly transferId: string }
  | { readonly type: 'quit' };

export type TrayMenuItem =
  | { readonly kind: 'checkbox'; readonly label: string; readonly checked: boolean; readonly action: TrayAction }
  | { readonly kind: 'action'; readonly label: string; readonly action: TrayAction }
  /** A line that shows something and does nothing (a heading, "No recent transfers"). */
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'separator' };

export function initialTrayState(receiving: boolean): TrayState {
  return { receiving, recent: [] };
}

export function setReceiving(state: TrayState, receiving: boolean): TrayState {
  return state.receiving === receiving ? state : { ...state, receiving };
}

/**
 * Add a transfer or update the one with the same id (fields not given keep their value); the list stays ordered
 * newest first and is cut to MAX_RECENT_TRANSFERS.
 */
export function recordTransfer(
  state: TrayState,
  update: Pick<RecentTransfer, 'transferId' | 'updatedAt'> & Partial<Omit<RecentTransfer, 'transferId' | 'updatedAt'>>,
): TrayState {
  const existing = state.recent.find((t) => t.transferId === update.transferId);
  const base: RecentTransfer = existing ?? {
    transferId: update.transferId,
    direction: 'receive',
    peerName: '',
    level: null,
    state: 'waiting',
    bytes: 0,
    updatedAt: update.updatedAt,
  };
  const merged: RecentTransfer = { ...base, ...update };
  const others = state.recent.filter((t) => t.transferId !== update.transferId);
  const recent = [merged, ...others].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, MAX_RECENT_TRANSFERS);
  return { ...state, recent };
}

const STATE_TEXT: Record<TrayTransferState, string> = {
  waiting: 'waiting',
  running: 'in progress',
  done: 'done',
  failed: 'failed',
  declined: 'declined',
  refused: 'refused',
};

function levelText(level: SecurityLevel | null): string | null {
  if (level === null) return null;
  return level === 3 ? 'Level 3' : 'Level 2, not verified';
}

/** "↓ Alice · 12 MB · Level 3 · done". */
export function transferLabel(transfer: RecentTransfer): string {
  const arrow = transfer.direction === 'receive' ? '↓' : '↑';
  const name = displayText(transfer.peerName, MAX_NAME_CHARS) || 'unknown device';
  const parts = [`${arrow} ${name}`, formatBytes(transfer.bytes), levelText(transfer.level), STATE_TEXT[transfer.state]];
  return parts.filter((part): part is string => part !== null).join(' · ');
}

export function trayMenu(state: TrayState): TrayMenuItem[] {
  const items: TrayMenuItem[] = [
    { kind: 'checkbox', label: 'Receiving', checked: state.receiving, action: { type: 'toggle-receiving' } },
    { kind: 'action', label: 'Open Sealdrop', action: { type: 'open' } },
    { kind: 'separator' },
  ];
  if (state.recent.length === 0) {
    items.push({ kind: 'label', label: 'No recent transfers' });
  } else {
    items.push({ kind: 'label', label: 'Recent transfers' });
    for (const transfer of state.recent) {
      items.push({ kind: 'action', label: transferLabel(transfer), action: { type: 'show-transfer', transferId: transfer.transferId } });
    }
  }
  items.push({ kind: 'separator' }, { kind: 'action', label: 'Quit Sealdrop', action: { type: 'quit' } });
  return items;
}

/** "Sealdrop — receiving", "Sealdrop — not receiving · 1 transfer in progress". */
export function trayTooltip(state: TrayState): string {
  const base = `Sealdrop — ${state.receiving ? 'receiving' : 'not receiving'}`;
  const active = state.recent.filter((t) => t.state === 'running').length;
  if (active === 0) return base;
  return `${base} · ${active} ${active === 1 ? 'transfer' : 'transfers'} in progress`;
}
