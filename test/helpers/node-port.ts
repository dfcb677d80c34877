/**
 * PortEndpoints over Node's worker_threads MessageChannel, for tests of src/transport/port-transport.ts. Node ports
 * structured-clone like DOM and Electron ports, deliver `message` as the value itself, and emit 'close' on both ends
 * after the messages already posted. The ports are unref'd (once listening: a 'message' listener refs a port again)
 * so a test that forgets to close one still exits.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { PortEndpoint, PortMessage } from '../../src/transport/port-transport';

/** What a test may observe or do on one endpoint, besides the PortEndpoint surface. */
export interface ObservedEndpoint extends PortEndpoint {
  /** Every message this side posted, in order. */
  readonly posted: PortMessage[];
  /** Every message this side received, in order (recorded before the listener runs). */
  readonly received: unknown[];
  /** Called with each message this side receives, before the listener (for instrumentation). */
  onReceive: ((message: unknown) => void) | null;
  /** Called with each message this side posts, before it is posted. */
  onPost: ((message: PortMessage) => void) | null;
  /** close() was called on this side. */
  readonly closed: boolean;
  /** Anything the transport's listener threw (it must never throw; the error is still rethrown to Node). */
  readonly thrown: unknown[];
}

function adapt(port: MessagePort): ObservedEndpoint {
  let closed = false;
  const endpoint: ObservedEndpoint = {
    posted: [],
    received: [],
    thrown: [],
    onReceive: null,
    onPost: null,
    get closed() {
      return closed;
    },
    postMessage(message) {
      endpoint.onPost?.(message);
      endpoint.posted.push(message);
      port.postMessage(message);
    },
    onMessage(listener) {
      // Adding a 'message' listener starts the port (the DOM/Electron adapter calls port.start() here).
      port.on('message', (message: unknown) => {
        endpoint.received.push(message);
        endpoint.onReceive?.(message);
        try {
          listener(message);
        } catch (error) {
          endpoint.thrown.push(error);
          throw error;
        }
      });
      port.unref(); // after `on`: adding a 'message' listener refs the port again
    },
    onClose(listener) {
      port.on('close', listener);
    },
    close() {
      closed = true;
      port.close();
    },
  };
  return endpoint;
}

/** Two PortEndpoints joined by a MessageChannel. */
export function nodePortPair(): [ObservedEndpoint, ObservedEndpoint] {
  const { port1, port2 } = new MessageChannel();
  return [adapt(port1), adapt(port2)];
}

/**
 * A PortEndpoint for the transport under test, and the raw Node port on the other side, which a test uses to post
 * anything at all (the compromised renderer) and to record what the transport posted back.
 */
export function hostilePortPair(): {
  endpoint: ObservedEndpoint;
  raw: MessagePort;
  /** Messages the transport posted to the hostile side. */
  inbox: unknown[];
  /** Resolves when the hostile side's port closed. */
  rawClosed: Promise<void>;
} {
  const { port1, port2 } = new MessageChannel();
  const inbox: unknown[] = [];
  port2.on('message', (message: unknown) => inbox.push(message));
  port2.unref();
  const rawClosed = new Promise<void>((resolve) => port2.once('close', () => resolve()));
  return { endpoint: adapt(port1), raw: port2, inbox, rawClosed };
}
