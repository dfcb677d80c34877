/**
 * What one relay connection may do, as an explicit state machine (STYLE.md §2).
 *
 * A connection takes exactly one role: room member (JOIN, then SEND) or mailbox device (REGISTER → CHALLENGE →
 * PROVE → REGISTERED). NOTIFY is allowed in every open state, so a sender can wake a device from the connection it
 * already uses for its room. Anything else out of order is a protocol error (4000).
 *
 *          JOIN                        SEND ↺, NOTIFY ↺
 *   fresh ─────────────────────────▶ member
 *     │ REGISTER (relay sends CHALLENGE)
 *     ▼          PROVE                  proof valid             NOTIFY ↺
 *   challenged ──────────▶ proving ─────────────────▶ registered
 *                             │ proof invalid → close 4007
 *   fresh, challenged, proving: join timer fires → close 4005
 *   any open state: out-of-order or malformed message → close 4000; `shut` → closed (the server closed it)
 *
 * The transition is pure: the server turns socket events into `ConnectionEvent`s, performs the returned effects
 * (room registry, mailbox registry, signature check, sends) and feeds asynchronous results back as events.
 * SEND carries no payload here: the server forwards the received buffer itself, without copying it.
 */

import { assertNever } from '../src/errors';
import { RELAY_CLOSE } from '../src/signaling/relay-protocol';

export type ConnectionState =
  | { readonly role: 'fresh' }
  | { readonly role: 'member' }
  | { readonly role: 'challenged'; readonly fingerprint: Uint8Array; readonly nonce: Uint8Array }
  | { readonly role: 'proving'; readonly fingerprint: Uint8Array }
  | { readonly role: 'registered'; readonly fingerprint: Uint8Array }
  | { readonly role: 'closed' };

export type ConnectionEvent =
  | { readonly type: 'join'; readonly roomId: Uint8Array }
  | { readonly type: 'send' }
  /** REGISTER, with the fresh nonce the relay drew for its CHALLENGE. */
  | { readonly type: 'register'; readonly fingerprint: Uint8Array; readonly nonce: Uint8Array }
  | { readonly type: 'prove'; readonly publicKey: Uint8Array; readonly signature: Uint8Array }
  | { readonly type: 'notify'; readonly fingerprint: Uint8Array; readonly roomId: Uint8Array }
  | { readonly type: 'proof-checked'; readonly valid: boolean }
  | { readonly type: 'malformed' }
  | { readonly type: 'join-timeout' }
  | { readonly type: 'shut' };

export type ConnectionEffect =
  | { readonly type: 'stop-join-timer' }
  | { readonly type: 'join-room'; readonly roomId: Uint8Array }
  | { readonly type: 'forward' }
  | { readonly type: 'send-challenge'; readonly nonce: Uint8Array }
  | {
      readonly type: 'verify-proof';
      readonly fingerprint: Uint8Array;
      readonly nonce: Uint8Array;
      readonly publicKey: Uint8Array;
      readonly signature: Uint8Array;
    }
  | { readonly type: 'open-mailbox'; readonly fingerprint: Uint8Array }
  | { readonly type: 'notify'; readonly fingerprint: Uint8Array; readonly roomId: Uint8Array }
  | { readonly type: 'close'; readonly code: number };

export interface Transition {
  readonly state: ConnectionState;
  readonly effects: readonly ConnectionEffect[];
}

export const INITIAL_CONNECTION_STATE: ConnectionState = { role: 'fresh' };

const CLOSED: ConnectionState = { role: 'closed' };

function close(code: number): Transition {
  return { state: CLOSED, effects: [{ type: 'close', code }] };
}

function stay(state: ConnectionState, ...effects: ConnectionEffect[]): Transition {
  return { state, effects };
}

/** The next state of a connection and what the server must do. Never throws for any (state, event) pair. */
export function transition(state: ConnectionState, event: ConnectionEvent): Transition {
  if (state.role === 'closed') return stay(state);
  switch (event.type) {
    case 'shut':
      return stay(CLOSED);
    case 'malformed':
      return close(RELAY_CLOSE.PROTOCOL_ERROR);
    case 'notify':
      return stay(state, { type: 'notify', fingerprint: event.fingerprint, roomId: event.roomId });
    case 'join-timeout':
      return state.role === 'member' || state.role === 'registered' ? stay(state) : close(RELAY_CLOSE.JOIN_TIMEOUT);
    case 'join':
      return state.role === 'fresh'
        ? { state: { role: 'member' }, effects: [{ type: 'stop-join-timer' }, { type: 'join-room', roomId: event.roomId }] }
        : close(RELAY_CLOSE.PROTOCOL_ERROR);
    case 'send':
      return state.role === 'member' ? stay(state, { type: 'forward' }) : close(RELAY_CLOSE.PROTOCOL_ERROR);
    case 'register':
      return state.role === 'fresh'
        ? {
            state: { role: 'challenged', fingerprint: event.fingerprint, nonce: event.nonce },
            effects: [{ type: 'send-challenge', nonce: event.nonce }],
          }
        : close(RELAY_CLOSE.PROTOCOL_ERROR);
    case 'prove':
      if (state.role !== 'challenged') return close(RELAY_CLOSE.PROTOCOL_ERROR);
      return {
        state: { role: 'proving', fingerprint: state.fingerprint },
        effects: [{
          type: 'verify-proof',
          fingerprint: state.fingerprint,
          nonce: state.nonce,
          publicKey: event.publicKey,
          signature: event.signature,
        }],
      };
    case 'proof-checked':
      // Only the server produces this event, and only after a verify-proof effect.
      if (state.role !== 'proving') return stay(state);
      if (!event.valid) return close(RELAY_CLOSE.BAD_PROOF);
      return {
        state: { role: 'registered', fingerprint: state.fingerprint },
        effects: [{ type: 'stop-join-timer' }, { type: 'open-mailbox', fingerprint: state.fingerprint }],
      };
    default:
      return assertNever(event, 'connection event');
  }
}
