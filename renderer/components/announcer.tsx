/**
 * Screen-reader announcements: two visually hidden live regions (polite and assertive) that every feature writes to
 * through `useAnnounce`. One pair for the whole app, so messages are not lost when the component that raised them
 * unmounts, and regions exist in the page before the first message (a region added with its text is not read).
 */

import Box from '@mui/material/Box';
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

export type Politeness = 'polite' | 'assertive';
type Announce = (message: string, politeness?: Politeness) => void;

/** Hidden from sight, not from assistive technology (the usual clip pattern). */
export const visuallyHidden = {
  border: 0,
  clip: 'rect(0 0 0 0)',
  height: '1px',
  margin: '-1px',
  overflow: 'hidden',
  padding: 0,
  position: 'absolute',
  whiteSpace: 'nowrap',
  width: '1px',
} as const;

const AnnounceContext = createContext<Announce>(() => undefined);

export function AnnouncerProvider({ children }: { readonly children: ReactNode }) {
  const [messages, setMessages] = useState<{ polite: string; assertive: string; n: number }>({ polite: '', assertive: '', n: 0 });
  const announce = useCallback<Announce>((message, politeness = 'polite') => {
    // The counter makes a repeated message a new text node, so it is read again.
    setMessages((current) => ({ ...current, [politeness]: message, n: current.n + 1 }));
  }, []);
  const value = useMemo(() => announce, [announce]);
  return (
    <AnnounceContext.Provider value={value}>
      {children}
      <Box sx={visuallyHidden} aria-live="polite" role="status" data-testid="announce-polite">
        <span key={`p${messages.n}`}>{messages.polite}</span>
      </Box>
      <Box sx={visuallyHidden} aria-live="assertive" role="alert" data-testid="announce-assertive">
        <span key={`a${messages.n}`}>{messages.assertive}</span>
      </Box>
    </AnnounceContext.Provider>
  );
}

export function useAnnounce(): Announce {
  return useContext(AnnounceContext);
}
