/**
 * `sealdrop receive [options] <link>`
 */

import { mkdir, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { runReceive, type OfferSummary } from '../../main/transfer/receive';
import type { CommonFlags } from '../main';
import { createContext } from '../context';
import { EXIT, exitCodeFor } from '../help';
import type { Output } from '../output';
import { reportPrinter } from './report';
import { abortSignal, iceServers } from './shared';

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export async function receive(args: string[], flags: CommonFlags, out: Output): Promise<number> {
  const [link] = args;
  if (!link || args.length > 1) {
    out.error('USAGE', 'sealdrop receive [options] <link>');
    return EXIT.USAGE;
  }
  const ctx = createContext(process.env, flags.name);
  const { signer } = await ctx.identity();
  const trust = await ctx.trust();
  await mkdir(flags.out, { recursive: true });
  const ca = flags.relayCa ? await readFile(flags.relayCa, 'utf8') : undefined;

  const confirm = async (offer: OfferSummary): Promise<boolean> => {
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

  const result = await runReceive({
    link,
    outDir: flags.out,
    signer,
    name: ctx.deviceName,
    trust,
    ...(flags.relay.length ? { relayOverride: flags.relay } : {}),
    ...(ca ? { relayCa: ca } : {}),
    pathMode: flags.path,
    iceServers: iceServers(flags),
    forceTurn: flags.turnOnly,
    requireLevel3: flags.requireLevel === 3,
    random: ctx.random,
    clock: ctx.clock,
    abort: abortSignal(),
    confirm,
    report: reportPrinter(out, {
      waiting: (report) => `Connected to the relay ${report.relay}; waiting for the sender…`,
      level2: 'Level 2 — UNVERIFIED',
      pathLost: (report) => `Path ${report.path} lost (${report.code}); reconnecting (attempt ${report.retry})…`,
      done: (report) => `Done: ${report.files.length} file(s) verified and saved in ${flags.out} (Level ${report.level}, ${report.path}).`,
    }),
  });
  return result.ok ? EXIT.OK : exitCodeFor(result.code ?? 'INTERNAL');
}
