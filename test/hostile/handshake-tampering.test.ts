/**
 * A hostile relay sits between the two ends of a handshake and edits, strips, replays or re-binds what it forwards.
 * Every case names the exact code and the step at which the victim stops (src/handshake/handshake.ts lists which
 * check catches which attack). Bob (initiator, receives) and Alice (responder, sends; she issued the link).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { SealdropError, type ErrorCode } from '../../src/errors';
import { InitiatorHandshake, ResponderHandshake, type HandshakeConfig, type HandshakeResult } from '../../src/handshake/handshake';
import { REPLY_CLEAR_BYTES } from '../../src/handshake/messages';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed, type IdentitySigner } from '../../src/identity/identity';
import { SeededRandom } from '../../src/testing/seeded-random';

const sessionId = new Uint8Array(16).fill(9);
const otherSessionId = new Uint8Array(16).fill(10);
const psk = new Uint8Array(32).fill(5);
const manifestHash = new Uint8Array(32).fill(3);

type Step = 'responder.onHello' | 'initiator.onReply' | 'responder.onFinish';
type Outcome = { ok: true; bob: HandshakeResult; alice: HandshakeResult } | { ok: false; step: Step; code: ErrorCode };

interface Relay {
  hello?: (bytes: Uint8Array) => Uint8Array;
  reply?: (bytes: Uint8Array) => Uint8Array;
  finish?: (bytes: Uint8Array) => Uint8Array;
}

async function step<T>(name: Step, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SealdropError) throw Object.assign(error, { step: name });
    throw error; // anything uncoded fails the test loudly
  }
}

/** Run Bob ⇄ relay ⇄ Alice once and report where and how it stopped. */
async function handshake(bobConfig: HandshakeConfig, aliceConfig: HandshakeConfig, relay: Relay = {}): Promise<Outcome> {
  const pass = (bytes: Uint8Array) => bytes;
  try {
    const { handshake: bob, hello } = await InitiatorHandshake.start(bobConfig);
    const { handshake: alice, reply } = await step('responder.onHello', () =>
      ResponderHandshake.onHello(aliceConfig, (relay.hello ?? pass)(hello.slice())),
    );
    const { finish, result: bobResult } = await step('initiator.onReply', () => bob.onReply((relay.reply ?? pass)(reply.slice())));
    const aliceResult = await step('responder.onFinish', () => alice.onFinish((relay.finish ?? pass)(finish.slice())));
    return { ok: true, bob: bobResult, alice: aliceResult };
  } catch (error) {
    if (!(error instanceof SealdropError)) throw error;
    return { ok: false, step: (error as SealdropError & { step: Step }).step, code: error.code };
  }
}

/**
 * Runs `work` for each item in order. (Batching them concurrently was measured slower: a handshake's cost is mostly
 * key imports on the main thread, ~5 ms each, so these sweeps are sized to stay in the fast suite.)
 */
async function forEach<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (const item of items) await work(item);
}

function setByte(at: number, value: number) {
  return (bytes: Uint8Array) => {
    const out = bytes.slice();
    out[at] = value;
    return out;
  };
}

function xorByte(at: number, mask: number) {
  return (bytes: Uint8Array) => {
    const out = bytes.slice();
    out[at] = out[at]! ^ mask;
    return out;
  };
}

let alice: IdentitySigner;
let bob: IdentitySigner;
let aliceFp: Uint8Array;

beforeAll(async () => {
  alice = await identityFromSeed(new Uint8Array(32).fill(1));
  bob = await identityFromSeed(new Uint8Array(32).fill(2));
  aliceFp = await fingerprintOf(alice.publicKey);
});

type Overrides = Partial<Omit<HandshakeConfig, 'psk'>> & { psk?: Uint8Array | null };

function withPsk<T extends object>(base: T, value: Uint8Array | null): T & { psk?: Uint8Array } {
  return value === null ? base : { ...base, psk: value };
}

/** Bob holds Alice's link: her fingerprint and the link secret. */
function bobConfig(overrides: Overrides = {}): HandshakeConfig {
  const { psk: p = psk, ...rest } = overrides;
  const base: HandshakeConfig = {
    signer: bob,
    random: new SeededRandom('bob'),
    sessionId,
    binding: { kind: 'none' },
    intent: 'receive',
    expect: { linkFingerprint: aliceFp },
    ...rest,
  };
  return withPsk(base, p);
}

/** Alice issued the link. */
function aliceConfig(overrides: Overrides = {}): HandshakeConfig {
  const { psk: p = psk, ...rest } = overrides;
  const base: HandshakeConfig = {
    signer: alice,
    random: new SeededRandom('alice'),
    sessionId,
    binding: { kind: 'none' },
    intent: 'send',
    manifestHash,
    expect: { linkIssued: true },
    ...rest,
  };
  return withPsk(base, p);
}

async function honestMessages() {
  const { handshake: b, hello } = await InitiatorHandshake.start(bobConfig());
  const { handshake: a, reply } = await ResponderHandshake.onHello(aliceConfig(), hello);
  const { finish } = await b.onReply(reply);
  await a.onFinish(finish);
  return { hello, reply, finish };
}

describe('handshake tampering: the untouched handshake', () => {
  it('completes at Level 3 on both sides with equal secrets (control for every case below)', async () => {
    const outcome = await handshake(bobConfig(), aliceConfig());
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.bob.level).toBe(3);
    expect(outcome.alice.level).toBe(3);
    expect(equalBytes(outcome.bob.secrets.data, outcome.alice.secrets.data)).toBe(true);
  });
});

describe('handshake tampering: every single-byte change of HELLO, REPLY and FINISH (psk configured)', () => {
  let sizes: { hello: number; reply: number; finish: number };
  beforeAll(async () => {
    const m = await honestMessages();
    sizes = { hello: m.hello.length, reply: m.reply.length, finish: m.finish.length };
  });

  /**
   * HELLO = minVersion[0] ‖ maxVersion[1] ‖ flags[2] ‖ sessionId[3..19) ‖ ephemeral[19..51). Original values 1, 1, 1.
   *   [0] minVersion → any other value: range malformed (0, or above max)          → TRANSCRIPT_MISMATCH at the responder
   *   [1] maxVersion → 0: range malformed                                            → TRANSCRIPT_MISMATCH at the responder
   *                  → 2..255: accepted, v1 still selected, but bound in TH₁          → TRANSCRIPT_MISMATCH at the initiator
   *   [2] flags      → 0 (psk bit cleared)                                           → DOWNGRADE at the responder
   *                  → any unknown bit set: malformed                                → TRANSCRIPT_MISMATCH at the responder
   *   [3..19)  session id                                                            → TRANSCRIPT_MISMATCH at the responder
   *   [19..51) ephemeral: different DH and TH₁, the REPLY's sealed part fails to open → TRANSCRIPT_MISMATCH at the initiator
   */
  function expectedForHello(at: number, value: number): { step: Step; code: ErrorCode } {
    if (at === 0) return { step: 'responder.onHello', code: 'TRANSCRIPT_MISMATCH' };
    if (at === 1) return { step: value === 0 ? 'responder.onHello' : 'initiator.onReply', code: 'TRANSCRIPT_MISMATCH' };
    if (at === 2) return { step: 'responder.onHello', code: value === 0 ? 'DOWNGRADE' : 'TRANSCRIPT_MISMATCH' };
    if (at < 19) return { step: 'responder.onHello', code: 'TRANSCRIPT_MISMATCH' };
    return { step: 'initiator.onReply', code: 'TRANSCRIPT_MISMATCH' };
  }

  /**
   * REPLY = selected[0] ‖ minVersion[1] ‖ maxVersion[2] ‖ flags[3] ‖ ephemeral[4..36) ‖ u16 length[36..38) ‖ sealed.
   * Original values 1, 1, 1, 1. All failures are at the initiator.
   *   [0] selected version → any other value: outside Bob's range 1..1   → VERSION_UNSUPPORTED
   *   [1] minVersion → any other value: malformed                        → TRANSCRIPT_MISMATCH
   *   [2] maxVersion → 0 malformed; 2..255 bound in TH₁                   → TRANSCRIPT_MISMATCH
   *   [3] flags → 0 (psk bit cleared)                                     → DOWNGRADE
   *             → unknown bit set: malformed                              → TRANSCRIPT_MISMATCH
   *   [4..36) ephemeral, [36..38) sealed length, [38..) sealed identity  → TRANSCRIPT_MISMATCH
   */
  function expectedForReply(at: number, value: number): { step: Step; code: ErrorCode } {
    const initiator = (code: ErrorCode) => ({ step: 'initiator.onReply' as const, code });
    if (at === 0) return initiator('VERSION_UNSUPPORTED');
    if (at === 3) return initiator(value === 0 ? 'DOWNGRADE' : 'TRANSCRIPT_MISMATCH');
    return initiator('TRANSCRIPT_MISMATCH');
  }

  /** FINISH = u16 length[0..2) ‖ sealed identity: every change → TRANSCRIPT_MISMATCH at the responder. */
  const expectedForFinish = { step: 'responder.onFinish' as const, code: 'TRANSCRIPT_MISMATCH' as const };

  const CLEAR_HEADER_HELLO = 3;
  const CLEAR_HEADER_REPLY = 4;
  const MASKS = [0x01, 0xff];
  /**
   * Replacement values for the version and flag bytes (each originally 1): every single-bit flip of 1 (so every
   * flag bit, set or cleared, on its own), plus 2, 0xfe, 0xff. The code depends only on "0", "unknown bit set" or
   * "version above 1", and these cover each class.
   */
  const otherValues = [...Array.from({ length: 8 }, (_, bit) => 1 ^ (1 << bit)), 2, 0xfe, 0xff];
  const positions = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => MASKS.map((mask) => [from + i, mask] as const)).flat();

  it('HELLO: the version and flag bytes, every bit flip and boundary value', async () => {
    for (let at = 0; at < CLEAR_HEADER_HELLO; at++) {
      await forEach(otherValues, async (value) => {
        const outcome = await handshake(bobConfig(), aliceConfig(), { hello: setByte(at, value) });
        expect({ at, value, ...outcome }).toEqual({ at, value, ok: false, ...expectedForHello(at, value) });
      });
    }
  });

  it('HELLO: session id and ephemeral, every byte position', async () => {
    await forEach(positions(CLEAR_HEADER_HELLO, sizes.hello), async ([at, mask]) => {
      const outcome = await handshake(bobConfig(), aliceConfig(), { hello: xorByte(at, mask) });
      expect({ at, mask, ...outcome }).toEqual({ at, mask, ok: false, ...expectedForHello(at, 1 ^ mask) });
    });
  });

  it('REPLY: the version and flag bytes, every bit flip and boundary value', async () => {
    for (let at = 0; at < CLEAR_HEADER_REPLY; at++) {
      await forEach(otherValues, async (value) => {
        const outcome = await handshake(bobConfig(), aliceConfig(), { reply: setByte(at, value) });
        expect({ at, value, ...outcome }).toEqual({ at, value, ok: false, ...expectedForReply(at, value) });
      });
    }
  });

  it('REPLY: ephemeral, sealed length and sealed identity, every byte position', async () => {
    expect(sizes.reply).toBeGreaterThan(REPLY_CLEAR_BYTES + 2);
    await forEach(positions(CLEAR_HEADER_REPLY, sizes.reply), async ([at, mask]) => {
      const outcome = await handshake(bobConfig(), aliceConfig(), { reply: xorByte(at, mask) });
      expect({ at, mask, ...outcome }).toEqual({ at, mask, ok: false, ...expectedForReply(at, 1 ^ mask) });
    });
  });

  it('FINISH: every byte position', async () => {
    await forEach(positions(0, sizes.finish), async ([at, mask]) => {
      const outcome = await handshake(bobConfig(), aliceConfig(), { finish: xorByte(at, mask) });
      expect({ at, mask, ...outcome }).toEqual({ at, mask, ok: false, ...expectedForFinish });
    });
  });

  it('truncated or extended messages → TRANSCRIPT_MISMATCH', async () => {
    const cut = (n: number) => (bytes: Uint8Array) => bytes.slice(0, bytes.length - n);
    const grow = (bytes: Uint8Array) => Uint8Array.from([...bytes, 0]);
    const cases: [Relay, Step][] = [
      [{ hello: cut(1) }, 'responder.onHello'],
      [{ hello: grow }, 'responder.onHello'],
      [{ hello: () => new Uint8Array(0) }, 'responder.onHello'],
      [{ reply: cut(1) }, 'initiator.onReply'],
      [{ reply: cut(17) }, 'initiator.onReply'],
      [{ reply: grow }, 'initiator.onReply'],
      [{ reply: (b) => b.slice(0, REPLY_CLEAR_BYTES) }, 'initiator.onReply'],
      [{ finish: cut(1) }, 'responder.onFinish'],
      [{ finish: grow }, 'responder.onFinish'],
      [{ finish: () => new Uint8Array(0) }, 'responder.onFinish'],
    ];
    for (const [relay, failsAt] of cases) {
      expect(await handshake(bobConfig(), aliceConfig(), relay)).toEqual({ ok: false, step: failsAt, code: 'TRANSCRIPT_MISMATCH' });
    }
  });
});

describe('handshake tampering: versions', () => {
  const both = { versions: { min: 1, max: 2 } };

  it('HELLO maxVersion lowered so an older common version is chosen → DOWNGRADE', async () => {
    const outcome = await handshake(bobConfig(both), aliceConfig(both), { hello: setByte(1, 1) });
    expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'DOWNGRADE' });
  });

  it('REPLY selected version lowered → DOWNGRADE', async () => {
    const outcome = await handshake(bobConfig(both), aliceConfig(both), { reply: setByte(0, 1) });
    expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'DOWNGRADE' });
  });

  it('REPLY selected version and advertised range both lowered → TRANSCRIPT_MISMATCH (the transcript catches it)', async () => {
    const outcome = await handshake(bobConfig(both), aliceConfig(both), {
      reply: (bytes) => setByte(2, 1)(setByte(0, 1)(bytes)),
    });
    expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'TRANSCRIPT_MISMATCH' });
  });

  it('no version in common → VERSION_UNSUPPORTED', async () => {
    const outcome = await handshake(bobConfig({ versions: { min: 2, max: 3 } }), aliceConfig());
    expect(outcome).toEqual({ ok: false, step: 'responder.onHello', code: 'VERSION_UNSUPPORTED' });
  });
});

describe('handshake tampering: transport binding', () => {
  const fp = (fill: number) => new Uint8Array(32).fill(fill);

  it('different DTLS fingerprints seen by the two sides → TRANSCRIPT_MISMATCH', async () => {
    const seenByBob = { kind: 'dtls' as const, initiatorFingerprint: fp(0xb0), responderFingerprint: fp(0xa0) };
    const relayInitiator = { kind: 'dtls' as const, initiatorFingerprint: fp(0xee), responderFingerprint: fp(0xa0) };
    const relayResponder = { kind: 'dtls' as const, initiatorFingerprint: fp(0xb0), responderFingerprint: fp(0xee) };
    for (const seenByAlice of [relayInitiator, relayResponder]) {
      const outcome = await handshake(bobConfig({ binding: seenByBob }), aliceConfig({ binding: seenByAlice }));
      expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'TRANSCRIPT_MISMATCH' });
    }
    const same = await handshake(bobConfig({ binding: seenByBob }), aliceConfig({ binding: seenByBob }));
    expect(same.ok).toBe(true);
  });

  it('a DTLS binding on one side only → TRANSCRIPT_MISMATCH', async () => {
    const dtls = { kind: 'dtls' as const, initiatorFingerprint: fp(1), responderFingerprint: fp(2) };
    const outcome = await handshake(bobConfig({ binding: dtls }), aliceConfig({ binding: { kind: 'none' } }));
    expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'TRANSCRIPT_MISMATCH' });
  });
});

describe('handshake tampering: link secret', () => {
  it('psk flag stripped from HELLO (bit 0 of byte 2 cleared) → DOWNGRADE', async () => {
    const outcome = await handshake(bobConfig(), aliceConfig(), { hello: xorByte(2, 0x01) });
    expect(outcome).toEqual({ ok: false, step: 'responder.onHello', code: 'DOWNGRADE' });
  });

  it('psk flag stripped from REPLY (bit 0 of byte 3 cleared) → DOWNGRADE', async () => {
    const outcome = await handshake(bobConfig(), aliceConfig(), { reply: xorByte(3, 0x01) });
    expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'DOWNGRADE' });
  });

  it('psk flag added where no side has a link → TRANSCRIPT_MISMATCH', async () => {
    const noLink = { psk: null, expect: {} };
    expect(await handshake(bobConfig(noLink), aliceConfig(noLink), { hello: xorByte(2, 0x01) })).toEqual({
      ok: false,
      step: 'initiator.onReply',
      code: 'TRANSCRIPT_MISMATCH',
    });
    expect(await handshake(bobConfig(noLink), aliceConfig(noLink), { reply: xorByte(3, 0x01) })).toEqual({
      ok: false,
      step: 'initiator.onReply',
      code: 'TRANSCRIPT_MISMATCH',
    });
  });

  it('different link secrets on the two sides → TRANSCRIPT_MISMATCH', async () => {
    const outcome = await handshake(bobConfig({ psk: new Uint8Array(32).fill(6) }), aliceConfig());
    expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'TRANSCRIPT_MISMATCH' });
  });
});

describe('handshake tampering: replay', () => {
  it('a recorded HELLO replayed to a new responder session with a different session id → TRANSCRIPT_MISMATCH', async () => {
    const { hello } = await honestMessages();
    const outcome = await handshake(bobConfig(), aliceConfig({ sessionId: otherSessionId, random: new SeededRandom('alice 2') }), {
      hello: () => hello,
    });
    expect(outcome).toEqual({ ok: false, step: 'responder.onHello', code: 'TRANSCRIPT_MISMATCH' });
  });

  it('a recorded REPLY replayed to a new initiator → TRANSCRIPT_MISMATCH', async () => {
    const { reply } = await honestMessages();
    const outcome = await handshake(bobConfig({ random: new SeededRandom('bob 2') }), aliceConfig(), { reply: () => reply });
    expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'TRANSCRIPT_MISMATCH' });
  });

  it('a recorded FINISH replayed to a new responder session → TRANSCRIPT_MISMATCH', async () => {
    const { finish } = await honestMessages();
    const outcome = await handshake(bobConfig({ random: new SeededRandom('bob 3') }), aliceConfig({ random: new SeededRandom('alice 3') }), {
      finish: () => finish,
    });
    expect(outcome).toEqual({ ok: false, step: 'responder.onFinish', code: 'TRANSCRIPT_MISMATCH' });
  });

  it('a second REPLY or FINISH to the same handshake object → HANDSHAKE_STATE', async () => {
    const { handshake: b, hello } = await InitiatorHandshake.start(bobConfig());
    const { handshake: a, reply } = await ResponderHandshake.onHello(aliceConfig(), hello);
    const { finish } = await b.onReply(reply);
    await a.onFinish(finish);
    await expect(b.onReply(reply)).rejects.toMatchObject({ code: 'HANDSHAKE_STATE' });
    await expect(a.onFinish(finish)).rejects.toMatchObject({ code: 'HANDSHAKE_STATE' });
  });
});

describe('handshake tampering: policy', () => {
  const noLink = { psk: null, expect: {} };

  it('requireLevel3 with no verification → LEVEL3_REQUIRED (initiator)', async () => {
    const outcome = await handshake(bobConfig({ ...noLink, requireLevel3: true }), aliceConfig(noLink));
    expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'LEVEL3_REQUIRED' });
  });

  it('requireLevel3 with no verification → LEVEL3_REQUIRED (responder)', async () => {
    const outcome = await handshake(bobConfig(noLink), aliceConfig({ ...noLink, requireLevel3: true }));
    expect(outcome).toEqual({ ok: false, step: 'responder.onFinish', code: 'LEVEL3_REQUIRED' });
  });

  it('intents both send → ROLE_CONFLICT', async () => {
    const outcome = await handshake(bobConfig({ intent: 'send', manifestHash }), aliceConfig());
    expect(outcome).toEqual({ ok: false, step: 'initiator.onReply', code: 'ROLE_CONFLICT' });
  });

  it('intents both receive, or pair against send → ROLE_CONFLICT', async () => {
    const receive = { intent: 'receive' as const, manifestHash: new Uint8Array(0) };
    expect(await handshake(bobConfig(), aliceConfig(receive))).toEqual({ ok: false, step: 'initiator.onReply', code: 'ROLE_CONFLICT' });
    expect(await handshake(bobConfig({ intent: 'pair' }), aliceConfig())).toEqual({
      ok: false,
      step: 'initiator.onReply',
      code: 'ROLE_CONFLICT',
    });
  });
});
