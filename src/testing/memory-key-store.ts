/**
 * In-memory KeyStore for tests — NEVER for production (secrets live in ordinary heap memory).
 *
 * It behaves like a careful adapter: values are copied in and out, so a caller that wipes its buffer after `save`
 * (as the core does) or mutates what `load` returned cannot change what is stored. Setting `unavailable` makes
 * every call reject with KEYSTORE_UNAVAILABLE, like a locked or missing OS keychain.
 */

import { SealdropError } from '../errors';
import type { KeyStore } from '../ports/key-store';

export class MemoryKeyStore implements KeyStore {
  /** While true, every call rejects with KEYSTORE_UNAVAILABLE and nothing changes. */
  unavailable: boolean;
  private readonly secrets = new Map<string, Uint8Array>();

  constructor(options: { unavailable?: boolean } = {}) {
    this.unavailable = options.unavailable ?? false;
  }

  /** A copy of the secret under `account`, or null. @throws SealdropError KEYSTORE_UNAVAILABLE when unavailable. */
  async load(account: string): Promise<Uint8Array | null> {
    await this.reachable();
    return this.secrets.get(account)?.slice() ?? null;
  }

  /** Store a copy of `secret`. @throws SealdropError KEYSTORE_UNAVAILABLE when unavailable. */
  async save(account: string, secret: Uint8Array): Promise<void> {
    await this.reachable();
    this.secrets.get(account)?.fill(0);
    this.secrets.set(account, secret.slice());
  }

  /** Wipe and delete `account`; absent accounts are fine. @throws SealdropError KEYSTORE_UNAVAILABLE when unavailable. */
  async remove(account: string): Promise<void> {
    await this.reachable();
    this.secrets.get(account)?.fill(0);
    this.secrets.delete(account);
  }

  /** Test inspection: the accounts that hold a secret, sorted. Works even while unavailable. */
  accounts(): string[] {
    return [...this.secrets.keys()].sort();
  }

  private reachable(): Promise<void> {
    return this.unavailable
      ? Promise.reject(new SealdropError('KEYSTORE_UNAVAILABLE', 'key store is unavailable'))
      : Promise.resolve();
  }
}
