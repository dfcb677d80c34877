import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/bytes';
import { Sha256, pureSha256, sha256Sync } from '../../src/crypto/sha256';
import { errorCodeOf, type ErrorCode } from '../../src/errors';

// Published vectors. Provenance: NIST CSRC "Cryptographic Standards and Guidelines: Examples with Intermediate
// Values", SHA256.pdf (one-block "abc", two-block 448-bit message); FIPS 180-2 Appendix B.3 (one million 'a').
// The empty-string and 896-bit-message digests are from the widely cited table at di-mgt.com.au/sha_testvectors.html
// (not a NIST document). Every vector is also checked against node:crypto in the same test.
const VECTORS: readonly { name: string; input: () => Uint8Array; digest: string }[] = [
  {
    name: 'empty string',
    input: () => new Uint8Array(0),
    digest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  },
  {
    name: '"abc" (FIPS 180-4 example, one block)',
    input: () => utf8('abc'),
    digest: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  },
  {
    name: '448-bit message (FIPS 180-4 example, two blocks)',
    input: () => utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    digest: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  },
  {
    name: '896-bit message',
    input: () =>
      utf8(
        'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
      ),
    digest: 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  },
  {
    name: "one million 'a' (FIPS 180-2 B.3)",
    input: () => new Uint8Array(1_000_000).fill(0x61),
    digest: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  },
];

function nodeSha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic pseudo-random bytes so failures reproduce (node:crypto's randomBytes is used where they need not). */
function patternBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function codeOf(action: () => unknown): ErrorCode | undefined {
  try {
    action();
  } catch (error) {
    const code = errorCodeOf(error);
    if (code === undefined) throw error;
    return code;
  }
  throw new Error('expected a SealdropError, but nothing was thrown');
}

/** Hash `data` through a chain of export → fromState at each of `cuts` (sorted offsets into data). */
function hashWithRestarts(data: Uint8Array, cuts: readonly number[]): Uint8Array {
  let hasher = new Sha256();
  let from = 0;
  for (const cut of cuts) {
    hasher.update(data.subarray(from, cut));
    const state = hasher.exportState();
    hasher = Sha256.fromState(state);
    from = cut;
  }
  return hasher.update(data.subarray(from)).digest();
}

describe('SHA-256 published vectors', () => {
  for (const vector of VECTORS) {
    it(vector.name, () => {
      const input = vector.input();
      expect(toHex(sha256Sync(input))).toBe(vector.digest);
      expect(nodeSha256(input)).toBe(vector.digest);
    });
  }

  it("one million 'a' fed in uneven pieces", () => {
    const hasher = new Sha256();
    const piece = new Uint8Array(997).fill(0x61);
    let left = 1_000_000;
    while (left > 0) {
      const n = Math.min(left, piece.length);
      hasher.update(piece.subarray(0, n));
      left -= n;
    }
    expect(toHex(hasher.digest())).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
});

describe('SHA-256 agrees with node:crypto', () => {
  it('every length 0..300 (covers both padding cases and every buffered length)', () => {
    for (let length = 0; length <= 300; length++) {
      const data = patternBytes(length, length + 1);
      expect(toHex(sha256Sync(data)), `length ${length}`).toBe(nodeSha256(data));
    }
  });

  it('random inputs of random lengths 0..300', () => {
    for (let i = 0; i < 200; i++) {
      const data = new Uint8Array(randomBytes(Math.floor(Math.random() * 301)));
      expect(toHex(sha256Sync(data))).toBe(nodeSha256(data));
    }
  });

  it('1 MiB input, one-shot and in 64 KiB + 17 byte pieces', () => {
    const data = new Uint8Array(randomBytes(1 << 20));
    const expected = nodeSha256(data);
    expect(toHex(sha256Sync(data))).toBe(expected);
    const hasher = new Sha256();
    for (let i = 0; i < data.length; i += 65_553) hasher.update(data.subarray(i, i + 65_553));
    expect(hasher.bytesHashed).toBe(data.length);
    expect(toHex(hasher.digest())).toBe(expected);
  });

  it('reads a view at a non-zero, unaligned byteOffset without touching bytes outside it', () => {
    const backing = patternBytes(1000, 7);
    const view = backing.subarray(3, 3 + 700);
    expect(toHex(sha256Sync(view))).toBe(nodeSha256(view));
    expect(toHex(new Sha256().update(backing.subarray(5, 69)).update(backing.subarray(69, 600)).digest())).toBe(
      nodeSha256(backing.subarray(5, 600)),
    );
  });
});

describe('SHA-256 streaming', () => {
  it('byte by byte equals one-shot', () => {
    const data = patternBytes(1000, 3);
    const hasher = new Sha256();
    for (let i = 0; i < data.length; i++) hasher.update(data.subarray(i, i + 1));
    expect(hasher.bytesHashed).toBe(1000);
    expect(hasher.digest()).toEqual(sha256Sync(data));
  });

  it('empty updates change nothing', () => {
    const data = patternBytes(130, 4);
    const hasher = new Sha256().update(new Uint8Array(0)).update(data.subarray(0, 64)).update(new Uint8Array(0));
    expect(hasher.update(data.subarray(64)).update(new Uint8Array(0)).digest()).toEqual(sha256Sync(data));
  });

  it('copies what it buffers: the caller may reuse its array after update returns', () => {
    const data = patternBytes(100, 5);
    const scratch = data.slice(0, 40);
    const hasher = new Sha256().update(scratch);
    scratch.fill(0xee);
    expect(hasher.update(data.subarray(40)).digest()).toEqual(sha256Sync(data));
  });

  it('update returns the hasher for chaining', () => {
    const hasher = new Sha256();
    expect(hasher.update(utf8('a'))).toBe(hasher);
  });

  it('arbitrary splits equal one-shot (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.array(fc.nat({ max: 700 }), { maxLength: 12 }), (data, raw) => {
        const cuts = [...new Set(raw.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const hasher = new Sha256();
        let from = 0;
        for (const cut of [...cuts, data.length]) {
          hasher.update(data.subarray(from, cut));
          from = cut;
        }
        expect(toHex(hasher.digest())).toBe(nodeSha256(data));
      }),
    );
  });
});

describe('SHA-256 exported state', () => {
  it('resumes to the same digest at every split point of a 200-byte input, mid-block included', () => {
    const data = patternBytes(200, 6);
    const expected = sha256Sync(data);
    for (let cut = 0; cut <= data.length; cut++) {
      expect(hashWithRestarts(data, [cut]), `cut ${cut}`).toEqual(expected);
    }
  });

  it('resumes across many restarts at arbitrary split points (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat({ max: 600 }), { maxLength: 10 }), (data, raw) => {
        const cuts = [...new Set(raw.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        expect(toHex(hashWithRestarts(data, cuts))).toBe(nodeSha256(data));
      }),
    );
  });

  it('has the documented layout: version ‖ 8×u32 H ‖ u64 total ‖ u8 n ‖ n buffered bytes', () => {
    const data = patternBytes(64 + 5, 8);
    const state = new Sha256().update(data).exportState();
    expect(state.length).toBe(42 + 5);
    expect(state[0]).toBe(1);
    expect(Array.from(state.subarray(33, 41))).toEqual([0, 0, 0, 0, 0, 0, 0, 69]);
    expect(state[41]).toBe(5);
    expect(state.subarray(42)).toEqual(data.subarray(64));

    const fresh = new Sha256().exportState();
    expect(toHex(fresh.subarray(1, 33))).toBe(
      '6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19', // H(0), FIPS 180-4 §5.3.3
    );
    expect(fresh.length).toBe(42);
  });

  it('does not disturb the hasher it was exported from', () => {
    const data = patternBytes(150, 9);
    const hasher = new Sha256().update(data.subarray(0, 70));
    hasher.exportState();
    expect(hasher.update(data.subarray(70)).digest()).toEqual(sha256Sync(data));
  });

  it('restored hasher reports bytesHashed from before the export', () => {
    const hasher = Sha256.fromState(new Sha256().update(patternBytes(1234)).exportState());
    expect(hasher.bytesHashed).toBe(1234);
  });

  it('does not alias the state bytes it was restored from', () => {
    const data = patternBytes(100, 10);
    const state = new Sha256().update(data.subarray(0, 90)).exportState();
    const hasher = Sha256.fromState(state);
    state.fill(0);
    expect(hasher.update(data.subarray(90)).digest()).toEqual(sha256Sync(data));
  });

  it('round-trips a large total length exactly (u64 high word in use)', () => {
    // A state claiming 2^40 + 3 bytes: shape-valid, so it must restore and re-export byte for byte.
    const state = new Sha256().update(patternBytes(67)).exportState();
    const total = 2 ** 40 + 3;
    new DataView(state.buffer).setUint32(33, Math.floor(total / 2 ** 32));
    new DataView(state.buffer).setUint32(37, total >>> 0);
    const restored = Sha256.fromState(state);
    expect(restored.bytesHashed).toBe(total);
    expect(restored.exportState()).toEqual(state);
  });

  it('works through the HashFactory', () => {
    const data = patternBytes(333, 11);
    const first = pureSha256.create();
    first.update(data.subarray(0, 100));
    const second = pureSha256.fromState(first.exportState());
    second.update(data.subarray(100));
    expect(second.bytesHashed).toBe(333);
    expect(second.digest()).toEqual(sha256Sync(data));
  });
});

describe('SHA-256 rejects malformed state with BAD_ENCODING', () => {
  const valid = new Sha256().update(patternBytes(64 + 10, 12)).exportState(); // 42 + 10 bytes
  const mutate = (edit: (bytes: Uint8Array) => Uint8Array | void): Uint8Array => {
    const copy = valid.slice();
    return edit(copy) ?? copy;
  };
  const setTotal = (bytes: Uint8Array, total: number): void => {
    new DataView(bytes.buffer).setUint32(33, Math.floor(total / 2 ** 32));
    new DataView(bytes.buffer).setUint32(37, total >>> 0);
  };

  const cases: readonly [string, Uint8Array][] = [
    ['empty input', new Uint8Array(0)],
    ['version 0', mutate((b) => void (b[0] = 0))],
    ['version 2', mutate((b) => void (b[0] = 2))],
    ['truncated inside H', valid.slice(0, 20)],
    ['truncated before the buffered length', valid.slice(0, 41)],
    ['one buffered byte missing', valid.slice(0, valid.length - 1)],
    ['one trailing byte', mutate((b) => Uint8Array.of(...b, 0))],
    ['buffered length 64', mutate((b) => void (b[41] = 64))],
    ['buffered length 255', mutate((b) => void (b[41] = 255))],
    ['buffered length disagrees with total mod 64', mutate((b) => void setTotal(b, 64 + 11))],
    ['total above 2^53 - 1', mutate((b) => void b.set([0x00, 0x20, 0, 0, 0, 0, 0, 10], 33))],
    ['total 2^64 - 54', mutate((b) => void b.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xca], 33))],
  ];
  for (const [name, bytes] of cases) {
    it(name, () => {
      expect(codeOf(() => Sha256.fromState(bytes))).toBe('BAD_ENCODING');
      expect(codeOf(() => pureSha256.fromState(bytes))).toBe('BAD_ENCODING');
    });
  }

  it('a total below one block whose H is not the initial value', () => {
    const state = new Sha256().update(patternBytes(10)).exportState();
    expect(Sha256.fromState(state).bytesHashed).toBe(10);
    state[1] = (state[1]! ^ 1) & 0xff;
    expect(codeOf(() => Sha256.fromState(state))).toBe('BAD_ENCODING');
  });

  it('every truncation of a valid state', () => {
    for (let length = 0; length < valid.length; length++) {
      expect(codeOf(() => Sha256.fromState(valid.subarray(0, length))), `length ${length}`).toBe('BAD_ENCODING');
    }
  });
});

describe('SHA-256 is single-use after digest', () => {
  it('update after digest throws BAD_INPUT', () => {
    const hasher = new Sha256().update(utf8('abc'));
    hasher.digest();
    expect(codeOf(() => hasher.update(utf8('d')))).toBe('BAD_INPUT');
    expect(codeOf(() => hasher.update(new Uint8Array(0)))).toBe('BAD_INPUT');
  });

  it('a second digest and exportState after digest throw BAD_INPUT', () => {
    const hasher = new Sha256();
    hasher.digest();
    expect(codeOf(() => hasher.digest())).toBe('BAD_INPUT');
    expect(codeOf(() => hasher.exportState())).toBe('BAD_INPUT');
  });

  it('the same holds through the HashFactory', () => {
    const hasher = pureSha256.create();
    hasher.digest();
    expect(codeOf(() => hasher.update(utf8('x')))).toBe('BAD_INPUT');
  });
});
