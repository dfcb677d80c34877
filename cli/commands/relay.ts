/**
 * `sealdrop relay [--host H] [--port P] [--tls-cert F --tls-key F]`
 */

import { runRelayCommand } from '../../relay/cli';
import type { CommonFlags } from '../main';
import { EXIT } from '../help';
import type { Output } from '../output';

export async function relay(flags: CommonFlags, _out: Output): Promise<number> {
  const argv: string[] = [];
  if (flags.host) argv.push('--host', flags.host);
  if (flags.port) argv.push('--port', flags.port);
  if (flags.tlsCert) argv.push('--tls-cert', flags.tlsCert);
  if (flags.tlsKey) argv.push('--tls-key', flags.tlsKey);
  await runRelayCommand(argv);
  return EXIT.OK;
}
