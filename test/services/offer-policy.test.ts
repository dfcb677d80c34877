import { describe, expect, it } from 'vitest';
import type { ContactStatus, SecurityLevel } from '../../src/ipc/contract';
import { decideIncoming, offerDecisionOf, type IncomingVerdict } from '../../main/services/offer-policy';

const STATUSES: (ContactStatus | 'new')[] = ['new', 'seen', 'verified', 'keyChanged'];
const LEVELS: SecurityLevel[] = [2, 3];
const BOOLS = [false, true];

/** The brief, restated independently of the implementation's rule order. */
function expected(
  status: ContactStatus | 'new',
  level: SecurityLevel,
  receiving: boolean,
  autoAccept: boolean,
  requireLevel3: boolean,
  windowVisible: boolean,
): string {
  const refused = !receiving || status === 'keyChanged' || (level < 3 && requireLevel3);
  if (refused) return 'refuse';
  if (status === 'verified' && autoAccept && level === 3) return 'auto-accept';
  // Window closed: only a verified contact may get as far as a question; everyone else is refused.
  if (status !== 'verified' && !windowVisible) return 'refuse';
  return 'ask';
}

describe('offer policy: the whole truth table', () => {
  const rows: [ContactStatus | 'new', SecurityLevel, boolean, boolean, boolean, boolean][] = [];
  for (const status of STATUSES)
    for (const level of LEVELS)
      for (const receiving of BOOLS)
        for (const autoAccept of BOOLS)
          for (const requireLevel3 of BOOLS) for (const windowVisible of BOOLS) rows.push([status, level, receiving, autoAccept, requireLevel3, windowVisible]);

  it('covers all 128 combinations', () => {
    expect(rows).toHaveLength(128);
  });

  it.each(rows)(
    'status %s, level %i, receiving %s, autoAcceptVerified %s, requireLevel3 %s, window visible %s',
    (status, level, receiving, autoAccept, requireLevel3, windowVisible) => {
      const verdict = decideIncoming({
        peerContactStatus: status,
        level,
        receiving,
        windowVisible,
        settings: { autoAcceptVerified: autoAccept, requireLevel3 },
      });
      expect(verdict.decision).toBe(expected(status, level, receiving, autoAccept, requireLevel3, windowVisible));
    },
  );

  it('auto-accepts in exactly four rows: verified, Level 3, receiving, auto-accept on (either Level 3 setting or window)', () => {
    const auto = rows.filter(
      ([status, level, receiving, autoAccept, requireLevel3, windowVisible]) =>
        decideIncoming({ peerContactStatus: status, level, receiving, windowVisible, settings: { autoAcceptVerified: autoAccept, requireLevel3 } })
          .decision === 'auto-accept',
    );
    expect(auto).toEqual([
      ['verified', 3, true, true, false, false],
      ['verified', 3, true, true, false, true],
      ['verified', 3, true, true, true, false],
      ['verified', 3, true, true, true, true],
    ]);
  });
});

describe('offer policy: reasons and answers', () => {
  const base = {
    peerContactStatus: 'verified',
    level: 3,
    receiving: true,
    windowVisible: true,
    settings: { autoAcceptVerified: true, requireLevel3: true },
  } as const;

  it('names the most important reason for a refusal', () => {
    expect(decideIncoming({ ...base, peerContactStatus: 'keyChanged', level: 2, receiving: false })).toEqual({ decision: 'refuse', reason: 'key-changed' });
    expect(decideIncoming({ ...base, level: 2, receiving: false })).toEqual({ decision: 'refuse', reason: 'level-too-low' });
    expect(decideIncoming({ ...base, receiving: false })).toEqual({ decision: 'refuse', reason: 'not-receiving' });
  });

  it('never auto-accepts a seen (link-pinned but unverified) contact or a new sender', () => {
    expect(decideIncoming({ ...base, peerContactStatus: 'seen' })).toEqual({ decision: 'ask' });
    expect(decideIncoming({ ...base, peerContactStatus: 'new' })).toEqual({ decision: 'ask' });
  });

  it('refuses a new sender or an unverified contact while the window is closed (tray), and says why', () => {
    expect(decideIncoming({ ...base, peerContactStatus: 'seen', windowVisible: false })).toEqual({ decision: 'refuse', reason: 'unverified' });
    expect(decideIncoming({ ...base, peerContactStatus: 'new', windowVisible: false })).toEqual({ decision: 'refuse', reason: 'unverified' });
    expect(decideIncoming({ ...base, windowVisible: false, settings: { autoAcceptVerified: false, requireLevel3: true } })).toEqual({ decision: 'ask' });
  });

  it('never auto-accepts at Level 2, even from a verified contact with Level 3 not required', () => {
    expect(decideIncoming({ ...base, level: 2, settings: { autoAcceptVerified: true, requireLevel3: false } })).toEqual({ decision: 'ask' });
  });

  it('maps verdicts to the transfer:report answer', () => {
    const cases = [
      [{ decision: 'auto-accept' }, 'accept'],
      [{ decision: 'ask' }, null],
      [{ decision: 'refuse', reason: 'key-changed' }, 'decline'],
      [{ decision: 'refuse', reason: 'not-receiving' }, 'decline'],
      [{ decision: 'refuse', reason: 'unverified' }, 'decline'],
    ] as [IncomingVerdict, string | null][];
    for (const [verdict, answer] of cases) expect(offerDecisionOf(verdict)).toBe(answer);
  });
});
