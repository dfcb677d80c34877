/**
 * A hostile sending peer for suites that attack the REAL `sealdrop receive` process (THREAT-MODEL.md §2, "Hostile
 * sending peer"): it is authenticated as itself — it created the link, so the receiver reaches it at Level 3 — and
 * chooses every byte of its manifest, chunk sizes and content.
 *
 * It is the real session runner (`startSender`, src/transfer/session.ts) over the real relay (relay/server.ts) and
 * the real relay client, with a link from `createLink`; what makes it hostile is its input: a crafted manifest (see
 * raw-manifest.ts for the ones our encoder would refuse), a source whose bytes do not match, or a transport wrapper
 * that stops mid-file. The receiver is started by the suite with `--path relay` and this sender's link.
 *
 *   sealdrop receive ──ws──▶ relay/server.ts (127.0.0.1) ◀──ws── connectRelay ─ whenFirstFrame ─ startSender
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { toHex } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed } from '../../src/identity/identity';
import { createLink, encodeLink } from '../../src/identity/link';
import type { Manifest } from '../../src/manifest/manifest';
import { systemClock } from '../../src/ports/clock';
import type { FileSource } from '../../src/ports/files';
import { webCryptoRandom } from '../../src/ports/random';
import type { Transport } from '../../src/ports/transport';
import { fail } from '../../src/errors';
import { FRAME_TYPES } from '../../src/frames/frames';
import { startSender, type SessionOutcome } from '../../src/transfer/session';
import { connectRelay } from '../../main/adapters/relay-client';
import { whenFirstFrame } from '../../main/transfer/gate';
import { startRelay } from '../../relay/server';
import { device, runCli, tempDir, type CliProcess } from '../cli/harness';
import { listTree, track } from './cli-outcome';

export interface HostileSenderOptions {
  readonly manifest: Manifest;
  readonly source: FileSource;
  /** Wrap the transport of session `n` (from 0), e.g. to stop it mid-file. */
  readonly wrap?: (transport: Transport, n: number) => Transport;
  /** Sessions after the first: run them again ('serve', the default) or end each one at once ('refuse'). */
  readonly later?: 'serve' | 'refuse';
}

export interface HostileSender {
  /** The link to give `sealdrop receive`. */
  readonly link: string;
  readonly fingerprint: string;
  /** The first session's outcome, as the hostile sender saw it. */
  readonly first: Promise<SessionOutcome>;
  /** Later sessions this sender ended at once (`later: 'refuse'`). */
  readonly refused: () => number;
  close(): Promise<void>;
}

export async function startHostileSender(options: HostileSenderOptions): Promise<HostileSender> {
  const relay = await startRelay({ host: '127.0.0.1', port: 0, logger: () => undefined });
  const url = relay.urls()[0]!;
  const signer = await identityFromSeed(webCryptoRandom.bytes(32));
  const fingerprint = await fingerprintOf(signer.publicKey);
  const link = createLink(webCryptoRandom, 'transfer', fingerprint, [url]);
  const room = await connectRelay(url);
  await room.join(link.roomId);

  let closed = false;
  room.onClose(() => (closed = true));
  let refused = 0;
  let cancel: (() => void) | null = null;
  let resolveFirst!: (outcome: SessionOutcome) => void;
  let rejectFirst!: (error: unknown) => void;
  const first = new Promise<SessionOutcome>((resolve, reject) => ((resolveFirst = resolve), (rejectFirst = reject)));

  const serve = async () => {
    for (let n = 0; !closed; ) {
      const gate = whenFirstFrame(room.openFrameTransport());
      cancel = () => gate.cancel();
      const transport = await gate.ready;
      if (!transport) continue; // the path closed before the receiver spoke: open the next one
      if (n > 0 && options.later === 'refuse') {
        refused++;
        transport.close(); // ends this relay-path session at once: the receiver sees TRANSPORT_CLOSED
        continue;
      }
      const session = await startSender({
        transport: options.wrap?.(transport, n) ?? transport,
        clock: systemClock,
        random: webCryptoRandom,
        signer,
        handshakeRole: 'responder',
        sessionId: link.roomId,
        psk: link.secret,
        expect: { linkIssued: true },
        name: 'mallet',
        manifest: options.manifest,
        source: options.source,
      });
      const outcome = await session.outcome;
      if (n === 0) resolveFirst(outcome);
      n++;
    }
  };
  // A sender that cannot even start (say, a manifest the codec mock was not installed for) fails `first`.
  const serving = serve().catch((error: unknown) => rejectFirst(error));

  return {
    link: encodeLink(link),
    fingerprint: toHex(fingerprint),
    first,
    refused: () => refused,
    async close() {
      closed = true;
      cancel?.();
      room.close();
      await serving;
      await relay.close();
    },
  };
}

/**
 * A transport wrapper for session 0 that stops after `dataFrames` DATA frames: it closes the relay-path session
 * (the receiver sees TRANSPORT_CLOSED after the frames already sent) and refuses every later send.
 */
export function stopAfterData(dataFrames: number): (transport: Transport, n: number) => Transport {
  return (transport, n) => {
    if (n > 0) return transport;
    let sent = 0;
    let stopped = false;
    return {
      path: transport.path,
      binding: transport.binding,
      maxFrameBytes: transport.maxFrameBytes,
      listen: (handlers) => transport.listen(handlers),
      close: () => transport.close(),
      async send(frame) {
        if (stopped) fail('TRANSPORT_CLOSED', 'the hostile sender stopped');
        await transport.send(frame);
        if (frame[1] === FRAME_TYPES.DATA && ++sent >= dataFrames) {
          stopped = true;
          transport.close();
        }
      },
    };
  };
}

// ------------------------------------------------------------------ the victim

/**
 * `sealdrop receive --json --yes --out <parent>/out --path relay <link>`, run from <parent>/cwd, next to a canary
 * folder <parent>/canary holding one file: whatever escapes --out lands in <parent> (or the working folder) and
 * `contained()` finds it.
 */
export function victim(link: string): { receiver: CliProcess; parent: string; out: string; contained: () => void } {
  const parent = tempDir('sealdrop-victim-');
  const out = join(parent, 'out');
  const cwd = join(parent, 'cwd');
  mkdirSync(cwd);
  mkdirSync(join(parent, 'canary'));
  writeFileSync(join(parent, 'canary', 'keep.txt'), 'canary');
  const receiver = track(runCli(['receive', '--json', '--yes', '--out', out, '--path', 'relay', link], device('victim').env, { cwd }));
  return {
    receiver,
    parent,
    out,
    contained() {
      const outside = listTree(parent).filter((rel) => rel !== 'out' && !rel.startsWith('out/'));
      expect(outside, 'entries next to --out').toEqual(['canary', 'canary/keep.txt', 'cwd']);
      expect(readFileSync(join(parent, 'canary', 'keep.txt'), 'utf8')).toBe('canary');
    },
  };
}
