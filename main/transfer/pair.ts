/**
 * Pairing two devices: the Level 3 handshake alone, with intent 'pair', over the relay room named in a pairing
 * link (normally shown as a QR code). The device that shows the link learns the other's key (which proved it holds
 * the link secret); the device that scans it checks the issuer's key against the link's fingerprint. Both then pin
 * each other as *verified*: the link travelled out of band, which is what verification means here.
 */

import { toHex } from '../../src/bytes';
import { fail } from '../../src/errors';
import { decodeFrame, encodeFrame, type Frame } from '../../src/frames/frames';
import { InitiatorHandshake, ResponderHandshake, type HandshakeConfig, type HandshakeResult } from '../../src/handshake/handshake';
import { fingerprintOf, shortFingerprint } from '../../src/identity/fingerprint';
import type { IdentitySigner } from '../../src/identity/identity';
import { createLink, encodeLink, parseLink } from '../../src/identity/link';
import type { RandomSource } from '../../src/ports/random';
import type { Transport } from '../../src/ports/transport';
import type { Contact } from '../../src/trust/contact';
import type { TrustStore } from '../../src/trust/trust-store';
import { RelayLink } from './relay-link';

export interface PairOptions {
  readonly signer: IdentitySigner;
  readonly name: string;
  readonly trust: TrustStore;
  readonly random: RandomSource;
  readonly relayCa?: string;
  readonly timeoutMs?: number;
  /** Resolves to stop waiting (a newer pairing link replaced this one): the wait fails TRANSPORT_CLOSED. */
  readonly abort?: Promise<void>;
}

export interface Paired {
  readonly contact: Contact;
  readonly handshake: HandshakeResult;
}

/** Frames from a transport, one at a time. */
function frameQueue(transport: Transport) {
  const frames: Uint8Array[] = [];
  let waiter: (() => void) | null = null;
  let closed = false;
  transport.listen({
    frame(bytes) {
      frames.push(bytes);
      waiter?.();
    },
    close() {
      closed = true;
      waiter?.();
    },
  });
  return async (timeoutMs: number): Promise<Frame> => {
    const deadline = Date.now() + timeoutMs;
    while (frames.length === 0) {
      if (closed) fail('TRANSPORT_CLOSED', 'the other device went away');
      const left = deadline - Date.now();
      if (left <= 0) fail('TIMEOUT', 'the other device did not answer in time');
      await new Promise<void>((resolve) => {
        waiter = resolve;
        setTimeout(resolve, left);
      });
    }
    return decodeFrame(frames.shift()!);
  };
}

function config(options: PairOptions, roomId: Uint8Array, psk: Uint8Array, expect: HandshakeConfig['expect']): HandshakeConfig {
  return {
    signer: options.signer,
    random: options.random,
    sessionId: roomId,
    psk,
    binding: { kind: 'none' },
    intent: 'pair',
    name: options.name,
    expect,
    requireLevel3: true,
  };
}

async function pin(trust: TrustStore, result: HandshakeResult): Promise<Contact> {
  const existing = trust.findByKey(result.peer.identityKey);
  const contact = existing ?? (await trust.pin(result.peer.identityKey, result.peer.name || 'paired device', 'verified'));
  return contact.state === 'verified' ? contact : trust.markVerified(contact.id);
}

/** Show a pairing link (`onLink`) and wait for the other device to use it. */
export async function pairAsIssuer(
  options: PairOptions & { relayUrls: readonly string[]; connectUrl: string; onLink: (link: string) => void },
): Promise<Paired> {
  const link = createLink(options.random, 'pairing', await fingerprintOf(options.signer.publicKey), options.relayUrls);
  const relay = new RelayLink(options.connectUrl, link.roomId, options.relayCa);
  void options.abort?.then(() => relay.close());
  try {
    await relay.start();
    const transport = relay.openFrameTransport();
    const next = frameQueue(transport);
    options.onLink(encodeLink(link));
    const timeout = options.timeoutMs ?? 10 * 60_000;
    const hello = await next(timeout);
    if (hello.type !== 'HELLO') fail('UNEXPECTED_MESSAGE', 'expected a pairing hello');
    const { handshake, reply } = await ResponderHandshake.onHello(config(options, link.roomId, link.secret, { linkIssued: true }), hello.payload);
    await transport.send(encodeFrame({ type: 'HANDSHAKE_REPLY', payload: reply }));
    const finish = await next(30_000);
    if (finish.type !== 'HANDSHAKE_FINISH') fail('UNEXPECTED_MESSAGE', 'expected the pairing finish');
    const result = await handshake.onFinish(finish.payload);
    transport.close();
    return { contact: await pin(options.trust, result), handshake: result };
  } finally {
    relay.close();
  }
}

/** Use a pairing link shown by another device. */
export async function pairAsJoiner(options: PairOptions & { link: string; relayOverride?: readonly string[] }): Promise<Paired> {
  const link = parseLink(options.link);
  if (link.kind !== 'pairing') fail('LINK_BAD_KIND', 'this is a transfer link: use `sealdrop receive <link>`');
  const relays = options.relayOverride?.length ? options.relayOverride : link.relays;
  const relay = new RelayLink(relays, link.roomId, options.relayCa);
  try {
    await relay.start();
    const transport = relay.openFrameTransport();
    const next = frameQueue(transport);
    const { handshake, hello } = await InitiatorHandshake.start(config(options, link.roomId, link.secret, { linkFingerprint: link.fingerprint }));
    await transport.send(encodeFrame({ type: 'HELLO', payload: hello }));
    const reply = await next(options.timeoutMs ?? 60_000);
    if (reply.type === 'ABORT') fail('PEER_ABORTED', 'the other device refused');
    if (reply.type !== 'HANDSHAKE_REPLY') fail('UNEXPECTED_MESSAGE', 'expected a pairing reply');
    const { finish, result } = await handshake.onReply(reply.payload);
    await transport.send(encodeFrame({ type: 'HANDSHAKE_FINISH', payload: finish }));
    // Give the finish a moment to leave before the room is torn down.
    await new Promise((resolve) => setTimeout(resolve, 200));
    transport.close();
    return { contact: await pin(options.trust, result), handshake: result };
  } finally {
    relay.close();
  }
}

export function describePeer(result: HandshakeResult): { fingerprint: string; short: string; name: string } {
  return { fingerprint: toHex(result.peer.fingerprint), short: shortFingerprint(result.peer.fingerprint), name: result.peer.name };
}
