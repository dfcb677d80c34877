/**
 * Which relay a desktop transfer meets through, and the ICE servers it uses, from the settings.
 *
 * With no relay configured (the default, `relayUrl: ''`) the app does what `sealdrop send` does: it runs a relay in
 * this process on an ephemeral port for the length of the transfer and writes its reachable addresses into the
 * link, so two devices on one network need no server at all. A configured relay is used as is.
 *
 * Trust assumptions: none added — every relay, embedded or not, is untrusted by the protocol (docs/PROTOCOL.md §13).
 */

import type { SettingsInfo } from '../../src/ipc/contract';
import { startRelay } from '../../relay/server';

export interface RelayChoice {
  /** Addresses written into the link. */
  readonly linkUrls: readonly string[];
  /** The address this side connects to. */
  readonly connectUrl: string;
  /** Stop the embedded relay, if one was started. */
  close(): Promise<void>;
}

export async function relayFor(settings: Pick<SettingsInfo, 'relayUrl'>): Promise<RelayChoice> {
  if (settings.relayUrl !== '') {
    return { linkUrls: [settings.relayUrl], connectUrl: settings.relayUrl, close: () => Promise.resolve() };
  }
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

/**
 * ICE server strings for node-datachannel (main/adapters/webrtc-transport.ts): STUN as configured, TURN with its
 * credentials in the userinfo part (`turn:user:pass@host:port`), percent-encoded so a ':' or '@' in them is safe.
 */
export function iceServersOf(settings: Pick<SettingsInfo, 'stun' | 'turn'>): string[] {
  const turn = settings.turn.map(({ url, username, credential }) => {
    const match = /^(turns?):(?:\/\/)?(.*)$/.exec(url);
    if (!match) return url;
    const auth = username === '' ? '' : `${encodeURIComponent(username)}:${encodeURIComponent(credential)}@`;
    return `${match[1]}:${auth}${match[2]}`;
  });
  return [...settings.stun.map((url) => url.replace(/^(stuns?):\/\//, '$1:')), ...turn];
}
