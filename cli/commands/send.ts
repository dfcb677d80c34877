/**
 * `sealdrop send [options] <path>...`            a link send: prints a link (and QR) for the receiver
 * `sealdrop send --to CONTACT --relay URL <path>...`   a contact send: wakes the contact's `sealdrop listen` through
 *                                                its relay mailbox (docs/PROTOCOL.md §13.9); no link
 */

import { readFile } from 'node:fs/promises';
import { shortFingerprint } from '../../src/identity/fingerprint';
import type { Contact } from '../../src/trust/contact';
import { runSend } from '../../main/transfer/send';
import { configuredRelay, startEmbeddedRelay } from '../../main/transfer/embedded-relay';
import type { CommonFlags } from '../main';
import { createContext } from '../context';
import { EXIT, exitCodeFor } from '../help';
import type { Output } from '../output';
import { printQr } from '../qr';
import { reportPrinter } from './report';
import { abortSignal, transferOptions, resolveContact } from './shared';

export async function send(paths: string[], flags: CommonFlags, out: Output): Promise<number> {
  if (paths.length === 0) {
    out.error('USAGE', 'nothing to send: sealdrop send <path>...');
    return EXIT.USAGE;
  }
  if (flags.to !== undefined) {
    // The contact's device listens on a relay it registered with; an embedded relay here is one it cannot know.
    if (flags.relay.length !== 1) {
      out.error('USAGE', '--to needs exactly one --relay URL: the relay the contact runs `sealdrop listen` on');
      return EXIT.USAGE;
    }
    if (flags.path === 'direct') {
      out.error('USAGE', '--to has no direct path (it needs a link secret): use --path auto, webrtc or relay');
      return EXIT.USAGE;
    }
  }
  const ctx = createContext(process.env, flags.name);
  const { signer } = await ctx.identity();
  const trust = await ctx.trust();

  let contact: Contact | null = null;
  if (flags.to !== undefined) {
    contact = resolveContact(trust, flags.to);
    if (trust.status(contact.id) === 'keyChanged') {
      out.error('KEY_CHANGED', `${contact.name}'s key changed: compare safety numbers with sealdrop contacts verify first`);
      return exitCodeFor('KEY_CHANGED');
    }
  }
  const who = contact ? `${contact.name} [${shortFingerprint(contact.fingerprint)}]` : '';

  // No --relay: run a relay in this process; its reachable addresses go into the link.
  const relay = flags.relay.length === 0 ? await startEmbeddedRelay() : configuredRelay(flags.relay[0]!);
  const ca = flags.relayCa ? await readFile(flags.relayCa, 'utf8') : undefined;
  const abort = abortSignal();
  let lastDelivered: boolean | null = null;
  try {
    const result = await runSend({
      paths,
      signer,
      name: ctx.deviceName,
      trust,
      relayUrls: flags.relay.length > 0 ? flags.relay : relay.linkUrls,
      connectUrl: relay.connectUrl,
      ...(ca ? { relayCa: ca } : {}),
      ...(contact ? { to: { identityKey: contact.identityKey } } : {}),
      ...transferOptions(flags, ctx),
      abort,
      report: reportPrinter(out, {
        ready: (report) => {
          const link = report.link;
          if (link === null) {
            out.say(`Sending ${report.files} file(s), ${out.bytes(report.bytes)} to ${who} through ${relay.connectUrl}.`);
            return;
          }
          out.say(`Sending ${report.files} file(s), ${out.bytes(report.bytes)}. Give the receiver this link:\n`);
          out.say(`  ${link}\n`);
          void printQr(link, out).then(() => out.say(`On the other side: sealdrop receive '${link}'`));
        },
        notified: (report) => {
          if (report.delivered === lastDelivered) return null;
          lastDelivered = report.delivered;
          return report.delivered
            ? `The relay woke ${who}'s device; waiting for it to join…`
            : `No device of ${who} is listening on this relay right now; notifying again every 30 s…`;
        },
        waiting: () => (contact ? `Waiting for ${who}…` : 'Waiting for the receiver…'),
        level2: 'Level 2 — UNVERIFIED: an active relay could read this transfer',
        pathLost: (report) => `Path ${report.path} lost (${report.code}); waiting for the receiver to reconnect…`,
        done: (report) => `Done: the receiver verified all ${report.files.length} file(s) (Level ${report.level}, ${report.path}).`,
      }),
    });
    return result.ok ? EXIT.OK : exitCodeFor(result.code ?? 'INTERNAL');
  } finally {
    await relay.close();
  }
}
