/**
 * Which relay a desktop transfer meets through, and the ICE servers it uses, from the settings.
 *
 * With no relay configured (the default, `relayUrl: ''`) the app does what `sealdrop send` does: it runs a relay in
 * this process for the length of the transfer (main/transfer/embedded-relay.ts). A configured relay is used as is.
 *
 * Trust assumptions: none added — every relay, embedded or not, is untrusted by the protocol (docs/PROTOCOL.md §13).
 */

import type { SettingsInfo } from '../../src/ipc/contract';
import { configuredRelay, startEmbeddedRelay, type RelayChoice } from '../transfer/embedded-relay';

export type { RelayChoice };

export function relayFor(settings: Pick<SettingsInfo, 'relayUrl'>): Promise<RelayChoice> {
  return settings.relayUrl === '' ? startEmbeddedRelay() : Promise.resolve(configuredRelay(settings.relayUrl));
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
