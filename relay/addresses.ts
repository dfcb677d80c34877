/**
 * Addresses: the URLs a relay can be reached at, and the key one client address is counted under.
 */

import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { RELAY_PATH } from '../src/signaling/relay-protocol';

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * ws[s]://host:port/v1 for each IPv4 address the relay listens on: every local IPv4 address (127.0.0.1 first)
 * when bound to a wildcard, otherwise just the bound host.
 */
export function relayUrls(host: string, port: number, secure: boolean): string[] {
  const scheme = secure ? 'wss' : 'ws';
  const hosts = WILDCARDS.has(host) ? localIPv4Addresses() : [isIPv6(host) ? `[${host}]` : host];
  return hosts.map((h) => `${scheme}://${h}:${port}${RELAY_PATH}`);
}

function localIPv4Addresses(): string[] {
  const found = new Set<string>(['127.0.0.1']);
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4') found.add(entry.address);
    }
  }
  return [...found];
}

/** One key per client address: IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as the IPv4 address it maps. */
export function clientAddressKey(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  return remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.') ? remoteAddress.slice(7) : remoteAddress;
}
