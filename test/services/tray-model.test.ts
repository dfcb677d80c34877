import { describe, expect, it } from 'vitest';
import {
  initialTrayState,
  MAX_RECENT_TRANSFERS,
  recordTransfer,
  setReceiving,
  transferLabel,
  trayMenu,
  trayTooltip,
  type TrayState,
} from '../../main/services/tray-model';

const id = (n: number) => n.toString(16).padStart(32, '0');

describe('tray model', () => {
  it('an empty tray: receiving toggle, open, no transfers, quit', () => {
    expect(trayMenu(initialTrayState(true))).toEqual([
      { kind: 'checkbox', label: 'Receiving', checked: true, action: { type: 'toggle-receiving' } },
      { kind: 'action', label: 'Open Sealdrop', action: { type: 'open' } },
      { kind: 'separator' },
      { kind: 'label', label: 'No recent transfers' },
      { kind: 'separator' },
      { kind: 'action', label: 'Quit Sealdrop', action: { type: 'quit' } },
    ]);
    expect(trayTooltip(initialTrayState(true))).toBe('Sealdrop — receiving');
  });

  it('toggles receiving without touching anything else', () => {
    const on = recordTransfer(initialTrayState(true), { transferId: id(1), updatedAt: 1, peerName: 'Alice' });
    const off = setReceiving(on, false);
    expect(off).toEqual({ ...on, receiving: false });
    expect(trayMenu(off)[0]).toMatchObject({ kind: 'checkbox', checked: false });
    expect(trayTooltip(off)).toBe('Sealdrop — not receiving');
    expect(setReceiving(off, false)).toBe(off);
    expect(on.receiving).toBe(true); // pure
  });

  it('keeps the last five transfers, newest first, each with its level and state', () => {
    let state: TrayState = initialTrayState(true);
    for (let n = 1; n <= 7; n++) {
      state = recordTransfer(state, { transferId: id(n), updatedAt: n * 10, peerName: `Peer ${n}`, level: 3, state: 'done', bytes: n * 1000 });
    }
    expect(state.recent).toHaveLength(MAX_RECENT_TRANSFERS);
    expect(state.recent.map((t) => t.peerName)).toEqual(['Peer 7', 'Peer 6', 'Peer 5', 'Peer 4', 'Peer 3']);
    const menu = trayMenu(state);
    expect(menu[3]).toEqual({ kind: 'label', label: 'Recent transfers' });
    expect(menu.slice(4, 9)).toEqual(
      state.recent.map((t) => ({ kind: 'action', label: transferLabel(t), action: { type: 'show-transfer', transferId: t.transferId } })),
    );
    expect(menu[4]).toMatchObject({ label: '↓ Peer 7 · 7.0 KB · Level 3 · done' });
    expect(menu.at(-1)).toMatchObject({ action: { type: 'quit' } });
  });

  it('updates a transfer in place and moves it to the top', () => {
    let state = initialTrayState(true);
    state = recordTransfer(state, { transferId: id(1), updatedAt: 1, direction: 'send', peerName: 'Alice', state: 'waiting' });
    state = recordTransfer(state, { transferId: id(2), updatedAt: 2, peerName: 'Bob', state: 'running', level: 3 });
    state = recordTransfer(state, { transferId: id(1), updatedAt: 3, state: 'running', level: 2, bytes: 2_500_000 });
    expect(state.recent.map((t) => t.transferId)).toEqual([id(1), id(2)]);
    expect(state.recent[0]).toEqual({
      transferId: id(1),
      direction: 'send',
      peerName: 'Alice',
      level: 2,
      state: 'running',
      bytes: 2_500_000,
      updatedAt: 3,
    });
    expect(transferLabel(state.recent[0]!)).toBe('↑ Alice · 2.5 MB · Level 2, not verified · in progress');
    expect(trayTooltip(state)).toBe('Sealdrop — receiving · 2 transfers in progress');
    state = recordTransfer(state, { transferId: id(2), updatedAt: 4, state: 'done' });
    expect(trayTooltip(state)).toBe('Sealdrop — receiving · 1 transfer in progress');
  });

  it('shows no level before the handshake, and cleans names the peer chose', () => {
    const state = recordTransfer(initialTrayState(true), {
      transferId: id(1),
      updatedAt: 1,
      peerName: 'Mallory\u202e\u0007 gpj.exe and a very long name that goes on',
      state: 'refused',
    });
    const label = transferLabel(state.recent[0]!);
    expect(label).toBe('↓ Mallory gpj.exe and a very long… · 0 B · refused');
    expect(transferLabel({ ...state.recent[0]!, peerName: '\u200b' })).toMatch(/^↓ unknown device ·/);
  });
});
