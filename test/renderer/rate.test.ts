import { describe, expect, it } from 'vitest';
import { addSample, etaSeconds, MIN_SPAN_MS, rateOf, RATE_WINDOW_MS, type Sample } from '../../renderer/lib/rate';

function feed(samples: readonly Sample[]): Sample[] {
  return samples.reduce<Sample[]>((window, sample) => addSample(window, sample), []);
}

describe('transfer rate', () => {
  it('is null until the window spans MIN_SPAN_MS', () => {
    expect(rateOf(feed([{ at: 0, bytes: 0 }]))).toBeNull();
    expect(rateOf(feed([{ at: 0, bytes: 0 }, { at: MIN_SPAN_MS - 1, bytes: 1000 }]))).toBeNull();
    expect(rateOf(feed([{ at: 0, bytes: 0 }, { at: 1000, bytes: 5000 }]))).toBe(5000);
  });

  it('is the slope over the sliding window, not the last two samples', () => {
    const samples = feed([
      { at: 0, bytes: 0 },
      { at: 1000, bytes: 1_000_000 },
      { at: 2000, bytes: 2_000_000 },
      { at: 2100, bytes: 2_900_000 }, // a burst
    ]);
    expect(rateOf(samples)).toBeCloseTo(2_900_000 / 2.1, 0);
  });

  it('keeps one sample at or beyond the window edge and drops older ones', () => {
    const samples = feed(Array.from({ length: 20 }, (_, i) => ({ at: i * 1000, bytes: i * 100 })));
    expect(samples[0]!.at).toBe(19_000 - RATE_WINDOW_MS);
    expect(rateOf(samples)).toBeCloseTo(100, 5);
  });

  it('restarts when bytes go backwards (a resumed transfer recounting) instead of going negative', () => {
    const samples = feed([{ at: 0, bytes: 0 }, { at: 1000, bytes: 9000 }, { at: 2000, bytes: 100 }]);
    expect(samples).toEqual([{ at: 2000, bytes: 100 }]);
    expect(rateOf(samples)).toBeNull();
  });

  it('is idempotent for a repeated sample (rendering twice adds nothing)', () => {
    const once = feed([{ at: 0, bytes: 0 }, { at: 1000, bytes: 10 }]);
    expect(addSample(once, { at: 1000, bytes: 10 })).toEqual(once);
  });

  it('estimates time left only with a positive rate and a sane remainder', () => {
    expect(etaSeconds(10_000, 4_000, 1_000)).toBe(6);
    expect(etaSeconds(10_000, 4_000, null)).toBeNull();
    expect(etaSeconds(10_000, 4_000, 0)).toBeNull();
    expect(etaSeconds(10_000, 12_000, 1_000)).toBeNull();
  });
});
