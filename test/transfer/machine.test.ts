/**
 * The pure transfer state machine (src/transfer/machine.ts, docs/state-machines/transfer.md): event sequences in,
 * exact effect lists and phases out. Honest paths for both roles (with resume), every hostile order we know of with
 * its exact code, the ways a session ends, and properties: terminal phases absorb everything, and for a random
 * manifest under a random mix of valid and invalid events `transition` never throws and the phase only moves
 * forward along the documented edges.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src/errors';
import { buildManifest } from '../../src/manifest/build';
import type { Manifest } from '../../src/manifest/manifest';
import type { ControlMessage, ResumePoint } from '../../src/transfer/control';
import {
  initialState,
  isTerminal,
  transition,
  type Phase,
  type Role,
  type TimerName,
  type Timeouts,
  type TransferEffect,
  type TransferEvent,
  type TransferState,
} from '../../src/transfer/machine';

// ------------------------------------------------------------------------------------------------ fixtures

/** The smallest chunk size STREAM allows, so a few dozen bytes make several chunks. */
const CS = 16;
/** Distinct values so each set-timer effect shows which timeout it used. */
const T: Timeouts = { handshakeMs: 101, responseMs: 202, idleMs: 303 };
const hash = (n: number) => new Uint8Array(32).fill(n);

/**
 * Sorted by path bytes, so the indices are:
 *   0 a/            directory
 *   1 a/big.bin     40 bytes → 3 chunks (16, 16, 8)
 *   2 a/empty.txt   0 bytes  → 1 chunk (STREAM seals an empty file as one empty final chunk)
 *   3 b/            directory (no chunks: the sender skips it)
 *   4 c.txt         16 bytes → 1 chunk
 */
const MANIFEST: Manifest = buildManifest([
  { kind: 'file', path: 'c.txt', size: 16, sha256: hash(4) },
  { kind: 'directory', path: 'b' },
  { kind: 'file', path: 'a/empty.txt', size: 0, sha256: hash(2) },
  { kind: 'file', path: 'a/big.bin', size: 40, sha256: hash(1) },
  { kind: 'directory', path: 'a' },
]);
const FILES = [1, 2, 4] as const;

const sealed = (file: number, chunk: number) => Uint8Array.of(file, chunk);
const offerMessage = (manifest: Manifest = MANIFEST, chunkSize = CS): ControlMessage => ({
  kind: 'offer',
  chunkSize,
  manifest,
  manifestBytes: new Uint8Array(0),
});

const ev = {
  start: { type: 'start' } as TransferEvent,
  handshakeOk: { type: 'handshake-ok' } as TransferEvent,
  control: (message: ControlMessage): TransferEvent => ({ type: 'control', message }),
  offer: (manifest: Manifest = MANIFEST, chunkSize = CS): TransferEvent => ({ type: 'control', message: offerMessage(manifest, chunkSize) }),
  acceptMsg: (resume: ResumePoint[] = []): TransferEvent => ({ type: 'control', message: { kind: 'accept', resume } }),
  declineMsg: { type: 'control', message: { kind: 'decline' } } as TransferEvent,
  verified: (fileIndex: number): TransferEvent => ({ type: 'control', message: { kind: 'file-verified', fileIndex } }),
  completeMsg: { type: 'control', message: { kind: 'complete' } } as TransferEvent,
  cancelMsg: (code: ErrorCode): TransferEvent => ({ type: 'control', message: { kind: 'cancel', code } }),
  data: (fileIndex: number, chunkIndex: number): TransferEvent => ({ type: 'data', fileIndex, chunkIndex, sealed: sealed(fileIndex, chunkIndex) }),
  accept: (resume: ResumePoint[] = []): TransferEvent => ({ type: 'accept', resume }),
  decline: { type: 'decline' } as TransferEvent,
  fileSent: (fileIndex: number): TransferEvent => ({ type: 'file-sent', fileIndex }),
  committed: (fileIndex: number): TransferEvent => ({ type: 'file-committed', fileIndex }),
  written: (fileIndex: number, chunkIndex: number): TransferEvent => ({ type: 'chunk-written', fileIndex, chunkIndex }),
  timeout: (timer: TimerName): TransferEvent => ({ type: 'timeout', timer }),
  fail: (code: ErrorCode): TransferEvent => ({ type: 'fail', code }),
  cancel: { type: 'cancel' } as TransferEvent,
  closed: { type: 'transport-closed' } as TransferEvent,
};

const fx = {
  setTimer: (timer: TimerName, ms: number): TransferEffect => ({ type: 'set-timer', timer, ms }),
  clearTimer: (timer: TimerName): TransferEffect => ({ type: 'clear-timer', timer }),
  send: (message: ControlMessage): TransferEffect => ({ type: 'send-control', message }),
  sendFile: (fileIndex: number, fromChunk: number): TransferEffect => ({ type: 'send-file', fileIndex, fromChunk }),
  open: (fileIndex: number, chunkIndex: number, last: boolean): TransferEffect => ({
    type: 'open-chunk', fileIndex, chunkIndex, last, sealed: sealed(fileIndex, chunkIndex),
  }),
  verify: (fileIndex: number): TransferEffect => ({ type: 'verify-file', fileIndex }),
  close: (code: ErrorCode | null): TransferEffect => ({ type: 'close', code }),
};

const sender = (manifest: Manifest = MANIFEST) => initialState('sender', { manifest, chunkSize: CS, timeouts: T });
const receiver = () => initialState('receiver', { timeouts: T });

/** Feed events in order; returns the final state and every step's effects. */
function run(state: TransferState, events: readonly TransferEvent[]) {
  const effects: (readonly TransferEffect[])[] = [];
  for (const event of events) {
    const step = transition(state, event);
    state = step.state;
    effects.push(step.effects);
  }
  return { state, effects };
}

const feed = (state: TransferState, events: readonly TransferEvent[]) => run(state, events).state;

/** Honest event prefixes that bring each role into each non-terminal phase (the receiver's transfer at file 1). */
const SENDER_PREFIX: Record<string, TransferEvent[]> = {
  idle: [],
  handshaking: [ev.start],
  'awaiting-accept': [ev.start, ev.handshakeOk],
  transferring: [ev.start, ev.handshakeOk, ev.acceptMsg()],
};
const RECEIVER_PREFIX: Record<string, TransferEvent[]> = {
  idle: [],
  handshaking: [ev.start],
  'awaiting-offer': [ev.start, ev.handshakeOk],
  deciding: [ev.start, ev.handshakeOk, ev.offer()],
  transferring: [ev.start, ev.handshakeOk, ev.offer(), ev.accept()],
};
const start = (role: Role) => (role === 'sender' ? sender() : receiver());
function reach(role: Role, phase: string): TransferState {
  const prefix = (role === 'sender' ? SENDER_PREFIX : RECEIVER_PREFIX)[phase]!;
  const state = feed(start(role), prefix);
  expect(state.phase).toBe(phase);
  return state;
}
const PHASES_OF: [Role, string][] = [
  ...Object.keys(SENDER_PREFIX).map((p) => ['sender', p] as [Role, string]),
  ...Object.keys(RECEIVER_PREFIX).map((p) => ['receiver', p] as [Role, string]),
];
const established = (phase: Phase) => phase !== 'idle' && phase !== 'handshaking';

/** A failure detected here: after the handshake the peer is told (authenticated CANCEL), then the session closes. */
function expectFailure(before: TransferState, event: TransferEvent, code: ErrorCode) {
  const step = transition(before, event);
  expect(step.state.phase).toBe('failed');
  expect(step.state.error).toBe(code);
  expect(step.state.errorFromPeer).toBe(false);
  expect(step.effects).toEqual(
    established(before.phase) ? [fx.send({ kind: 'cancel', code }), fx.close(code)] : [fx.close(code)],
  );
  return step;
}

// ------------------------------------------------------------------------------------------------ honest paths

describe('sender: honest path', () => {
  it('start → offer → accept → one send-file per file (directories skipped, the empty file sent) → complete', () => {
    let s = sender();
    expect(s.entries.map((e) => e.chunks)).toEqual([0, 3, 1, 0, 1]);
    const expectStep = (event: TransferEvent, phase: Phase, effects: TransferEffect[]) => {
      const step = transition(s, event);
      expect(step.effects).toEqual(effects);
      expect(step.state.phase).toBe(phase);
      s = step.state;
    };
    expectStep(ev.start, 'handshaking', [fx.setTimer('handshake', 101), { type: 'start-handshake' }]);
    expectStep(ev.handshakeOk, 'awaiting-accept', [
      fx.clearTimer('handshake'),
      fx.send(offerMessage()),
      fx.setTimer('response', 202),
    ]);
    expectStep(ev.acceptMsg(), 'transferring', [fx.clearTimer('response'), fx.setTimer('idle', 303), fx.sendFile(1, 0)]);
    expect(s.current).toBe(1);
    expectStep(ev.fileSent(1), 'transferring', [fx.sendFile(2, 0)]);
    expectStep(ev.verified(1), 'transferring', [fx.setTimer('idle', 303)]);
    expectStep(ev.fileSent(2), 'transferring', [fx.sendFile(4, 0)]); // index 3 is a directory: skipped
    expectStep(ev.verified(2), 'transferring', [fx.setTimer('idle', 303)]);
    expectStep(ev.fileSent(4), 'transferring', []); // everything sent; waiting for verification
    expect(s.current).toBe(5);
    expectStep(ev.verified(4), 'transferring', [fx.setTimer('idle', 303)]);
    expectStep(ev.completeMsg, 'complete', [fx.clearTimer('idle'), fx.close(null)]);
    expect(s.error).toBeNull();
    expect(s.entries.map((e) => [e.done, e.verified])).toEqual([[0, false], [3, true], [1, true], [0, false], [1, true]]);
  });

  /**
   * Every order the runner can produce: file-sent in file order; each file's FILE_VERIFIED once that file is being
   * sent or later (the receiver's confirmation of the file being sent may overtake the runner's file-sent when the
   * transport releases the last send late).
   */
  function senderOrders(): TransferEvent[][] {
    const out: TransferEvent[][] = [];
    const walk = (sent: number, unverified: readonly number[], acc: TransferEvent[]) => {
      if (sent === FILES.length && unverified.length === 0) out.push(acc);
      if (sent < FILES.length) walk(sent + 1, unverified, [...acc, ev.fileSent(FILES[sent]!)]);
      for (const file of unverified.filter((f) => FILES.findIndex((g) => g === f) <= sent)) {
        walk(sent, unverified.filter((f) => f !== file), [...acc, ev.verified(file)]);
      }
    };
    walk(0, FILES, []);
    return out;
  }

  it('reaches complete in every order of file-sent and file-verified the runner can produce', () => {
    const orders = senderOrders();
    expect(orders.length).toBeGreaterThan(10);
    for (const order of orders) {
      const { state, effects } = run(feed(sender(), SENDER_PREFIX.transferring!), [...order, ev.completeMsg]);
      expect(state.phase).toBe('complete');
      const sendFiles = effects.flat().filter((e) => e.type === 'send-file');
      expect(sendFiles).toEqual([fx.sendFile(2, 0), fx.sendFile(4, 0)]);
    }
  });

  it('a manifest with only directories: nothing to send, complete once the receiver says so', () => {
    const dirs = buildManifest([{ kind: 'directory', path: 'x' }, { kind: 'directory', path: 'y' }]);
    const { state, effects } = run(sender(dirs), [ev.start, ev.handshakeOk, ev.acceptMsg(), ev.completeMsg]);
    expect(effects[2]).toEqual([fx.clearTimer('response'), fx.setTimer('idle', 303)]);
    expect(state.phase).toBe('complete');
  });
});

describe('receiver: honest path', () => {
  it('offer → present → accept (directories, ACCEPT) → open each chunk with the right last flag → verify → complete', () => {
    let r = receiver();
    const expectStep = (event: TransferEvent, effects: TransferEffect[], phase: Phase = 'transferring') => {
      const step = transition(r, event);
      expect(step.effects).toEqual(effects);
      expect(step.state.phase).toBe(phase);
      r = step.state;
    };
    expectStep(ev.start, [fx.setTimer('handshake', 101), { type: 'start-handshake' }], 'handshaking');
    expectStep(ev.handshakeOk, [fx.clearTimer('handshake'), fx.setTimer('response', 202)], 'awaiting-offer');
    expectStep(ev.offer(), [fx.clearTimer('response'), { type: 'present-offer', manifest: MANIFEST }], 'deciding');
    expect(r.manifest).toBe(MANIFEST);
    expect(r.chunkSize).toBe(CS);
    expectStep(ev.accept(), [
      { type: 'create-directory', fileIndex: 0 },
      { type: 'create-directory', fileIndex: 3 },
      fx.send({ kind: 'accept', resume: [] }),
      fx.setTimer('idle', 303),
      fx.setTimer('heartbeat', 101),
    ]);
    expect(r.current).toBe(1);
    const idle = fx.setTimer('idle', 303);
    // a/big.bin: three chunks, only the third is last.
    expectStep(ev.data(1, 0), [idle, fx.open(1, 0, false)]);
    expectStep(ev.written(1, 0), []);
    expectStep(ev.data(1, 1), [idle, fx.open(1, 1, false)]);
    expectStep(ev.written(1, 1), []);
    expectStep(ev.data(1, 2), [idle, fx.open(1, 2, true)]);
    expectStep(ev.written(1, 2), [fx.verify(1)]);
    expectStep(ev.committed(1), [fx.send({ kind: 'file-verified', fileIndex: 1 })]);
    // a/empty.txt: its single (empty) chunk is the last.
    expectStep(ev.data(2, 0), [idle, fx.open(2, 0, true)]);
    expectStep(ev.written(2, 0), [fx.verify(2)]);
    expectStep(ev.committed(2), [fx.send({ kind: 'file-verified', fileIndex: 2 })]);
    expect(r.current).toBe(4); // the directory at 3 is skipped
    expectStep(ev.data(4, 0), [idle, fx.open(4, 0, true)]);
    expectStep(ev.written(4, 0), [fx.verify(4)]);
    expectStep(
      ev.committed(4),
      [fx.send({ kind: 'file-verified', fileIndex: 4 }), fx.send({ kind: 'complete' }), fx.clearTimer('idle'), fx.clearTimer('heartbeat'), fx.close(null)],
      'complete',
    );
    expect(r.error).toBeNull();
  });

  it('a manifest with only directories completes at accept', () => {
    const dirs = buildManifest([{ kind: 'directory', path: 'x' }]);
    const { state, effects } = run(receiver(), [ev.start, ev.handshakeOk, ev.offer(dirs), ev.accept()]);
    expect(effects[3]).toEqual([
      { type: 'create-directory', fileIndex: 0 },
      fx.send({ kind: 'accept', resume: [] }),
      fx.setTimer('idle', 303),
      fx.setTimer('heartbeat', 101),
      fx.send({ kind: 'complete' }),
      fx.clearTimer('idle'),
      fx.clearTimer('heartbeat'),
      fx.close(null),
    ]);
    expect(state.phase).toBe('complete');
  });

  it('an offer whose file needs more chunks than STREAM allows fails with IMPOSSIBLE_SIZE instead of throwing', () => {
    const huge = buildManifest([{ kind: 'file', path: 'huge', size: 2 ** 42, sha256: hash(9) }]);
    expectFailure(reach('receiver', 'awaiting-offer'), ev.offer(huge, 16), 'IMPOSSIBLE_SIZE');
  });
});

// ------------------------------------------------------------------------------------------------ resume

describe('resume', () => {
  const resume: ResumePoint[] = [
    { fileIndex: 1, verifiedChunks: 2 }, // partial: continue at chunk 2
    { fileIndex: 2, verifiedChunks: 1 }, // complete: skipped entirely
  ];

  it('sender continues each file at fromChunk = verifiedChunks and skips fully verified files', () => {
    let s = feed(sender(), [ev.start, ev.handshakeOk]);
    let step = transition(s, ev.acceptMsg(resume));
    expect(step.effects).toEqual([fx.clearTimer('response'), fx.setTimer('idle', 303), fx.sendFile(1, 2)]);
    s = step.state;
    step = transition(s, ev.fileSent(1));
    expect(step.effects).toEqual([fx.sendFile(4, 0)]);
    s = step.state;
    // The fully resumed file is already verified: a FILE_VERIFIED for it is a protocol error.
    expectFailure(s, ev.verified(2), 'UNEXPECTED_MESSAGE');
    s = feed(s, [ev.fileSent(4), ev.verified(1), ev.verified(4)]);
    expect(transition(s, ev.completeMsg).state.phase).toBe('complete');
  });

  it('sender with every file already verified sends nothing and completes on COMPLETE', () => {
    const all = [{ fileIndex: 1, verifiedChunks: 3 }, { fileIndex: 2, verifiedChunks: 1 }, { fileIndex: 4, verifiedChunks: 1 }];
    const { state, effects } = run(sender(), [ev.start, ev.handshakeOk, ev.acceptMsg(all), ev.completeMsg]);
    expect(effects[2]).toEqual([fx.clearTimer('response'), fx.setTimer('idle', 303)]);
    expect(state.phase).toBe('complete');
  });

  it('a resume point of 0 chunks is the same as none', () => {
    const step = transition(reach('sender', 'awaiting-accept'), ev.acceptMsg([{ fileIndex: 1, verifiedChunks: 0 }]));
    expect(step.effects).toEqual([fx.clearTimer('response'), fx.setTimer('idle', 303), fx.sendFile(1, 0)]);
  });

  it('receiver echoes its resume points and expects data from the resume point on', () => {
    const deciding = reach('receiver', 'deciding');
    const step = transition(deciding, ev.accept(resume));
    expect(step.effects).toEqual([
      { type: 'create-directory', fileIndex: 0 },
      { type: 'create-directory', fileIndex: 3 },
      fx.send({ kind: 'accept', resume }),
      fx.setTimer('idle', 303),
      fx.setTimer('heartbeat', 101),
    ]);
    const r = step.state;
    expect(r.current).toBe(1);
    expectFailure(r, ev.data(1, 0), 'CHUNK_REPLAYED');
    expectFailure(r, ev.data(1, 1), 'CHUNK_REPLAYED');
    const { state, effects } = run(r, [ev.data(1, 2), ev.written(1, 2), ev.committed(1)]);
    expect(effects).toEqual([
      [fx.setTimer('idle', 303), fx.open(1, 2, true)],
      [fx.verify(1)],
      [fx.send({ kind: 'file-verified', fileIndex: 1 })],
    ]);
    expect(state.current).toBe(4); // a/empty.txt was fully resumed
  });

  it('receiver with everything resumed completes at accept', () => {
    const all = [{ fileIndex: 1, verifiedChunks: 3 }, { fileIndex: 2, verifiedChunks: 1 }, { fileIndex: 4, verifiedChunks: 1 }];
    const step = transition(reach('receiver', 'deciding'), ev.accept(all));
    expect(step.state.phase).toBe('complete');
    expect(step.effects.slice(-4)).toEqual([fx.send({ kind: 'complete' }), fx.clearTimer('idle'), fx.clearTimer('heartbeat'), fx.close(null)]);
  });

  const invalid: [string, ResumePoint[]][] = [
    ['index out of range', [{ fileIndex: 5, verifiedChunks: 0 }]],
    ['index far out of range', [{ fileIndex: 0xffff_ffff, verifiedChunks: 1 }]],
    ['a directory index', [{ fileIndex: 3, verifiedChunks: 0 }]],
    ['verifiedChunks > chunks', [{ fileIndex: 1, verifiedChunks: 4 }]],
    ['verifiedChunks > chunks of an empty file', [{ fileIndex: 2, verifiedChunks: 2 }]],
    ['a duplicate index', [{ fileIndex: 1, verifiedChunks: 1 }, { fileIndex: 1, verifiedChunks: 1 }]],
    ['a duplicate index after valid points', [{ fileIndex: 1, verifiedChunks: 3 }, { fileIndex: 4, verifiedChunks: 0 }, { fileIndex: 1, verifiedChunks: 0 }]],
  ];
  for (const [name, points] of invalid) {
    it(`RESUME_INVALID: ${name} (ACCEPT from the peer, at the sender)`, () => {
      expectFailure(reach('sender', 'awaiting-accept'), ev.acceptMsg(points), 'RESUME_INVALID');
    });
    it(`RESUME_INVALID: ${name} (local accept, at the receiver)`, () => {
      expectFailure(reach('receiver', 'deciding'), ev.accept(points), 'RESUME_INVALID');
    });
  }
});

// ------------------------------------------------------------------------------------------------ hostile orders

describe('hostile orders end in their exact code', () => {
  const r = () => reach('receiver', 'transferring'); // expecting file 1, chunk 0
  const s = () => reach('sender', 'transferring'); // sending file 1

  it('receiver: data before accept (awaiting-offer, deciding) → UNEXPECTED_MESSAGE', () => {
    expectFailure(reach('receiver', 'awaiting-offer'), ev.data(1, 0), 'UNEXPECTED_MESSAGE');
    expectFailure(reach('receiver', 'deciding'), ev.data(1, 0), 'UNEXPECTED_MESSAGE');
  });

  it('data before the handshake → UNEXPECTED_MESSAGE, closed without a CANCEL', () => {
    expectFailure(reach('receiver', 'idle'), ev.data(1, 0), 'UNEXPECTED_MESSAGE');
    expectFailure(reach('receiver', 'handshaking'), ev.data(1, 0), 'UNEXPECTED_MESSAGE');
  });

  it('receiver: data for a later file → CHUNK_OUT_OF_ORDER; for an earlier file → CHUNK_REPLAYED', () => {
    expectFailure(r(), ev.data(4, 0), 'CHUNK_OUT_OF_ORDER');
    expectFailure(r(), ev.data(2, 0), 'CHUNK_OUT_OF_ORDER');
    expectFailure(r(), ev.data(0, 0), 'CHUNK_REPLAYED'); // the directory before the current file
    const atFile4 = feed(r(), [ev.data(1, 0), ev.written(1, 0), ev.data(1, 1), ev.written(1, 1), ev.data(1, 2), ev.written(1, 2), ev.committed(1), ev.data(2, 0), ev.written(2, 0), ev.committed(2)]);
    expect(atFile4.current).toBe(4);
    expectFailure(atFile4, ev.data(1, 2), 'CHUNK_REPLAYED');
    expectFailure(atFile4, ev.data(5, 0), 'CHUNK_OUT_OF_ORDER');
  });

  it('receiver: replayed chunk → CHUNK_REPLAYED; skipped chunk → CHUNK_OUT_OF_ORDER', () => {
    const afterFirst = feed(r(), [ev.data(1, 0), ev.written(1, 0)]);
    expectFailure(afterFirst, ev.data(1, 0), 'CHUNK_REPLAYED');
    expectFailure(r(), ev.data(1, 1), 'CHUNK_OUT_OF_ORDER');
    expectFailure(afterFirst, ev.data(1, 2), 'CHUNK_OUT_OF_ORDER');
  });

  it('receiver: data after every chunk of the file was written, before it is committed → UNEXPECTED_MESSAGE', () => {
    const written = feed(r(), [ev.data(1, 0), ev.written(1, 0), ev.data(1, 1), ev.written(1, 1), ev.data(1, 2), ev.written(1, 2)]);
    expectFailure(written, ev.data(1, 3), 'UNEXPECTED_MESSAGE');
    expectFailure(written, ev.data(2, 0), 'UNEXPECTED_MESSAGE');
  });

  it('any chunk order other than the honest one fails at the first deviation, with the code of its direction', () => {
    // Drive a receiver the way the runner does: each open-chunk is written before the next frame is looked at.
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }), (chunks) => {
        let state = r();
        let expected = 0;
        for (const chunk of chunks) {
          const step = transition(state, ev.data(1, chunk));
          state = step.state;
          if (expected === 3) {
            expect(state.error).toBe('UNEXPECTED_MESSAGE');
            return;
          }
          if (chunk !== expected) {
            expect(state.error).toBe(chunk < expected ? 'CHUNK_REPLAYED' : 'CHUNK_OUT_OF_ORDER');
            return;
          }
          state = transition(state, ev.written(1, chunk)).state;
          expected++;
        }
        expect(state.phase).toBe('transferring');
        expect(state.entries[1]!.done).toBe(expected);
      }),
    );
  });

  it('receiver: a second OFFER (while deciding or transferring) → UNEXPECTED_MESSAGE', () => {
    expectFailure(reach('receiver', 'deciding'), ev.offer(), 'UNEXPECTED_MESSAGE');
    expectFailure(r(), ev.offer(), 'UNEXPECTED_MESSAGE');
  });

  it('receiver: ACCEPT, DECLINE, FILE_VERIFIED or COMPLETE from the peer (sender-bound messages) → UNEXPECTED_MESSAGE', () => {
    for (const phase of ['awaiting-offer', 'deciding', 'transferring']) {
      for (const message of [ev.acceptMsg(), ev.declineMsg, ev.verified(1), ev.completeMsg]) {
        expectFailure(reach('receiver', phase), message, 'UNEXPECTED_MESSAGE');
      }
    }
  });

  it('sender: an OFFER from the peer, or any message before ACCEPT other than DECLINE → UNEXPECTED_MESSAGE', () => {
    expectFailure(reach('sender', 'awaiting-accept'), ev.offer(), 'UNEXPECTED_MESSAGE');
    expectFailure(s(), ev.offer(), 'UNEXPECTED_MESSAGE');
    expectFailure(reach('sender', 'awaiting-accept'), ev.verified(1), 'UNEXPECTED_MESSAGE');
    expectFailure(reach('sender', 'awaiting-accept'), ev.completeMsg, 'UNEXPECTED_MESSAGE');
  });

  it('sender: a second ACCEPT, or a DECLINE after ACCEPT → UNEXPECTED_MESSAGE', () => {
    expectFailure(s(), ev.acceptMsg(), 'UNEXPECTED_MESSAGE');
    expectFailure(s(), ev.declineMsg, 'UNEXPECTED_MESSAGE');
  });

  it('sender: FILE_VERIFIED for the file being sent is accepted (its last frame may still be in the send buffer)', () => {
    const step = transition(s(), ev.verified(1));
    expect(step.state.phase).toBe('transferring');
    expect(step.state.entries[1]!.verified).toBe(true);
    expect(step.effects.some((e) => e.type === 'close' || e.type === 'send-control')).toBe(false);
  });

  it('sender: FILE_VERIFIED for a file not yet sent, a directory, out of range, or twice → UNEXPECTED_MESSAGE', () => {
    expectFailure(s(), ev.verified(4), 'UNEXPECTED_MESSAGE'); // not sent yet
    expectFailure(s(), ev.verified(0), 'UNEXPECTED_MESSAGE'); // directory
    expectFailure(s(), ev.verified(5), 'UNEXPECTED_MESSAGE'); // no such entry
    const once = feed(s(), [ev.fileSent(1), ev.verified(1)]);
    expectFailure(once, ev.verified(1), 'UNEXPECTED_MESSAGE');
  });

  it('sender: COMPLETE before every file is verified → UNEXPECTED_MESSAGE', () => {
    expectFailure(s(), ev.completeMsg, 'UNEXPECTED_MESSAGE');
    const allSent = feed(s(), [ev.fileSent(1), ev.fileSent(2), ev.fileSent(4), ev.verified(1), ev.verified(2)]);
    expectFailure(allSent, ev.completeMsg, 'UNEXPECTED_MESSAGE');
  });

  it('sender: DATA from the peer → UNEXPECTED_MESSAGE', () => {
    expectFailure(s(), ev.data(1, 0), 'UNEXPECTED_MESSAGE');
  });

  it('any control message before handshake-ok → UNEXPECTED_MESSAGE, closed without a CANCEL', () => {
    const messages = [ev.offer(), ev.acceptMsg(), ev.declineMsg, ev.verified(1), ev.completeMsg, ev.cancelMsg('CANCELLED')];
    for (const role of ['sender', 'receiver'] as const) {
      for (const phase of ['idle', 'handshaking']) {
        for (const message of messages) expectFailure(reach(role, phase), message, 'UNEXPECTED_MESSAGE');
      }
    }
  });

  it('handshake-ok outside handshaking → HANDSHAKE_STATE', () => {
    for (const [role, phase] of PHASES_OF.filter(([, p]) => p !== 'handshaking')) {
      expectFailure(reach(role, phase), ev.handshakeOk, 'HANDSHAKE_STATE');
    }
  });

  it('a sender without a manifest cannot make an offer → BAD_INPUT', () => {
    const bare = feed(initialState('sender', { timeouts: T }), [ev.start]);
    expectFailure(bare, ev.handshakeOk, 'BAD_INPUT');
  });

  it('runner events out of place are refused, not trusted', () => {
    // chunk-written
    expectFailure(r(), ev.written(1, 1), 'CHUNK_OUT_OF_ORDER');
    expectFailure(r(), ev.written(4, 0), 'UNEXPECTED_MESSAGE');
    expectFailure(reach('receiver', 'deciding'), ev.written(1, 0), 'UNEXPECTED_MESSAGE');
    expectFailure(s(), ev.written(1, 0), 'UNEXPECTED_MESSAGE');
    // file-committed: only for the current file once all of its chunks are written
    expectFailure(r(), ev.committed(1), 'UNEXPECTED_MESSAGE');
    expectFailure(r(), ev.committed(4), 'UNEXPECTED_MESSAGE');
    expectFailure(reach('receiver', 'awaiting-offer'), ev.committed(0), 'UNEXPECTED_MESSAGE');
    expectFailure(reach('receiver', 'deciding'), ev.committed(0), 'UNEXPECTED_MESSAGE');
    expectFailure(s(), ev.committed(1), 'UNEXPECTED_MESSAGE');
    // file-sent: only for the file being sent
    expectFailure(s(), ev.fileSent(2), 'UNEXPECTED_MESSAGE');
    expectFailure(reach('sender', 'awaiting-accept'), ev.fileSent(0), 'UNEXPECTED_MESSAGE');
    expectFailure(feed(s(), [ev.fileSent(1), ev.fileSent(2), ev.fileSent(4)]), ev.fileSent(5), 'UNEXPECTED_MESSAGE');
    expectFailure(r(), ev.fileSent(1), 'UNEXPECTED_MESSAGE');
  });

  it('local decisions outside their phase are ignored: start twice, accept/decline when not deciding', () => {
    for (const [role, phase] of PHASES_OF) {
      const state = reach(role, phase);
      for (const event of [ev.accept(), ev.decline]) {
        if (role === 'receiver' && phase === 'deciding') continue;
        expect(transition(state, event)).toEqual({ state, effects: [] });
      }
      if (phase !== 'idle') expect(transition(state, ev.start)).toEqual({ state, effects: [] });
    }
  });
});

// ------------------------------------------------------------------------------------------------ endings

describe('how a session ends', () => {
  it('cancel from this side, in every non-terminal phase of both roles', () => {
    for (const [role, phase] of PHASES_OF) {
      const before = reach(role, phase);
      const step = transition(before, ev.cancel);
      expect(step.state.phase).toBe('cancelled');
      expect(step.state.error).toBe('CANCELLED');
      expect(step.state.errorFromPeer).toBe(false);
      expect(step.effects).toEqual(
        established(before.phase)
          ? [fx.send({ kind: 'cancel', code: 'CANCELLED' }), fx.close('CANCELLED')]
          : [fx.close('CANCELLED')],
      );
    }
  });

  it('cancel from the peer (CANCEL CANCELLED), in every phase after the handshake: cancelled, nothing sent back', () => {
    for (const [role, phase] of PHASES_OF.filter(([, p]) => established(p as Phase))) {
      const step = transition(reach(role, phase), ev.cancelMsg('CANCELLED'));
      expect(step.state.phase).toBe('cancelled');
      expect(step.state.error).toBe('CANCELLED');
      expect(step.state.errorFromPeer).toBe(true);
      expect(step.effects).toEqual([fx.close('CANCELLED')]);
    }
  });

  it('a failure reported by the peer (CANCEL with another code): failed, errorFromPeer, nothing sent back', () => {
    for (const code of ['SINK_FAILED', 'FILE_HASH_MISMATCH', 'PEER_ABORTED', 'DECLINED'] as const) {
      for (const [role, phase] of PHASES_OF.filter(([, p]) => established(p as Phase))) {
        const step = transition(reach(role, phase), ev.cancelMsg(code));
        expect(step.state.phase).toBe('failed');
        expect(step.state.error).toBe(code);
        expect(step.state.errorFromPeer).toBe(true);
        expect(step.effects).toEqual([fx.close(code)]);
      }
    }
  });

  it('decline: the receiver says DECLINE and closes; the sender ends declined, from the peer', () => {
    const r = transition(reach('receiver', 'deciding'), ev.decline);
    expect(r.state).toMatchObject({ phase: 'declined', error: 'DECLINED', errorFromPeer: false });
    expect(r.effects).toEqual([fx.send({ kind: 'decline' }), fx.close('DECLINED')]);
    const s = transition(reach('sender', 'awaiting-accept'), ev.declineMsg);
    expect(s.state).toMatchObject({ phase: 'declined', error: 'DECLINED', errorFromPeer: true });
    expect(s.effects).toEqual([fx.close('DECLINED')]);
  });

  it('each timer expiring → TIMEOUT (the peer is told once the channel exists)', () => {
    expectFailure(reach('sender', 'handshaking'), ev.timeout('handshake'), 'TIMEOUT');
    expectFailure(reach('receiver', 'handshaking'), ev.timeout('handshake'), 'TIMEOUT');
    expectFailure(reach('sender', 'awaiting-accept'), ev.timeout('response'), 'TIMEOUT');
    expectFailure(reach('receiver', 'awaiting-offer'), ev.timeout('response'), 'TIMEOUT');
    expectFailure(reach('sender', 'transferring'), ev.timeout('idle'), 'TIMEOUT');
    expectFailure(reach('receiver', 'transferring'), ev.timeout('idle'), 'TIMEOUT');
    // The machine does not second-guess which timer fired: the runner clears the ones a phase no longer needs.
    for (const [role, phase] of PHASES_OF) {
      for (const timer of ['handshake', 'response', 'idle'] as const) expectFailure(reach(role, phase), ev.timeout(timer), 'TIMEOUT');
    }
  });

  it('transport-closed → failed TRANSPORT_CLOSED, closed without sending anything, in every phase', () => {
    for (const [role, phase] of PHASES_OF) {
      const step = transition(reach(role, phase), ev.closed);
      expect(step.state).toMatchObject({ phase: 'failed', error: 'TRANSPORT_CLOSED', errorFromPeer: false });
      expect(step.effects).toEqual([fx.close('TRANSPORT_CLOSED')]);
    }
  });

  it('a runner failure (fail event) keeps its code', () => {
    for (const [role, phase] of PHASES_OF) {
      for (const code of ['SINK_FAILED', 'CHUNK_AUTH_FAILED', 'MANIFEST_HASH_MISMATCH'] as const) {
        expectFailure(reach(role, phase), ev.fail(code), code);
      }
    }
  });
});

// ------------------------------------------------------------------------------------------------ properties

/** Ways to reach each terminal phase, for both roles. */
const TERMINAL_PATHS: [string, Role, TransferEvent[]][] = [
  ['sender complete', 'sender', [...SENDER_PREFIX.transferring!, ev.fileSent(1), ev.fileSent(2), ev.fileSent(4), ev.verified(1), ev.verified(2), ev.verified(4), ev.completeMsg]],
  ['sender declined', 'sender', [...SENDER_PREFIX['awaiting-accept']!, ev.declineMsg]],
  ['sender cancelled', 'sender', [ev.cancel]],
  ['sender cancelled by peer', 'sender', [...SENDER_PREFIX.transferring!, ev.cancelMsg('CANCELLED')]],
  ['sender failed', 'sender', [ev.start, ev.timeout('handshake')]],
  ['receiver complete', 'receiver', [...RECEIVER_PREFIX.deciding!, ev.accept([{ fileIndex: 1, verifiedChunks: 3 }, { fileIndex: 2, verifiedChunks: 1 }, { fileIndex: 4, verifiedChunks: 1 }])]],
  ['receiver declined', 'receiver', [...RECEIVER_PREFIX.deciding!, ev.decline]],
  ['receiver cancelled', 'receiver', [...RECEIVER_PREFIX.transferring!, ev.cancel]],
  ['receiver failed', 'receiver', [...RECEIVER_PREFIX.transferring!, ev.data(1, 1)]],
];

const smallIndex = fc.integer({ min: -1, max: 7 });
const errorCode = fc.constantFrom(...ERROR_CODES);
const resumeArb = fc.array(fc.record({ fileIndex: smallIndex, verifiedChunks: fc.integer({ min: 0, max: 5 }) }), { maxLength: 4 });

/** Any event at all, valid or not, for a session over `manifest`. */
function anyEvent(manifest: Manifest): fc.Arbitrary<TransferEvent> {
  const control = fc.oneof(
    fc.constantFrom(16, 32, 64).map((chunkSize): ControlMessage => offerMessage(manifest, chunkSize)),
    resumeArb.map((resume): ControlMessage => ({ kind: 'accept', resume })),
    fc.constant<ControlMessage>({ kind: 'decline' }),
    smallIndex.map((fileIndex): ControlMessage => ({ kind: 'file-verified', fileIndex })),
    fc.constant<ControlMessage>({ kind: 'complete' }),
    errorCode.map((code): ControlMessage => ({ kind: 'cancel', code })),
    fc.tuple(smallIndex, fc.integer({ min: 0, max: 7 })).map(
      ([fileIndex, verifiedChunks]): ControlMessage => ({ kind: 'progress', fileIndex, verifiedChunks }),
    ),
  );
  return fc.oneof(
    fc.constant(ev.start),
    fc.constant(ev.handshakeOk),
    control.map(ev.control),
    fc.tuple(smallIndex, smallIndex).map(([f, c]) => ev.data(f, c)),
    resumeArb.map(ev.accept),
    fc.constant(ev.decline),
    smallIndex.map(ev.fileSent),
    smallIndex.map(ev.committed),
    fc.tuple(smallIndex, smallIndex).map(([f, c]) => ev.written(f, c)),
    fc.constantFrom<TimerName>('handshake', 'response', 'idle', 'heartbeat').map(ev.timeout),
    errorCode.map(ev.fail),
    fc.constant(ev.cancel),
    fc.constant(ev.closed),
  );
}

describe('terminal phases absorb every event', () => {
  for (const [name, role, path] of TERMINAL_PATHS) {
    it(name, () => {
      const terminal = feed(start(role), path);
      expect(isTerminal(terminal.phase)).toBe(true);
      fc.assert(
        fc.property(fc.array(anyEvent(MANIFEST), { maxLength: 20 }), (events) => {
          let state = terminal;
          for (const event of events) {
            const step = transition(state, event);
            expect(step.state).toBe(terminal);
            expect(step.effects).toEqual([]);
            state = step.state;
          }
        }),
        { numRuns: 50 },
      );
    });
  }
});

/**
 * The documented order (docs/state-machines/transfer.md). Each phase has a rank; a step may stay, or take one of
 * the role's documented edges, each of which raises the rank. The receiver may go from deciding straight to
 * complete when nothing is left to receive (only directories, or everything resumed).
 */
const RANK: Record<Phase, number> = {
  idle: 0,
  handshaking: 1,
  'awaiting-offer': 2,
  'awaiting-accept': 2,
  deciding: 3,
  transferring: 4,
  complete: 5,
  failed: 5,
  cancelled: 5,
  declined: 5,
};
const EDGES: Record<Role, ReadonlySet<string>> = {
  sender: new Set([
    'idle>handshaking', 'handshaking>awaiting-accept', 'awaiting-accept>transferring', 'transferring>complete',
    'awaiting-accept>declined',
  ]),
  receiver: new Set([
    'idle>handshaking', 'handshaking>awaiting-offer', 'awaiting-offer>deciding', 'deciding>transferring',
    'deciding>complete', 'transferring>complete', 'deciding>declined',
  ]),
};
function movesForward(role: Role, from: Phase, to: Phase): boolean {
  if (from === to) return true;
  if (isTerminal(from)) return false;
  const documented = to === 'failed' || to === 'cancelled' || EDGES[role].has(`${from}>${to}`);
  return documented && RANK[to] > RANK[from];
}

/** A random valid manifest: flat names, files of 0–80 bytes (0–6 chunks of 16) and directories. */
const manifestArb = fc
  .array(fc.record({ directory: fc.boolean(), size: fc.integer({ min: 0, max: 80 }) }), { maxLength: 6 })
  .map((items) =>
    buildManifest(
      items.map((item, i) =>
        item.directory
          ? { kind: 'directory' as const, path: `d${i}` }
          : { kind: 'file' as const, path: `f${i}`, size: item.size, sha256: hash(i) },
      ),
    ),
  );

/** Valid resume points for `manifest`: a subset of its files, each with 0..chunks verified. */
function resumeFor(manifest: Manifest): fc.Arbitrary<ResumePoint[]> {
  const files = manifest.entries.flatMap((entry, fileIndex) =>
    entry.kind === 'file' ? [{ fileIndex, chunks: Math.max(1, Math.ceil(entry.size / CS)) }] : [],
  );
  return fc.tuple(...files.map((f) => fc.option(fc.integer({ min: 0, max: f.chunks }), { nil: undefined }))).map((picks) =>
    picks.flatMap((verifiedChunks, i) => (verifiedChunks === undefined ? [] : [{ fileIndex: files[i]!.fileIndex, verifiedChunks }])),
  );
}

/** The events an honest peer and an honest runner produce, in an order the runner can produce them. */
function honestScript(role: Role, manifest: Manifest, resume: readonly ResumePoint[]): TransferEvent[] {
  const left = manifest.entries.flatMap((entry, fileIndex) => {
    if (entry.kind !== 'file') return [];
    const chunks = Math.max(1, Math.ceil(entry.size / CS));
    const done = resume.find((p) => p.fileIndex === fileIndex)?.verifiedChunks ?? 0;
    return done === chunks ? [] : [{ fileIndex, chunks, done }];
  });
  if (role === 'sender') {
    return [
      ev.start, ev.handshakeOk, ev.acceptMsg([...resume]),
      ...left.flatMap((f) => [ev.fileSent(f.fileIndex), ev.verified(f.fileIndex)]),
      ev.completeMsg,
    ];
  }
  return [
    ev.start, ev.handshakeOk, ev.offer(manifest), ev.accept([...resume]),
    ...left.flatMap((f) => [
      ...Array.from({ length: f.chunks - f.done }, (_, k) => [ev.data(f.fileIndex, f.done + k), ev.written(f.fileIndex, f.done + k)]).flat(),
      ev.committed(f.fileIndex),
    ]),
  ];
}

const scenarioArb = manifestArb.chain((manifest) =>
  fc.record({
    manifest: fc.constant(manifest),
    role: fc.constantFrom<Role>('sender', 'receiver'),
    resume: resumeFor(manifest),
    noise: fc.array(fc.tuple(fc.nat(), anyEvent(manifest)), { maxLength: 8 }),
  }),
);

describe('properties over random manifests', () => {
  it('honest events alone always reach complete, and send or open exactly the chunks not yet verified', () => {
    fc.assert(
      fc.property(scenarioArb, ({ manifest, role, resume }) => {
        const initial = role === 'sender' ? sender(manifest) : receiver();
        const { state, effects } = run(initial, honestScript(role, manifest, resume));
        expect(state.phase).toBe('complete');
        expect(effects.flat().at(-1)).toEqual(fx.close(null));
        const done = (i: number) => resume.find((p) => p.fileIndex === i)?.verifiedChunks ?? 0;
        const expected = manifest.entries.flatMap((entry, i) => {
          if (entry.kind !== 'file') return [];
          const chunks = Math.max(1, Math.ceil(entry.size / CS));
          return done(i) === chunks ? [] : [{ i, from: done(i), chunks }];
        });
        if (role === 'sender') {
          expect(effects.flat().filter((e) => e.type === 'send-file')).toEqual(expected.map((f) => fx.sendFile(f.i, f.from)));
        } else {
          const opened = effects.flat().filter((e) => e.type === 'open-chunk');
          expect(opened).toEqual(
            expected.flatMap((f) => Array.from({ length: f.chunks - f.from }, (_, k) => fx.open(f.i, f.from + k, f.from + k === f.chunks - 1))),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('under any mix of valid and invalid events, transition never throws and the phase only moves forward', () => {
    fc.assert(
      fc.property(scenarioArb, ({ manifest, role, resume, noise }) => {
        const events = honestScript(role, manifest, resume);
        for (const [at, event] of noise) events.splice(at % (events.length + 1), 0, event);
        let state = role === 'sender' ? sender(manifest) : receiver();
        for (const event of events) {
          const step = transition(state, event);
          expect(movesForward(role, state.phase, step.state.phase), `${state.phase} → ${step.state.phase} on ${event.type}`).toBe(true);
          if (isTerminal(state.phase)) expect(step).toEqual({ state, effects: [] });
          // A failure found here is told to the peer once the channel exists; a dead transport cannot carry it.
          if (!isTerminal(state.phase) && step.state.phase === 'failed' && !step.state.errorFromPeer) {
            const code = step.state.error!;
            const told = established(state.phase) && event.type !== 'transport-closed';
            expect(step.effects).toEqual(told ? [fx.send({ kind: 'cancel', code }), fx.close(code)] : [fx.close(code)]);
          }
          state = step.state;
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('heartbeat: the receiver reports progress so a long file is not mistaken for a stall', () => {
  it('receiver: the heartbeat timer sends PROGRESS for the current file and re-arms', () => {
    const r = feed(reach('receiver', 'transferring'), [ev.data(1, 0), ev.written(1, 0)]);
    const step = transition(r, ev.timeout('heartbeat'));
    expect(step.effects).toEqual([fx.send({ kind: 'progress', fileIndex: 1, verifiedChunks: 1 }), fx.setTimer('heartbeat', 101)]);
    expect(step.state).toEqual(r);
  });

  it('heartbeat outside transferring is ignored, in every other phase and role', () => {
    for (const [role, phase] of PHASES_OF.filter(([role, p]) => !(role === 'receiver' && p === 'transferring'))) {
      const state = reach(role, phase);
      expect(transition(state, ev.timeout('heartbeat'))).toEqual({ state, effects: [] });
    }
  });

  it('sender: PROGRESS re-arms the idle timer; PROGRESS beyond the file or for a directory → UNEXPECTED_MESSAGE', () => {
    const s = reach('sender', 'transferring');
    expect(transition(s, ev.control({ kind: 'progress', fileIndex: 1, verifiedChunks: 2 })).effects).toEqual([fx.setTimer('idle', 303)]);
    expectFailure(s, ev.control({ kind: 'progress', fileIndex: 1, verifiedChunks: 4 }), 'UNEXPECTED_MESSAGE');
    expectFailure(s, ev.control({ kind: 'progress', fileIndex: 0, verifiedChunks: 0 }), 'UNEXPECTED_MESSAGE');
    expectFailure(s, ev.control({ kind: 'progress', fileIndex: 9, verifiedChunks: 0 }), 'UNEXPECTED_MESSAGE');
  });
});
