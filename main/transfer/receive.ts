/**
 * The receiving side of a transfer, by the two ways of finding the sender's room (docs/PROTOCOL.md §13.4, §13.9).
 * Both then share one path-selection and session loop (receive-room.ts).
 *
 *   runReceive          a transfer link: the link is the root of trust — its fingerprint names the sender (Level 3
 *                       on first contact), its secret is the handshake psk, and it seals the sender's direct
 *                       addresses (only those signed by that identity are dialled).
 *   runReceiveIncoming  a room id from this device's relay mailbox (INCOMING, mailbox.ts) for a contact send. The
 *                       INCOMING is unauthenticated — anyone can notify anyone, and the relay can forge it — so it
 *                       says nothing about who waits in the room. No psk, no expected sender: the handshake reaches
 *                       Level 3 only if the peer's key is pinned in the trust store (`isPinned`), otherwise Level 2,
 *                       which `requireLevel3` refuses (LEVEL3_REQUIRED, before this side reveals its identity).
 *                       No direct path (the sender offers none without a link secret); WebRTC and the relay only.
 *                       An empty room fails TIMEOUT after `peerWaitMs`; a room whose occupant never completes a
 *                       handshake fails after `maxUnverifiedAttempts` sessions.
 */

import { fail } from '../../src/errors';
import { parseLink } from '../../src/identity/link';
import type { PeerExpectation } from '../../src/handshake/handshake';
import { verifyPaths } from '../../src/signaling/path-messages';
import { receiveInRoom, type ReceiveCommonOptions, type ReceiveResult } from './receive-room';

// The desktop app (main/desktop/) imports these from here, where they lived before the loop moved out.
export type { OfferSummary, ReceiveCommonOptions, ReceiveResult } from './receive-room';

export interface ReceiveOptions extends ReceiveCommonOptions {
  readonly link: string;
  /** Use these relays instead of the ones in the link. */
  readonly relayOverride?: readonly string[];
}

export interface IncomingReceiveOptions extends ReceiveCommonOptions {
  /** The relay the INCOMING came from (the one this device's mailbox is registered on). */
  readonly relayUrl: string;
  /** The 16-byte room id from INCOMING. */
  readonly roomId: Uint8Array;
  /** How long to wait for someone to be in the room (default 30 s); TIMEOUT after. */
  readonly peerWaitMs?: number;
  /** Sessions allowed before a handshake completes (default 3); the last failure's code after. */
  readonly maxUnverifiedAttempts?: number;
}

/** Receive the transfer a link names. Never throws: failures are reported (`error`) and returned. */
export function runReceive(options: ReceiveOptions): Promise<ReceiveResult> {
  return receiveInRoom(options, () => {
    const link = parseLink(options.link);
    if (link.kind !== 'transfer') fail('LINK_BAD_KIND', 'this is a pairing link: use `sealdrop pair <link>`');
    const relays = options.relayOverride?.length ? options.relayOverride : link.relays;
    if (relays.length === 0) fail('LINK_BAD_RELAY', 'the link names no relay; pass --relay URL');
    const contact = options.trust.findByFingerprint(link.fingerprint);
    const expect: PeerExpectation = {
      linkFingerprint: link.fingerprint,
      ...(contact ? { pinnedKey: options.trust.expectationFor(contact.id).pinnedKey } : {}),
    };
    return {
      relays,
      roomId: link.roomId,
      psk: link.secret,
      expect,
      verifyPaths: (signal) => verifyPaths(signal, link.roomId, link.secret, expect),
      firstPeerWaitMs: null, // the sender handed out the link and waits; the user stops us if it does not
      maxUnverifiedAttempts: Number.POSITIVE_INFINITY,
    };
  });
}

/**
 * Receive the contact send a mailbox INCOMING points at (PROTOCOL.md §13.9). Level 3 only for a sender whose key
 * is pinned; anyone else is Level 2 (refused under `requireLevel3`). Never throws: failures are reported and returned.
 */
export function runReceiveIncoming(options: IncomingReceiveOptions): Promise<ReceiveResult> {
  return receiveInRoom(options, () => {
    if (options.roomId.length !== 16) fail('BAD_INPUT', 'room ids are 16 bytes');
    return {
      relays: [options.relayUrl],
      roomId: options.roomId.slice(),
      psk: undefined,
      expect: { linkIssued: false, isPinned: (key) => options.trust.isPinned(key) },
      verifyPaths: null,
      firstPeerWaitMs: options.peerWaitMs ?? 30_000,
      maxUnverifiedAttempts: options.maxUnverifiedAttempts ?? 3,
    };
  });
}
