/**
 * How `send` and `receive` print a transfer's reports: JSON lines in --json mode, otherwise human lines and the
 * progress bar. The two commands differ only in a few sentences, passed in as `texts`.
 */

import type { TransferReport } from '../../main/transfer/events';
import type { Output } from '../output';

type Of<E extends TransferReport['event']> = Extract<TransferReport, { event: E }>;

export interface ReportTexts {
  /** Human output for the link, or the contact being sent to (send only). */
  readonly ready?: (report: Of<'ready'>) => void;
  /** Human line for a NOTIFY answer (contact sends); null prints nothing. */
  readonly notified?: (report: Of<'notified'>) => string | null;
  readonly waiting: (report: Of<'waiting'>) => string;
  readonly pathLost: (report: Of<'path-lost'>) => string;
  readonly done: (report: Of<'done'>) => string;
  /** How Level 2 is described in the connected line. */
  readonly level2: string;
}

export function reportPrinter(out: Output, texts: ReportTexts): (report: TransferReport) => void {
  return (report) => {
    switch (report.event) {
      case 'ready':
        out.event(report);
        if (!out.json) texts.ready?.(report);
        break;
      case 'notified': {
        out.event(report);
        const line = out.json ? null : (texts.notified?.(report) ?? null);
        if (line) out.say(line);
        break;
      }
      case 'waiting':
        if (!out.json) out.say(texts.waiting(report));
        break;
      case 'connected':
        out.event(report);
        if (!out.json) {
          const level = report.level === 3 ? `Level 3, verified by ${report.peer.verifiedBy}` : texts.level2;
          out.say(`Connected to ${report.peer.name || 'a device'} [${report.peer.short}] over ${report.path} (${level})`);
        }
        break;
      case 'progress':
        out.progress(report.bytes, report.total);
        break;
      case 'path-lost':
        out.event(report);
        if (!out.json) out.say(`\n${texts.pathLost(report)}`);
        break;
      case 'done':
        out.endProgress();
        out.event(report);
        if (!out.json) out.say(texts.done(report));
        break;
      case 'error':
        out.endProgress();
        out.error(report.code, report.message);
        break;
      default:
        out.event(report);
    }
  };
}
