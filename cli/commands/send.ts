/**
 * `sealdrop send [options] <path>...`
 */

import { readFile } from 'node:fs/promises';
import { runSend } from '../../main/transfer/send';
import { startRelay } from '../../relay/server';
import type { CommonFlags } from '../main';
import { createContext } from '../context';
import { EXIT, exitCodeFor } from '../help';
import type { Output } from '../output';
import { printQr } from '../qr';
import { reportPrinter } from './report';
import { abortSignal, iceServers } from './shared';

export async function send(paths: string[], flags: CommonFlags, out: Output): Promise<number> {
  if (paths.length === 0) {
    out.error('USAGE', 'nothing to send: sealdrop send <path>...');
    return EXIT.USAGE;
  }
  const ctx = createContext(process.env, flags.name);
  const { signer } = await ctx.identity();
  const trust = await ctx.trust();

  // No --relay: run a relay in this process; its reachable addresses go into the link.
  let embedded: Awaited<ReturnType<typeof startRelay>> | null = null;
  let relayUrls = flags.relay;
  let connectUrl = flags.relay[0] ?? '';
  if (relayUrls.length === 0) {
    embedded = await startRelay({ host: '0.0.0.0', port: 0, logger: () => undefined });
    const urls = embedded.urls();
    const loopback = urls.filter((u) => u.includes('127.0.0.1'));
    const lan = urls.filter((u) => !u.includes('127.0.0.1'));
    relayUrls = [...lan.slice(0, 3), ...loopback.slice(0, 1)];
    connectUrl = loopback[0] ?? urls[0] ?? '';
  }
  const ca = flags.relayCa ? await readFile(flags.relayCa, 'utf8') : undefined;
  const abort = abortSignal();
  try {
    const result = await runSend({
      paths,
      signer,
      name: ctx.deviceName,
      trust,
      relayUrls,
      connectUrl,
      ...(ca ? { relayCa: ca } : {}),
      pathMode: flags.path,
      iceServers: iceServers(flags),
      forceTurn: flags.turnOnly,
      requireLevel3: flags.requireLevel === 3,
      random: ctx.random,
      clock: ctx.clock,
      abort,
      report: reportPrinter(out, {
        ready: (report) => {
          out.say(`Sending ${report.files} file(s), ${out.bytes(report.bytes)}. Give the receiver this link:\n`);
          out.say(`  ${report.link}\n`);
          void printQr(report.link, out).then(() => out.say(`On the other side: sealdrop receive '${report.link}'`));
        },
        waiting: () => 'Waiting for the receiver…',
        level2: 'Level 2 — UNVERIFIED: an active relay could read this transfer',
        pathLost: (report) => `Path ${report.path} lost (${report.code}); waiting for the receiver to reconnect…`,
        done: (report) => `Done: the receiver verified all ${report.files.length} file(s) (Level ${report.level}, ${report.path}).`,
      }),
    });
    return result.ok ? EXIT.OK : exitCodeFor(result.code ?? 'INTERNAL');
  } finally {
    await embedded?.close();
  }
}
