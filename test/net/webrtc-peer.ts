/**
 * One side of the cross-namespace WebRTC test (test/webrtc/turn-netns.test.ts), run as a child process inside a
 * network namespace:
 *
 *   ip netns exec sd-a npx --no-install tsx test/net/webrtc-peer.ts --role offerer --signal 10.201.1.1:PORT \
 *     --ice turn:sealdrop:ci-secret@10.201.1.1:3478 --force-relay --bytes 4194304
 *
 * Signalling: a TCP connection to the test's signal server, one base64 signal per line (the server pairs the two
 * peers and forwards lines). The offerer sends `--bytes` of a deterministic pattern in frames of maxFrameBytes; the
 * answerer hashes what arrives and, once it has everything, sends the 32-byte SHA-256 back. Each side prints one
 * JSON line on stdout — { role, ok, path, sha256, bytes } or { role, ok: false, code } — and exits.
 */

import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { cleanup } from 'node-datachannel';
import { errorCodeOf } from '../../src/errors';
import type { Transport } from '../../src/ports/transport';
import { liveWebRtcPeers, WebRtcPeer } from '../../main/adapters/webrtc-transport';
import { pattern } from '../helpers/pattern';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    signal: { type: 'string' },
    ice: { type: 'string', multiple: true, default: [] },
    'force-relay': { type: 'boolean', default: false },
    bytes: { type: 'string', default: String(4 * 1024 * 1024) },
    'connect-timeout': { type: 'string', default: '15000' },
    /** Wait this long after the transfer before reading the path (late signals may reclassify it). */
    'linger-ms': { type: 'string', default: '0' },
  },
});

const role = values.role === 'offerer' || values.role === 'answerer' ? values.role : null;
const [signalHost, signalPort] = (values.signal ?? '').split(':');
if (!role || !signalHost || !signalPort) {
  process.stderr.write('usage: webrtc-peer.ts --role offerer|answerer --signal host:port [--ice url]… [--force-relay]\n');
  process.exit(2);
}
const total = Number(values.bytes);

/** The same pattern on both sides, so the test can also compute the expected hash. */
const PATTERN_SEED = 0x5eed;

function report(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ role, ...result })}\n`);
}

const socket = connect({ host: signalHost, port: Number(signalPort) });
socket.on('error', (error) => {
  report({ ok: false, code: 'SIGNAL_FAILED', message: error.message });
  process.exit(1);
});

const peer = new WebRtcPeer({
  role,
  iceServers: values.ice,
  forceRelay: values['force-relay'],
  signal: (message) => socket.write(`${Buffer.from(message).toString('base64')}\n`),
  logger: {
    debug: () => undefined,
    info: (event, fields) => process.stderr.write(`[${role}] ${event} ${JSON.stringify(fields ?? {})}\n`),
    warn: (event, fields) => process.stderr.write(`[${role}] ${event} ${JSON.stringify(fields ?? {})}\n`),
    error: (event, fields) => process.stderr.write(`[${role}] ${event} ${JSON.stringify(fields ?? {})}\n`),
  },
});
createInterface({ input: socket }).on('line', (line) => peer.handleSignal(new Uint8Array(Buffer.from(line, 'base64'))));

async function offer(transport: Transport): Promise<Record<string, unknown>> {
  const data = pattern(total, PATTERN_SEED);
  const digest = new Promise<Uint8Array>((resolve, reject) => {
    transport.listen({ frame: (frame) => resolve(frame), close: (reason) => reject(new Error(reason.code)) });
  });
  for (let offset = 0; offset < total; offset += transport.maxFrameBytes) {
    await transport.send(data.subarray(offset, offset + transport.maxFrameBytes));
  }
  const sent = createHash('sha256').update(data).digest('hex');
  const echoed = Buffer.from(await digest).toString('hex');
  return { ok: echoed === sent, sha256: sent, echoed };
}

async function answer(transport: Transport): Promise<Record<string, unknown>> {
  const hash = createHash('sha256');
  let received = 0;
  const done = new Promise<string>((resolve, reject) => {
    transport.listen({
      frame: (frame) => {
        hash.update(frame);
        received += frame.length;
        if (received === total) resolve(hash.digest('hex'));
      },
      close: (reason) => reject(new Error(`${reason.code} after ${received} bytes`)),
    });
  });
  const sha256 = await done;
  await transport.send(new Uint8Array(Buffer.from(sha256, 'hex')));
  return { ok: true, sha256 };
}

async function main(): Promise<number> {
  let transport: Transport;
  try {
    transport = await peer.connected(Number(values['connect-timeout']));
  } catch (error) {
    report({ ok: false, code: errorCodeOf(error) ?? 'INTERNAL' });
    return 1;
  }
  const openPath = transport.path;
  try {
    const result = role === 'offerer' ? await offer(transport) : await answer(transport);
    await new Promise((resolve) => setTimeout(resolve, Number(values['linger-ms'])));
    report({ ...result, path: transport.path, openPath, bytes: total });
    return result.ok ? 0 : 1;
  } catch (error) {
    report({ ok: false, code: 'TRANSFER_FAILED', message: (error as Error).message, path: transport.path });
    return 1;
  }
}

const code = await main();
// close() lets frames already sent (the answerer's digest) arrive before the connection is torn down.
peer.close();
for (let i = 0; i < 600 && liveWebRtcPeers() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
socket.destroy();
cleanup();
process.exit(code);
