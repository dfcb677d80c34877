import { describe, expect, it } from 'vitest';
import { countLabel, formatBytes, formatDuration } from '../../renderer/lib/format';

describe('format', () => {
  it('sizes in decimal units, never a false number', () => {
    expect(formatBytes(0)).toMatch(/^0 bytes?$/);
    expect(formatBytes(1_500_000)).toMatch(/^1\.5 MB$/);
    expect(formatBytes(-1)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('durations round up, so an unfinished transfer never shows 0 s', () => {
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(3600 * 2 + 60 * 4 + 3)).toBe('2 h 4 min');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('counts files and folders', () => {
    expect(countLabel(1)).toBe('1 file');
    expect(countLabel(3, 1)).toBe('3 files, 1 folder');
  });
});
