/**
 * The CLI's composition root: builds the adapters (keychain or key file, trust store under SEALDROP_HOME, clocks,
 * randomness) and hands them to the transfer code. Nothing below this file reaches for the environment itself.
 */

import { hostname } from 'node:os';
import { loadOrCreateIdentity } from '../src/identity/identity-store';
import type { IdentitySigner } from '../src/identity/identity';
import type { Clock } from '../src/ports/clock';
import { wallClock } from '../main/adapters/wall-clock';
import { webCryptoRandom, type RandomSource } from '../src/ports/random';
import { TrustStore } from '../src/trust/trust-store';
import { fileBlobStore } from '../main/adapters/file-blob-store';
import { resolveKeyStore, sealdropHome } from '../main/adapters/home';


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
