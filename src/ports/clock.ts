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
