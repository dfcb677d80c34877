/**
 * Helpers shared by the transfer commands.
 */

import type { CommonFlags } from '../main';

/** STUN and TURN servers in node-datachannel's format ('stun:host:port', 'turn:user:pass@host:port'). */
export function iceServers(flags: CommonFlags): string[] {
  const normalise = (url: string) => url.replace(/^(stun|turns?):\/\//, '$1:');
  return [...flags.stun.map(normalise), ...flags.turn.map(normalise)];
}

/** Resolves on the first Ctrl-C or SIGTERM; a second one exits at once. */
export function abortSignal(): Promise<void> {
  return new Promise((resolve) => {
    let count = 0;
    const handler = () => {
      count++;
      if (count > 1) process.exit(130);
      resolve();
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
