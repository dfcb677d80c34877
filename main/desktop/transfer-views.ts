/**
 * Small pieces of the desktop's transfer service that need none of its state: what an offer looks like to the
 * renderer (`OfferInfo`), the items the user picked in main's dialog (opaque ids → paths, for this run of the app),
 * and the mapping of orchestration values to the contract's.
 *
 * Trust assumptions: the offer's names and sizes come from a manifest the handshake authenticated and main validated;
 * the peer's display name is its own claim unless a contact's local name replaces it (the renderer labels it).
 */

import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { toHex } from '../../src/bytes';
import { fail, isErrorCode, type ErrorCode } from '../../src/errors';
import { MAX_OFFER_NAMES, MAX_SEND_ITEMS, type OfferInfo, type PickedItem, type TransferPath } from '../../src/ipc/contract';
import type { RandomSource } from '../../src/ports/random';
import type { TrustStore } from '../../src/trust/trust-store';
import type { OfferSummary } from '../transfer/receive';

/** The `transfer:offer` payload for an authenticated offer of transfer `transferId`. */
export function offerInfoOf(transferId: string, path: TransferPath | null, offer: OfferSummary, trust: TrustStore): OfferInfo {
  const key = offer.peer.fingerprint;
  const contact = trust.list().find((c) => toHex(c.fingerprint) === key) ?? null;
  const files = offer.manifest.entries.filter((e) => e.kind === 'file');
  return {
    transferId,
    peer: {
      contactId: contact?.id ?? null,
      name: contact?.name ?? offer.peer.name,
      fingerprint: key,
      short: offer.peer.short,
      status: contact ? (contact.pendingKey ? 'keyChanged' : contact.state) : 'new',
      verifiedBy: offer.peer.verifiedBy as OfferInfo['peer']['verifiedBy'],
    },
    level: offer.level,
    path: path ?? 'relay',
    files: files.length,
    directories: offer.manifest.entries.length - files.length,
    bytes: offer.bytes,
    names: files.slice(0, MAX_OFFER_NAMES).map((e) => e.path),
  };
}

/** What the user picked in main's file dialog: the renderer sees ids and names, main keeps the paths. */
export class PickedItems {
  private readonly paths = new Map<string, string>();

  constructor(private readonly random: RandomSource) {}

  /** Register picked paths (files and folders only; anything else is skipped). */
  async add(paths: readonly string[]): Promise<PickedItem[]> {
    const items: PickedItem[] = [];
    for (const path of paths.slice(0, MAX_SEND_ITEMS)) {
      const info = await stat(path).catch(() => null);
      if (!info || (!info.isFile() && !info.isDirectory())) continue;
      const id = toHex(this.random.bytes(16));
      this.paths.set(id, path);
      items.push({ id, name: basename(path), kind: info.isDirectory() ? 'directory' : 'file', size: info.isFile() ? info.size : null });
    }
    return items;
  }

  /** @throws SealdropError BAD_INPUT for an id this run of the app did not hand out. */
  path(id: string): string {
    const path = this.paths.get(id);
    if (path === undefined) fail('BAD_INPUT', 'a picked item is unknown (pick it again)');
    return path;
  }
}

export function pathOf(path: string): TransferPath | null {
  return path === 'direct' || path === 'webrtc' || path === 'turn' || path === 'relay' ? path : null;
}

export function asCode(code: unknown): ErrorCode {
  return isErrorCode(code) ? code : 'INTERNAL';
}
