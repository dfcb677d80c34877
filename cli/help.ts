/**
 * `sealdrop --help`: commands, options, exit codes and error codes. Kept next to the exit-code mapping so the
 * two cannot drift.
 */

import { ERROR_CODES } from '../src/errors';

export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  SECURITY: 3,
  DECLINED: 4,
  KEYCHAIN: 5,
  DISK: 6,
  NETWORK: 7,
} as const;

const SECURITY: ReadonlySet<string> = new Set([
  'IDENTITY_MISMATCH', 'LEVEL3_REQUIRED', 'BAD_SIGNATURE', 'TRANSCRIPT_MISMATCH', 'DOWNGRADE', 'VERSION_UNSUPPORTED',
  'CHUNK_AUTH_FAILED', 'CHUNK_OUT_OF_ORDER', 'CHUNK_REPLAYED', 'TRUNCATED', 'TRAILING_DATA', 'EMPTY_FINAL_CHUNK',
  'CONTROL_AUTH_FAILED', 'CONTROL_BAD_MESSAGE', 'FILE_HASH_MISMATCH', 'FILE_SIZE_MISMATCH', 'MANIFEST_HASH_MISMATCH',
  'UNEXPECTED_MESSAGE', 'RESUME_INVALID', 'ROLE_CONFLICT', 'KEY_CHANGED', 'FRAME_BAD_VERSION', 'FRAME_UNKNOWN_TYPE',
  'FRAME_BAD_LENGTH', 'FRAME_TOO_LARGE', 'FRAME_TOO_SHORT',
  // Peer or relay input too (PROTOCOL.md §10): a sealed chunk cut or padded to a length the STREAM shape check
  // refuses, and a handshake frame out of place (e.g. one a relay injects after the handshake).
  'CHUNK_TOO_LARGE', 'HANDSHAKE_STATE',
]);

/** The process exit code for a failure code. */
export function exitCodeFor(code: string): number {
  if (SECURITY.has(code) || code.startsWith('MANIFEST_')) return EXIT.SECURITY;
  if (code === 'DECLINED' || code === 'CANCELLED') return EXIT.DECLINED;
  if (code.startsWith('KEYSTORE_') || code === 'TRUST_STORE_CORRUPT') return EXIT.KEYCHAIN;
  if (code === 'SINK_FAILED' || code === 'SOURCE_FAILED' || code === 'DESTINATION_EXISTS') return EXIT.DISK;
  if (code === 'TRANSPORT_CLOSED' || code === 'TIMEOUT' || code === 'PEER_ABORTED') return EXIT.NETWORK;
  if (code.startsWith('LINK_') || code === 'BAD_INPUT' || code === 'USAGE' || code === 'CONTACT_UNKNOWN') return EXIT.USAGE;
  return EXIT.FAILED;
}

// ERROR CODES: every core code, plus USAGE, the CLI's own code for bad arguments, which `--json` error events carry.
export const HELP = `sealdrop — send files end to end encrypted, verified against a malicious relay

USAGE
  sealdrop send [options] <path>...      share files and folders; prints a link and a QR code
  sealdrop receive [options] <link>      receive into --out (default: the current folder)
  sealdrop send --to CONTACT --relay URL [options] <path>...
                                         send to a pinned contact with no link: its device running
                                         \`sealdrop listen\` on that relay is woken and joins
  sealdrop listen --relay URL [options]  register this device's mailbox on the relay and receive sends
                                         from pinned contacts, one after another, until Ctrl-C
  sealdrop id                            this device's fingerprint and pairing QR
  sealdrop contacts list                 pinned devices and whether they are verified
  sealdrop contacts verify <id|fingerprint>   compare the safety number, then mark verified
  sealdrop contacts forget <id>          remove a pinned device
  sealdrop pair [<link>]                 show a pairing link, or pin the device that showed one
  sealdrop relay [--host H] [--port P (8080)] [--tls-cert F --tls-key F]   run a relay server

OPTIONS
  --relay URL          relay to meet through (ws:// or wss://). Default for send: an embedded relay on an
                       ephemeral port whose reachable addresses go into the link
  --relay-ca FILE      trust this CA / self-signed certificate for a wss:// relay
  --path MODE          auto (default) | direct | webrtc | relay
  --stun URL           STUN server for WebRTC, e.g. stun:stun.example.org:3478 (repeatable)
  --turn URL           TURN server with credentials, e.g. turn:user:pass@turn.example.org:3478 (repeatable)
  --turn-only          WebRTC through TURN only (ignore host and reflexive candidates)
  --require-level N    3 (default): refuse a peer that could not be verified; 2: allow it, labelled unverified
  --out DIR            receive, listen: where files are written (nothing is ever written outside it)
  --to CONTACT         send: a contact's fingerprint (hex, or a unique prefix of 8+ digits) or unique name.
                       Level 3 by its pinned key only; unknown or ambiguous: CONTACT_UNKNOWN (exit 2); a
                       contact whose key changed: KEY_CHANGED (exit 3). Needs --relay; no direct path
  --yes                receive, listen: accept without asking
  --name NAME          this device's display name (default: the host name)
  --json               machine output: one JSON object per line on stdout, nothing else

ENVIRONMENT
  SEALDROP_HOME        folder for the trust store and state (default: your config folder)
  SEALDROP_KEY_FILE    keep the identity key in this file instead of the OS keychain (headless use)

SECURITY LEVELS
  Level 3  verified end to end: the peer's key matched the link's fingerprint or a pinned contact
  Level 2  encrypted end to end but UNVERIFIED: an active relay could have swapped keys

EXIT CODES
  0 success (listen: stopped by Ctrl-C)   1 failed   2 usage / bad link / unknown contact
  3 security check failed   4 declined or cancelled   5 keychain / identity unavailable
  6 disk (destination exists, write failed)   7 network (no path, timeout)

ERROR CODES
${wrapCodes([...ERROR_CODES, 'USAGE'])}
`;

function wrapCodes(codes: readonly string[]): string {
  const lines: string[] = [];
  let line = ' ';
  for (const code of codes) {
    if (line.length + code.length + 1 > 110) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${code}`;
  }
  lines.push(line);
  return lines.join('\n');
}
