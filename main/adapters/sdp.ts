/**
 * The few SDP facts the WebRTC adapter relies on, parsed strictly (docs/PROTOCOL.md §5.5).
 *
 * Purpose: the handshake binds both DTLS certificate fingerprints (SHA-256, 32 bytes each) into its transcript. The
 * fingerprints come from the session descriptions, which travel through the untrusted signalling server, so the
 * parser refuses anything ambiguous instead of guessing which line the DTLS stack will use:
 *
 *   a=fingerprint:sha-256 AA:BB:…:FF      RFC 8122 §5: hash function token, space, 32 colon-separated hex pairs
 *
 * Rule (resolves PROTOCOL.md §5.5's "if several are present" for this adapter): an SDP must carry exactly ONE
 * `a=fingerprint` line in total, at session or media level, and it must be sha-256. Two lines — even a sha-1 beside
 * a sha-256, or the same value twice — are refused, because libdatachannel (and browsers) may verify the peer's
 * certificate against a different line than the one we bind, and then a relay that rewrote one of them would not be
 * noticed by the binding. The adapter additionally compares the fingerprint the DTLS stack actually saw
 * (`PeerConnection.remoteFingerprint()`) with the one parsed here, after connecting.
 *
 * Hex may be upper or lower case (RFC 8122 specifies upper case; the value is compared as bytes, so case carries no
 * meaning). Algorithm names are compared case-insensitively (RFC 8122 §5 "hash-func" is a token from an IANA
 * registry whose entries are lower case).
 *
 * Errors: BAD_INPUT when the fingerprint lines are missing, repeated or not sha-256; BAD_ENCODING when the value is
 * not 32 well-formed hex pairs.
 */

import { fail } from '../../src/errors';

const FINGERPRINT_PREFIX = /^a=fingerprint:/i;
const HEX_PAIR = /^[0-9a-fA-F]{2}$/;

/** SDP lines, tolerant of CRLF (RFC 4566) and bare LF (what some stacks emit). */
function sdpLines(sdp: string): string[] {
  return sdp.split(/\r?\n/);
}

/**
 * Parse the `AA:BB:…` value of a SHA-256 fingerprint into its 32 bytes.
 * @throws SealdropError BAD_ENCODING unless it is exactly 32 colon-separated hex pairs.
 */
export function parseFingerprintHex(value: string): Uint8Array {
  const pairs = value.split(':');
  if (pairs.length !== 32) fail('BAD_ENCODING', 'a SHA-256 fingerprint is 32 hex pairs');
  const out = new Uint8Array(32);
  pairs.forEach((pair, index) => {
    if (!HEX_PAIR.test(pair)) fail('BAD_ENCODING', 'malformed hex in a fingerprint');
    out[index] = Number.parseInt(pair, 16);
  });
  return out;
}

/** Format 32 bytes as SDP writes a fingerprint: upper-case hex pairs joined by ':'. */
export function formatFingerprint(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

/**
 * The DTLS certificate fingerprint of an SDP: exactly one `a=fingerprint` line, sha-256, 32 bytes.
 * @throws SealdropError BAD_INPUT (no line, several lines, another algorithm), BAD_ENCODING (malformed value).
 */
export function parseDtlsFingerprint(sdp: string): Uint8Array {
  // Leading whitespace is trimmed before matching so that a line another parser might accept still counts.
  const lines = sdpLines(sdp).map((line) => line.trim()).filter((line) => FINGERPRINT_PREFIX.test(line));
  if (lines.length === 0) fail('BAD_INPUT', 'the SDP carries no DTLS fingerprint');
  if (lines.length > 1) fail('BAD_INPUT', 'the SDP carries more than one DTLS fingerprint');
  const rest = lines[0]!.slice('a=fingerprint:'.length);
  const match = /^(\S+) (\S+)$/.exec(rest);
  if (!match) fail('BAD_ENCODING', 'malformed fingerprint line');
  if (match[1]!.toLowerCase() !== 'sha-256') fail('BAD_INPUT', 'the DTLS fingerprint is not sha-256');
  return parseFingerprintHex(match[2]!);
}

/**
 * The candidate type (`host`, `srflx`, `prflx`, `relay`) of an ICE candidate line, with or without the `a=` prefix
 * (RFC 8839 §5.1: `candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …`), or
 * null when the line is not a well-formed candidate.
 */
export function candidateType(candidate: string): string | null {
  const fields = candidate.trim().replace(/^a=/, '').split(/\s+/);
  if (!fields[0]?.startsWith('candidate:') || fields.length < 8 || fields[6] !== 'typ') return null;
  return fields[7] ?? null;
}

/** `address:port` (address lower-cased) of an ICE candidate line, or null when the line is not a candidate. */
export function candidateEndpoint(candidate: string): string | null {
  if (candidateType(candidate) === null) return null;
  const fields = candidate.trim().replace(/^a=/, '').split(/\s+/);
  return endpointKey(fields[4] ?? '', fields[5] ?? '');
}

/** The key `candidateEndpoint` uses, for an address and port from elsewhere (a selected candidate pair). */
export function endpointKey(address: string, port: string | number): string {
  return `${address.toLowerCase()}:${String(port)}`;
}

/** The `a=candidate` lines of an SDP (without the `a=` prefix). */
export function sdpCandidates(sdp: string): string[] {
  return sdpLines(sdp)
    .map((line) => line.trim())
    .filter((line) => /^a=candidate:/i.test(line))
    .map((line) => line.slice(2));
}

export function isRelayCandidate(candidate: string): boolean {
  return candidateType(candidate) === 'relay';
}

/** Remove the `a=candidate` lines that `keep` refuses (for a relay-only policy), preserving the line endings. */
export function filterSdpCandidates(sdp: string, keep: (candidate: string) => boolean): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdpLines(sdp)
    .filter((line) => !/^a=candidate:/i.test(line.trim()) || keep(line.trim()))
    .join(eol);
}
