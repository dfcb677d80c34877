/**
 * The relay's structured log: one JSON object per line, stable `event` names, and nothing that would help someone
 * who reads the log to find or join a transfer. Room ids and fingerprints appear only as `tag()` (their first
 * 4 hex characters, enough to correlate lines by eye, useless to guess an id from); client payloads, nonces,
 * public keys, signatures and client addresses never appear.
 */

import { toHex } from '../src/bytes';

export type RelayLogLine = Record<string, unknown>;
export type RelayLogger = (line: RelayLogLine) => void;

/** Default sink: JSON lines on stdout. */
export const stdoutLogger: RelayLogger = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

/** The loggable form of a room id or fingerprint: its first 2 bytes in hex. */
export function tag(id: Uint8Array): string {
  return toHex(id.subarray(0, 2));
}

/** Stamp and emit one event. A throwing sink must not take the relay down, so its errors are swallowed. */
export function emitLog(logger: RelayLogger, event: string, fields: RelayLogLine = {}): void {
  try {
    logger({ ts: new Date().toISOString(), event, ...fields });
  } catch {
    // Logging is best effort by design.
  }
}
