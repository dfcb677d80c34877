import { useEffect, useRef } from 'react';
import type { TransferState } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { useLiveData } from '../../data/live-data';
import { explainError } from '../../lib/error-text';
import { STATE_TEXT } from './transfer-state-text';

const ANNOUNCED: ReadonlySet<TransferState> = new Set(['transferring', 'complete', 'failed', 'declined']);

/**
 * Announces transfer state changes (not every progress tick) wherever the user is in the app. Failures are
 * assertive; the rest polite. Renders nothing.
 */
export function TransferAnnouncer() {
  const { transfers } = useLiveData();
  const announce = useAnnounce();
  const last = useRef<Map<string, TransferState> | null>(null);
  useEffect(() => {
    const previous = last.current;
    const next = new Map(transfers.map((t) => [t.id, t.state] as const));
    last.current = next;
    if (previous === null) return; // what was there at startup is not news
    for (const transfer of transfers) {
      if (previous.get(transfer.id) === transfer.state || !ANNOUNCED.has(transfer.state)) continue;
      const who = transfer.peer?.name;
      const what = who ? `Transfer ${transfer.direction === 'send' ? 'to' : 'from'} ${who}` : 'Link transfer';
      const detail = transfer.error ? ` ${explainError(transfer.error.code, transfer.error.message)}` : '';
      announce(`${what}: ${STATE_TEXT[transfer.state]}${detail}`, transfer.state === 'failed' ? 'assertive' : 'polite');
    }
  }, [transfers, announce]);
  return null;
}
