/**
 * Child-process half of test/keychain/identity-service-keychain.test.ts: runs the identity service against the
 * Secret Service of the D-Bus session it was started in, and prints ONE JSON line with what it observed (the
 * parent asserts). Not a test file itself (no `.test.ts`), so vitest never collects it.
 *
 *   node --import tsx test/services/keychain-scenario.ts <keychain service name>
 *
 * Output: { "available": false, "reason": "…" } when no usable Secret Service answers the probe;
 *         { "available": true, "error": "…" } when the scenario threw;
 *         { "available": true, "results": { … } } otherwise.
 */

import { randomBytes } from 'node:crypto';
import { equalBytes } from '../../src/bytes';
import { errorCodeOf } from '../../src/errors';
import { verifyHashSignature } from '../../src/identity/identity';
import { IDENTITY_ACCOUNT, previousAccountOf, verifyRotationStatement } from '../../src/identity/identity-store';
import type { Clock } from '../../src/ports/clock';
import { webCryptoRandom } from '../../src/ports/random';
import { keychainKeyStore } from '../../main/adapters/keychain';
import { createIdentityService } from '../../main/services/identity-service';

const service = process.argv[2] ?? `sealdrop-test-${randomBytes(8).toString('hex')}`;
const wallClock: Clock = { now: () => Date.now(), setTimer: () => 0, clearTimer: () => {} };

async function probe(): Promise<string | null> {
  const store = keychainKeyStore({ service });
  const value = randomBytes(16);
  try {
    await store.save('probe', value);
    const back = await store.load('probe');
    await store.remove('probe');
    return back !== null && equalBytes(back, value) ? null : 'a stored value did not come back';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function scenario() {
  const store = keychainKeyStore({ service });
  const start = () =>
    createIdentityService({ keyStore: keychainKeyStore({ service }), random: webCryptoRandom, clock: wallClock, deviceName: 'keyring test' });

  const created = await start().get();
  const storedSeedBytes = (await store.load(IDENTITY_ACCOUNT))?.length ?? null;

  const restarted = start();
  const loaded = await restarted.get();
  const oldKey = await restarted.publicKey();
  const hash = new Uint8Array(randomBytes(32));
  const signature = await restarted.sign({ context: 'handshake initiator', hash });
  const signatureVerifies = await verifyHashSignature(oldKey, 'handshake initiator', hash, signature);
  const rotationContextRefused = await restarted.sign({ context: 'key rotation', hash }).then(
    () => null,
    (error: unknown) => errorCodeOf(error) ?? 'not a SealdropError',
  );

  const { identity: rotated, statement } = await restarted.rotate();
  const statementVerifies = await verifyRotationStatement(statement, oldKey).then(() => true, () => false);
  const previousLeft = (await store.load(previousAccountOf(IDENTITY_ACCOUNT))) !== null;

  const afterRestart = start();
  const afterRotation = await afterRestart.get();
  const newKeyLoaded = equalBytes(await afterRestart.publicKey(), statement.newKey);

  await store.remove(IDENTITY_ACCOUNT);
  return {
    storedSeedBytes,
    loadedSameIdentity: loaded.fingerprint === created.fingerprint,
    signatureVerifies,
    rotationContextRefused,
    rotatedToNewKey: rotated.fingerprint !== created.fingerprint,
    statementVerifies,
    previousLeft,
    rotatedIdentityLoadedAfterRestart: afterRotation.fingerprint === rotated.fingerprint && newKeyLoaded,
  };
}

const unavailable = await probe();
if (unavailable !== null) {
  console.log(JSON.stringify({ available: false, reason: unavailable.split('\n', 1)[0] }));
} else {
  try {
    console.log(JSON.stringify({ available: true, results: await scenario() }));
  } catch (error) {
    console.log(JSON.stringify({ available: true, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
  }
}
