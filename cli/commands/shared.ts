/**
 * Helpers shared by the transfer commands.
 */

import { createInterface } from 'node:readline/promises';
import { toHex } from '../../src/bytes';
import { fail } from '../../src/errors';
import type { OfferSummary } from '../../main/transfer/receive-room';
import type { Contact } from '../../src/trust/contact';
import type { TrustStore } from '../../src/trust/trust-store';
import type { CliContext } from '../context';
import type { CommonFlags } from '../main';
import type { Output } from '../output';

/** STUN and TURN servers in node-datachannel's format ('stun:host:port', 'turn:user:pass@host:port'). */
export function iceServers(flags: CommonFlags): string[] {
  const normalise = (url: string) => url.replace(/^(stun|turns?):\/\//, '$1:');
  return [...flags.stun.map(normalise), ...flags.turn.map(normalise)];
}

/** The transfer options every command takes from the same flags: paths, ICE servers, the level, time and chance. */
export function transferOptions(flags: CommonFlags, ctx: Pick<CliContext, 'random' | 'clock'>) {
  return {
    pathMode: flags.path,
    iceServers: iceServers(flags),
    forceTurn: flags.turnOnly,
    requireLevel3: flags.requireLevel === 3,
    random: ctx.random,
    clock: ctx.clock,
  };
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

/**
 * The one contact `needle` names: its full fingerprint in hex, a prefix of it of at least 8 hex digits, or its name
 * (case-insensitive). @throws SealdropError CONTACT_UNKNOWN when none or more than one matches.
 */
export function resolveContact(trust: TrustStore, needle: string): Contact {
  const lower = needle.trim().toLowerCase();
  const byFingerprint = /^[0-9a-f]{8,64}$/.test(lower) ? (c: Contact) => toHex(c.fingerprint).startsWith(lower) : () => false;
  const matches = trust.list().filter((c) => byFingerprint(c) || c.name.toLowerCase() === lower);
  if (matches.length === 0) fail('CONTACT_UNKNOWN', `no contact matches "${needle}" (see sealdrop contacts list)`);
  if (matches.length > 1) fail('CONTACT_UNKNOWN', `"${needle}" matches ${matches.length} contacts: give more of the fingerprint`);
  return matches[0]!;
}

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** The receive commands' answer to an offer: show it, then `--yes`, or ask on the terminal (no terminal: refuse). */
export function offerPrompt(flags: CommonFlags, out: Output): (offer: OfferSummary) => Promise<boolean> {
  return async (offer) => {
    const files = offer.manifest.entries.filter((e) => e.kind === 'file').length;
    if (!out.json || !flags.yes) {
      const who = `${offer.peer.name || 'a device'} [${offer.peer.short}]`;
      const level =
        offer.level === 3
          ? `Level 3 — verified (${offer.peer.verified ? 'a verified contact' : offer.peer.verifiedBy})`
          : 'Level 2 — UNVERIFIED: nothing confirmed who is on the other end; an active relay could read this';
      out.say(`${who} offers ${files} file(s), ${out.bytes(offer.bytes)}. ${level}`);
      for (const entry of offer.manifest.entries.slice(0, 20)) {
        out.say(`  ${entry.kind === 'directory' ? entry.path + '/' : `${entry.path}  (${out.bytes(entry.size)})`}`);
      }
      if (offer.manifest.entries.length > 20) out.say(`  … and ${offer.manifest.entries.length - 20} more`);
    }
    if (flags.yes) return true;
    if (!process.stdin.isTTY) {
      out.say('Not accepting: no terminal to ask on (pass --yes to accept).');
      return false;
    }
    return ask(`Save into ${flags.out}? [y/N] `);
  };
}
