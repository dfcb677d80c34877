/**
 * A receiver killed with SIGKILL halfway through a 40 MiB transfer, then started again with the same command,
 * resumes from what it had verified and saved (docs/decisions/0003 §3 and §7) — over the relay path and over the
 * direct path (where the sender keeps listening and the new receiver dials it again).
 *
 * How "it resumed" is measured: the receiver prints one `progress` event per chunk it wrote, and its byte count
 * starts from what the earlier run left verified on disk (session.ts `resumePoints`). So in the second run
 *   - the first progress event is already far along (at least a quarter of the file; the kill came after half, and
 *     the state file lags the written chunks by at most 64 chunks / 250 ms), and
 *   - the number of chunks written (progress events × the chunk size, read off the first run's first event) is
 *     less than the whole file.
 * The sender tells the same story from its side: in the resumed session (after its second `connected`), its first
 * progress event (one per DATA frame sent, counting the chunks it skipped) starts where the receiver did, and it
 * sends exactly the chunks the receiver was missing.
 */

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, sha256File, tempDir } from '../cli/harness';
import { freshDevice, isProgress, Leftovers, MiB, progressEvents, randomFile, whenEvent } from './fault-harness';

const leftovers = new Leftovers();
afterAll(() => leftovers.cleanUp());

const SIZE = 40 * MiB;

async function killAndResume(path: 'relay' | 'direct') {
  const source = randomFile(leftovers, SIZE);
  const alice = freshDevice(leftovers, 'alice');
  const bob = freshDevice(leftovers, 'bob');
  const out = leftovers.folder(tempDir('sealdrop-fault-out-'));
  const part = join(out, `${source.name}.sealdrop-part`);
  const final = join(out, source.name);

  const sender = leftovers.process(runCli(['send', '--json', '--path', path, source.file], alice.env));
  const ready = await sender.waitFor('ready');
  const receiveArgs = ['receive', '--json', '--yes', '--path', path, '--out', out, String(ready.link)];

  // ---- first run: SIGKILL once the receiver reports more than half
  const first = leftovers.process(runCli(receiveArgs, bob.env));
  await whenEvent(first, (e) => isProgress(e) && e.bytes > SIZE / 2, () => first.kill('SIGKILL'));
  await first.exit;
  expect(first.child.signalCode).toBe('SIGKILL');
  expect(first.events.some((e) => e.event === 'done'), 'the receiver finished before it could be killed').toBe(false);
  expect(existsSync(part)).toBe(true);
  expect(existsSync(final)).toBe(false);
  expect(readdirSync(join(out, '.sealdrop')).filter((n) => n.endsWith('.json'))).toHaveLength(1);
  const chunk = progressEvents(first)[0]!.bytes; // the first event counts exactly one chunk

  // ---- the sender notices and keeps waiting
  await sender.waitFor('path-lost', 60_000);
  expect(sender.child.exitCode).toBe(null);

  // ---- second run: the same command
  const second = leftovers.process(runCli(receiveArgs, bob.env));
  const [received, sent] = await Promise.all([second.waitFor('done', 90_000), sender.waitFor('done', 90_000)]);
  expect(await second.exit).toBe(0);
  expect(await sender.exit).toBe(0);
  expect(received.path).toBe(path);
  expect(sent.path).toBe(path);
  expect(received.level).toBe(3);

  expect(sha256File(final)).toBe(source.sha256);
  expect(existsSync(part)).toBe(false);
  expect(existsSync(join(out, '.sealdrop'))).toBe(false);
  expect(readdirSync(out)).toEqual([source.name]);

  // ---- it resumed: the second run started near the kill point and wrote less than the whole file
  const resumed = progressEvents(second);
  expect(resumed.length).toBeGreaterThan(0);
  const startedFrom = resumed[0]!.bytes - chunk;
  expect(startedFrom).toBeGreaterThanOrEqual(SIZE / 4);
  expect(startedFrom).toBeLessThanOrEqual(SIZE);
  expect(resumed.length * chunk).toBeLessThan(SIZE);
  expect(resumed.length * chunk).toBe(SIZE - startedFrom);
  expect(resumed.at(-1)!.bytes).toBe(SIZE);

  // ---- the sender agrees: its first DATA in the resumed session skipped what the receiver already held. Counted
  // from that session's `connected`, not from `path-lost`: the dying session can still print one progress event
  // after `path-lost` (a DATA frame whose send resolved on the dead transport; see the report on session.ts).
  const resumedSession = sender.events.findLastIndex((e) => e.event === 'connected');
  expect(resumedSession).toBeGreaterThan(sender.events.findIndex((e) => e.event === 'path-lost'));
  const sentAfter = sender.events.slice(resumedSession).filter(isProgress);
  expect(sentAfter[0]!.bytes - chunk).toBe(startedFrom);
  expect(sentAfter.length * chunk).toBe(SIZE - startedFrom);
}

describe('a receiver killed with SIGKILL mid-transfer resumes when run again', () => {
  it('over the relay path', async () => {
    await killAndResume('relay');
  }, 240_000);

  it('over the direct path (the sender keeps listening; the new receiver dials again)', async () => {
    await killAndResume('direct');
  }, 240_000);
});
