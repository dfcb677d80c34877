/**
 * `sealdrop id`: this device's identity — fingerprint, short form, and a QR code of the fingerprint.
 */

import { toHex } from '../../src/bytes';
import { fingerprintOf, shortFingerprint } from '../../src/identity/fingerprint';
import type { CommonFlags } from '../main';
import { createContext } from '../context';
import { EXIT } from '../help';
import type { Output } from '../output';
import { printQr } from '../qr';

export async function id(flags: CommonFlags, out: Output): Promise<number> {
  const ctx = createContext(process.env, flags.name);
  const { signer, created } = await ctx.identity();
  const fingerprint = await fingerprintOf(signer.publicKey);
  const hex = toHex(fingerprint);
  out.event({ event: 'id', fingerprint: hex, short: shortFingerprint(fingerprint), name: ctx.deviceName, created });
  if (!out.json) {
    if (created) out.say('A new identity key was created and stored.');
    out.say(`Device:      ${ctx.deviceName}`);
    out.say(`Short form:  ${shortFingerprint(fingerprint)}`);
    out.say(`Fingerprint: ${hex.match(/.{1,8}/g)!.join(' ')}`);
    await printQr(`SEALDROP-ID:${hex}`, out);
    out.say('To verify a contact, compare safety numbers: sealdrop contacts verify <id>');
  }
  return EXIT.OK;
}
