/**
 * renderer/session/dom-port.ts over a real MessageChannel (Node's global one has the DOM MessagePort surface:
 * addEventListener, start, close, and the 'close' event). A whole transfer through it, with the session runner's
 * default port adapter, is in session-runner.test.ts.
 */

import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { domPortEndpoint } from '../../renderer/session/dom-port';

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
  expect(condition()).toBe(true);
};

describe('domPortEndpoint', () => {
  it('delivers event.data in order, both ways, after onMessage starts the port', async () => {
    const { port1, port2 } = new MessageChannel();
    const a = domPortEndpoint(port1);
    const b = domPortEndpoint(port2);
    const atA: unknown[] = [];
    const atB: unknown[] = [];
    b.postMessage({ t: 'credit', bytes: 1 });
    a.postMessage({ t: 'frame', data: Uint8Array.of(1, 2, 3) });
    a.postMessage({ t: 'close', code: 'TIMEOUT', message: 'm' });
    a.onMessage((message) => atA.push(message));
    b.onMessage((message) => atB.push(message));
    await until(() => atA.length === 1 && atB.length === 2);
    expect(atA).toEqual([{ t: 'credit', bytes: 1 }]);
    const frame = atB[0] as { t: string; data: Uint8Array };
    expect(frame.t).toBe('frame');
    expect(frame.data).toBeInstanceOf(Uint8Array);
    expect(equalBytes(frame.data, Uint8Array.of(1, 2, 3))).toBe(true);
    expect(atB[1]).toEqual({ t: 'close', code: 'TIMEOUT', message: 'm' });
    a.close();
  });

  it("reports the other end's close through onClose", async () => {
    const { port1, port2 } = new MessageChannel();
    const a = domPortEndpoint(port1);
    let closed = false;
    a.onClose!(() => (closed = true));
    a.onMessage(() => undefined);
    domPortEndpoint(port2).close();
    await until(() => closed);
  });
});
