/**
 * Shape checks for the network settings, so mistakes show next to the field. Main validates again before saving;
 * these only spare the user a round trip. Relay addresses use the same rule links do (src/identity/link.ts).
 */

import { validateRelayUrl } from '../../../src/identity/link';
import type { TurnServer } from '../../api';

export function relayUrlProblem(url: string): string | null {
  try {
    validateRelayUrl(url.trim());
    return null;
  } catch {
    return 'Enter a relay address starting with wss:// (or ws:// on a local network), with no user name or password.';
  }
}

/** One STUN URL per line; blank lines are ignored. Returns the list, or the first bad line. */
export function parseStunLines(text: string, max: number): { readonly urls: string[] } | { readonly problem: string } {
  const urls = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (urls.length > max) return { problem: `At most ${max} STUN servers.` };
  // The contract's rule (src/ipc/contract.ts): stun: or stuns:, then printable ASCII.
  const bad = urls.find((url) => url.length > 255 || !/^stuns?:[\x21-\x7e]+$/.test(url));
  return bad === undefined ? { urls } : { problem: `“${bad}” is not a STUN address (stun:host:port).` };
}

export function turnServerProblem(server: TurnServer): string | null {
  const url = server.url.trim();
  if (url.length > 255 || !/^turns?:[\x21-\x7e]+$/.test(url)) return 'A TURN address starts with turn: or turns:.';
  if (server.username.trim() === '' || server.credential === '') return 'A TURN server needs a user name and a password.';
  return null;
}
