/**
 * `sealdrop listen --relay URL [--out DIR] [--yes] [--require-level 2]`: register this device's mailbox on the relay
 * and receive contact sends (`sealdrop send --to`, docs/PROTOCOL.md §13.9), one after another, until Ctrl-C.
 *
 * Each INCOMING is only a room id from an unauthenticated notification: the receive joins the room and the handshake
 * decides. A sender whose key is pinned in the trust store is Level 3; anyone else is Level 2 and refused unless
 * `--require-level 2` (then shown as UNVERIFIED and asked about like any offer). Offers are asked about unless
 * `--yes`. The mailbox watcher drops repeated and excess notifications (main/transfer/mailbox.ts); here at most
 * MAX_QUEUED more wait while one receive runs, so a flood costs a bounded queue and one receive at a time.
 *
 * JSON events (besides a receive's own): {event:'listening', relay, fingerprint} each time the mailbox is
 * registered (again after a reconnection); {event:'incoming', room} when a receive starts (room: first 4 bytes, hex);
 * {event:'incoming-dropped', reason:'queue-full'}.
 */

import { mkdir, readFile } from 'node:fs/promises';
import { toHex } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { watchMailbox } from '../../main/transfer/mailbox';
import { runReceiveIncoming } from '../../main/transfer/receive';
import type { CommonFlags } from '../main';
import { createContext } from '../context';
import { EXIT, exitCodeFor } from '../help';
import type { Output } from '../output';
import { reportPrinter } from './report';
import { abortSignal, transferOptions, offerPrompt } from './shared';

/** Notifications waiting while a receive runs; more are dropped. */
const MAX_QUEUED = 8;

export async function listen(args: string[], flags: CommonFlags, out: Output): Promise<number> {
  if (args.length > 0 || flags.relay.length !== 1) {
    out.error('USAGE', 'sealdrop listen --relay URL [--out DIR] [--yes]: exactly one relay, no arguments');
    return EXIT.USAGE;
  }
  if (flags.path === 'direct') {
    out.error('USAGE', 'contact sends have no direct path: use --path auto, webrtc or relay');
    return EXIT.USAGE;
  }
  const relayUrl = flags.relay[0]!;
  const ctx = createContext(process.env, flags.name);
  const { signer } = await ctx.identity();
  const trust = await ctx.trust();
  await mkdir(flags.out, { recursive: true });
  const ca = flags.relayCa ? await readFile(flags.relayCa, 'utf8') : undefined;
  const fingerprint = toHex(await fingerprintOf(signer.publicKey));

  const queue: Uint8Array[] = [];
  let wake: (() => void) | null = null;
  let stopped = false;
  const abort = abortSignal();
  void abort.then(() => {
    stopped = true;
    wake?.();
  });

  const watcher = watchMailbox({
    relayUrl,
    ...(ca ? { relayCa: ca } : {}),
    signer,
    onIncoming: (roomId) => {
      if (queue.length >= MAX_QUEUED) {
        out.event({ event: 'incoming-dropped', reason: 'queue-full' });
        return;
      }
      queue.push(roomId);
      wake?.();
    },
    onState: (state) => {
      if (state === 'registered') {
        out.event({ event: 'listening', relay: relayUrl, fingerprint });
        if (!out.json) out.say(`Listening on ${relayUrl} for transfers from your contacts (Ctrl-C to stop)…`);
      } else if (state === 'disconnected' && !out.json) {
        out.say('Lost the relay; reconnecting…');
      }
    },
  });
  // A relay URL that can never work fails now; an unreachable relay is retried for as long as we listen.
  try {
    await Promise.race([watcher.registered, abort]);
  } catch (error) {
    watcher.close();
    throw error;
  }

  try {
    while (!stopped) {
      while (queue.length === 0 && !stopped) await new Promise<void>((resolve) => (wake = resolve));
      if (stopped) break;
      const roomId = queue.shift()!;
      out.event({ event: 'incoming', room: toHex(roomId.subarray(0, 4)) });
      if (!out.json) out.say('A transfer is waiting; joining…');
      const result = await runReceiveIncoming({
        relayUrl,
        roomId,
        outDir: flags.out,
        signer,
        name: ctx.deviceName,
        trust,
        ...(ca ? { relayCa: ca } : {}),
        ...transferOptions(flags, ctx),
        abort,
        confirm: offerPrompt(flags, out),
        report: reportPrinter(out, {
          waiting: () => 'Joined the room; waiting for the sender…',
          level2: 'Level 2 — UNVERIFIED',
          pathLost: (report) => `Path ${report.path} lost (${report.code}); reconnecting (attempt ${report.retry})…`,
          done: (report) => `Done: ${report.files.length} file(s) verified and saved in ${flags.out} (Level ${report.level}, ${report.path}).`,
        }),
      });
      if (!result.ok && !out.json) out.say(`Not received (${result.code ?? 'INTERNAL'}; exit code ${exitCodeFor(result.code ?? 'INTERNAL')} for a single receive). Still listening.`);
    }
  } finally {
    watcher.close();
  }
  return EXIT.OK;
}
