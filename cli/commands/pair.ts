/**
 * `sealdrop pair` (show a pairing link and QR) and `sealdrop pair <link>` (pin the device that showed it).
 */

import { readFile } from 'node:fs/promises';
import { describePeer, pairAsIssuer, pairAsJoiner } from '../../main/transfer/pair';
import { startRelay } from '../../relay/server';
import type { CommonFlags } from '../main';
import { createContext } from '../context';
import { EXIT } from '../help';
import type { Output } from '../output';
import { printQr } from '../qr';

export async function pair(args: string[], flags: CommonFlags, out: Output): Promise<number> {
  const ctx = createContext(process.env, flags.name);
  const { signer } = await ctx.identity();
  const trust = await ctx.trust();
  const ca = flags.relayCa ? await readFile(flags.relayCa, 'utf8') : undefined;
  const common = { signer, name: ctx.deviceName, trust, random: ctx.random, ...(ca ? { relayCa: ca } : {}) };
  const [link] = args;
  let paired;
  if (link) {
    paired = await pairAsJoiner({ ...common, link, ...(flags.relay.length ? { relayOverride: flags.relay } : {}) });
  } else {
    const embedded = flags.relay.length ? null : await startRelay({ host: '0.0.0.0', port: 0, logger: () => undefined });
    try {
      const urls = embedded ? embedded.urls() : flags.relay;
      const loopback = urls.filter((u) => u.includes('127.0.0.1'));
      const relayUrls = embedded ? [...urls.filter((u) => !u.includes('127.0.0.1')).slice(0, 3), ...loopback.slice(0, 1)] : urls;
      paired = await pairAsIssuer({
        ...common,
        relayUrls,
        connectUrl: embedded ? (loopback[0] ?? urls[0]!) : urls[0]!,
        onLink: (text) => {
          out.event({ event: 'ready', link: text });
          if (!out.json) {
            out.say('Scan this code with the other device, or run there:');
            out.say(`  sealdrop pair '${text}'\n`);
            void printQr(text, out);
          }
        },
      });
    } finally {
      await embedded?.close();
    }
  }
  const peer = describePeer(paired.handshake);
  out.event({ event: 'paired', id: paired.contact.id, level: paired.handshake.level, peer: { ...peer, verified: true } });
  if (!out.json) out.say(`Paired with ${peer.name || 'a device'} [${peer.short}] — pinned and verified.`);
  return EXIT.OK;
}
