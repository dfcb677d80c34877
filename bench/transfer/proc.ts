/**
 * Child processes for the transfer benchmark: spawn, read stdout/stderr line by line with arrival times, and sample
 * memory from /proc/<pid>/status every 100 ms (VmRSS for the running peak, VmHWM for the kernel's own high-water
 * mark, which also catches a peak shorter than the sampling interval), and CPU time (user + system, all threads,
 * from /proc/<pid>/stat) — CPU seconds close to the transfer's seconds mean that process was the bottleneck.
 * Linux only; elsewhere both read as null.
 */

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface Line {
  readonly at: number; // performance.now() when the line arrived
  readonly text: string;
}

export interface Watched {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly stdout: Line[];
  readonly stderr: Line[];
  readonly exit: Promise<number>;
  /** Largest VmHWM / VmRSS seen, in bytes (null where /proc is not readable). */
  peakRss(): number | null;
  /** User + system CPU seconds of all its threads, as last sampled (at most 100 ms before it exited). */
  cpuSeconds(): number | null;
  /** Resolves with the first line (stdout or stderr, as chosen) that `match` accepts. */
  waitLine(stream: 'stdout' | 'stderr', match: (text: string) => boolean, timeoutMs: number): Promise<Line>;
  kill(signal?: NodeJS.Signals): void;
}

const SAMPLE_MS = 100;

/** Bytes of `field` (kB in /proc) for `pid`, or null once the process is gone. */
export function procField(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** utime + stime of `pid` in seconds (USER_HZ = 100 on Linux), or null once it is gone. */
export function procCpu(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from #3 (state) on
    return (Number(fields[11]) + Number(fields[12])) / 100; // #14 utime, #15 stime
  } catch {
    return null;
  }
}

/** end − start, or null if either is unknown. */
export const since = (end: number | null, start: number | null) => (end === null || start === null ? null : end - start);

/** Samples the memory (and CPU time) of any pid (e.g. one this process did not spawn) until `stop` is called. */
export function sampleRss(pid: number): { stop(): number | null; peak(): number | null; cpu(): number | null } {
  let peak: number | null = null;
  let cpu: number | null = null;
  const sample = () => {
    for (const field of ['VmHWM', 'VmRSS'] as const) {
      const value = procField(pid, field);
      if (value !== null && (peak === null || value > peak)) peak = value;
    }
    cpu = procCpu(pid) ?? cpu;
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop() {
      sample();
      clearInterval(timer);
      return peak;
    },
    peak: () => peak,
    cpu: () => cpu,
  };
}

export function watch(command: string, args: readonly string[], options: SpawnOptions = {}): Watched {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  const sampler = sampleRss(pid);
  const stdout: Line[] = [];
  const stderr: Line[] = [];
  const waiters: { stream: 'stdout' | 'stderr'; match: (text: string) => boolean; resolve: (line: Line) => void }[] = [];
  const reader = (stream: 'stdout' | 'stderr', into: Line[]) => {
    let buffer = '';
    return (chunk: string) => {
      const at = performance.now();
      buffer += chunk;
      let newline;
      while ((newline = buffer.search(/[\r\n]/)) >= 0) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!text.trim()) continue;
        const line = { at, text };
        into.push(line);
        for (const w of waiters.filter((w) => w.stream === stream && w.match(text))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    };
  };
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', reader('stdout', stdout));
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', reader('stderr', stderr));
  let peak: number | null = null;
  const exit = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      peak = sampler.stop();
      resolve(code ?? (signal ? 128 : 1));
    });
  });
  return {
    child,
    pid,
    stdout,
    stderr,
    exit,
    peakRss: () => peak ?? sampler.peak(),
    cpuSeconds: () => sampler.cpu(),
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitLine(stream, match, timeoutMs) {
      const seen = (stream === 'stdout' ? stdout : stderr).find((l) => match(l.text));
      if (seen) return Promise.resolve(seen);
      return new Promise<Line>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${command}: no matching ${stream} line within ${timeoutMs} ms; stderr: ${tail(stderr)}`)), timeoutMs);
        waiters.push({ stream, match, resolve: (line) => (clearTimeout(timer), resolve(line)) });
        void exit.then((code) =>
          setTimeout(() => reject(new Error(`${command} exited ${code} before the expected ${stream} line; stderr: ${tail(stderr)}`)), 50),
        );
      });
    },
  };
}

export function tail(lines: readonly Line[], count = 6): string {
  return lines.slice(-count).map((l) => l.text).join(' | ').slice(0, 1500);
}

/** Kill and wait, never throwing (a benchmark must not leave children behind). */
export async function stop(process: Watched | null | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!process || process.child.exitCode !== null || process.child.signalCode !== null) return;
  process.kill(signal);
  await Promise.race([process.exit, new Promise((resolve) => setTimeout(resolve, 3000))]);
}
