/**
 * A one-line terminal progress bar on stderr: bytes, percentage, rate and ETA. Redraws at most 10 times a second.
 */

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

export class ProgressBar {
  private started = 0;
  private lastDraw = 0;
  private startBytes = 0;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  update(bytes: number, total: number): void {
    const now = Date.now();
    if (this.started === 0) {
      this.started = now;
      this.startBytes = bytes;
    }
    if (now - this.lastDraw < 100 && bytes < total) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? (bytes - this.startBytes) / elapsed : 0;
    const fraction = total > 0 ? Math.min(1, bytes / total) : 1;
    const width = Math.max(10, Math.min(40, (this.stream.columns ?? 80) - 50));
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const eta = rate > 0 ? (total - bytes) / rate : Number.NaN;
    const line = `[${bar}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${formatBytes(bytes)} / ${formatBytes(total)}  ${formatBytes(rate)}/s  ETA ${formatDuration(eta)}`;
    if (this.stream.isTTY) this.stream.write(`\r${line}\x1b[K`);
  }

  finish(): void {
    if (this.stream.isTTY && this.started !== 0) this.stream.write('\n');
  }
}
