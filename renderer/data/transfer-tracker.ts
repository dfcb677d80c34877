/**
 * The transfer list and the pending offers, folded from what the renderer learns about each transfer:
 *
 *   started   our own send/receive call returned a transfer id (names, link, contact)
 *   session   main handed over a session (role, path, contact); a second session for a transfer that already made
 *             progress is a resumption after the path was lost
 *   report    the renderer's session runner reported to main (connected: level and peer; offer; finished)
 *   offer     main asks the user about an authenticated offer
 *   progress / done / error   main's transfer events
 *   answered  the offer was accepted or declined (here, or in an OS notification)
 *
 * Events may arrive in any order relative to the call that started a transfer (main can emit the session before the
 * `transfer:send` response resolves), so every input creates the record if it does not exist yet. Terminal states
 * are final: a late progress event cannot revive a cancelled transfer.
 *
 * Pure state, no I/O: renderer/api.ts feeds it; screens read `transfers()` / `offers()`, which return the same array
 * until something changes, as useSyncExternalStore requires.
 */

import type {
  FileEntry,
  OfferInfo,
  OfferView,
  TransferPeer,
  TransferReport,
  TransferSessionInfo,
  TransferState,
  TransferView,
  Unsubscribe,
} from '../api-types';
import type { EventPayload } from '../../src/ipc/contract';

const TERMINAL: ReadonlySet<TransferState> = new Set(['complete', 'failed', 'cancelled', 'declined']);

export function isTerminal(state: TransferState): boolean {
  return TERMINAL.has(state);
}

function emptyPeer(): TransferPeer {
  return { contactId: null, name: null, short: null, status: null, verifiedBy: null };
}

export class TransferTracker {
  private readonly records = new Map<string, TransferView>();
  private readonly pending = new Map<string, OfferView>();
  /** File lists the session runner supplied before main's `transfer:offer` event arrived (see `manifest`). */
  private readonly early = new Map<string, readonly FileEntry[]>();
  private readonly listeners = new Set<() => void>();
  private transferList: readonly TransferView[] = [];
  private offerList: readonly OfferView[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  transfers = (): readonly TransferView[] => this.transferList;
  offers = (): readonly OfferView[] => this.offerList;

  subscribe = (listener: () => void): Unsubscribe => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  started(input: {
    readonly transferId: string;
    readonly direction: 'send' | 'receive';
    readonly names: readonly string[];
    readonly link: string | null;
    readonly contactId: string | null;
  }): void {
    // A link send with no session yet waits for someone to open the link; if main's session event won the race,
    // the record already says 'connecting' and stays so.
    const fresh = !this.records.has(input.transferId);
    this.update(input.transferId, input.direction, (t) => ({
      ...t,
      names: t.names.length > 0 ? t.names : input.names,
      link: input.link,
      state: fresh && input.link !== null ? 'waiting' : t.state,
      peer: input.contactId !== null ? { ...(t.peer ?? emptyPeer()), contactId: input.contactId } : t.peer,
    }));
  }

  session(session: TransferSessionInfo): void {
    const direction = session.role === 'sender' ? 'send' : 'receive';
    this.update(session.transferId, direction, (t) => ({
      ...t,
      state: 'connecting',
      path: session.path,
      resumedFrom: t.bytesDone > 0 ? t.bytesDone : t.resumedFrom,
      error: null,
      peer: session.contactId !== null ? { ...(t.peer ?? emptyPeer()), contactId: session.contactId } : t.peer,
    }));
  }

  report(report: TransferReport): void {
    switch (report.type) {
      case 'connected':
        this.update(report.transferId, null, (t) => ({
          ...t,
          level: report.level,
          peer: { ...(t.peer ?? emptyPeer()), name: report.peerName || t.peer?.name || null, verifiedBy: report.verifiedBy },
          state: t.direction === 'send' && t.state === 'connecting' ? 'awaiting-accept' : t.state,
        }));
        return;
      case 'offer':
        // The counts and names arrive with the `transfer:offer` event and `manifest()`; the encoded manifest is main's.
        return;
      case 'finished':
        this.update(report.transferId, null, (t) =>
          report.ok
            ? { ...t, state: 'complete' }
            : { ...t, state: stateForCode(report.code), error: report.code ? { code: report.code, message: '' } : t.error },
        );
        this.removeOffer(report.transferId);
        return;
    }
  }

  offer(offer: OfferInfo): void {
    this.update(offer.transferId, 'receive', (t) => ({
      ...t,
      state: 'awaiting-accept',
      level: offer.level,
      path: offer.path,
      files: offer.files,
      directories: offer.directories,
      totalBytes: offer.bytes,
      names: offer.names,
      peer: {
        contactId: offer.peer.contactId,
        name: offer.peer.name,
        short: offer.peer.short,
        status: offer.peer.status,
        verifiedBy: offer.peer.verifiedBy,
      },
    }));
    if (!isTerminal(this.records.get(offer.transferId)?.state ?? 'failed')) {
      const existing = this.pending.get(offer.transferId);
      const entries = existing?.entries ?? this.early.get(offer.transferId) ?? null;
      this.early.delete(offer.transferId);
      this.pending.set(offer.transferId, { ...offer, receivedAt: existing?.receivedAt ?? this.now(), entries });
      this.publish();
    }
  }

  /**
   * The full file list of an offer, from the session runner (which decrypted the manifest). The runner supplies it
   * before it reports the offer to main, so it usually arrives before main's `transfer:offer` event: it is kept for
   * that event until the transfer ends.
   */
  manifest(transferId: string, entries: readonly FileEntry[]): void {
    const offer = this.pending.get(transferId);
    if (!offer) {
      const record = this.records.get(transferId);
      if (!record || !isTerminal(record.state)) this.early.set(transferId, [...entries]);
      return;
    }
    this.pending.set(transferId, { ...offer, entries: [...entries] });
    this.publish();
  }

  progress(event: EventPayload<'transfer:progress'>): void {
    this.update(event.transferId, null, (t) => ({
      ...t,
      state: 'transferring',
      bytesDone: event.bytes,
      totalBytes: event.total,
      path: event.path ?? t.path,
    }));
    this.removeOffer(event.transferId);
  }

  done(event: EventPayload<'transfer:done'>): void {
    this.update(event.transferId, null, (t) => ({
      ...t,
      state: 'complete',
      level: event.level,
      path: event.path,
      files: event.files,
      totalBytes: event.bytes,
      bytesDone: event.bytes,
      error: null,
    }));
    this.removeOffer(event.transferId);
  }

  error(event: EventPayload<'transfer:error'>): void {
    this.update(event.transferId, null, (t) => ({
      ...t,
      state: stateForCode(event.code),
      error: { code: event.code, message: event.message },
    }));
    this.removeOffer(event.transferId);
  }

  /** The offer was answered: it leaves the pending list; a decline ends the transfer. */
  answered(transferId: string, answer: 'accept' | 'decline'): void {
    this.removeOffer(transferId);
    if (answer === 'decline') this.update(transferId, null, (t) => ({ ...t, state: 'declined' }));
    else this.update(transferId, null, (t) => (t.state === 'awaiting-accept' ? { ...t, state: 'connecting' } : t));
  }

  /** Apply `change` to one record (created if new) unless it is terminal, then publish. */
  private update(id: string, direction: 'send' | 'receive' | null, change: (t: TransferView) => TransferView): void {
    const now = this.now();
    const current: TransferView = this.records.get(id) ?? {
      id,
      direction: direction ?? 'receive',
      state: 'connecting',
      peer: null,
      level: null,
      path: null,
      files: null,
      directories: 0,
      names: [],
      totalBytes: null,
      bytesDone: 0,
      link: null,
      resumedFrom: null,
      error: null,
      startedAt: now,
      updatedAt: now,
    };
    if (this.records.has(id) && isTerminal(current.state)) return;
    const next = change(current);
    this.records.set(id, { ...next, id, direction: direction ?? current.direction, updatedAt: now });
    this.publish();
  }

  private removeOffer(transferId: string): void {
    this.early.delete(transferId);
    if (this.pending.delete(transferId)) this.publish();
  }

  private publish(): void {
    this.transferList = [...this.records.values()].sort((a, b) => b.startedAt - a.startedAt || a.id.localeCompare(b.id));
    this.offerList = [...this.pending.values()].sort((a, b) => a.receivedAt - b.receivedAt);
    for (const listener of [...this.listeners]) listener();
  }
}

function stateForCode(code: string | null): TransferState {
  if (code === 'CANCELLED') return 'cancelled';
  if (code === 'DECLINED') return 'declined';
  return 'failed';
}
