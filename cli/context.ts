/**
 * The CLI's composition root: builds the adapters (keychain or key file, trust store under SEALDROP_HOME, clocks,
 * randomness) and hands them to the transfer code. Nothing below this file reaches for the environment itself.
 */

import { hostname } from 'node:os';
import { wipe } from '../src/bytes';
import { loadOrCreateIdentity } from '../src/identity/identity-store';
import type { IdentitySigner } from '../src/identity/identity';
import type { Clock, TimerId } from '../src/ports/clock';
import { webCryptoRandom, type RandomSource } from '../src/ports/random';
import { TrustStore } from '../src/trust/trust-store';
import { fileBlobStore } from '../main/adapters/file-blob-store';
import { resolveKeyStore, sealdropHome } from '../main/adapters/home';

/** Wall-clock time (epoch ms) — the trust store stores and shows these readings. */
export const wallClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, callback) => setTimeout(callback, ms) as unknown as TimerId,
  clearTimer: (id) => clearTimeout(id as unknown as ReturnType<typeof setTimeout>),
};

export interface CliContext {
  readonly home: string;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly deviceName: string;
  identity(): Promise<{ signer: IdentitySigner; created: boolean }>;
  trust(): Promise<TrustStore>;
}

export function createContext(env: NodeJS.ProcessEnv = process.env, name?: string): CliContext {
  const home = sealdropHome(env);
  let identity: Promise<{ signer: IdentitySigner; created: boolean }> | null = null;
  let trust: Promise<TrustStore> | null = null;
  return {
    home,
    random: webCryptoRandom,
    clock: wallClock,
    deviceName: name ?? env.SEALDROP_NAME ?? hostname(),
    identity() {
      identity ??= loadOrCreateIdentity(resolveKeyStore(env), webCryptoRandom);
      return identity;
    },
    trust() {
      trust ??= TrustStore.load(fileBlobStore(home), wallClock, webCryptoRandom);
      return trust;
    },
  };
}

export { wipe };
