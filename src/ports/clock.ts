/**
 * Clock port: wall time and timers. Injected so timeouts are testable with src/testing/fake-clock.ts
 * (magic-wormhole passes `clock=reactor` "unless you're testing").
 */

export type TimerId = number;

export interface Clock {
  /** Milliseconds since an arbitrary fixed origin; monotonic for the life of the process. */
  now(): number;
  /** Run `callback` once after `ms` milliseconds. */
  setTimer(ms: number, callback: () => void): TimerId;
  clearTimer(id: TimerId): void;
}

/** The platform's timers (Node, browsers, Electron): `performance.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => globalThis.performance.now(),
  setTimer: (ms, callback) => globalThis.setTimeout(callback, ms) as unknown as TimerId,
  clearTimer: (id) => globalThis.clearTimeout(id as unknown as ReturnType<typeof setTimeout>),
};
