/**
 * Waking the contact of a contact send (docs/PROTOCOL.md §13.9): NOTIFY(contact fingerprint, roomId) on the
 * sender's own room connection — once right after the JOIN, again after every reconnection to the relay (a restarted
 * relay forgot the devices that were registered, and they register again), and every `everyMs` while nobody is in
 * the room (the contact's device was offline, or it dropped the INCOMING under its rate bound).
 *
 * Trust: NOTIFY and NOTIFIED are unauthenticated. `delivered` is the relay's word and is reported only as a hint;
 * the handshake alone decides who joined.
 */

import type { Clock, TimerId } from '../../src/ports/clock';
import type { RelayLink } from './relay-link';

export interface Notifier {
  /** Notify now (ignored while a NOTIFY is in flight). */
  now(): void;
  stop(): void;
}

export function keepNotifying(
  relay: RelayLink,
  fingerprint: Uint8Array,
  roomId: Uint8Array,
  clock: Clock,
  everyMs: number,
  report: (delivered: boolean) => void,
): Notifier {
  let stopped = false;
  let inFlight = false;
  let timer: TimerId | null = null;
  const notify = async () => {
    if (stopped || inFlight || !relay.connected) return;
    inFlight = true;
    try {
      const delivered = await relay.notify(fingerprint, roomId);
      if (!stopped) report(delivered);
    } catch {
      // The relay went away or did not answer: the reconnection (or the next tick) notifies again.
    } finally {
      inFlight = false;
    }
  };
  const tick = () => {
    timer = clock.setTimer(everyMs, () => {
      if (stopped) return;
      if (!relay.othersPresent) void notify();
      tick();
    });
  };
  tick();
  return {
    now: () => void notify(),
    stop() {
      stopped = true;
      if (timer !== null) clock.clearTimer(timer);
    },
  };
}
