/**
 * `sealdrop receive [options] <link>`
 */

import { mkdir, readFile } from 'node:fs/promises';
import { runReceive } from '../../main/transfer/receive';
import type { CommonFlags } from '../main';
import { createContext } from '../context';
import { EXIT, exitCodeFor } from '../help';
import type { Output } from '../output';
import { reportPrinter } from './report';
import { abortSignal, transferOptions, offerPrompt } from './shared';

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

  const result = await runReceive({
    link,
    outDir: flags.out,
    signer,
    name: ctx.deviceName,
    trust,
    ...(flags.relay.length ? { relayOverride: flags.relay } : {}),
    ...(ca ? { relayCa: ca } : {}),
    ...transferOptions(flags, ctx),
    abort: abortSignal(),
    confirm: offerPrompt(flags, out),
    report: reportPrinter(out, {
      waiting: (report) => `Connected to the relay ${report.relay}; waiting for the sender…`,
      level2: 'Level 2 — UNVERIFIED',
      pathLost: (report) => `Path ${report.path} lost (${report.code}); reconnecting (attempt ${report.retry})…`,
      done: (report) => `Done: ${report.files.length} file(s) verified and saved in ${flags.out} (Level ${report.level}, ${report.path}).`,
    }),
  });
  return result.ok ? EXIT.OK : exitCodeFor(result.code ?? 'INTERNAL');
}
