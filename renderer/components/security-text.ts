/**
 * What each security level and network path means, in the words the badges and popovers use. Kept in one place so
 * every screen says the same thing (DECISIONS.md 7: nothing may claim more than the connection delivers).
 */

import type { TransferPath, VerifiedBy } from '../api';

export type DisplayLevel = 1 | 2 | 3;

export const LEVEL_TEXT: Readonly<Record<DisplayLevel, { readonly label: string; readonly summary: string; readonly detail: string }>> = {
  3: {
    label: 'Level 3',
    summary: 'End-to-end encrypted and verified',
    detail:
      'The files are encrypted end to end, and the other device proved it holds the key you expected. ' +
      'Nobody in between — not the relay, not the network — can read or change them.',
  },
  2: {
    label: 'Level 2',
    summary: 'Encrypted, not verified',
    detail:
      'Encrypted, but the other side was not verified; an active relay could read this. ' +
      'Compare safety numbers with this person to reach Level 3.',
  },
  1: {
    label: 'Level 1',
    summary: 'Connection encryption only',
    detail:
      'Only the connection is encrypted (as plain WebRTC does), with no check of who is on the other end. ' +
      'Sealdrop never transfers at this level; it is listed for comparison.',
  },
};

export const VERIFIED_BY_TEXT: Readonly<Record<VerifiedBy, string>> = {
  pin: 'Checked against the key you saved for this contact.',
  'link-fingerprint': 'Checked against the fingerprint in the link you used.',
  'link-secret':
    'The other device knew the secret in the link you created. Anyone you (or they) passed the link to could have used it.',
  none: 'Not checked: this device has never been verified.',
};

export const PATH_TEXT: Readonly<Record<TransferPath, { readonly label: string; readonly detail: string }>> = {
  direct: { label: 'Direct', detail: 'A direct connection between the two devices, usually on the same network.' },
  webrtc: { label: 'WebRTC', detail: 'A peer-to-peer connection across the internet.' },
  turn: {
    label: 'TURN',
    detail: 'Peer-to-peer through a TURN server. The server carries the data but cannot read it at Level 3.',
  },
  relay: {
    label: 'Relay',
    detail: 'Through the Sealdrop relay. The relay carries the data but cannot read it at Level 3.',
  },
};
