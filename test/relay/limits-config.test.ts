/**
 * resolveLimits: documented defaults, overrides, and the combinations refused because they would make the relay
 * misbehave (a ping interval that lets healthy idle connections time out; a per-receiver mark above the global cap).
 */

import { describe, expect, it } from 'vitest';
import { DEFAULT_RELAY_LIMITS, resolveLimits } from '../../relay/limits';

describe('relay limits', () => {
  it('defaults to the documented values', () => {
    expect(resolveLimits()).toEqual({
      maxMessageBytes: 4 * 1024 * 1024 + 64,
      highWaterBytes: 1024 * 1024,
      maxBufferedBytes: 256 * 1024 * 1024,
      maxConnectionsPerAddress: 64,
      maxRoomsPerAddress: 32,
      idleTimeoutMs: 120_000,
      pingIntervalMs: 30_000,
      joinTimeoutMs: 10_000,
      closeGraceMs: 5_000,
    });
    expect(resolveLimits()).toEqual(DEFAULT_RELAY_LIMITS);
  });

  it('overlays overrides on the defaults', () => {
    const limits = resolveLimits({ maxRoomsPerAddress: 3 });
    expect(limits.maxRoomsPerAddress).toBe(3);
    expect(limits.joinTimeoutMs).toBe(10_000);
  });

  it('brings the ping interval down with a short idle timeout unless one is given', () => {
    expect(resolveLimits({ idleTimeoutMs: 400 }).pingIntervalMs).toBe(100);
    expect(resolveLimits({ idleTimeoutMs: 400, pingIntervalMs: 150 }).pingIntervalMs).toBe(150);
  });

  it.each([
    [{ maxMessageBytes: 0 }],
    [{ highWaterBytes: -1 }],
    [{ idleTimeoutMs: 1.5 }],
    [{ maxRoomsPerAddress: Number.NaN }],
    [{ idleTimeoutMs: 1000, pingIntervalMs: 600 }],
    [{ highWaterBytes: 1024, maxBufferedBytes: 1024 }],
  ])('refuses %j', (overrides) => {
    expect(() => resolveLimits(overrides)).toThrow(RangeError);
  });
});
