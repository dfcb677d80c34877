import type { TransferState } from '../../api';

/** One plain sentence per state, for status lines and announcements. */
export const STATE_TEXT: Readonly<Record<TransferState, string>> = {
  waiting: 'Waiting for the receiver to open the link…',
  connecting: 'Connecting and checking the other device…',
  'awaiting-accept': 'Waiting for an answer to the offer…',
  transferring: 'Transferring…',
  complete: 'Complete: every file was received and checked.',
  failed: 'Failed.',
  cancelled: 'Cancelled.',
  declined: 'Declined.',
};

/** Short labels for the state chip. */
export const STATE_LABEL: Readonly<Record<TransferState, string>> = {
  waiting: 'Waiting',
  connecting: 'Connecting',
  'awaiting-accept': 'Awaiting answer',
  transferring: 'Transferring',
  complete: 'Complete',
  failed: 'Failed',
  cancelled: 'Cancelled',
  declined: 'Declined',
};

export const TERMINAL_STATES: ReadonlySet<TransferState> = new Set(['complete', 'failed', 'cancelled', 'declined']);
