/**
 * main/adapters/sdp.ts: the DTLS fingerprint of an SDP, parsed strictly, against real node-datachannel SDP (frozen
 * and freshly generated) and hostile variants. Tests assert codes, not messages.
 */
import { PeerConnection, type DataChannel } from 'node-datachannel';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes';
import {
  candidateEndpoint,
  candidateType,
  endpointKey,
  filterSdpCandidates,
  formatFingerprint,
  isRelayCandidate,
  parseDtlsFingerprint,
  parseFingerprintHex,
  sdpCandidates,
} from '../../main/adapters/sdp';
import { expectCode } from '../helpers/expect-code';

/** An offer produced by node-datachannel 0.33.4 (libdatachannel), `localDescription()` after gathering. */
const REAL_OFFER = [
  'v=0',
  'o=rtc 3699821981 0 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=msid-semantic:WMS *',
  'a=ice-options:ice2,trickle',
  'a=fingerprint:sha-256 25:E1:AB:D7:49:D7:02:9F:30:36:56:C2:45:73:69:1F:C3:E7:21:43:A9:74:5B:8D:69:10:4C:86:20:E9:A5:51',
  'm=application 46098 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 192.0.2.2',
  'a=mid:0',
  'a=sendrecv',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  'a=setup:actpass',
  'a=ice-ufrag:321n',
  'a=ice-pwd:Tiy5QLCjAMoOUKx/Lpgyyn',
  'a=candidate:2 1 UDP 2116026111 fd00::2 46098 typ host',
  'a=candidate:1 1 UDP 2114977791 192.0.2.2 46098 typ host',
  'a=end-of-candidates',
  '',
].join('\r\n');
const REAL_HEX = '25e1abd749d7029f303656c24573691fc3e72143a9745b8d69104c8620e9a551';
const FP_LINE = /^a=fingerprint:.*$/m;
const SHA1_LINE = 'a=fingerprint:sha-1 6D:9E:0B:62:8C:77:B5:5A:43:79:68:6A:FE:B3:DF:03:AE:30:9C:5D';

function freshOffer(): Promise<string> {
  return new Promise((resolve) => {
    const pc = new PeerConnection('sdp-test', { iceServers: [] });
    // The callback must be registered before the channel exists: creating it produces the offer at once. It
    // references the channel, so the channel stays alive until the description arrived.
    let dc: DataChannel | null = null;
    pc.onLocalDescription((sdp) => {
      resolve(sdp);
      setTimeout(() => {
        dc?.close();
        pc.close();
      }, 0);
    });
    dc = pc.createDataChannel('probe');
    dc.onClosed(() => undefined); // every channel gets close/error handlers (see webrtc-transport.ts, pitfalls)
    dc.onError(() => undefined);
  });
}

describe('parseDtlsFingerprint: real SDP', () => {
  it('reads the 32 bytes of the frozen libdatachannel offer', () => {
    expect(toHex(parseDtlsFingerprint(REAL_OFFER))).toBe(REAL_HEX);
  });

  it('reads a freshly generated node-datachannel offer, and formats it back to the same line', async () => {
    const sdp = await freshOffer();
    const bytes = parseDtlsFingerprint(sdp);
    expect(bytes.length).toBe(32);
    expect(sdp).toContain(`a=fingerprint:sha-256 ${formatFingerprint(bytes)}`);
  });

  it('accepts LF line endings and lower-case hex (same bytes)', () => {
    const lf = REAL_OFFER.replace(/\r\n/g, '\n');
    expect(toHex(parseDtlsFingerprint(lf))).toBe(REAL_HEX);
    const lower = REAL_OFFER.replace(FP_LINE, (line) => line.replace(/sha-256 (.*)/, (_m, hex: string) => `sha-256 ${hex.toLowerCase()}`));
    expect(toHex(parseDtlsFingerprint(lower))).toBe(REAL_HEX);
  });
});

describe('parseDtlsFingerprint: hostile SDP', () => {
  const line = REAL_OFFER.match(FP_LINE)![0].trimEnd();
  const other = `a=fingerprint:sha-256 ${formatFingerprint(new Uint8Array(32).fill(0xab))}`;
  const cases: [string, string, 'BAD_INPUT' | 'BAD_ENCODING'][] = [
    ['no fingerprint at all', REAL_OFFER.replace(FP_LINE, 'a=x-nothing'), 'BAD_INPUT'],
    ['two different sha-256 fingerprints (session + media level)', REAL_OFFER.replace('a=mid:0', `a=mid:0\r\n${other}`), 'BAD_INPUT'],
    ['the same sha-256 fingerprint twice', REAL_OFFER.replace('a=mid:0', `a=mid:0\r\n${line}`), 'BAD_INPUT'],
    ['sha-1 only', REAL_OFFER.replace(FP_LINE, SHA1_LINE), 'BAD_INPUT'],
    ['sha-1 beside sha-256', REAL_OFFER.replace('a=mid:0', `a=mid:0\r\n${SHA1_LINE}`), 'BAD_INPUT'],
    ['a second line hidden behind leading whitespace', REAL_OFFER.replace('a=mid:0', `a=mid:0\r\n  ${other}`), 'BAD_INPUT'],
    ['sha-512 with 64 bytes', REAL_OFFER.replace(FP_LINE, `a=fingerprint:sha-512 ${formatFingerprint(new Uint8Array(64))}`), 'BAD_INPUT'],
    ['non-hex digit', REAL_OFFER.replace(/(a=fingerprint:sha-256 )25/, '$1G5'), 'BAD_ENCODING'],
    ['31 bytes', REAL_OFFER.replace(/(a=fingerprint:sha-256 )25:/, '$1'), 'BAD_ENCODING'],
    ['33 bytes', REAL_OFFER.replace(/(a=fingerprint:sha-256 )25:/, '$125:25:'), 'BAD_ENCODING'],
    ['single hex digit in a pair', REAL_OFFER.replace(/(a=fingerprint:sha-256 )25:E1/, '$15:E1'), 'BAD_ENCODING'],
    ['no colons', REAL_OFFER.replace(/(a=fingerprint:sha-256 )(.*)/, (_m, p: string, hex: string) => p + hex.replace(/:/g, '')), 'BAD_ENCODING'],
    ['trailing garbage after the value', REAL_OFFER.replace(/(a=fingerprint:sha-256 .*?)(\r)/, '$1 extra$2'), 'BAD_ENCODING'],
    ['empty value', REAL_OFFER.replace(FP_LINE, 'a=fingerprint:sha-256 '), 'BAD_ENCODING'],
  ];
  for (const [name, sdp, code] of cases) {
    it(`${name} → ${code}`, async () => {
      await expectCode(() => parseDtlsFingerprint(sdp), code);
    });
  }

  it('parseFingerprintHex refuses a separator other than ":"', async () => {
    await expectCode(() => parseFingerprintHex(formatFingerprint(new Uint8Array(32)).replace(/:/g, '-')), 'BAD_ENCODING');
  });
});

describe('candidate helpers', () => {
  const relay = 'a=candidate:3 1 UDP 16777215 10.201.1.1 49200 typ relay raddr 10.201.1.2 rport 40000';
  it('reads candidate types with and without the a= prefix', () => {
    expect(candidateType('a=candidate:1 1 UDP 2114977791 192.0.2.2 46098 typ host')).toBe('host');
    expect(candidateType(relay.slice(2))).toBe('relay');
    expect(candidateType('candidate:1 1 UDP 1 1.2.3.4 5')).toBeNull();
    expect(candidateType('not a candidate')).toBeNull();
    expect(isRelayCandidate(relay)).toBe(true);
    expect(isRelayCandidate('a=candidate:1 1 UDP 2 1.2.3.4 5 typ host raddr x typ relay')).toBe(false);
  });

  it('filterSdpCandidates keeps only what the predicate accepts and the fingerprint intact', () => {
    const withRelay = REAL_OFFER.replace('a=end-of-candidates', `${relay}\r\na=end-of-candidates`);
    const filtered = filterSdpCandidates(withRelay, isRelayCandidate);
    expect(filtered).not.toContain('typ host');
    expect(filtered).toContain(relay);
    expect(filtered.split('\r\n').length).toBe(withRelay.split('\r\n').length - 2);
    expect(toHex(parseDtlsFingerprint(filtered))).toBe(REAL_HEX);
  });

  it('candidateEndpoint gives address:port (the key a selected pair is matched with), null for a non-candidate', () => {
    expect(candidateEndpoint(relay)).toBe('10.201.1.1:49200');
    expect(candidateEndpoint('a=candidate:1 1 UDP 1 FE80::1 9 typ host')).toBe(endpointKey('fe80::1', 9));
    expect(candidateEndpoint('candidate:1 1 UDP 1 1.2.3.4 5')).toBeNull();
  });

  it('sdpCandidates lists the candidate lines of an SDP without the a= prefix', () => {
    const withRelay = REAL_OFFER.replace('a=end-of-candidates', `${relay}\r\na=end-of-candidates`);
    const listed = sdpCandidates(withRelay);
    expect(listed).toContain(relay.slice(2));
    expect(listed.every((line) => line.startsWith('candidate:'))).toBe(true);
    expect(sdpCandidates('v=0\r\n')).toEqual([]);
  });
});
