/**
 * The transfer state machine (docs/state-machines/transfer.md): a pure `transition(state, event) → { state, effects }`
 * for both roles. It decides *what* happens; the session runner (session.ts) performs the effects — cryptography,
 * I/O, timers — and feeds the results back as events, one at a time, in order.
 *
 *   sender:   idle → handshaking → awaiting-accept → transferring → complete
 *   receiver: idle → handshaking → awaiting-offer → deciding → transferring → complete
 *   any non-terminal phase → failed | cancelled | declined (terminal)
 *
 * Timers: `handshake`, `response` and `idle` fail the session with TIMEOUT when they expire. `heartbeat` runs only on
 * a transferring receiver: every third of the idle window it sends PROGRESS (the current file and its chunks
 * written) and re-arms, and it never fails anything. The sender re-arms its idle timer on PROGRESS and FILE_VERIFIED,
 * so a file that takes longer than the idle window is not mistaken for a stall. The runner's `close` clears every
 * timer, so failures emit no `clear-timer`.
 *
 * Trust assumptions: events of type `control` and `data` come from the peer after the control record or frame was
 * parsed — authenticated for control, NOT yet for data (the runner opens a chunk only when this machine has named
 * the exact file and chunk index it expects, so a replayed or reordered frame is refused before decryption and a
 * rewritten header fails authentication after it). Every peer-supplied number is range-checked here.
 */

import { assertNever, errorCodeOf, type ErrorCode } from '../errors';
import { chunkCount } from '../crypto/stream';
import type { Manifest } from '../manifest/manifest';
import type { ControlMessage, ResumePoint } from './control';

export type Role = 'sender' | 'receiver';

export type Phase =
  | 'idle'
  | 'handshaking'
  | 'awaiting-offer'
  | 'deciding'
  | 'awaiting-accept'
  | 'transferring'
  | 'complete'
  | 'failed'
  | 'cancelled'
  | 'declined';

/** `heartbeat`: the receiver's PROGRESS interval, a third of the idle window. */
export type TimerName = 'handshake' | 'response' | 'idle' | 'heartbeat';

export interface Timeouts {
  /** From start until the handshake completes. */
  readonly handshakeMs: number;
  /** Sender waiting for accept/decline; receiver waiting for the offer. */
  readonly responseMs: number;
  /** Longest silence while transferring. */
  readonly idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { handshakeMs: 30_000, responseMs: 15 * 60_000, idleMs: 60_000 };

/** Per-entry progress. `done` counts chunks sent (sender) or verified and written (receiver). */
export interface EntryProgress {
  readonly chunks: number;
  readonly done: number;
  readonly verified: boolean;
}

export interface TransferState {
  readonly role: Role;
  readonly phase: Phase;
  readonly timeouts: Timeouts;
  readonly manifest: Manifest | null;
  readonly chunkSize: number;
  readonly entries: readonly EntryProgress[];
  /** Index of the entry being transferred (sender: sent; receiver: expected). */
  readonly current: number;
  readonly error: ErrorCode | null;
  /** True when the error was reported by the peer rather than detected here. */
  readonly errorFromPeer: boolean;
}

export type TransferEvent =
  | { readonly type: 'start' }
  | { readonly type: 'handshake-ok' }
  | { readonly type: 'control'; readonly message: ControlMessage }
  | { readonly type: 'data'; readonly fileIndex: number; readonly chunkIndex: number; readonly sealed: Uint8Array }
  /** Receiver's user (or policy) accepted, with what the sink already holds. */
  | { readonly type: 'accept'; readonly resume: readonly ResumePoint[] }
  | { readonly type: 'decline' }
  /** Runner finished sending every chunk of `fileIndex` (sender). */
  | { readonly type: 'file-sent'; readonly fileIndex: number }
  /** Runner verified and committed `fileIndex` (receiver). */
  | { readonly type: 'file-committed'; readonly fileIndex: number }
  | { readonly type: 'chunk-written'; readonly fileIndex: number; readonly chunkIndex: number }
  | { readonly type: 'timeout'; readonly timer: TimerName }
  | { readonly type: 'fail'; readonly code: ErrorCode }
  | { readonly type: 'cancel' }
  | { readonly type: 'transport-closed' };

export type TransferEffect =
  | { readonly type: 'start-handshake' }
  | { readonly type: 'send-control'; readonly message: ControlMessage }
  | { readonly type: 'present-offer'; readonly manifest: Manifest }
  | { readonly type: 'create-directory'; readonly fileIndex: number }
  | { readonly type: 'send-file'; readonly fileIndex: number; readonly fromChunk: number }
  | { readonly type: 'open-chunk'; readonly fileIndex: number; readonly chunkIndex: number; readonly last: boolean; readonly sealed: Uint8Array }
  | { readonly type: 'verify-file'; readonly fileIndex: number }
  | { readonly type: 'set-timer'; readonly timer: TimerName; readonly ms: number }
  | { readonly type: 'clear-timer'; readonly timer: TimerName }
  | { readonly type: 'close'; readonly code: ErrorCode | null };

export interface Step {
  readonly state: TransferState;
  readonly effects: readonly TransferEffect[];
}

const TERMINAL: ReadonlySet<Phase> = new Set(['complete', 'failed', 'cancelled', 'declined']);

export function isTerminal(phase: Phase): boolean {
  return TERMINAL.has(phase);
}

function entriesFor(manifest: Manifest, chunkSize: number): EntryProgress[] {
  return manifest.entries.map((entry) =>
    entry.kind === 'file'
      ? { chunks: chunkCount(entry.size, chunkSize), done: 0, verified: false }
      : { chunks: 0, done: 0, verified: false },
  );
}

/** The initial state. A sender knows its manifest from the start; a receiver learns it from the offer. */
export function initialState(
  role: Role,
  options: { manifest?: Manifest; chunkSize?: number; timeouts?: Timeouts } = {},
): TransferState {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const manifest = options.manifest ?? null;
  return {
    role,
    phase: 'idle',
    timeouts: options.timeouts ?? DEFAULT_TIMEOUTS,
    manifest,
    chunkSize,
    entries: manifest ? entriesFor(manifest, chunkSize) : [],
    current: 0,
    error: null,
    errorFromPeer: false,
  };
}

const stay = (state: TransferState): Step => ({ state, effects: [] });

const heartbeat = (state: TransferState): TransferEffect => ({
  type: 'set-timer',
  timer: 'heartbeat',
  ms: Math.max(1, Math.floor(state.timeouts.idleMs / 3)),
});

/** Stop with `code`; tell the peer (authenticated once the handshake is done) and close. */
function failWith(state: TransferState, code: ErrorCode): Step {
  const established = !['idle', 'handshaking'].includes(state.phase);
  return {
    state: { ...state, phase: 'failed', error: code },
    effects: [
      ...(established ? [{ type: 'send-control', message: { kind: 'cancel', code } } as const] : []),
      { type: 'close', code },
    ],
  };
}

/** The peer ended the session. */
function endedByPeer(state: TransferState, phase: 'cancelled' | 'declined' | 'failed', code: ErrorCode): Step {
  return { state: { ...state, phase, error: code, errorFromPeer: true }, effects: [{ type: 'close', code }] };
}

function isFile(state: TransferState, index: number): boolean {
  return state.manifest?.entries[index]?.kind === 'file';
}

function updateEntry(entries: readonly EntryProgress[], index: number, patch: Partial<EntryProgress>) {
  return entries.map((entry, i) => (i === index ? { ...entry, ...patch } : entry));
}

/** Apply and check the receiver's resume points (sender side); null when they are invalid. */
function applyResume(state: TransferState, resume: readonly ResumePoint[]): EntryProgress[] | null {
  let entries = [...state.entries];
  const seen = new Set<number>();
  for (const point of resume) {
    const entry = entries[point.fileIndex];
    if (!entry || !isFile(state, point.fileIndex) || seen.has(point.fileIndex)) return null;
    if (point.verifiedChunks > entry.chunks) return null;
    seen.add(point.fileIndex);
    entries = updateEntry(entries, point.fileIndex, { done: point.verifiedChunks, verified: point.verifiedChunks === entry.chunks });
  }
  return entries;
}

/** Sender: move to the next entry with chunks left to send, or wait for verification of the rest. */
function senderNext(state: TransferState, from: number): Step {
  let index = from;
  while (index < state.entries.length) {
    const entry = state.entries[index]!;
    if (isFile(state, index) && entry.done < entry.chunks) break;
    index++;
  }
  const next = { ...state, current: index };
  if (index >= state.entries.length) return stay(next);
  return { state: next, effects: [{ type: 'send-file', fileIndex: index, fromChunk: state.entries[index]!.done }] };
}

/** Receiver: skip entries that need nothing; finish when all are verified. */
function receiverNext(state: TransferState, from: number): Step {
  let index = from;
  while (index < state.entries.length) {
    const entry = state.entries[index]!;
    if (isFile(state, index) && !entry.verified) break;
    index++;
  }
  const next = { ...state, current: index };
  if (index < state.entries.length) {
    const entry = state.entries[index]!;
    // All chunks already on disk (crash between the last write and the commit): verify without new data.
    if (entry.done === entry.chunks) return { state: next, effects: [{ type: 'verify-file', fileIndex: index }] };
    return stay(next);
  }
  return {
    state: { ...next, phase: 'complete' },
    effects: [
      { type: 'send-control', message: { kind: 'complete' } },
      { type: 'clear-timer', timer: 'idle' },
      { type: 'clear-timer', timer: 'heartbeat' },
      { type: 'close', code: null },
    ],
  };
}

function onControl(state: TransferState, message: ControlMessage): Step {
  const idle: TransferEffect = { type: 'set-timer', timer: 'idle', ms: state.timeouts.idleMs };
  if (message.kind === 'cancel') {
    return endedByPeer(state, message.code === 'CANCELLED' ? 'cancelled' : 'failed', message.code);
  }
  if (state.role === 'receiver') {
    if (state.phase === 'awaiting-offer' && message.kind === 'offer') {
      let entries: EntryProgress[];
      try {
        entries = entriesFor(message.manifest, message.chunkSize);
      } catch (error) {
        // A valid manifest can still hold more chunks than STREAM allows at a tiny chunk size (IMPOSSIBLE_SIZE).
        return failWith(state, errorCodeOf(error) ?? 'CONTROL_BAD_MESSAGE');
      }
      return {
        state: { ...state, phase: 'deciding', manifest: message.manifest, chunkSize: message.chunkSize, entries },
        effects: [{ type: 'clear-timer', timer: 'response' }, { type: 'present-offer', manifest: message.manifest }],
      };
    }
    return failWith(state, 'UNEXPECTED_MESSAGE');
  }
  // sender
  if (state.phase === 'awaiting-accept') {
    if (message.kind === 'decline') return endedByPeer(state, 'declined', 'DECLINED');
    if (message.kind === 'accept') {
      const entries = applyResume(state, message.resume);
      if (!entries) return failWith(state, 'RESUME_INVALID');
      const step = senderNext({ ...state, phase: 'transferring', entries }, 0);
      return { state: step.state, effects: [{ type: 'clear-timer', timer: 'response' }, idle, ...step.effects] };
    }
  }
  if (state.phase === 'transferring') {
    if (message.kind === 'progress') {
      const entry = state.entries[message.fileIndex];
      if (!entry || !isFile(state, message.fileIndex) || message.verifiedChunks > entry.chunks) {
        return failWith(state, 'UNEXPECTED_MESSAGE');
      }
      return { state, effects: [idle] };
    }
    if (message.kind === 'file-verified') {
      const entry = state.entries[message.fileIndex];
      // The file being sent may be confirmed before the runner reports its last frame handed over (backpressure
      // can release late); any other unfinished file cannot have been verified.
      const sent = entry !== undefined && (entry.done === entry.chunks || message.fileIndex === state.current);
      if (!entry || !isFile(state, message.fileIndex) || entry.verified || !sent) {
        return failWith(state, 'UNEXPECTED_MESSAGE');
      }
      return { state: { ...state, entries: updateEntry(state.entries, message.fileIndex, { verified: true }) }, effects: [idle] };
    }
    if (message.kind === 'complete') {
      const allVerified = state.entries.every((entry, i) => !isFile(state, i) || entry.verified);
      if (!allVerified) return failWith(state, 'UNEXPECTED_MESSAGE');
      return {
        state: { ...state, phase: 'complete' },
        effects: [{ type: 'clear-timer', timer: 'idle' }, { type: 'close', code: null }],
      };
    }
  }
  return failWith(state, 'UNEXPECTED_MESSAGE');
}

function onData(state: TransferState, fileIndex: number, chunkIndex: number, sealed: Uint8Array): Step {
  if (state.role !== 'receiver' || state.phase !== 'transferring') return failWith(state, 'UNEXPECTED_MESSAGE');
  const expectedFile = state.current;
  const entry = state.entries[expectedFile];
  if (!entry || entry.done >= entry.chunks) return failWith(state, 'UNEXPECTED_MESSAGE');
  if (fileIndex !== expectedFile || chunkIndex !== entry.done) {
    const behind = fileIndex < expectedFile || (fileIndex === expectedFile && chunkIndex < entry.done);
    return failWith(state, behind ? 'CHUNK_REPLAYED' : 'CHUNK_OUT_OF_ORDER');
  }
  return {
    state,
    effects: [
      { type: 'set-timer', timer: 'idle', ms: state.timeouts.idleMs },
      { type: 'open-chunk', fileIndex, chunkIndex, last: chunkIndex === entry.chunks - 1, sealed },
    ],
  };
}

export function transition(state: TransferState, event: TransferEvent): Step {
  if (isTerminal(state.phase)) return stay(state);
  switch (event.type) {
    case 'start':
      if (state.phase !== 'idle') return stay(state);
      return {
        state: { ...state, phase: 'handshaking' },
        effects: [{ type: 'set-timer', timer: 'handshake', ms: state.timeouts.handshakeMs }, { type: 'start-handshake' }],
      };
    case 'handshake-ok': {
      if (state.phase !== 'handshaking') return failWith(state, 'HANDSHAKE_STATE');
      const response: TransferEffect = { type: 'set-timer', timer: 'response', ms: state.timeouts.responseMs };
      const clear: TransferEffect = { type: 'clear-timer', timer: 'handshake' };
      if (state.role === 'receiver') return { state: { ...state, phase: 'awaiting-offer' }, effects: [clear, response] };
      if (!state.manifest) return failWith(state, 'BAD_INPUT');
      const offer: ControlMessage = { kind: 'offer', chunkSize: state.chunkSize, manifest: state.manifest, manifestBytes: new Uint8Array(0) };
      return { state: { ...state, phase: 'awaiting-accept' }, effects: [clear, { type: 'send-control', message: offer }, response] };
    }
    case 'control':
      if (state.phase === 'idle' || state.phase === 'handshaking') return failWith(state, 'UNEXPECTED_MESSAGE');
      return onControl(state, event.message);
    case 'data':
      return onData(state, event.fileIndex, event.chunkIndex, event.sealed);
    case 'accept': {
      if (state.role !== 'receiver' || state.phase !== 'deciding') return stay(state);
      const entries = applyResume(state, event.resume);
      if (!entries) return failWith(state, 'RESUME_INVALID');
      const directories: TransferEffect[] = [];
      state.manifest?.entries.forEach((entry, fileIndex) => {
        if (entry.kind === 'directory') directories.push({ type: 'create-directory', fileIndex });
      });
      const next = receiverNext({ ...state, phase: 'transferring', entries }, 0);
      return {
        state: next.state,
        effects: [
          ...directories,
          { type: 'send-control', message: { kind: 'accept', resume: event.resume } },
          { type: 'set-timer', timer: 'idle', ms: state.timeouts.idleMs },
          heartbeat(state),
          ...next.effects,
        ],
      };
    }
    case 'decline':
      if (state.role !== 'receiver' || state.phase !== 'deciding') return stay(state);
      return {
        state: { ...state, phase: 'declined', error: 'DECLINED' },
        effects: [{ type: 'send-control', message: { kind: 'decline' } }, { type: 'close', code: 'DECLINED' }],
      };
    case 'chunk-written': {
      if (state.role !== 'receiver' || state.phase !== 'transferring' || event.fileIndex !== state.current) {
        return failWith(state, 'UNEXPECTED_MESSAGE');
      }
      const entry = state.entries[event.fileIndex]!;
      if (event.chunkIndex !== entry.done) return failWith(state, 'CHUNK_OUT_OF_ORDER');
      const done = entry.done + 1;
      const next = { ...state, entries: updateEntry(state.entries, event.fileIndex, { done }) };
      if (done < entry.chunks) return stay(next);
      return { state: next, effects: [{ type: 'verify-file', fileIndex: event.fileIndex }] };
    }
    case 'file-committed': {
      const entry = state.entries[event.fileIndex];
      if (state.role !== 'receiver' || state.phase !== 'transferring' || event.fileIndex !== state.current || !entry || entry.done !== entry.chunks) {
        return failWith(state, 'UNEXPECTED_MESSAGE');
      }
      const verified = { ...state, entries: updateEntry(state.entries, event.fileIndex, { verified: true }) };
      const next = receiverNext(verified, event.fileIndex + 1);
      return {
        state: next.state,
        effects: [{ type: 'send-control', message: { kind: 'file-verified', fileIndex: event.fileIndex } }, ...next.effects],
      };
    }
    case 'file-sent': {
      const entry = state.entries[event.fileIndex];
      if (state.role !== 'sender' || state.phase !== 'transferring' || event.fileIndex !== state.current || !entry) {
        return failWith(state, 'UNEXPECTED_MESSAGE');
      }
      const sent = { ...state, entries: updateEntry(state.entries, event.fileIndex, { done: entry.chunks }) };
      return senderNext(sent, event.fileIndex + 1);
    }
    case 'timeout':
      if (event.timer === 'heartbeat') {
        if (state.role !== 'receiver' || state.phase !== 'transferring') return stay(state);
        const entry = state.entries[state.current];
        return {
          state,
          effects: [
            ...(entry ? [{ type: 'send-control', message: { kind: 'progress', fileIndex: state.current, verifiedChunks: entry.done } } as const] : []),
            heartbeat(state),
          ],
        };
      }
      return failWith(state, 'TIMEOUT');
    case 'fail':
      return failWith(state, event.code);
    case 'cancel':
      return {
        state: { ...state, phase: 'cancelled', error: 'CANCELLED' },
        effects: [
          ...(['idle', 'handshaking'].includes(state.phase)
            ? []
            : [{ type: 'send-control', message: { kind: 'cancel', code: 'CANCELLED' } } as const]),
          { type: 'close', code: 'CANCELLED' },
        ],
      };
    case 'transport-closed':
      return { state: { ...state, phase: 'failed', error: 'TRANSPORT_CLOSED' }, effects: [{ type: 'close', code: 'TRANSPORT_CLOSED' }] };
    default:
      return assertNever(event, 'transfer event');
  }
}
