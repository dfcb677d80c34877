/**
 * The benchmark's one table, and the goals checked against it:
 *   - direct beats magic-wormhole's direct path; relay beats magic-wormhole's transit-relay-only path (1 file);
 *   - WebRTC ≥ 0.9 × bare node-datachannel (each payload);
 *   - every process < 200 MB RSS while moving 4 GiB (--rss-4g).
 * Ratios compare rows of the same payload from the same run: webrtc ÷ bare node-datachannel, direct ÷ raw TCP,
 * relay ÷ raw ws, and direct / relay ÷ magic-wormhole's matching path.
 */

import { MB, type Result } from './result';

const RSS_LIMIT = 200 * MB;

function rate(r: Result): number | null {
  if (r.seconds === null || r.seconds <= 0) return null;
  return r.payload === 'file' ? r.bytes / MB / r.seconds : r.files / r.seconds;
}

function formatRate(r: Result): string {
  const value = rate(r);
  if (value === null) return r.error === 'not installed' ? 'not installed' : `FAILED`;
  if (r.payload === 'file') return `${value.toFixed(1)} MB/s`;
  return `${Math.round(value).toLocaleString('en-US')} files/s (${significant(r.bytes / MB / r.seconds!)} MB/s)`;
}

/** Two significant digits below 10, one decimal above: 0.034, 0.58, 5.1, 58.6. */
const significant = (x: number) => (x >= 10 ? x.toFixed(1) : x.toPrecision(2));

const mb = (bytes: number | null | undefined) => (bytes === null || bytes === undefined ? '–' : `${Math.round(bytes / MB)}`);

function formatRss(r: Result): string {
  const relay = r.rss.relay === undefined || r.rss.relay === null ? (r.family === 'sealdrop' && r.group === 'relay' ? ' / (in sender)' : '') : ` / ${mb(r.rss.relay)}`;
  return `${mb(r.rss.sender)} / ${mb(r.rss.receiver)}${relay}`;
}

function formatCpu(r: Result): string {
  const s = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(1));
  if (!r.cpu) return '–';
  return `${s(r.cpu.sender)} / ${s(r.cpu.receiver)}${r.cpu.relay !== null && r.cpu.relay !== undefined ? ` / ${s(r.cpu.relay)}` : ''}`;
}

function ratio(a: Result | undefined, b: Result | undefined): string {
  const x = a && rate(a);
  const y = b && rate(b);
  return x && y ? `${significant(x / y)}×` : '–';
}

/** The baseline row of the same path and the same payload (same label: a 4 GiB row has no 1 GiB baseline). */
export function baselineOf(results: readonly Result[], r: Result): Result | undefined {
  return results.find((b) => b.family === 'baseline' && b.group === r.group && b.payloadLabel === r.payloadLabel);
}

export function wormholeOf(results: readonly Result[], r: Result): Result | undefined {
  return results.find((b) => b.family === 'wormhole' && b.group === r.group && b.payloadLabel === r.payloadLabel && !b.error);
}

export function table(results: readonly Result[]): string {
  const header = ['path / baseline', 'payload', 'rate', '÷ baseline', '÷ wormhole', 'peak RSS MB send / recv / relay', 'transfer s', 'CPU s send / recv', 'wall s', 'load 1m'];
  const rows = results.map((r) => [
    r.name + (r.via && r.family === 'wormhole' ? ` [${r.via}]` : ''),
    r.payloadLabel,
    formatRate(r),
    r.family === 'sealdrop' ? ratio(r, baselineOf(results, r)) : '',
    r.family === 'sealdrop' && r.group !== 'webrtc' ? ratio(r, wormholeOf(results, r)) : '',
    formatRss(r),
    r.seconds === null ? '–' : r.seconds.toFixed(2),
    formatCpu(r),
    r.wallSeconds === null ? '–' : r.wallSeconds.toFixed(2),
    r.load[0].toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function errors(results: readonly Result[]): string[] {
  return results.filter((r) => r.error && r.error !== 'not installed').map((r) => `${r.name} (${r.payloadLabel}): ${r.error}`);
}

type Verdict = 'PASS' | 'FAIL' | 'n/a';

export function goals(results: readonly Result[], rss4g: readonly Result[]): { goal: string; verdict: Verdict; detail: string }[] {
  const find = (group: string, payload: string) => results.find((r) => r.family === 'sealdrop' && !r.variant && r.group === group && r.payload === payload);
  const out: { goal: string; verdict: Verdict; detail: string }[] = [];
  for (const group of ['direct', 'relay'] as const) {
    const ours = find(group, 'file');
    const theirs = ours && wormholeOf(results, ours);
    const a = ours && rate(ours);
    const b = theirs && rate(theirs);
    out.push({
      goal: `sealdrop ${group} beats magic-wormhole's ${group === 'direct' ? 'direct' : 'transit-relay'} path (1 file)`,
      verdict: a && b ? (a > b ? 'PASS' : 'FAIL') : 'n/a',
      detail: a && b ? `${a.toFixed(1)} vs ${b.toFixed(1)} MB/s (${(a / b).toFixed(2)}×)` : 'not measured',
    });
  }
  for (const payload of ['file', 'files'] as const) {
    const ours = find('webrtc', payload);
    const bare = ours && baselineOf(results, ours);
    const a = ours && rate(ours);
    const b = bare && rate(bare);
    out.push({
      goal: `WebRTC ≥ 0.9 × bare node-datachannel (${ours?.payloadLabel ?? payload})`,
      verdict: a && b ? (a / b >= 0.9 ? 'PASS' : 'FAIL') : 'n/a',
      detail: a && b ? `${(a / b).toFixed(2)}×` : 'not measured',
    });
  }
  const big = rss4g.find((r) => r.family === 'sealdrop' && !r.variant && !r.error);
  if (!big) {
    out.push({ goal: 'each process < 200 MB RSS while moving 4 GiB', verdict: 'n/a', detail: rss4g.length ? `failed: ${rss4g[0]!.error}` : 'run with --rss-4g' });
  } else {
    const peak = Math.max(big.rss.sender ?? Infinity, big.rss.receiver ?? Infinity);
    out.push({
      goal: 'each process < 200 MB RSS while moving 4 GiB',
      verdict: peak < RSS_LIMIT ? 'PASS' : 'FAIL',
      detail: `sender ${mb(big.rss.sender)} MB, receiver ${mb(big.rss.receiver)} MB (direct path, ${(big.bytes / 2 ** 30).toFixed(0)} GiB at ${formatRate(big)})`,
    });
  }
  return out;
}
