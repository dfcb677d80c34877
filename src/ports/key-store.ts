/**
 * Key-store port: where the long-term identity seed lives. Adapters: the OS keychain through @napi-rs/keyring
 * (desktop, CLI), an opt-in plain key file (SEALDROP_KEY_FILE, headless), and src/testing/memory-key-store.ts.
 *
 * Trust assumption: the platform store protects secrets at rest better than a file in the profile; the core keeps
 * a seed only long enough to build a signer and then wipes its copy.
 */

export interface KeyStore {
  /** The secret stored under `account`, or null when there is none. Throws KEYSTORE_UNAVAILABLE if unreachable. */
  load(account: string): Promise<Uint8Array | null>;
  save(account: string, secret: Uint8Array): Promise<void>;
  remove(account: string): Promise<void>;
}
