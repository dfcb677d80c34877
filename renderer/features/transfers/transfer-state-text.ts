import type { TransferState } from '../../api';

/** One plain sentence per state, for status lines and announcements. */
export const STATE_TEXT: Readonly<Record<TransferState, string>> = {
  waiting: 'Waiting for the receiver to open the link…',
  connecting: 'Connecting and checking the other device…',
  'awaiting-accept': 'Waiting for the other side to accept…',
  transferring: 'Transferring…',
  interrupted: 'Interrupted: the connection was lost.',
  complete: 'Complete: every file was received and checked.',
  failed: 'Failed.',
  cancelled: 'Cancelled.',
  declined: 'Declined by the other side.',
};

/** Short labels for the state chip. */
export const STATE_LABEL: Readonly<Record<TransferState, string>> = {
  waiting: 'Waiting',
  connecting: 'Connecting',
  'awaiting-accept': 'Awaiting answer',
  transferring: 'Transferring',
  interrupted: 'Interrupted',
  complete: 'Complete',
  failed: 'Failed',
  cancelled: 'Cancelled',
  declined: 'Declined',
};

export const TERMINAL_STATES: ReadonlySet<TransferState> = new Set(['complete', 'failed', 'cancelled', 'declined']);
