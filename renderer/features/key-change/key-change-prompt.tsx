/**
 * The key-change hard stop (DECISIONS.md 6). When a contact's device presents a key other than the pinned one, main
 * marks the contact 'keyChanged' and refuses transfers with it; this provider makes sure the user is told, with a
 * full-screen dialog that cannot be dismissed by a stray click or Escape.
 *
 * There is deliberately no "accept the new key" button: the only way forward is comparing safety numbers (the
 * verification screen, which pins the new key only when the numbers for THAT key are confirmed). "Not now" closes the
 * dialog and changes nothing — the contact stays blocked, and the dialog returns when the user tries to use the
 * contact or when yet another key appears.
 */

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { ContactInfo } from '../../api';
import { useLiveData, valueOr } from '../../data/live-data';
import { useNavigation } from '../../navigation';
import { KeyChangeDialog } from './key-change-dialog';

interface KeyChangePrompt {
  /** Show the dialog for this contact (e.g. the user picked a blocked contact). No-op unless it is blocked. */
  readonly show: (contactId: string) => void;
}

const KeyChangeContext = createContext<KeyChangePrompt>({ show: () => undefined });

/** Snoozing is per pending key: a further key change shows the dialog again. */
function snoozeKey(contact: ContactInfo): string {
  return `${contact.id}:${contact.pendingKey?.fingerprint ?? ''}:${contact.pendingKey?.seenAt ?? 0}`;
}

export function KeyChangeProvider({ children }: { readonly children: ReactNode }) {
  const data = useLiveData();
  const { go } = useNavigation();
  const [snoozed, setSnoozed] = useState<ReadonlySet<string>>(new Set());
  const [requested, setRequested] = useState<string | null>(null);

  const blocked = valueOr(data.contacts, []).filter((contact) => contact.status === 'keyChanged' && contact.pendingKey);
  const current =
    blocked.find((contact) => contact.id === requested) ?? blocked.find((contact) => !snoozed.has(snoozeKey(contact)));

  const close = useCallback((contact: ContactInfo) => {
    setSnoozed((set) => new Set(set).add(snoozeKey(contact)));
    setRequested(null);
  }, []);

  const show = useCallback((contactId: string) => setRequested(contactId), []);
  const value = useMemo(() => ({ show }), [show]);

  return (
    <KeyChangeContext.Provider value={value}>
      {children}
      {current && (
        <KeyChangeDialog
          key={snoozeKey(current)}
          contact={current}
          onCompare={() => {
            close(current);
            go({ screen: 'verification', contactId: current.id });
          }}
          onNotNow={() => close(current)}
        />
      )}
    </KeyChangeContext.Provider>
  );
}

export function useKeyChangePrompt(): KeyChangePrompt {
  return useContext(KeyChangeContext);
}
