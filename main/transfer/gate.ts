/**
 * Waiting for a peer on a path without starting a session on it: `whenFirstFrame` resolves once the first frame
 * arrives (with a transport that replays it), or null if the path closes first. A sender keeps several paths open
 * at once (TCP listener, relay channel, WebRTC) and starts a session only on the one the receiver actually uses, so
 * idle paths never run handshake timers.
 */

import type { Transport, TransportCloseReason, TransportHandlers } from '../../src/ports/transport';

export function whenFirstFrame(transport: Transport): { ready: Promise<Transport | null>; cancel(): void } {
  const queue: Uint8Array[] = [];
  let closed: TransportCloseReason | null = null;
  let handlers: TransportHandlers | null = null;
  let draining: Promise<void> | null = null;
  let settled = false;
  let settle!: (value: Transport | null) => void;
  const ready = new Promise<Transport | null>((resolve) => (settle = resolve));

  // Deliver queued frames in order, one at a time, then a pending close; returns when the queue is empty.
  const drain = (): Promise<void> => {
    draining ??= (async () => {
      while (handlers && queue.length > 0) await handlers.frame(queue.shift()!);
      if (handlers && closed && queue.length === 0) handlers.close(closed);
      draining = null;
    })();
    return draining;
  };

  const replaying: Transport = {
    path: transport.path,
    binding: transport.binding,
    maxFrameBytes: transport.maxFrameBytes,
    send: (frame) => transport.send(frame),
    close: () => transport.close(),
    listen(next) {
      handlers = next;
      void drain();
    },
  };

  transport.listen({
    frame(bytes) {
      queue.push(bytes);
      if (!settled) {
        settled = true;
        settle(replaying);
      }
      // Backpressure: the path waits until this frame (and everything queued before it) was handled.
      return handlers ? drain() : undefined;
    },
    close(reason) {
      closed = reason;
      if (!settled) {
        settled = true;
        settle(null);
      }
      if (handlers) void drain();
    },
  });
  return {
    ready,
    cancel() {
      if (!settled) {
        settled = true;
        settle(null);
        transport.close();
      }
    },
  };
}
