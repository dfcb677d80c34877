/**
 * A compromised renderer (a page bug, or script that got into it) calling main's `disk:*` and `transfer:report`
 * with whatever it likes while real transfers run. Main's registry (main/desktop/renderer-sessions.ts) must keep it
 * to the transfer's own files: no reads outside the picked files' bytes, no writes before main accepted the offer
 * or into a sending transfer, no second offer, no reports for transfers it does not run, and no signatures beyond
 * the one handshake of a session main handed out. Every refusal is BAD_INPUT and the transfer itself is not
 * disturbed.
 */
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { desktopHarness, type DesktopHarness } from '../helpers/desktop-harness';
import { expectCode } from '../helpers/expect-code';
import { device, runCli, sampleTree, type CliProcess } from '../cli/harness';
import { encodeManifest } from '../../src/manifest/codec';

const running: CliProcess[] = [];
const desktops: DesktopHarness[] = [];
afterAll(async () => {
  running.forEach((p) => p.kill('SIGKILL'));
  await Promise.all(desktops.map((d) => d.close()));
});

const progress = { verifiedChunks: 1, chunkSize: 65536, hashState: new Uint8Array(42), committed: false as const };

describe('compromised renderer: disk and report calls outside its session', () => {
  it('while sending: reads past a file, of a directory or an unknown index, and writes, are refused', async () => {
    const app = await desktopHarness('hostile-renderer-send');
    desktops.push(app);
    const tree = sampleTree(256 * 1024);
    app.pickNext([tree.root]);
    const [item] = await app.call('transfer:pick-files', { kind: 'folder' });
    const { transferId, link } = await app.call('transfer:send', { paths: [], picked: [item!.id], to: { kind: 'link' } });
    // A receiver (another desktop) whose user has not answered the offer yet: the sending session stays open.
    const other = await desktopHarness('patient-receiver');
    desktops.push(other);
    const receiving = await other.call('transfer:receive', { link: link! });
    await other.next('transfer:offer', (o) => o.transferId === receiving.transferId);

    const session = await app.next('transfer:session', (s) => s.transferId === transferId);
    expect(session.role).toBe('sender');
    // Index of the big file in the manifest the renderer was given (directories first or not: find it).
    const big = 256 * 1024;
    await expectCode(app.call('disk:read', { transferId, index: 3000, offset: 0, length: 16 }), 'BAD_INPUT');
    await expectCode(app.call('disk:read', { transferId: 'ab'.repeat(16), index: 0, offset: 0, length: 16 }), 'BAD_INPUT');
    let fileIndex = -1;
    for (let index = 0; index < 8 && fileIndex < 0; index++) {
      const ok = await app.call('disk:read', { transferId, index, offset: big - 16, length: 16 }).then(
        () => true,
        () => false,
      );
      if (ok) fileIndex = index;
    }
    expect(fileIndex).toBeGreaterThanOrEqual(0);
    await expectCode(app.call('disk:read', { transferId, index: fileIndex, offset: big - 15, length: 16 }), 'BAD_INPUT');
    await expectCode(app.call('disk:write-chunk', { transferId, index: fileIndex, chunkIndex: 0, plaintext: new Uint8Array(8), progress }), 'BAD_INPUT');
    await expectCode(app.call('disk:commit', { transferId, index: fileIndex }), 'BAD_INPUT');
    await expectCode(app.call('transfer:report', { transferId, type: 'offer', manifest: new Uint8Array([1]) }), 'BAD_INPUT');
    // Main is no signing oracle: not for a session it did not hand out, not in the other role, not a second time.
    const hash = new Uint8Array(32).fill(1);
    await expectCode(app.call('identity:sign', { transferId: 'ef'.repeat(16), context: 'handshake responder', hash }), 'BAD_INPUT');
    await expectCode(app.call('identity:sign', { transferId, context: 'handshake initiator', hash }), 'BAD_INPUT');
    await expectCode(app.call('identity:sign', { transferId, context: 'handshake responder', hash }), 'BAD_INPUT');
    // The real transfer is undisturbed.
    await other.call('transfer:accept', { transferId: receiving.transferId });
    expect((await other.next('transfer:done', (e) => e.transferId === receiving.transferId)).level).toBe(3);
  }, 60_000);

  it('dropped paths it invents (a compromised renderer process can name any file) are shown to the user by main first', async () => {
    const app = await desktopHarness('hostile-renderer-paths');
    desktops.push(app);
    app.confirm.answer = false; // the user sees "/etc/passwd" in main's dialog and says no
    await expectCode(app.call('transfer:send', { paths: ['/etc/passwd'], picked: [], to: { kind: 'link' } }), 'CANCELLED');
    expect(app.confirmations).toEqual([['/etc/passwd']]);
    expect(app.events.filter((e) => e.channel === 'transfer:session')).toEqual([]);
  });

  it('while receiving: nothing is written before main accepts, a second offer and a forged manifest are refused', async () => {
    const app = await desktopHarness('hostile-renderer-receive');
    desktops.push(app);
    const tree = sampleTree(128 * 1024);
    const sender = runCli(['send', '--json', tree.root], device('honest-sender').env);
    running.push(sender);
    const ready = await sender.waitFor('ready');
    const { transferId } = await app.call('transfer:receive', { link: String(ready.link) });
    await app.next('transfer:offer', (o) => o.transferId === transferId);

    // The offer is waiting for the user: the sink is not open.
    await expectCode(app.call('disk:write-chunk', { transferId, index: 0, chunkIndex: 0, plaintext: new Uint8Array(8), progress }), 'BAD_INPUT');
    await expectCode(app.call('disk:create-directory', { transferId, index: 0 }), 'BAD_INPUT');
    await expectCode(app.call('disk:read', { transferId, index: 0, offset: 0, length: 1 }), 'BAD_INPUT');
    // A second offer (say, one naming other paths) for the same session is refused.
    const forged = encodeManifest({ entries: [{ kind: 'file', path: 'autostart/evil.desktop', size: 1, sha256: new Uint8Array(32) }] });
    await expectCode(app.call('transfer:report', { transferId, type: 'offer', manifest: forged }), 'BAD_INPUT');
    expect(readdirSync(app.downloads)).toEqual([]);

    // The real transfer still completes.
    await app.call('transfer:accept', { transferId });
    const done = await app.next('transfer:done', (e) => e.transferId === transferId);
    expect(done.level).toBe(3);
    expect(readdirSync(app.downloads)).toEqual(['payload']);
  }, 60_000);
});
