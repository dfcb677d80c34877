/**
 * A DOM MessagePort as the PortEndpoint of src/transport/port-transport.ts: the renderer's end of the channel that
 * carries one session's ciphertext frames between main (which owns the network path) and the session running here.
 *
 * Trust assumptions: the port comes from main through the preload (src/ipc/api.ts, SESSION_PORT_MESSAGE) and carries
 * only what the network path carries — ciphertext and credit — so nothing arriving on it is trusted; the port
 * transport checks the message shape, and the session authenticates every frame. Messages are structured-cloned, not
 * transferred: a frame's bytes may be a view into a larger buffer the caller still uses.
 *
 * Close: Chromium (and Node) fire a 'close' event on a port when its entangled end closes or is garbage-collected
 * with its context (the window of main's side is gone). Where that event does not exist the listener never runs,
 * and the session ends on its own timeouts instead.
 */

import type { PortEndpoint, PortMessage } from '../../src/transport/port-transport';

export function domPortEndpoint(port: MessagePort): PortEndpoint {
  return {
    postMessage(message: PortMessage): void {
      port.postMessage(message);
    },
    onMessage(listener: (message: unknown) => void): void {
      port.addEventListener('message', (event: MessageEvent<unknown>) => listener(event.data));
      // addEventListener, unlike the onmessage setter, does not start the port's message queue.
      port.start();
    },
    onClose(listener: () => void): void {
      port.addEventListener('close', () => listener());
    },
    close(): void {
      port.close();
    },
  };
}
