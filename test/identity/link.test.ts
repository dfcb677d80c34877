import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ByteWriter, toBase64Url } from '../../src/bytes';
import { SealdropError } from '../../src/errors';
import {
  createLink,
  encodeLink,
  LINK_SCHEME,
  LINK_VERSION,
  MAX_LINK_RELAYS,
  MAX_LINK_TEXT,
  parseLink,
  type SealdropLink,
} from '../../src/identity/link';
import { SeededRandom } from '../../src/testing/seeded-random';
import { expectCode } from '../helpers/expect-code';

const fingerprint = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);

function sampleLink(relays: readonly string[] = ['wss://relay.example.org/ws', 'ws://10.0.0.2:8080']): SealdropLink {
  return createLink(new SeededRandom('link'), 'transfer', fingerprint, relays);
}

interface RawFields {
  version?: number;
  kind?: number;
  roomId?: Uint8Array;
  fingerprint?: Uint8Array;
  secret?: Uint8Array;
  relayCount?: number;
  relays?: readonly Uint8Array[];
}

/** Build link text byte by byte, bypassing encodeLink's validation, to feed the parser what an attacker could. */
function rawLink(fields: RawFields = {}): string {
  const relays = fields.relays ?? [new TextEncoder().encode('wss://relay.example.org')];
  const w = new ByteWriter(256)
    .u8(fields.version ?? LINK_VERSION)
    .u8(fields.kind ?? 1)
    .bytes(fields.roomId ?? new Uint8Array(16).fill(1))
    .bytes(fields.fingerprint ?? fingerprint)
    .bytes(fields.secret ?? new Uint8Array(32).fill(2))
    .u8(fields.relayCount ?? relays.length);
  for (const relay of relays) w.bytes8(relay);
  return LINK_SCHEME + toBase64Url(w.finish());
}

const ascii = (text: string) => new TextEncoder().encode(text);

describe('links: round trip', () => {
  it('parses what it encodes', () => {
    const link = sampleLink();
    const text = encodeLink(link);
    expect(text.startsWith('sealdrop://')).toBe(true);
    expect(parseLink(text)).toEqual(link);
    expect(encodeLink(parseLink(text))).toBe(text);
  });

  it('round-trips both kinds and 0..4 relays', () => {
    const relays = ['wss://a.example', 'wss://b.example:444/x', 'ws://c', 'wss://d.example/@room?x=@1'];
    for (const kind of ['transfer', 'pairing'] as const) {
      for (let n = 0; n <= MAX_LINK_RELAYS; n++) {
        const link = createLink(new SeededRandom(`k${n}`), kind, fingerprint, relays.slice(0, n));
        expect(parseLink(encodeLink(link))).toEqual(link);
      }
    }
  });

  it('accepts the scheme in any case', () => {
    const text = encodeLink(sampleLink());
    const body = text.slice(LINK_SCHEME.length);
    for (const scheme of ['SEALDROP://', 'SealDrop://', 'sEaLdRoP://']) {
      expect(parseLink(scheme + body)).toEqual(sampleLink());
    }
  });

  it('trims surrounding whitespace', () => {
    const text = encodeLink(sampleLink());
    for (const padded of [` ${text}`, `${text}\n`, `\t  ${text} \r\n`, `\u00a0${text}\u2003`]) {
      expect(parseLink(padded)).toEqual(sampleLink());
    }
  });

  it('createLink draws a fresh room id and secret each time', () => {
    const random = new SeededRandom('fresh');
    const a = createLink(random, 'pairing', fingerprint, []);
    const b = createLink(random, 'pairing', fingerprint, []);
    expect(a.roomId).not.toEqual(b.roomId);
    expect(a.secret).not.toEqual(b.secret);
  });
});

describe('links: coded errors', () => {
  it('wrong scheme → LINK_BAD_SCHEME', async () => {
    const body = encodeLink(sampleLink()).slice(LINK_SCHEME.length);
    for (const text of ['', 'https://' + body, 'sealdrop:' + body, 'sealdrop:/' + body, 'sealdrop//' + body, body, 'xsealdrop://' + body]) {
      await expectCode(() => parseLink(text), 'LINK_BAD_SCHEME');
    }
    await expectCode(() => parseLink(42 as unknown as string), 'LINK_BAD_SCHEME');
  });

  it('characters outside base64url → LINK_BAD_CHARACTERS', async () => {
    const text = encodeLink(sampleLink());
    const mid = LINK_SCHEME.length + 20;
    for (const inserted of [' ', '+', '/', '=', '\n', '.', 'é', '\u0000']) {
      await expectCode(() => parseLink(text.slice(0, mid) + inserted + text.slice(mid)), 'LINK_BAD_CHARACTERS');
    }
    await expectCode(() => parseLink(text + '='), 'LINK_BAD_CHARACTERS'); // padding
    await expectCode(() => parseLink(text + '=='), 'LINK_BAD_CHARACTERS');
    await expectCode(() => parseLink(text.replace(/-/g, '+').replace(/_/g, '/') + '+/'), 'LINK_BAD_CHARACTERS'); // standard base64
  });

  it('truncated payload → LINK_BAD_LENGTH, at every length', async () => {
    const text = encodeLink(sampleLink());
    for (let end = LINK_SCHEME.length; end < text.length; end++) {
      await expectCode(() => parseLink(text.slice(0, end)), 'LINK_BAD_LENGTH');
    }
  });

  it('extended payload → LINK_BAD_LENGTH', async () => {
    const text = encodeLink(sampleLink());
    for (const extra of ['A', 'AA', 'AAA', 'AAAA', 'QQ', 'AAAAAAAA']) {
      await expectCode(() => parseLink(text + extra), 'LINK_BAD_LENGTH');
    }
    await expectCode(() => parseLink(LINK_SCHEME + 'A'.repeat(MAX_LINK_TEXT)), 'LINK_BAD_LENGTH');
  });

  it('fields of the wrong length → LINK_BAD_LENGTH when encoding', async () => {
    const link = sampleLink();
    await expectCode(() => encodeLink({ ...link, roomId: new Uint8Array(15) }), 'LINK_BAD_LENGTH');
    await expectCode(() => encodeLink({ ...link, fingerprint: new Uint8Array(31) }), 'LINK_BAD_LENGTH');
    await expectCode(() => encodeLink({ ...link, secret: new Uint8Array(33) }), 'LINK_BAD_LENGTH');
  });

  it('version byte 2 → LINK_VERSION_UNSUPPORTED', async () => {
    for (const version of [0, 2, 255]) {
      await expectCode(() => parseLink(rawLink({ version })), 'LINK_VERSION_UNSUPPORTED');
    }
    expect(parseLink(rawLink()).kind).toBe('transfer');
  });

  it('kind 9 → LINK_BAD_KIND', async () => {
    for (const kind of [0, 3, 9, 255]) await expectCode(() => parseLink(rawLink({ kind })), 'LINK_BAD_KIND');
    expect(parseLink(rawLink({ kind: 2 })).kind).toBe('pairing');
    await expectCode(() => encodeLink({ ...sampleLink(), kind: 'other' as 'transfer' }), 'LINK_BAD_KIND');
  });

  it("relay 'http://x' → LINK_BAD_RELAY", async () => {
    await expectCode(() => parseLink(rawLink({ relays: [ascii('http://x')] })), 'LINK_BAD_RELAY');
    await expectCode(() => encodeLink({ ...sampleLink(), relays: ['http://x'] }), 'LINK_BAD_RELAY');
    await expectCode(() => createLink(new SeededRandom('r'), 'transfer', fingerprint, ['http://x']), 'LINK_BAD_RELAY');
  });

  it("relay 'ws://user:pw@h' → LINK_BAD_RELAY", async () => {
    for (const relay of ['ws://user:pw@h', 'wss://user@h', 'wss://:pw@h', 'ws://@h', 'ws://:@h/x']) {
      await expectCode(() => parseLink(rawLink({ relays: [ascii(relay)] })), 'LINK_BAD_RELAY');
      await expectCode(() => encodeLink({ ...sampleLink(), relays: [relay] }), 'LINK_BAD_RELAY');
    }
  });

  it('other bad relays → LINK_BAD_RELAY', async () => {
    for (const relay of ['', 'wss://h/#frag', 'wss://h#', 'wss://h /x', 'wss://hé', 'javascript:alert(1)', 'file:///etc/passwd', 'wss:', 'not a url']) {
      await expectCode(() => parseLink(rawLink({ relays: [ascii(relay)] })), 'LINK_BAD_RELAY');
    }
    await expectCode(() => encodeLink({ ...sampleLink(), relays: ['wss://' + 'a'.repeat(250)] }), 'LINK_BAD_RELAY');
  });

  it('too many relays → LINK_BAD_RELAY', async () => {
    const five = Array.from({ length: MAX_LINK_RELAYS + 1 }, (_, i) => `wss://r${i}.example`);
    await expectCode(() => encodeLink({ ...sampleLink(), relays: five }), 'LINK_BAD_RELAY');
    await expectCode(() => parseLink(rawLink({ relays: five.map(ascii) })), 'LINK_BAD_RELAY');
    // The count alone is enough: no relay bytes follow it.
    await expectCode(() => parseLink(rawLink({ relayCount: 255, relays: [] })), 'LINK_BAD_RELAY');
  });

  it('a relay count larger than the relays present → LINK_BAD_LENGTH', async () => {
    await expectCode(() => parseLink(rawLink({ relayCount: 2, relays: [ascii('wss://a')] })), 'LINK_BAD_LENGTH');
  });
});

describe('links under random input', () => {
  function onlySealdropErrors(text: string): void {
    try {
      const link = parseLink(text);
      // Anything accepted is canonical: it re-encodes to exactly the trimmed text, with a lower-case scheme.
      const trimmed = text.trim();
      expect(encodeLink(link)).toBe(LINK_SCHEME + trimmed.slice(LINK_SCHEME.length));
    } catch (error) {
      expect(error).toBeInstanceOf(SealdropError);
      expect((error as SealdropError).code).toMatch(/^LINK_/);
    }
  }

  it('random strings never throw anything but a LINK_ SealdropError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), onlySealdropErrors), { numRuns: 2000 });
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,220}$/), (body) => onlySealdropErrors(LINK_SCHEME + body)),
      { numRuns: 2000 },
    );
  });

  it('mutated valid links never throw anything but a LINK_ SealdropError', () => {
    const text = encodeLink(sampleLink());
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= :';
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: alphabet.length - 1 }), fc.constantFrom('set', 'insert', 'delete')), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          let mutated = text;
          for (const [position, letter, op] of edits) {
            const at = position % (mutated.length + 1);
            const c = alphabet[letter]!;
            mutated =
              op === 'set'
                ? mutated.slice(0, at) + c + mutated.slice(at + 1)
                : op === 'insert'
                  ? mutated.slice(0, at) + c + mutated.slice(at)
                  : mutated.slice(0, at) + mutated.slice(at + 1);
          }
          onlySealdropErrors(mutated);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('random payload bytes behind a valid scheme never throw anything but a LINK_ SealdropError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        (bytes, plausible) => {
          if (plausible && bytes.length > 1) {
            bytes[0] = LINK_VERSION;
            bytes[1] = 1 + (bytes[1]! % 2);
          }
          onlySealdropErrors(LINK_SCHEME + toBase64Url(bytes));
        },
      ),
      { numRuns: 3000 },
    );
  });
});
