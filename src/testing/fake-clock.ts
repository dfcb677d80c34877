/**
 * A manual clock for tests: time moves only when the test calls `advance`, and timers fire in due order.
 */

import type { Clock, TimerId } from '../ports/clock';

export class FakeClock implements Clock {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<TimerId, { due: number; callback: () => void }>();

  now(): number {
    return this.time;
  }

  setTimer(ms: number, callback: () => void): TimerId {
    const id = this.nextId++;
    this.timers.set(id, { due: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimer(id: TimerId): void {
    this.timers.delete(id);
  }

  /** Move time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: [TimerId, { due: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].due <= target && (!next || entry[1].due < next[1].due)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].due;
      next[1].callback();
    }
    this.time = target;
  }

  /** Timers still pending. */
  get pending(): number {
    return this.timers.size;
  }
}
