import { describe, expect, it } from 'vitest';
import { equalBytes } from '../../src/bytes';
import { fingerprintOf } from '../../src/identity/fingerprint';
import { identityFromSeed } from '../../src/identity/identity';
import {
  checkSelectedVersion,
  InitiatorHandshake,
  ResponderHandshake,
  selectVersion,
  type HandshakeConfig,
} from '../../src/handshake/handshake';
import { SeededRandom } from '../../src/testing/seeded-random';
import { expectCode } from '../helpers/expect-code';

const sessionId = new Uint8Array(16).fill(9);
const manifestHash = new Uint8Array(32).fill(3);

async function parties() {
  const sender = await identityFromSeed(new Uint8Array(32).fill(1));
  const receiver = await identityFromSeed(new Uint8Array(32).fill(2));
  return { sender, receiver, senderFp: await fingerprintOf(sender.publicKey) };
}

async function run(initiator: HandshakeConfig, responder: HandshakeConfig) {
  const { handshake: i, hello } = await InitiatorHandshake.start(initiator);
  const { handshake: r, reply } = await ResponderHandshake.onHello(responder, hello);
  const { finish, result: iResult } = await i.onReply(reply);
  const rResult = await r.onFinish(finish);
  return { iResult, rResult };
}

describe('handshake', () => {
  it('link flow: receiver verifies by fingerprint, sender by link secret; both derive the same secrets', async () => {
    const { sender, receiver, senderFp } = await parties();
    const psk = new Uint8Array(32).fill(5);
    const { iResult, rResult } = await run(
      { signer: receiver, random: new SeededRandom('i'), sessionId, psk, binding: { kind: 'none' }, intent: 'receive', expect: { linkFingerprint: senderFp } },
      { signer: sender, random: new SeededRandom('r'), sessionId, psk, binding: { kind: 'none' }, intent: 'send', manifestHash, expect: { linkIssued: true } },
    );
    expect(iResult.level).toBe(3);
    expect(iResult.verifiedBy).toBe('link-fingerprint');
    expect(rResult.level).toBe(3);
    expect(rResult.verifiedBy).toBe('link-secret');
    expect(equalBytes(iResult.peer.manifestHash, manifestHash)).toBe(true);
    expect(equalBytes(iResult.secrets.data, rResult.secrets.data)).toBe(true);
    expect(equalBytes(iResult.transcriptHash, rResult.transcriptHash)).toBe(true);
  });

  it('no link, no pin: Level 2, and requireLevel3 refuses it', async () => {
    const { sender, receiver } = await parties();
    const { iResult } = await run(
      { signer: receiver, random: new SeededRandom('i'), sessionId, binding: { kind: 'none' }, intent: 'receive', expect: {} },
      { signer: sender, random: new SeededRandom('r'), sessionId, binding: { kind: 'none' }, intent: 'send', manifestHash, expect: {} },
    );
    expect(iResult.level).toBe(2);
    await expectCode(
      run(
        { signer: receiver, random: new SeededRandom('i'), sessionId, binding: { kind: 'none' }, intent: 'receive', expect: {}, requireLevel3: true },
        { signer: sender, random: new SeededRandom('r'), sessionId, binding: { kind: 'none' }, intent: 'send', manifestHash, expect: {} },
      ),
      'LEVEL3_REQUIRED',
    );
  });

  it('version selection and downgrade detection', () => {
    expect(selectVersion({ min: 1, max: 3 }, { min: 2, max: 5 })).toBe(3);
    expect(() => selectVersion({ min: 1, max: 1 }, { min: 2, max: 2 })).toThrow(expect.objectContaining({ code: 'VERSION_UNSUPPORTED' }));
    expect(() => checkSelectedVersion({ min: 1, max: 2 }, { min: 1, max: 2 }, 1)).toThrow(expect.objectContaining({ code: 'DOWNGRADE' }));
    expect(() => checkSelectedVersion({ min: 1, max: 2 }, { min: 1, max: 2 }, 3)).toThrow(expect.objectContaining({ code: 'VERSION_UNSUPPORTED' }));
  });
});
