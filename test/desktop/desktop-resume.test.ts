/**
 * Resume in the desktop app: the user cancels a download half way (or the app quits), then opens the same link
 * again. The renderer-run session asks main for each file's progress (`disk:progress`), main answers from the part
 * file and its state (main/adapters/fs-sink.ts), and the transfer continues from the last verified chunk instead of
 * starting over. The CLI sender waits for the receiver to come back, as it does for a cut connection.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { desktopHarness, type DesktopHarness } from '../helpers/desktop-harness';
import { device, runCli, sha256File, tempDir, type CliProcess } from '../cli/harness';

const running: CliProcess[] = [];
let app: DesktopHarness | null = null;
afterAll(async () => {
  running.forEach((p) => p.kill('SIGKILL'));
  await app?.close();
});

const SIZE = 48 * 1024 * 1024;

describe('desktop resume', () => {
  it('a download cancelled half way continues from its verified chunks when the same link is opened again', async () => {
    app = await desktopHarness('resuming-desktop');
    const root = join(tempDir('sealdrop-resume-src-'), 'big-folder');
    mkdirSync(root);
    writeFileSync(join(root, 'large.bin'), randomBytes(SIZE));
    const expected = sha256File(join(root, 'large.bin'));
    const sender = runCli(['send', '--json', root], device('resume-sender').env);
    running.push(sender);
    const link = String((await sender.waitFor('ready')).link);

    const first = await app.call('transfer:receive', { link });
    await app.next('transfer:offer', (o) => o.transferId === first.transferId);
    await app.call('transfer:accept', { transferId: first.transferId });
    const partway = await app.next('transfer:progress', (p) => p.transferId === first.transferId && p.bytes >= 4 * 1024 * 1024);
    expect(partway.bytes).toBeLessThan(SIZE);
    await app.call('transfer:cancel', { transferId: first.transferId });
    await app.next('transfer:error', (e) => e.transferId === first.transferId);
    // Nothing under its final name yet: only the part file and its state.
    const folder = join(app.downloads, 'big-folder');
    expect(readdirSync(folder).some((name) => name === 'large.bin')).toBe(false);

    const second = await app.call('transfer:receive', { link });
    await app.next('transfer:offer', (o) => o.transferId === second.transferId);
    await app.call('transfer:accept', { transferId: second.transferId });
    const resumedAt = await app.next('transfer:progress', (p) => p.transferId === second.transferId);
    // The first write of the second session lands past what the first one verified: it did not start over.
    expect(resumedAt.bytes).toBeGreaterThan(4 * 1024 * 1024);
    const done = await app.next('transfer:done', (e) => e.transferId === second.transferId, 90_000);
    expect(done.level).toBe(3);
    expect(sha256File(join(folder, 'large.bin'))).toBe(expected);
    expect(readdirSync(folder)).toEqual(['large.bin']);
    expect((await sender.waitFor('done', 60_000)).level).toBe(3);
  }, 150_000);
});
