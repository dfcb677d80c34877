/**
 * The other device in the desktop scenarios: the real `sealdrop` command (test/cli/harness.ts runs the bundle that
 * global-setup.ts builds), each device with its own SEALDROP_HOME and key file. Nothing here stands in for anything;
 * this module only keeps track of what a test started so the fixture can stop and remove it afterwards.
 */

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileKeyStore } from '../../../main/adapters/key-file';
import { IDENTITY_ACCOUNT } from '../../../src/identity/identity-store';
import { identityFromSeed } from '../../../src/identity/identity';
import { device, runCli, sampleTree, tempDir, type CliProcess } from '../../cli/harness';

export interface CliDevice {
  readonly name: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  run(args: string[]): CliProcess;
  /** The device's Ed25519 public key, read from its key file (create it first, e.g. with `id`). */
  publicKey(): Promise<Uint8Array>;
}

export interface CliPeers {
  device(name: string): CliDevice;
  /** test/cli/harness.ts sampleTree: payload/big.bin, payload/empty.txt, payload/nested/note.md, an empty folder. */
  sampleTree(bytes?: number): ReturnType<typeof sampleTree>;
  tempDir(prefix?: string): string;
  /** Kill what is still running and remove every folder made through this object. */
  cleanup(): Promise<void>;
}

export function cliPeers(): CliPeers {
  const dirs: string[] = [];
  const processes: CliProcess[] = [];
  return {
    device(name) {
      const made = device(name);
      dirs.push(made.home);
      return {
        name,
        home: made.home,
        env: made.env,
        run(args) {
          const process = runCli(args, made.env);
          processes.push(process);
          return process;
        },
        async publicKey() {
          const seed = await fileKeyStore(join(made.home, 'identity.key')).load(IDENTITY_ACCOUNT);
          if (seed === null) throw new Error(`${name} has no identity yet`);
          return (await identityFromSeed(seed)).publicKey;
        },
      };
    },
    sampleTree(bytes) {
      const tree = sampleTree(bytes);
      dirs.push(join(tree.root, '..'));
      return tree;
    },
    tempDir(prefix) {
      const dir = tempDir(prefix);
      dirs.push(dir);
      return dir;
    },
    async cleanup() {
      for (const process of processes) if (process.child.exitCode === null) process.kill('SIGKILL');
      await Promise.all(processes.map((process) => process.exit));
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}
