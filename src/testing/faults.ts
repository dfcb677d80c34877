/**
 * Ready-made adversaries for `linkedTransports({ tamper })`: each returns a Tamper that misbehaves on the n-th
 * frame of a given frame type in one direction (frame types from frames/frames.ts: byte 1 of the header).
 */

import { FRAME_TYPES, type FrameTypeName } from '../frames/frames';
import type { Direction, FrameInfo, Tamper } from './memory-transport';

export interface Target {
  readonly direction: Direction;
  readonly type: FrameTypeName;
  /** Which frame of that type (0 = first). */
  readonly nth: number;
}

/** Count frames of the target type and call `act` on the chosen one; pass everything else through. */
function on(target: Target, act: (frame: Uint8Array, info: FrameInfo) => Uint8Array[]): Tamper {
  let seen = 0;
  return (frame, info) => {
    if (info.direction !== target.direction || frame[1] !== FRAME_TYPES[target.type]) return [frame];
    return seen++ === target.nth ? act(frame, info) : [frame];
  };
}

export const dropFrame = (target: Target): Tamper => on(target, () => []);

export const duplicateFrame = (target: Target): Tamper => on(target, (frame) => [frame, frame.slice()]);

/** Flip bit 0 of the byte `offsetFromEnd` bytes before the end (default: inside the GCM tag). */
export const corruptFrame = (target: Target, offsetFromEnd = 1): Tamper =>
  on(target, (frame) => {
    const copy = frame.slice();
    copy[copy.length - offsetFromEnd]! ^= 0x01;
    return [copy];
  });

/** Hold the target frame back and deliver it right after the next frame of the same type (a swap). */
export function swapWithNext(target: Target): Tamper {
  let seen = 0;
  let held: Uint8Array | null = null;
  return (frame, info) => {
    if (info.direction !== target.direction || frame[1] !== FRAME_TYPES[target.type]) return [frame];
    const position = seen++;
    if (position === target.nth) {
      held = frame;
      return [];
    }
    if (held && position === target.nth + 1) {
      const out = [frame, held];
      held = null;
      return out;
    }
    return [frame];
  };
}

/** Drop every frame of the type from the nth on (truncation). */
export function truncateFrom(target: Target): Tamper {
  let seen = 0;
  return (frame, info) => {
    if (info.direction !== target.direction || frame[1] !== FRAME_TYPES[target.type]) return [frame];
    return seen++ >= target.nth ? [] : [frame];
  };
}

/** Run several tampers in sequence over each frame. */
export function chain(...tampers: Tamper[]): Tamper {
  return (frame, info) => tampers.reduce<Uint8Array[]>((frames, t) => frames.flatMap((f) => t(f, info)), [frame]);
}
