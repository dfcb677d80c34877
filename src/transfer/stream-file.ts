/**
 * The sender's hot loop for one file: read plaintext chunks from the FileSource, seal them (STREAM, crypto/stream.ts)
 * with up to SEND_PIPELINE seals in flight so WebCrypto keeps every core busy, and hand the DATA frames to the path
 * in order, waiting on its backpressure. Stops as soon as `stopped()` says the session ended.
 *
 * Trust: the source is local and trusted to be the files the manifest was built from; a file that changed since
 * (shorter read) fails with SOURCE_FAILED rather than sending bytes the manifest does not describe.
 */

import { chunkPlaintextLength, sealChunk, type FileStreamKeys } from '../crypto/stream';
import { fail } from '../errors';
import type { FileSource } from '../ports/files';

const SEND_PIPELINE = 8;

export interface StreamFileJob {
  readonly source: FileSource;
  readonly keys: FileStreamKeys;
  readonly fileIndex: number;
  readonly size: number;
  readonly chunks: number;
  readonly fromChunk: number;
  /** Send one DATA frame; resolves when the path can take more. */
  readonly send: (chunkIndex: number, sealed: Uint8Array) => Promise<void>;
  /** True once the session reached a terminal phase. */
  readonly stopped: () => boolean;
  /** Called after each frame was handed to a live path, with the plaintext bytes it carried. */
  readonly progress: (bytes: number) => void;
}

/** Returns true when every chunk was handed over, false when the session stopped first. */
export async function streamFile(job: StreamFileJob): Promise<boolean> {
  const chunkSize = job.keys.chunkSize;
  const inFlight: Promise<{ index: number; sealed: Uint8Array; length: number }>[] = [];
  const flushOne = async (): Promise<boolean> => {
    const { index, sealed, length } = await inFlight.shift()!;
    if (job.stopped()) return false;
    await job.send(index, sealed);
    if (job.stopped()) return false; // the path died under us: this frame was not delivered
    job.progress(length);
    return true;
  };
  for (let index = job.fromChunk; index < job.chunks; index++) {
    if (job.stopped()) return false;
    const length = chunkPlaintextLength(job.size, index, chunkSize);
    const plaintext = length === 0 ? new Uint8Array(0) : await job.source.read(job.fileIndex, index * chunkSize, length);
    if (plaintext.length !== length) fail('SOURCE_FAILED', 'file changed while sending');
    const work = sealChunk(job.keys, index, plaintext, index === job.chunks - 1).then((sealed) => ({ index, sealed, length }));
    work.catch(() => undefined); // observed in order by flushOne
    inFlight.push(work);
    if (inFlight.length >= SEND_PIPELINE && !(await flushOne())) return false;
  }
  while (inFlight.length > 0) if (!(await flushOne())) return false;
  return true;
}
