/**
 * A standalone relay (`sealdrop relay`) dies in the middle of a transfer.
 *
 * - Forced onto the relay path, both sides lose their session, reconnect to the relay once it is back on the same
 *   port (main/transfer/relay-link.ts), meet in the room again and resume; the file arrives intact and both report
 *   `path-lost`.
 * - With `--path auto` on one machine the transfer runs on the direct path, and the relay only carried the
 *   rendezvous: killing it (and not bringing it back) must not disturb the transfer.
 */

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, sha256File, tempDir } from '../cli/harness';
import { freePort, freshDevice, isProgress, Leftovers, MiB, progressEvents, randomFile, startRelayProcess, whenEvent } from './fault-harness';

const leftovers = new Leftovers();
afterAll(() => leftovers.cleanUp());

const SIZE = 40 * MiB;

async function setUp(path: 'relay' | 'auto') {
  const port = await freePort();
  const relay = await startRelayProcess(leftovers, port);
  const url = `ws://127.0.0.1:${port}/v1`;
  const source = randomFile(leftovers, SIZE);
  const out = leftovers.folder(tempDir('sealdrop-fault-out-'));
  const sender = leftovers.process(runCli(['send', '--json', '--relay', url, '--path', path, source.file], freshDevice(leftovers, 'alice').env));
  const ready = await sender.waitFor('ready');
  const receiver = leftovers.process(
    runCli(['receive', '--json', '--yes', '--path', path, '--out', out, String(ready.link)], freshDevice(leftovers, 'bob').env),
  );
  return { port, relay, url, source, out, sender, receiver };
}

async function expectDelivered(t: Awaited<ReturnType<typeof setUp>>) {
  const [received, sent] = await Promise.all([t.receiver.waitFor('done', 120_000), t.sender.waitFor('done', 120_000)]);
  expect(await t.receiver.exit).toBe(0);
  expect(await t.sender.exit).toBe(0);
  expect(received.level).toBe(3);
  expect(sent.level).toBe(3);
  expect(sha256File(join(t.out, t.source.name))).toBe(t.source.sha256);
  expect(existsSync(join(t.out, `${t.source.name}.sealdrop-part`))).toBe(false);
  expect(readdirSync(t.out)).toEqual([t.source.name]);
  return { received, sent };
}

describe('the relay goes away mid-transfer', () => {
  it('--path relay: both sides reconnect to the restarted relay and the transfer resumes', async () => {
    const t = await setUp('relay');
    const connected = await t.receiver.waitFor('connected');
    expect(connected.path).toBe('relay');

    await whenEvent(t.receiver, (e) => isProgress(e) && e.bytes > SIZE * 0.4, () => t.relay.kill('SIGKILL'));
    await t.relay.exit;
    expect(t.relay.child.signalCode).toBe('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const restarted = await startRelayProcess(leftovers, t.port);

    const { received, sent } = await expectDelivered(t);
    expect(received.path).toBe('relay');
    expect(sent.path).toBe('relay');
    expect(t.receiver.events.some((e) => e.event === 'path-lost' && e.path === 'relay')).toBe(true);
    expect(t.sender.events.some((e) => e.event === 'path-lost' && e.path === 'relay')).toBe(true);
    // The resumed session started from the receiver's verified chunks, not from zero: some progress event after
    // the receiver's first `path-lost` is already at least a quarter in (a failed attempt prints no progress).
    const lost = t.receiver.events.findIndex((e) => e.event === 'path-lost');
    const after = t.receiver.events.slice(lost).filter(isProgress);
    expect(after[0]!.bytes).toBeGreaterThanOrEqual(SIZE / 4);
    expect(after.at(-1)!.bytes).toBe(SIZE);
    restarted.kill();
    expect(await restarted.exit).toBe(0);
  }, 240_000);

  it('--path auto: the transfer runs direct and killing the relay does not disturb it', async () => {
    const t = await setUp('auto');
    const connected = await t.receiver.waitFor('connected');
    expect(connected.path).toBe('direct');

    await whenEvent(t.receiver, (e) => isProgress(e) && e.bytes > SIZE * 0.4, () => t.relay.kill('SIGKILL'));
    await t.relay.exit;
    expect(t.relay.child.signalCode).toBe('SIGKILL');

    const { received, sent } = await expectDelivered(t);
    expect(received.path).toBe('direct');
    expect(sent.path).toBe('direct');
    expect(t.receiver.events.filter((e) => e.event === 'path-lost' || e.event === 'error')).toEqual([]);
    expect(t.sender.events.filter((e) => e.event === 'path-lost' || e.event === 'error')).toEqual([]);
    expect(t.receiver.events.filter((e) => e.event === 'connected')).toHaveLength(1);
    // One uninterrupted session: the receiver's progress climbs one chunk at a time from the first chunk to the end.
    const progress = progressEvents(t.receiver);
    expect(progress.at(-1)!.bytes).toBe(SIZE);
    expect(progress.every((p, i) => i === 0 || p.bytes > progress[i - 1]!.bytes)).toBe(true);
  }, 240_000);
});
