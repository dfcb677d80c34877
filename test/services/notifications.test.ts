import { describe, expect, it } from 'vitest';
import type { EventPayload, OfferInfo } from '../../src/ipc/contract';
import type { ServiceEvents } from '../../main/services/events';
import {
  createOfferNotifier,
  offerNotification,
  type NotificationAction,
  type NotificationPayload,
} from '../../main/services/notifications';

const TRANSFER = 'ab'.repeat(16);

function offer(overrides: Partial<OfferInfo> & { status?: OfferInfo['peer']['status']; name?: string } = {}): OfferInfo {
  const { status = 'verified', name = 'Alice', ...rest } = overrides;
  return {
    transferId: TRANSFER,
    peer: { contactId: status === 'new' ? null : 'cd'.repeat(16), name, fingerprint: 'ef'.repeat(32), short: 'K7QX-3M2A-RPLC-WD4E', status, verifiedBy: 'pin' },
    level: 3,
    path: 'direct',
    files: 3,
    directories: 1,
    bytes: 12_400_000,
    names: ['report.pdf', 'photos/a.jpg', 'photos/b.jpg'],
    ...rest,
  };
}

describe('offer notification payloads', () => {
  it('asks about an offer from a verified contact, with accept and decline', () => {
    expect(offerNotification(offer(), { decision: 'ask' })).toEqual({
      transferId: TRANSFER,
      title: 'Alice wants to send you files',
      body: '3 files, 1 folder · 12 MB\nreport.pdf, photos/a.jpg, photos/b.jpg, +1 more\nLevel 3, end-to-end encrypted to this device',
      actions: [
        { action: 'accept', label: 'Accept' },
        { action: 'decline', label: 'Decline' },
      ],
      sticky: true,
    } satisfies NotificationPayload);
  });

  it('never presents a self-asserted name as trusted', () => {
    expect(offerNotification(offer({ status: 'seen' }), { decision: 'ask' })?.title).toBe(
      'Unverified contact “Alice” (K7QX-3M2A-RPLC-WD4E) wants to send you files',
    );
    expect(offerNotification(offer({ status: 'new' }), { decision: 'ask' })?.title).toBe(
      'New device “Alice” (K7QX-3M2A-RPLC-WD4E) wants to send you files',
    );
  });

  it('states Level 2 plainly', () => {
    expect(offerNotification(offer({ level: 2, status: 'new' }), { decision: 'ask' })?.body).toMatch(/\nLevel 2: the sender could not be verified$/);
  });

  it('strips reordering and control characters from names the sender chose', () => {
    const sneaky = offer({ status: 'new', name: 'Bank\u202e\u200b', names: ['invoice\u202efdp.exe'], files: 1, directories: 0, bytes: 999 });
    const payload = offerNotification(sneaky, { decision: 'ask' })!;
    expect(payload.title).toBe('New device “Bank” (K7QX-3M2A-RPLC-WD4E) wants to send you files');
    expect(payload.body).toBe('1 file · 999 B\ninvoicefdp.exe\nLevel 3, end-to-end encrypted to this device');
    expect(payload.body + payload.title).not.toMatch(/[\u202a-\u202e\u200b]/);
  });

  it('announces an auto-accepted offer without buttons', () => {
    const payload = offerNotification(offer({ names: [], files: 1, directories: 0, bytes: 10 }), { decision: 'auto-accept' });
    expect(payload).toEqual({
      transferId: TRANSFER,
      title: 'Receiving from Alice',
      body: '1 file · 10 B\nAccepted automatically: verified contact, Level 3, end-to-end encrypted to this device',
      actions: [],
      sticky: false,
    });
  });

  it('tells about refusals that matter, and stays silent when receiving is off', () => {
    expect(offerNotification(offer({ status: 'keyChanged' }), { decision: 'refuse', reason: 'key-changed' })).toMatchObject({
      title: 'Refused: the key of “Alice” (K7QX-3M2A-RPLC-WD4E) has changed',
      actions: [],
      sticky: true,
    });
    expect(offerNotification(offer({ level: 2, status: 'new' }), { decision: 'refuse', reason: 'level-too-low' })).toMatchObject({
      title: 'Refused a transfer from New device “Alice” (K7QX-3M2A-RPLC-WD4E)',
      actions: [],
    });
    expect(offerNotification(offer(), { decision: 'refuse', reason: 'not-receiving' })).toBeNull();
  });
});

describe('offer notifier', () => {
  function setUp() {
    const shown: { payload: NotificationPayload; answer: (action: NotificationAction) => void }[] = [];
    const emitted: EventPayload<'notification:offer'>[] = [];
    const reactions: [string, NotificationAction][] = [];
    const events: ServiceEvents = {
      emit(channel, payload) {
        expect(channel).toBe('notification:offer');
        emitted.push(payload as EventPayload<'notification:offer'>);
        return true;
      },
    };
    const notifier = createOfferNotifier({
      showNotification: (payload, answer) => shown.push({ payload, answer }),
      events,
      onAction: (transferId, action) => reactions.push([transferId, action]),
    });
    return { shown, emitted, reactions, notifier };
  }

  it('shows the payload and reports one answer', () => {
    const { shown, emitted, reactions, notifier } = setUp();
    expect(notifier.notify(offer(), { decision: 'ask' })).toBe(true);
    expect(shown).toHaveLength(1);
    expect(shown[0]!.payload).toEqual(offerNotification(offer(), { decision: 'ask' }));
    shown[0]!.answer('open');
    shown[0]!.answer('accept');
    shown[0]!.answer('decline'); // a second answer is ignored
    expect(emitted).toEqual([
      { transferId: TRANSFER, action: 'open' },
      { transferId: TRANSFER, action: 'accept' },
    ]);
    expect(reactions).toEqual([
      [TRANSFER, 'open'],
      [TRANSFER, 'accept'],
    ]);
  });

  it('ignores an answer the notification did not offer', () => {
    const { shown, emitted, notifier } = setUp();
    notifier.notify(offer(), { decision: 'auto-accept' });
    shown[0]!.answer('decline');
    shown[0]!.answer('accept');
    shown[0]!.answer('open');
    expect(emitted).toEqual([{ transferId: TRANSFER, action: 'open' }]);
  });

  it('shows nothing for a silent verdict', () => {
    const { shown, notifier } = setUp();
    expect(notifier.notify(offer(), { decision: 'refuse', reason: 'not-receiving' })).toBe(false);
    expect(shown).toEqual([]);
  });
});
