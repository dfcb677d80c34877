/**
 * What the hostile suites assert about a real `sealdrop` process that was attacked: it stopped with the documented
 * error code and exit code (cli/help.ts), it did not crash, and it left nothing under a final name.
 */

import { readdirSync, lstatSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { expect } from 'vitest';
import { EXIT } from '../../cli/help';
import { runCli, type CliProcess, type Json } from '../cli/harness';
import type { MaliciousRelay } from './malicious-relay';

export { EXIT };

/** Every process a suite started, so `afterAll(killAll)` leaves none behind when a test fails half-way. */
const running: CliProcess[] = [];

export function track(process: CliProcess): CliProcess {
  running.push(process);
  return process;
}

export function killAll(): void {
  for (const p of running.splice(0)) p.kill('SIGKILL');
}

const PART_SUFFIX = '.sealdrop-part';
const STATE_FOLDER = '.sealdrop';

/** Every entry below `dir` (relative, '/'-separated), without following links. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const full = join(at, name);
      out.push(relative(dir, full).split(sep).join('/'));
      if (lstatSync(full).isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Regular files and links under `out` that are not Sealdrop's own bookkeeping (part files, the state folder): what
 * a user would take for received files. An attacked transfer must leave none.
 */
export function finalNames(out: string): string[] {
  return listTree(out).filter((rel) => {
    if (rel === STATE_FOLDER || rel.startsWith(`${STATE_FOLDER}/`) || rel.endsWith(PART_SUFFIX)) return false;
    return !lstatSync(join(out, rel)).isDirectory();
  });
}

/** Part files under `out`. */
export function partFiles(out: string): string[] {
  return listTree(out).filter((rel) => rel.endsWith(PART_SUFFIX));
}

/** A process that fails cleanly prints its coded error, never a stack trace or an unhandled rejection. */
export function expectNoCrash(process: CliProcess): void {
  const stderr = process.stderr();
  expect(stderr, 'stderr').not.toMatch(/^\s+at .+[(:]/m);
  expect(stderr, 'stderr').not.toMatch(/Unhandled|Uncaught|TypeError|ReferenceError|RangeError|FATAL|Segmentation/);
  expect(process.events.filter((e) => e.event === 'non-json'), 'non-JSON stdout').toEqual([]);
}

/**
 * The process ends with exactly one `error` event carrying `code`, exits with `exit` (default: SECURITY, 3),
 * and did not crash. Returns the error event.
 */
export async function expectFailure(process: CliProcess, code: string, exit: number = EXIT.SECURITY): Promise<Json> {
  const status = await process.exit;
  const errors = process.events.filter((e) => e.event === 'error');
  const context = `exit ${status}; events: ${JSON.stringify(process.events)}; stderr: ${process.stderr()}`;
  expect(errors.map((e) => e.code), context).toEqual([code]);
  expect(status, context).toBe(exit);
  expectNoCrash(process);
  return errors[0]!;
}

export interface Meeting {
  readonly sender: CliProcess;
  readonly receiver: CliProcess;
  readonly link: string;
  /** The room id, hex, as the relay saw it. */
  readonly room: string;
}

/**
 * `sealdrop send --relay <malicious relay>` and `sealdrop receive` of its link, both forced onto `path`. The
 * receiver starts only once the relay has seen the sender join, so the sender is the room's first member.
 */
export async function meetThrough(
  relay: MaliciousRelay,
  options: {
    readonly root: string;
    readonly out: string;
    readonly sender: NodeJS.ProcessEnv;
    readonly receiver: NodeJS.ProcessEnv;
    readonly path?: 'relay' | 'webrtc' | 'auto';
    readonly receiverPath?: 'relay' | 'webrtc' | 'auto';
    /** Runs after the sender joined and before the receiver starts (a man in the middle takes its place here). */
    readonly beforeReceiver?: (meeting: { link: string; room: string; sender: CliProcess }) => void | Promise<void>;
  },
): Promise<Meeting> {
  const path = options.path ?? 'relay';
  const joinedBefore = relay.joinCount('sender');
  const sender = track(runCli(['send', '--json', '--relay', relay.url, '--path', path, options.root], options.sender));
  const ready = await sender.waitFor('ready', 30_000);
  const link = String(ready.link);
  const room = Buffer.from(await relay.joined('sender', joinedBefore)).toString('hex');
  await options.beforeReceiver?.({ link, room, sender });
  const receiver = track(
    runCli(['receive', '--json', '--yes', '--out', options.out, '--path', options.receiverPath ?? path, link], options.receiver),
  );
  return { sender, receiver, link, room };
}
