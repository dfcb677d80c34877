import { useRef } from 'react';
import type { TransferView } from '../../api';
import { addSample, rateOf, type Sample } from '../../lib/rate';

/**
 * Speed per transferring transfer, from the progress samples seen so far. Samples are keyed by main's `updatedAt`,
 * so rendering twice with the same data adds nothing (addSample replaces a sample with the same time).
 */
export function useTransferRates(transfers: readonly TransferView[]): ReadonlyMap<string, number | null> {
  const samples = useRef(new Map<string, Sample[]>());
  const rates = new Map<string, number | null>();
  const seen = new Set<string>();
  for (const transfer of transfers) {
    if (transfer.state !== 'transferring') continue;
    seen.add(transfer.id);
    const next = addSample(samples.current.get(transfer.id) ?? [], { at: transfer.updatedAt, bytes: transfer.bytesDone });
    samples.current.set(transfer.id, next);
    rates.set(transfer.id, rateOf(next));
  }
  // A transfer that stopped transferring starts a fresh window if it resumes.
  for (const id of samples.current.keys()) if (!seen.has(id)) samples.current.delete(id);
  return rates;
}
