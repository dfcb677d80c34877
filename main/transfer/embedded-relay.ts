/**
 * A relay in this process, for a sender with no relay configured (`sealdrop send` without --relay, the desktop with
 * no relay in its settings): it listens on every interface on an ephemeral port, and its reachable addresses — up
 * to three LAN addresses, then loopback — go into the link, so two terminals or two machines on one LAN need no
 * server. The sender itself connects over loopback.
 *
 * Trust assumptions: none added — an embedded relay is as untrusted as any other (docs/PROTOCOL.md §13).
 */

import { startRelay } from '../../relay/server';

export interface RelayChoice {
  /** Addresses written into the link. */
  readonly linkUrls: readonly string[];
  /** The address this side connects to. */
  readonly connectUrl: string;
  /** Stop the embedded relay, if one was started. */
  close(): Promise<void>;
}

export async function startEmbeddedRelay(): Promise<RelayChoice> {
  const embedded = await startRelay({ host: '0.0.0.0', port: 0, logger: () => undefined });
  const urls = embedded.urls();
  const loopback = urls.filter((url) => url.includes('127.0.0.1'));
  const lan = urls.filter((url) => !url.includes('127.0.0.1'));
  return {
    linkUrls: [...lan.slice(0, 3), ...loopback.slice(0, 1)],
    connectUrl: loopback[0] ?? urls[0] ?? '',
    close: () => embedded.close(),
  };
}

/** A configured relay as a RelayChoice (nothing to stop). */
export function configuredRelay(url: string): RelayChoice {
  return { linkUrls: [url], connectUrl: url, close: () => Promise.resolve() };
}
