/**
 * renderer/session/disk-adapters.ts: the session's FileSource / FileSink as main's `disk:*` calls. Each port call
 * becomes exactly one request naming the transfer and the manifest index; PartProgressInfo maps to PartProgress field
 * for field; a chunk write never claims a committed file; a failed call keeps main's stable code.
 */

import { describe, expect, it } from 'vitest';
import { SealdropError } from '../../src/errors';
import type { PartProgressInfo } from '../../src/ipc/contract';
import type { RendererApi } from '../../renderer/api-types';
import { ApiError } from '../../renderer/api';
import { ipcFileSink, ipcFileSource } from '../../renderer/session/disk-adapters';
import { expectCode } from '../helpers/expect-code';

const T = 'c'.repeat(32);
type Disk = RendererApi['client']['disk'];

/** A recording `disk` whose answers a test sets per call name. */
function recordingDisk(answers: Partial<{ [K in keyof Disk]: () => ReturnType<Disk[K]> }> = {}) {
  const calls: { name: keyof Disk; request: unknown }[] = [];
  const method =
    <K extends keyof Disk>(name: K) =>
    (request: Parameters<Disk[K]>[0]) => {
      calls.push({ name, request });
      const answer = answers[name];
      return (answer ? answer() : Promise.resolve(undefined)) as ReturnType<Disk[K]>;
    };
  const disk: Disk = {
    read: method('read'),
    progress: method('progress'),
    writeChunk: method('writeChunk'),
    createDirectory: method('createDirectory'),
    commit: method('commit'),
    discard: method('discard'),
  };
  return { disk, calls };
}

describe('ipcFileSource', () => {
  it('read(index, offset, length) is disk:read of this transfer, and resolves to its bytes', async () => {
    const data = Uint8Array.of(1, 2, 3);
    const { disk, calls } = recordingDisk({ read: () => Promise.resolve(data) });
    expect(await ipcFileSource(disk, T).read(4, 65536, 3)).toBe(data);
    expect(calls).toEqual([{ name: 'read', request: { transferId: T, index: 4, offset: 65536, length: 3 } }]);
  });

  it("keeps main's code (ApiError → SealdropError); an unknown code becomes SOURCE_FAILED", async () => {
    const source = (error: Error) => ipcFileSource(recordingDisk({ read: () => Promise.reject(error) }).disk, T);
    await expectCode(source(new ApiError('SOURCE_FAILED', 'changed')).read(0, 0, 1), 'SOURCE_FAILED');
    await expectCode(source(new ApiError('BAD_INPUT', 'beyond the end')).read(0, 0, 1), 'BAD_INPUT');
    await expectCode(source(new ApiError('BRIDGE_UNAVAILABLE', 'gone')).read(0, 0, 1), 'SOURCE_FAILED');
    await expectCode(source(new Error('plain')).read(0, 0, 1), 'SOURCE_FAILED');
    const original = new SealdropError('TIMEOUT', 't');
    await expect(source(original).read(0, 0, 1)).rejects.toBe(original);
  });
});

describe('ipcFileSink', () => {
  const hashState = Uint8Array.of(9, 9, 9);

  it('progress: PartProgressInfo → PartProgress, field for field; null stays null', async () => {
    const info: PartProgressInfo = { verifiedChunks: 3, chunkSize: 65536, hashState, committed: true };
    const some = recordingDisk({ progress: () => Promise.resolve(info) });
    expect(await ipcFileSink(some.disk, T).progress(2)).toEqual({ verifiedChunks: 3, chunkSize: 65536, hashState, committed: true });
    expect(some.calls).toEqual([{ name: 'progress', request: { transferId: T, index: 2 } }]);
    const none = recordingDisk({ progress: () => Promise.resolve(null) });
    expect(await ipcFileSink(none.disk, T).progress(0)).toBeNull();
  });

  it('writeChunk passes the plaintext and its progress, always with committed: false', async () => {
    const { disk, calls } = recordingDisk();
    const plaintext = Uint8Array.of(7, 7);
    await ipcFileSink(disk, T).writeChunk(1, 4, plaintext, { verifiedChunks: 5, chunkSize: 65536, hashState, committed: true });
    expect(calls).toEqual([
      {
        name: 'writeChunk',
        request: { transferId: T, index: 1, chunkIndex: 4, plaintext, progress: { verifiedChunks: 5, chunkSize: 65536, hashState, committed: false } },
      },
    ]);
  });

  it('createDirectory, commit and discard name the transfer and the index only', async () => {
    const { disk, calls } = recordingDisk();
    const sink = ipcFileSink(disk, T);
    await sink.createDirectory(0);
    await sink.commit(1);
    await sink.discard(2);
    expect(calls).toEqual([
      { name: 'createDirectory', request: { transferId: T, index: 0 } },
      { name: 'commit', request: { transferId: T, index: 1 } },
      { name: 'discard', request: { transferId: T, index: 2 } },
    ]);
  });

  it("keeps main's code; an unknown one becomes SINK_FAILED", async () => {
    const failing = (error: Error) =>
      ipcFileSink(
        recordingDisk({
          progress: () => Promise.reject(error),
          writeChunk: () => Promise.reject(error),
          createDirectory: () => Promise.reject(error),
          commit: () => Promise.reject(error),
          discard: () => Promise.reject(error),
        }).disk,
        T,
      );
    const exists = failing(new ApiError('DESTINATION_EXISTS', 'exists'));
    await expectCode(exists.commit(0), 'DESTINATION_EXISTS');
    await expectCode(exists.progress(0), 'DESTINATION_EXISTS');
    const gone = failing(new ApiError('BRIDGE_UNAVAILABLE', 'gone'));
    await expectCode(gone.writeChunk(0, 0, new Uint8Array(1), { verifiedChunks: 1, chunkSize: 65536, hashState, committed: false }), 'SINK_FAILED');
    await expectCode(gone.createDirectory(0), 'SINK_FAILED');
    await expectCode(gone.discard(0), 'SINK_FAILED');
  });
});
