/**
 * `sealdrop relay`: run a relay in the foreground until SIGINT or SIGTERM, then close every client with 1001 and
 * exit cleanly. The URLs it can be reached at are printed on stdout, one per line, before any log line; the log is
 * JSON lines (stdout by default, `--log stderr` or `--log off` to move or silence it).
 */

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { RelayLimits } from './limits';
import { stdoutLogger, type RelayLogger } from './log';
import { startRelay, type RelayOptions } from './server';

export const RELAY_USAGE = `sealdrop relay [options]

  --host H                          address to bind (default 0.0.0.0: every IPv4 interface)
  --port P                          port to bind (default 0: a free port, printed at start)
  --tls-cert FILE --tls-key FILE    serve wss:// with this PEM certificate chain and key
  --max-message-bytes N             largest client message (default 4 MiB + 64)        → close 4001
  --high-water-bytes N              per-receiver queue before the sender is paused (default 1 MiB)
  --max-buffered-bytes N            relay-wide queued bytes (default 256 MiB)          → close 4006
  --max-connections-per-address N   (default 64)                                       → close 4003
  --max-rooms-per-address N         (default 32)                                       → close 4003
  --idle-timeout SECONDS            nothing heard, not even a pong (default 120)       → close 4004
  --join-timeout SECONDS            to JOIN or complete REGISTER (default 10)          → close 4005
  --log stdout|stderr|off           where the JSON log goes (default stdout)
Sizes accept a K, M or G suffix (binary: 1M = 1048576).`;

/** Bad command-line input; the CLI maps code USAGE to exit code 2. */
export class RelayUsageError extends Error {
  override readonly name = 'RelayUsageError';
  readonly code = 'USAGE';
}

export interface ParsedRelayArgs {
  readonly help: boolean;
  readonly host?: string;
  readonly port?: number;
  readonly tlsCertPath?: string;
  readonly tlsKeyPath?: string;
  readonly limits: Partial<RelayLimits>;
  readonly log: 'stdout' | 'stderr' | 'off';
}

const SIZE_FLAGS = {
  'max-message-bytes': 'maxMessageBytes',
  'high-water-bytes': 'highWaterBytes',
  'max-buffered-bytes': 'maxBufferedBytes',
} as const;
const COUNT_FLAGS = {
  'max-connections-per-address': 'maxConnectionsPerAddress',
  'max-rooms-per-address': 'maxRoomsPerAddress',
} as const;
const SECONDS_FLAGS = {
  'idle-timeout': 'idleTimeoutMs',
  'join-timeout': 'joinTimeoutMs',
} as const;

/** Parse `sealdrop relay` arguments. @throws RelayUsageError for unknown flags or bad values. */
export function parseRelayArgs(argv: readonly string[]): ParsedRelayArgs {
  const stringFlag = { type: 'string' } as const;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        host: stringFlag,
        port: stringFlag,
        'tls-cert': stringFlag,
        'tls-key': stringFlag,
        log: stringFlag,
        ...Object.fromEntries(
          [...Object.keys(SIZE_FLAGS), ...Object.keys(COUNT_FLAGS), ...Object.keys(SECONDS_FLAGS)].map((f) => [f, stringFlag]),
        ),
      },
    }));
  } catch (error) {
    throw new RelayUsageError(error instanceof Error ? error.message : 'bad arguments');
  }
  const text = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };

  const limits: Partial<Record<keyof RelayLimits, number>> = {};
  for (const [flag, key] of Object.entries(SIZE_FLAGS)) {
    const value = text(flag);
    if (value !== undefined) limits[key] = parseSize(flag, value);
  }
  for (const [flag, key] of Object.entries(COUNT_FLAGS)) {
    const value = text(flag);
    if (value !== undefined) limits[key] = parsePositiveInteger(flag, value);
  }
  for (const [flag, key] of Object.entries(SECONDS_FLAGS)) {
    const value = text(flag);
    if (value !== undefined) limits[key] = parseSeconds(flag, value);
  }

  const port = text('port');
  const tlsCertPath = text('tls-cert');
  const tlsKeyPath = text('tls-key');
  if ((tlsCertPath === undefined) !== (tlsKeyPath === undefined)) {
    throw new RelayUsageError('--tls-cert and --tls-key go together');
  }
  const log = text('log') ?? 'stdout';
  if (log !== 'stdout' && log !== 'stderr' && log !== 'off') throw new RelayUsageError('--log must be stdout, stderr or off');
  const host = text('host');
  if (host === '') throw new RelayUsageError('--host must not be empty');

  return {
    help: values.help === true,
    ...(host !== undefined && { host }),
    ...(port !== undefined && { port: parsePort(port) }),
    ...(tlsCertPath !== undefined && { tlsCertPath }),
    ...(tlsKeyPath !== undefined && { tlsKeyPath }),
    limits,
    log,
  };
}

function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new RelayUsageError('--port must be 0..65535');
  return Number(value);
}

function parsePositiveInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) === 0) {
    throw new RelayUsageError(`--${flag} must be a positive integer`);
  }
  return Number(value);
}

function parseSize(flag: string, value: string): number {
  const match = /^(\d+)([KMG]?)$/i.exec(value);
  if (!match) throw new RelayUsageError(`--${flag} must be a size such as 1048576 or 1M`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  const bytes = Number(match[1]) * unit;
  if (!Number.isSafeInteger(bytes) || bytes === 0) throw new RelayUsageError(`--${flag} is out of range`);
  return bytes;
}

function parseSeconds(flag: string, value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new RelayUsageError(`--${flag} must be a number of seconds`);
  const ms = Math.round(Number(value) * 1000);
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new RelayUsageError(`--${flag} is out of range`);
  return ms;
}

/** For tests and embedding: where output goes and what stops the relay besides SIGINT/SIGTERM. */
export interface RelayCommandIo {
  readonly print?: (line: string) => void;
  readonly logger?: RelayLogger;
  readonly signal?: AbortSignal;
}

const stderrLogger: RelayLogger = (line) => {
  process.stderr.write(`${JSON.stringify(line)}\n`);
};

/**
 * Run the relay until SIGINT, SIGTERM (or `io.signal`), then close it. Resolves after a clean shutdown.
 * @throws RelayUsageError for bad arguments (including inconsistent limits); errors reading the TLS files or binding.
 */
export async function runRelayCommand(argv: string[], io: RelayCommandIo = {}): Promise<void> {
  const print = io.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const args = parseRelayArgs(argv);
  if (args.help) {
    print(RELAY_USAGE);
    return;
  }
  const logger = io.logger ?? { stdout: stdoutLogger, stderr: stderrLogger, off: () => {} }[args.log];
  const options: RelayOptions = {
    ...(args.host !== undefined && { host: args.host }),
    ...(args.port !== undefined && { port: args.port }),
    ...(args.tlsCertPath !== undefined && args.tlsKeyPath !== undefined && {
      tls: { cert: await readFile(args.tlsCertPath), key: await readFile(args.tlsKeyPath) },
    }),
    limits: args.limits,
    logger,
  };
  let relay;
  try {
    relay = await startRelay(options);
  } catch (error) {
    if (error instanceof RangeError) throw new RelayUsageError(error.message);
    throw error;
  }

  print('Sealdrop relay listening on:');
  for (const url of relay.urls()) print(`  ${url}`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop);
  });
  await relay.close();
}
