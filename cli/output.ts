/**
 * Where the CLI speaks. In `--json` mode stdout carries nothing but one JSON object per line (machine readable,
 * stable field names); human text and the progress bar go to stderr. Otherwise messages go to stdout.
 */

import type { TransferReport } from '../main/transfer/events';
import { formatBytes, ProgressBar } from './progress';

export class Output {
  private readonly bar = new ProgressBar();

  constructor(readonly json: boolean) {}

  /** A JSON event (json mode only). */
  event(value: TransferReport | Record<string, unknown>): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Human text (suppressed on stdout in json mode; sent to stderr there instead when `always`). */
  say(text: string): void {
    if (this.json) process.stderr.write(`${text}\n`);
    else process.stdout.write(`${text}\n`);
  }

  progress(bytes: number, total: number): void {
    if (this.json) this.event({ event: 'progress', bytes, total });
    else this.bar.update(bytes, total);
  }

  endProgress(): void {
    if (!this.json) this.bar.finish();
  }

  error(code: string, message: string): void {
    if (this.json) this.event({ event: 'error', code, message });
    else process.stderr.write(`error ${code}: ${message}\n`);
  }

  bytes(n: number): string {
    return formatBytes(n);
  }
}
