/**
 * The Clock port on wall-clock time (epoch milliseconds). The trust store and identity rotation store and show
 * these readings, so they need Date.now(); session timers may use the monotonic `systemClock` from src/ports/clock.
 */

import type { Clock, TimerId } from '../../src/ports/clock';

export const wallClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, callback) => setTimeout(callback, ms) as unknown as TimerId,
  clearTimer: (id) => clearTimeout(id as unknown as ReturnType<typeof setTimeout>),
};
