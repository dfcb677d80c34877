/**
 * The first-contact prompt: when a device becomes a contact without having been verified (the first transfer
 * pinned its key, status 'seen'), offer to compare safety numbers right away — the moment the two people are most
 * likely to be in touch. Not blocking (the transfer that created the contact was already Level 3 through its link),
 * and it stays until answered rather than timing out.
 */

import Button from '@mui/material/Button';
import Snackbar from '@mui/material/Snackbar';
import SnackbarContent from '@mui/material/SnackbarContent';
import { useEffect, useRef, useState } from 'react';
import type { ContactInfo } from '../../api';
import { useLiveData } from '../../data/live-data';
import { useNavigation } from '../../navigation';

export function FirstContactPrompt() {
  const { contacts } = useLiveData();
  const { go } = useNavigation();
  const known = useRef<Set<string> | null>(null);
  const [queue, setQueue] = useState<readonly ContactInfo[]>([]);

  useEffect(() => {
    if (contacts.status !== 'ready') return;
    const previous = known.current;
    known.current = new Set(contacts.value.map((contact) => contact.id));
    if (previous === null) return; // contacts that existed at startup are not new
    const fresh = contacts.value.filter((contact) => !previous.has(contact.id) && contact.status === 'seen');
    if (fresh.length > 0) setQueue((current) => [...current, ...fresh]);
  }, [contacts]);

  const current = queue[0];
  if (!current) return null;
  const dismiss = () => setQueue((list) => list.slice(1));
  return (
    <Snackbar open anchorOrigin={{ vertical: 'bottom', horizontal: 'right' }}>
      <SnackbarContent
        message={`${current.name} is a new contact. Compare safety numbers now, while you are in touch?`}
        action={
          <>
            <Button
              color="inherit"
              onClick={() => {
                dismiss();
                go({ screen: 'verification', contactId: current.id });
              }}
            >
              Verify {current.name}
            </Button>
            <Button color="inherit" onClick={dismiss}>
              Later
            </Button>
          </>
        }
      />
    </Snackbar>
  );
}
