/**
 * How services tell the renderer that something changed, without knowing about Electron: the composition root
 * passes `createRendererEvents(...)` from main/app/ipc.ts (whose `emit` has this shape); tests pass a recorder.
 * `transfer:session` is absent on purpose: it carries a MessagePort and goes through `startSession` only.
 */

import type { EventChannel, EventPayload } from '../../src/ipc/contract';

export type ServiceEventChannel = Exclude<EventChannel, 'transfer:session'>;

export interface ServiceEvents {
  /** Deliver `payload` on `channel`; the return value (false when no window shows the app) is ignored here. */
  emit<E extends ServiceEventChannel>(channel: E, payload: EventPayload<E>): unknown;
}

/** For services built without a window (the CLI, some tests). */
export const noEvents: ServiceEvents = { emit: () => false };
