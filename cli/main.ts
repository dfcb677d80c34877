/**
 * The `sealdrop` command: argument parsing and dispatch. Each command is a function in cli/commands/ that returns
 * an exit code; failures are printed once, with their stable code, by the command itself.
 */

import { parseArgs } from 'node:util';
import { errorCodeOf } from '../src/errors';
import { EXIT, exitCodeFor, HELP } from './help';
import { Output } from './output';

export interface CommonFlags {
  readonly json: boolean;
  readonly relay: string[];
  readonly relayCa: string | undefined;
  readonly path: 'auto' | 'direct' | 'webrtc' | 'relay';
  readonly stun: string[];
  readonly turn: string[];
  readonly turnOnly: boolean;
  readonly requireLevel: 2 | 3;
  readonly out: string;
  readonly yes: boolean;
  readonly name: string | undefined;
  /** send: a contact (fingerprint, ≥ 8-hex-digit prefix, or name) to send to through its relay mailbox. */
  readonly to: string | undefined;
  readonly host: string | undefined;
  readonly port: string | undefined;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
}

class UsageError extends Error {}

function parse(argv: string[]): { command: string; positionals: string[]; flags: CommonFlags; help: boolean } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      relay: { type: 'string', multiple: true },
      'relay-ca': { type: 'string' },
      path: { type: 'string', default: 'auto' },
      stun: { type: 'string', multiple: true },
      turn: { type: 'string', multiple: true },
      'turn-only': { type: 'boolean', default: false },
      'require-level': { type: 'string', default: '3' },
      out: { type: 'string', default: '.' },
      yes: { type: 'boolean', short: 'y', default: false },
      name: { type: 'string' },
      to: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const path = values.path;
  if (path !== 'auto' && path !== 'direct' && path !== 'webrtc' && path !== 'relay') {
    throw new UsageError(`--path must be auto, direct, webrtc or relay (got ${path})`);
  }
  const level = values['require-level'];
  if (level !== '2' && level !== '3') throw new UsageError('--require-level must be 2 or 3');
  const [command = '', ...rest] = positionals;
  return {
    command,
    positionals: rest,
    help: values.help,
    flags: {
      json: values.json,
      relay: values.relay ?? [],
      relayCa: values['relay-ca'],
      path,
      stun: values.stun ?? [],
      turn: values.turn ?? [],
      turnOnly: values['turn-only'],
      requireLevel: level === '2' ? 2 : 3,
      out: values.out,
      yes: values.yes,
      name: values.name,
      to: values.to,
      host: values.host,
      port: values.port,
      tlsCert: values['tls-cert'],
      tlsKey: values['tls-key'],
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  const json = argv.includes('--json');
  try {
    parsed = parse(argv);
  } catch (error) {
    new Output(json).error('USAGE', error instanceof Error ? error.message : String(error));
    return EXIT.USAGE;
  }
  const { command, positionals, flags, help } = parsed;
  const out = new Output(flags.json);
  if (help || command === '' || command === 'help') {
    process.stdout.write(HELP);
    return command === '' && !help ? EXIT.USAGE : EXIT.OK;
  }
  try {
    switch (command) {
      case 'send':
        return await (await import('./commands/send')).send(positionals, flags, out);
      case 'receive':
        return await (await import('./commands/receive')).receive(positionals, flags, out);
      case 'listen':
        return await (await import('./commands/listen')).listen(positionals, flags, out);
      case 'id':
        return await (await import('./commands/id')).id(flags, out);
      case 'contacts':
        return await (await import('./commands/contacts')).contacts(positionals, flags, out);
      case 'pair':
        return await (await import('./commands/pair')).pair(positionals, flags, out);
      case 'relay':
        return await (await import('./commands/relay')).relay(flags, out);
      default:
        out.error('USAGE', `unknown command "${command}" (try sealdrop --help)`);
        return EXIT.USAGE;
    }
  } catch (error) {
    const code = errorCodeOf(error) ?? 'INTERNAL';
    out.error(code, error instanceof Error ? error.message : String(error));
    return exitCodeFor(code);
  }
}
