/**
 * The file ports of a session that runs in the renderer (src/ports/files.ts), over main's `disk:*` calls.
 *
 * The renderer has no file system: the sandbox gives it none, and main keeps every path (docs/decisions/0004). The
 * session reads plaintext to seal (sender) and writes plaintext it opened and verified (receiver) through these
 * adapters, which name an entry only by transfer id and manifest index. Main maps that to the file the user picked
 * or to a part file under the download folder, from a manifest it decoded and validated itself.
 *
 * Trust assumptions: main is trusted (it holds the key and the disk); this side is not trusted by main, which checks
 * every index, offset and progress record (src/ipc/contract.ts validators, main/desktop/renderer-sessions.ts). A
 * chunk write never claims a committed file — committing is its own call, made only after the whole file verified
 * against the authenticated manifest — so `progress` travels with `committed: false` whatever the caller passed.
 *
 * Errors: a failed call rejects with the core's SealdropError, keeping main's stable code (SOURCE_FAILED,
 * SINK_FAILED, DESTINATION_EXISTS, …) so the session reports why it stopped; a code outside src/errors.ts (the
 * bridge itself is gone) becomes SOURCE_FAILED or SINK_FAILED.
 */

import type { PartProgressInfo } from '../../src/ipc/contract';
import type { FileSink, FileSource, PartProgress } from '../../src/ports/files';
import type { RendererApi } from '../api-types';
import { coded } from './coded-error';

export type DiskApi = RendererApi['client']['disk'];

function toPartProgress(info: PartProgressInfo): PartProgress {
  return { verifiedChunks: info.verifiedChunks, chunkSize: info.chunkSize, hashState: info.hashState, committed: info.committed };
}

/** The sender's source: `read(index, offset, length)` is `disk:read` of this transfer. */
export function ipcFileSource(disk: DiskApi, transferId: string): FileSource {
  return {
    read: (index, offset, length) => coded(() => disk.read({ transferId, index, offset, length }), 'SOURCE_FAILED'),
  };
}

/** The receiver's sink over `disk:progress`, `disk:write-chunk`, `disk:create-directory`, `disk:commit`, `disk:discard`. */
export function ipcFileSink(disk: DiskApi, transferId: string): FileSink {
  return {
    progress: (index) =>
      coded(async () => {
        const info = await disk.progress({ transferId, index });
        return info === null ? null : toPartProgress(info);
      }, 'SINK_FAILED'),
    createDirectory: (index) => coded(() => disk.createDirectory({ transferId, index }), 'SINK_FAILED'),
    writeChunk: (index, chunkIndex, plaintext, progress) =>
      coded(
        () =>
          disk.writeChunk({
            transferId,
            index,
            chunkIndex,
            plaintext,
            progress: { verifiedChunks: progress.verifiedChunks, chunkSize: progress.chunkSize, hashState: progress.hashState, committed: false },
          }),
        'SINK_FAILED',
      ),
    commit: (index) => coded(() => disk.commit({ transferId, index }), 'SINK_FAILED'),
    discard: (index) => coded(() => disk.discard({ transferId, index }), 'SINK_FAILED'),
  };
}
