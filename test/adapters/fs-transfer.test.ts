/**
 * Disk to disk through the real session runner, handshake, STREAM and state machine: scanPaths on one temp tree,
 * openFsSink on another, linked in-memory transports between them. Then a transfer whose first path is cut
 * halfway and that a second session over a fresh path, with a freshly opened sink, finishes from the part files.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openFsSink, type FsSink } from '../../main/adapters/fs-sink';
import { scanPaths, type ScanResult } from '../../main/adapters/fs-source';
import type { FileSink } from '../../src/ports/files';
import { linkedTransports, type Tamper } from '../../src/testing/memory-transport';
import { pattern, runSession, tempDir } from './fs-fixtures';

const DATA_FRAME = 0x11;
let from: string;
let to: string;
let scan: ScanResult | null = null;

beforeEach(async () => {
  from = await tempDir('from');
  to = await tempDir('to');
  await fsp.writeFile(path.join(from, 'empty.txt'), '');
  await fsp.mkdir(path.join(from, 'empty-folder'));
  await fsp.writeFile(path.join(from, 'big.bin'), pattern(5 * 1024 * 1024, 7));
  await fsp.mkdir(path.join(from, 'nested/deeper'), { recursive: true });
  await fsp.writeFile(path.join(from, 'nested/deeper/readme.md'), 'hello, sealdrop\n');
  scan = await scanPaths(['empty.txt', 'empty-folder', 'big.bin', 'nested'].map((name) => path.join(from, name)));
});
afterEach(async () => {
  await scan?.source.close();
  await fsp.rm(from, { recursive: true, force: true });
  await fsp.rm(to, { recursive: true, force: true });
});

/** Every path under `root` with its kind and, for files, a digest of its bytes (deep-equal on MiBs is slow). */
async function tree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of (await fsp.readdir(root, { recursive: true })).sort()) {
    const full = path.join(root, rel);
    const stats = await fsp.lstat(full);
    const content = stats.isDirectory() ? 'folder' : `${stats.size} bytes, sha256 ${createHash('sha256').update(await fsp.readFile(full)).digest('hex')}`;
    out.set(rel.split(path.sep).join('/'), content);
  }
  return out;
}

function sinkOpener(opened: FsSink[]) {
  return async ({ manifest, manifestHash }: { manifest: ScanResult['manifest']; manifestHash: Uint8Array }): Promise<FileSink> => {
    const sink = await openFsSink(to, manifest, manifestHash);
    opened.push(sink);
    return sink;
  };
}

function countData(counter: { n: number }): Tamper {
  return (frame, info) => {
    if (info.direction === 'a-to-b' && frame[1] === DATA_FRAME) counter.n++;
    return [frame];
  };
}

describe('disk to disk through the session runner', () => {
  it('delivers an empty file, an empty folder, 5 MiB and a nested file byte for byte, and cleans up', async () => {
    const { manifest, source } = scan!;
    expect(manifest.entries.map((e) => e.path)).toEqual(['big.bin', 'empty-folder', 'empty.txt', 'nested/deeper/readme.md']);
    const opened: FsSink[] = [];
    const { sent, received } = await runSession(linkedTransports(), manifest, source, sinkOpener(opened));
    expect([sent.code, received.code]).toEqual([null, null]);
    expect(received.handshake?.level).toBe(3);
    for (const sink of opened) await sink.close();

    expect(await tree(to)).toEqual(await tree(from));
    expect((await fsp.readdir(to)).sort()).toEqual(['big.bin', 'empty-folder', 'empty.txt', 'nested']);
  });

  it('resumes after the path is cut halfway: a new sink on the same folder, fewer DATA frames the second time', async () => {
    const { manifest, source } = scan!;
    const total = 80 + 1 + 1; // 5 MiB in 64 KiB chunks, the empty file's one empty chunk, the small file
    const firstSinks: FsSink[] = [];
    let dataFrames = 0;
    const [a, b] = linkedTransports({
      tamper: (frame, info) => {
        if (info.direction === 'a-to-b' && frame[1] === DATA_FRAME && ++dataFrames >= total / 2) {
          if (dataFrames === total / 2) setTimeout(() => a.close(), 0);
          return [];
        }
        return [frame];
      },
    });
    const first = await runSession([a, b], manifest, source, sinkOpener(firstSinks));
    expect(first.received.code).toBe('TRANSPORT_CLOSED');
    for (const sink of firstSinks) await sink.close(); // what the receive loop does between sessions
    expect(await fsp.readdir(to)).not.toContain('big.bin');
    expect((await fsp.readdir(to)).sort()).toContain('big.bin.sealdrop-part');

    const resent = { n: 0 };
    const secondSinks: FsSink[] = [];
    const second = await runSession(linkedTransports({ tamper: countData(resent) }), manifest, source, sinkOpener(secondSinks));
    expect([second.sent.code, second.received.code]).toEqual([null, null]);
    for (const sink of secondSinks) await sink.close();

    expect(resent.n).toBeLessThanOrEqual(total - 30);
    expect(await tree(to)).toEqual(await tree(from));
    const left = await fsp.readdir(to, { recursive: true });
    expect(left.filter((name) => name.endsWith('.sealdrop-part'))).toEqual([]);
    expect(left).not.toContain('.sealdrop');
  });
});
