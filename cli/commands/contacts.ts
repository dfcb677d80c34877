/**
 * `sealdrop contacts list | verify <id|fingerprint> | forget <id>`
 */

import { createInterface } from 'node:readline/promises';
import { toHex } from '../../src/bytes';
import { groupSafetyNumber, safetyNumber, shortFingerprint } from '../../src/identity/fingerprint';
import type { Contact } from '../../src/trust/contact';
import type { TrustStore } from '../../src/trust/trust-store';
import type { CommonFlags } from '../main';
import { createContext } from '../context';
import { EXIT } from '../help';
import type { Output } from '../output';

function find(trust: TrustStore, needle: string): Contact | undefined {
  const lower = needle.toLowerCase();
  return trust.list().find((c) => c.id === lower || toHex(c.fingerprint).startsWith(lower) || shortFingerprint(c.fingerprint).toLowerCase() === lower);
}

export async function contacts(args: string[], flags: CommonFlags, out: Output): Promise<number> {
  const [verb, target] = args;
  const ctx = createContext(process.env, flags.name);
  const trust = await ctx.trust();
  if (verb === 'list' || verb === undefined) {
    const all = trust.list();
    for (const c of all) {
      const status = trust.status(c.id);
      out.event({ event: 'contact', id: c.id, name: c.name, fingerprint: toHex(c.fingerprint), short: shortFingerprint(c.fingerprint), status });
      if (!out.json) out.say(`${c.id.slice(0, 8)}  ${shortFingerprint(c.fingerprint)}  ${status.padEnd(10)}  ${c.name}`);
    }
    if (!out.json && all.length === 0) out.say('No contacts yet. They are added after a verified transfer or by `sealdrop pair`.');
    return EXIT.OK;
  }
  if ((verb === 'verify' || verb === 'forget') && target) {
    const contact = find(trust, target);
    if (!contact) {
      out.error('CONTACT_UNKNOWN', `no contact matches "${target}"`);
      return EXIT.USAGE;
    }
    if (verb === 'forget') {
      await trust.forget(contact.id);
      out.event({ event: 'forgotten', id: contact.id });
      if (!out.json) out.say(`Forgot ${contact.name}.`);
      return EXIT.OK;
    }
    const { signer } = await ctx.identity();
    const number = await safetyNumber(signer.publicKey, contact.identityKey);
    out.event({ event: 'safety-number', id: contact.id, safetyNumber: number });
    if (!out.json) {
      out.say(`Safety number with ${contact.name}:`);
      const groups = groupSafetyNumber(number);
      for (let i = 0; i < 12; i += 4) out.say(`  ${groups.slice(i, i + 4).join('  ')}`);
      out.say('Compare it with the number the other device shows (in person or by voice).');
    }
    let matches = flags.yes;
    if (!matches && process.stdin.isTTY) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      matches = /^y(es)?$/i.test((await rl.question('Do all 60 digits match? [y/N] ')).trim());
      rl.close();
    }
    if (!matches) {
      if (!out.json) out.say('Not marked verified.');
      return EXIT.DECLINED;
    }
    const status = trust.status(contact.id);
    if (status === 'keyChanged') await trust.acceptKeyChange(contact.id, 'verified');
    else await trust.markVerified(contact.id);
    out.event({ event: 'verified', id: contact.id });
    if (!out.json) out.say(`${contact.name} is now verified.`);
    return EXIT.OK;
  }
  out.error('USAGE', 'sealdrop contacts list | verify <id|fingerprint> | forget <id>');
  return EXIT.USAGE;
}
