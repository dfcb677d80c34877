/**
 * Transfer speed and time left, from the progress updates main sends (bytes done at main's `updatedAt`).
 *
 * Speed is the slope over a sliding window rather than between the last two updates: updates arrive throttled and
 * in bursts, so a two-point slope jumps around. A sample with fewer bytes than the one before (a resumed transfer
 * recounting) starts the window again instead of producing a negative speed.
 */

export interface Sample {
  /** Unix milliseconds. */
  readonly at: number;
  readonly bytes: number;
}

export const RATE_WINDOW_MS = 5_000;
/** Below this span the slope is noise; no speed is shown yet. */
export const MIN_SPAN_MS = 750;

/** The window after adding `sample`: samples within `windowMs` of it, plus the newest one older than that. */
export function addSample(samples: readonly Sample[], sample: Sample, windowMs = RATE_WINDOW_MS): Sample[] {
  const last = samples[samples.length - 1];
  if (last && (sample.bytes < last.bytes || sample.at < last.at)) return [sample];
  if (last && sample.at === last.at) return [...samples.slice(0, -1), sample];
  const next = [...samples, sample];
  // Keep one sample at or beyond the window edge so the slope always spans the whole window.
  let start = 0;
  while (start + 1 < next.length && sample.at - next[start + 1]!.at >= windowMs) start++;
  return next.slice(start);
}

/** Bytes per second over the window, or null while the window is too short to say. */
export function rateOf(samples: readonly Sample[]): number | null {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.at - first.at < MIN_SPAN_MS) return null;
  return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
}

/** Seconds left at `bytesPerSecond`, or null when it cannot be estimated (no speed, stalled, or nothing known). */
export function etaSeconds(totalBytes: number, bytesDone: number, bytesPerSecond: number | null): number | null {
  if (bytesPerSecond === null || bytesPerSecond <= 0) return null;
  const left = totalBytes - bytesDone;
  if (!Number.isFinite(left) || left < 0) return null;
  return left / bytesPerSecond;
}
