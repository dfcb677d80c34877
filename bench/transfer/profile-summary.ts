/**
 * tsx bench/transfer/profile-summary.ts <file.cpuprofile> [top=25]
 *
 * Self time and total (inclusive) time per function of a V8 CPU profile (`node --cpu-prof`, which
 * `npm run bench:transfer -- --profile` passes to both sealdrop processes). Functions are keyed by name and source
 * position, so the bundle's functions show as dist/cli/sealdrop.mjs:line (the source map maps them back).
 */

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const key = (n: Node) => {
  const f = n.callFrame;
  return `${f.functionName || '(anonymous)'} ${f.url ? `${basename(f.url)}:${f.lineNumber + 1}` : ''}`.trim();
};
const self = new Map<string, number>();
const total = new Map<string, number>();
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  self.set(key(node), (self.get(key(node)) ?? 0) + us);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const k = key(byId.get(at)!);
    if (seen.has(k)) continue; // recursion counts once
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + us);
  }
}
const wall = (profile.endTime - profile.startTime) / 1000;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((us / 1000 / wall) * 100).toFixed(1).padStart(5)}%`;
const show = (title: string, map: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${ms(us)}  ${k}\n`);
};
process.stdout.write(`${file}: ${wall.toFixed(0)} ms profiled\n`);
show('self time', self);
show('total time', total);
