/**
 * `sealdrop relay [--host H] [--port P] [--tls-cert F --tls-key F]`
 */

import { runRelayCommand } from '../../relay/cli';
import type { CommonFlags } from '../main';
import { EXIT } from '../help';
import type { Output } from '../output';

/** The port `sealdrop relay` listens on when none is given. */
export const DEFAULT_RELAY_PORT = '8080';

export async function relay(flags: CommonFlags, out: Output): Promise<number> {
  const argv: string[] = [];
  if (flags.host) argv.push('--host', flags.host);
  argv.push('--port', flags.port ?? DEFAULT_RELAY_PORT);
  // In --json mode stdout is for JSON only: the relay's JSON log lines go to stderr.
  if (out.json) argv.push('--log', 'stderr');
  if (flags.tlsCert) argv.push('--tls-cert', flags.tlsCert);
  if (flags.tlsKey) argv.push('--tls-key', flags.tlsKey);
  // In --json mode the relay's human lines (its URLs) go to stderr and stdout gets one JSON event per URL line.
  await runRelayCommand(argv, out.json ? { print: (line) => out.say(line) } : {});
  return EXIT.OK;
}
