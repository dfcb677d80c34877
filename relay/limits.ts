/**
 * The relay's limits: every bound on what one client (or all of them together) may cost the relay, with its
 * default and the close code a client sees when it crosses it (relay-protocol.ts RELAY_CLOSE).
 *
 * All of them are configurable so that tests can use small values and operators can size a relay to its machine.
 */

/** Bounds enforced by the relay. Sizes in bytes, durations in milliseconds. */
export interface RelayLimits {
  /**
   * Largest client message (type byte included). A SEND carries one relay-path frame: 4 MiB of ciphertext plus
   * room for the frame header and the channel byte. Above it → 4001 FRAME_TOO_LARGE.
   */
  readonly maxMessageBytes: number;
  /**
   * Per receiver: when the bytes the relay has queued for one connection exceed this, the connection that is
   * feeding it is paused until the receiver has drained to half of it (end-to-end backpressure).
   */
  readonly highWaterBytes: number;
  /** All connections together: a message that would push the relay's queued bytes above this → 4006 OVERLOADED. */
  readonly maxBufferedBytes: number;
  /** Open connections from one client address. One more → 4003 TOO_MANY. */
  readonly maxConnectionsPerAddress: number;
  /** Distinct rooms that connections from one client address are members of. One more → 4003 TOO_MANY. */
  readonly maxRoomsPerAddress: number;
  /** Nothing received (no message, no pong) for this long → 4004 IDLE_TIMEOUT. */
  readonly idleTimeoutMs: number;
  /**
   * The relay pings a connection it has not heard from for this long, so a healthy idle connection answers and
   * stays open. Defaults to 30 s, or a quarter of a shorter idle timeout; at most half the idle timeout.
   */
  readonly pingIntervalMs: number;
  /** No JOIN, and no completed REGISTER, this long after connecting → 4005 JOIN_TIMEOUT. */
  readonly joinTimeoutMs: number;
  /** After the relay sends a close frame, how long the client has to answer before its socket is cut. */
  readonly closeGraceMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_RELAY_LIMITS: RelayLimits = Object.freeze({
  maxMessageBytes: 4 * MiB + 64,
  highWaterBytes: 1 * MiB,
  maxBufferedBytes: 256 * MiB,
  maxConnectionsPerAddress: 64,
  maxRoomsPerAddress: 32,
  idleTimeoutMs: 120_000,
  pingIntervalMs: 30_000,
  joinTimeoutMs: 10_000,
  closeGraceMs: 5_000,
});

/**
 * Defaults overlaid with `overrides`, checked for consistency.
 * @throws RangeError when a value is not a positive integer, or when the ping interval is more than half the idle
 *   timeout (healthy idle connections could then time out), or when one receiver's high-water mark is not below the
 *   global cap.
 */
export function resolveLimits(overrides: Partial<RelayLimits> = {}): RelayLimits {
  const given = stripUndefined(overrides);
  const merged = { ...DEFAULT_RELAY_LIMITS, ...given };
  // A shorter idle timeout without an explicit ping interval brings the interval down with it.
  const limits: RelayLimits = given.pingIntervalMs === undefined
    ? { ...merged, pingIntervalMs: Math.max(1, Math.min(DEFAULT_RELAY_LIMITS.pingIntervalMs, Math.floor(merged.idleTimeoutMs / 4))) }
    : merged;
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`relay limit ${name} must be a positive integer`);
    }
  }
  // A healthy idle connection is silent for at most one ping interval, one sweep (≤ idleTimeout / 4) and a round
  // trip; at most half the idle timeout for the interval leaves that comfortably below the timeout.
  if (limits.pingIntervalMs * 2 > limits.idleTimeoutMs) {
    throw new RangeError('relay limit pingIntervalMs must be at most half of idleTimeoutMs');
  }
  if (limits.highWaterBytes >= limits.maxBufferedBytes) {
    throw new RangeError('relay limit highWaterBytes must be below maxBufferedBytes');
  }
  return Object.freeze(limits);
}

function stripUndefined(overrides: Partial<RelayLimits>): Partial<RelayLimits> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}
