/**
 * Mailboxes: which open connections have proved they hold the identity key behind a fingerprint, so that a NOTIFY
 * for that fingerprint can wake them. The same identity may be registered from several connections at once (a
 * device that reconnected before its old connection timed out); a NOTIFY reaches all of them.
 *
 * A mailbox exists while at least one connection holds it. NOTIFY is unauthenticated by design: it only tells a
 * device that a room is waiting; the device then joins it and the handshake decides whether to trust the sender.
 */

import { toHex } from '../src/bytes';

export class MailboxRegistry<M> {
  private readonly boxes = new Map<string, Set<M>>();

  /** Number of distinct fingerprints with at least one registered connection. */
  get size(): number {
    return this.boxes.size;
  }

  open(fingerprint: Uint8Array, device: M): void {
    const key = toHex(fingerprint);
    const devices = this.boxes.get(key) ?? new Set<M>();
    devices.add(device);
    this.boxes.set(key, devices);
  }

  close(fingerprint: Uint8Array, device: M): void {
    const key = toHex(fingerprint);
    const devices = this.boxes.get(key);
    if (!devices) return;
    devices.delete(device);
    if (devices.size === 0) this.boxes.delete(key);
  }

  /** The connections registered for `fingerprint` (a copy, safe to iterate while sends close connections). */
  devices(fingerprint: Uint8Array): M[] {
    return [...(this.boxes.get(toHex(fingerprint)) ?? [])];
  }
}
