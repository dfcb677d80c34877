/**
 * The relay's per-connection state machine, without sockets: event sequences in, effect lists out, plus a property
 * test over arbitrary event orders (one role per connection, nothing after a close, no forwarding before a JOIN,
 * no mailbox without a checked proof).
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RELAY_CLOSE } from '../../src/signaling/relay-protocol';
import {
  INITIAL_CONNECTION_STATE,
  transition,
  type ConnectionEffect,
  type ConnectionEvent,
  type ConnectionState,
} from '../../relay/connection-state';

const roomId = new Uint8Array(16).fill(1);
const fingerprint = new Uint8Array(32).fill(2);
const nonce = new Uint8Array(32).fill(3);
const publicKey = new Uint8Array(32).fill(4);
const signature = new Uint8Array(64).fill(5);

const EVENTS = {
  join: { type: 'join', roomId },
  send: { type: 'send' },
  register: { type: 'register', fingerprint, nonce },
  prove: { type: 'prove', publicKey, signature },
  notify: { type: 'notify', fingerprint, roomId },
  proofValid: { type: 'proof-checked', valid: true },
  proofInvalid: { type: 'proof-checked', valid: false },
  malformed: { type: 'malformed' },
  joinTimeout: { type: 'join-timeout' },
  shut: { type: 'shut' },
} satisfies Record<string, ConnectionEvent>;

/** Run `events` from the initial state; returns the final state and every effect, in order. */
function run(...events: ConnectionEvent[]): { state: ConnectionState; effects: ConnectionEffect[] } {
  let state = INITIAL_CONNECTION_STATE;
  const effects: ConnectionEffect[] = [];
  for (const event of events) {
    const next = transition(state, event);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

const close = (code: number): ConnectionEffect => ({ type: 'close', code });

describe('relay connection state machine', () => {
  it('member: JOIN stops the join timer and joins; SEND forwards; NOTIFY notifies', () => {
    expect(run(EVENTS.join, EVENTS.send, EVENTS.notify, EVENTS.send)).toEqual({
      state: { role: 'member' },
      effects: [
        { type: 'stop-join-timer' },
        { type: 'join-room', roomId },
        { type: 'forward' },
        { type: 'notify', fingerprint, roomId },
        { type: 'forward' },
      ],
    });
  });

  it('device: REGISTER → challenge, PROVE → verify, valid proof → mailbox', () => {
    expect(run(EVENTS.register, EVENTS.prove, EVENTS.proofValid, EVENTS.notify)).toEqual({
      state: { role: 'registered', fingerprint },
      effects: [
        { type: 'send-challenge', nonce },
        { type: 'verify-proof', fingerprint, nonce, publicKey, signature },
        { type: 'stop-join-timer' },
        { type: 'open-mailbox', fingerprint },
        { type: 'notify', fingerprint, roomId },
      ],
    });
  });

  it('an invalid proof closes with 4007', () => {
    expect(run(EVENTS.register, EVENTS.prove, EVENTS.proofInvalid).effects.at(-1)).toEqual(close(RELAY_CLOSE.BAD_PROOF));
  });

  it.each([
    ['JOIN twice', [EVENTS.join, EVENTS.join]],
    ['REGISTER after JOIN', [EVENTS.join, EVENTS.register]],
    ['PROVE after JOIN', [EVENTS.join, EVENTS.prove]],
    ['JOIN after REGISTERED', [EVENTS.register, EVENTS.prove, EVENTS.proofValid, EVENTS.join]],
    ['SEND from a device', [EVENTS.register, EVENTS.prove, EVENTS.proofValid, EVENTS.send]],
    ['SEND before JOIN', [EVENTS.send]],
    ['PROVE before REGISTER', [EVENTS.prove]],
    ['PROVE twice', [EVENTS.register, EVENTS.prove, EVENTS.prove]],
    ['JOIN while proving', [EVENTS.register, EVENTS.prove, EVENTS.join]],
    ['REGISTER twice', [EVENTS.register, EVENTS.register]],
    ['a malformed message', [EVENTS.join, EVENTS.malformed]],
  ] as [string, ConnectionEvent[]][])('%s closes with 4000', (_name, events) => {
    const { state, effects } = run(...events);
    expect(state).toEqual({ role: 'closed' });
    expect(effects.at(-1)).toEqual(close(RELAY_CLOSE.PROTOCOL_ERROR));
  });

  it('the join timer closes with 4005 until JOIN or a checked proof, and is ignored afterwards', () => {
    expect(run(EVENTS.joinTimeout).effects).toEqual([close(RELAY_CLOSE.JOIN_TIMEOUT)]);
    expect(run(EVENTS.register, EVENTS.joinTimeout).effects.at(-1)).toEqual(close(RELAY_CLOSE.JOIN_TIMEOUT));
    expect(run(EVENTS.register, EVENTS.prove, EVENTS.joinTimeout).effects.at(-1)).toEqual(close(RELAY_CLOSE.JOIN_TIMEOUT));
    expect(run(EVENTS.join, EVENTS.joinTimeout).state).toEqual({ role: 'member' });
    expect(run(EVENTS.register, EVENTS.prove, EVENTS.proofValid, EVENTS.joinTimeout).state.role).toBe('registered');
  });

  it('a closed connection ignores everything', () => {
    for (const event of Object.values(EVENTS)) {
      expect(transition({ role: 'closed' }, event)).toEqual({ state: { role: 'closed' }, effects: [] });
    }
    expect(run(EVENTS.join, EVENTS.shut, EVENTS.send).effects).toEqual([
      { type: 'stop-join-timer' },
      { type: 'join-room', roomId },
    ]);
  });

  it('a proof result that nobody asked for changes nothing', () => {
    expect(run(EVENTS.proofValid)).toEqual({ state: INITIAL_CONNECTION_STATE, effects: [] });
    expect(run(EVENTS.join, EVENTS.proofValid).state).toEqual({ role: 'member' });
  });

  it('holds its invariants in every order of events', () => {
    const event = fc.constantFrom(...Object.values(EVENTS));
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), (events) => {
        const { effects } = run(...events);
        const kinds = effects.map((e) => e.type);
        const closeAt = kinds.indexOf('close');
        // Nothing after a close, and at most one close.
        if (closeAt >= 0) expect(closeAt).toBe(kinds.length - 1);
        // One role per connection.
        expect(kinds.filter((k) => k === 'join-room').length).toBeLessThanOrEqual(1);
        expect(kinds.filter((k) => k === 'open-mailbox').length).toBeLessThanOrEqual(1);
        expect(kinds.includes('join-room') && kinds.includes('open-mailbox')).toBe(false);
        // Forwarding only after a JOIN; a mailbox only after a challenge and a verification.
        const firstForward = kinds.indexOf('forward');
        if (firstForward >= 0) expect(kinds.indexOf('join-room')).toBeLessThan(firstForward);
        const mailbox = kinds.indexOf('open-mailbox');
        if (mailbox >= 0) {
          expect(kinds.indexOf('send-challenge')).toBeGreaterThanOrEqual(0);
          expect(kinds.indexOf('verify-proof')).toBeGreaterThan(kinds.indexOf('send-challenge'));
          expect(kinds.indexOf('verify-proof')).toBeLessThan(mailbox);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
