/** One measured transfer, as the report prints it. */

export type PathGroup = 'direct' | 'webrtc' | 'relay';
export type Family = 'sealdrop' | 'baseline' | 'wormhole';

export interface Result {
  /** Row label, e.g. "sealdrop --path direct" or "raw TCP (node:net)". */
  readonly name: string;
  readonly family: Family;
  readonly group: PathGroup;
  /** 'file' or 'files' (Payload.kind). */
  readonly payload: 'file' | 'files';
  readonly payloadLabel: string;
  readonly bytes: number;
  readonly files: number;
  /** Transfer phase: the receiver reporting a connected path → the receiver reporting every file written. */
  readonly seconds: number | null;
  /** Sender start → receiver finished (includes start-up, the sender's scan, rendezvous). */
  readonly wallSeconds: number | null;
  readonly rss: { readonly sender: number | null; readonly receiver: number | null; readonly relay?: number | null };
  /** CPU seconds (user + system, all threads) of each process from the transfer's start to its exit. */
  readonly cpu?: { readonly sender: number | null; readonly receiver: number | null; readonly relay?: number | null };
  /** A what-if build (bench/transfer/variants.ts) instead of the real CLI; such rows never count for the goals. */
  readonly variant?: string;
  /** What actually carried the data, when the tool reports it (e.g. the wormhole transit description). */
  readonly via?: string;
  readonly error?: string;
  readonly load: readonly [number, number, number];
}

export const MB = 1e6;
