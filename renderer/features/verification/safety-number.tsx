import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Skeleton from '@mui/material/Skeleton';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { toApiError, useApi, type ApiError, type ContactInfo, type SafetyNumberInfo } from '../../api';
import { ErrorAlert } from '../../components/screen';

/** "12345 67890 …" → 12 groups of 5; anything else is refused rather than shown wrongly. */
export function groupDigits(digits: string): string[] | null {
  if (!/^\d{60}$/.test(digits)) return null;
  return Array.from({ length: 12 }, (_, i) => digits.slice(i * 5, i * 5 + 5));
}

export function SafetyNumberPanel({
  contact,
  onConfirm,
  busy,
}: {
  readonly contact: ContactInfo;
  readonly onConfirm: (digits: string) => void;
  readonly busy: boolean;
}) {
  const api = useApi();
  const [number, setNumber] = useState<{ view: SafetyNumberInfo } | { error: ApiError } | null>(null);
  const [mismatch, setMismatch] = useState(false);
  const pendingFingerprint = contact.pendingKey?.fingerprint ?? null;

  useEffect(() => {
    let live = true;
    setNumber(null);
    setMismatch(false);
    api.contacts.safetyNumber(contact.id).then(
      (view) => live && setNumber({ view }),
      (error: unknown) => live && setNumber({ error: toApiError(error) }),
    );
    return () => {
      live = false;
    };
    // A new pending key means a new number: reload on the key, not only the contact.
  }, [api, contact.id, contact.fingerprint, pendingFingerprint]);

  if (number === null) return <Skeleton variant="rectangular" height={140} aria-label="Computing the safety number" />;
  if ('error' in number) return <ErrorAlert error={number.error} title="Could not compute the safety number." />;
  const groups = groupDigits(number.view.digits);
  if (!groups) return <Alert severity="error">The safety number is malformed; it cannot be compared.</Alert>;

  return (
    <Box>
      {number.view.key === 'pending' && (
        <Alert severity="warning" sx={{ mb: 2 }}>
          This is the safety number for {contact.name}’s <strong>new</strong> key.
        </Alert>
      )}
      <Box
        component="ol"
        aria-label="Safety number, 12 groups of 5 digits"
        data-testid="safety-number"
        data-digits={number.view.digits}
        sx={{
          listStyle: 'none',
          p: 2,
          m: 0,
          display: 'grid',
          gridTemplateColumns: 'repeat(4, max-content)',
          gap: { xs: 1.5, sm: 2.5 },
          fontFamily: 'monospace',
          fontSize: { xs: '1.2rem', sm: '1.5rem' },
          letterSpacing: '0.08em',
          bgcolor: 'action.hover',
          borderRadius: 1,
          width: 'fit-content',
        }}
      >
        {groups.map((group, i) => (
          <li key={i}>{group}</li>
        ))}
      </Box>
      <Typography sx={{ mt: 2 }}>
        Read the numbers aloud with {contact.name} (in person or on a call where you recognise their voice), or compare
        screens side by side. Every group must match.
      </Typography>
      <Box sx={{ mt: 2, display: 'flex', gap: 1, flexWrap: 'wrap' }}>
        <Button variant="contained" disabled={busy} onClick={() => onConfirm(number.view.digits)}>
          All 60 digits match — mark as verified
        </Button>
        <Button color="error" disabled={busy} onClick={() => setMismatch(true)}>
          They don’t match
        </Button>
      </Box>
      {mismatch && (
        <Alert severity="error" role="alert" sx={{ mt: 2 }}>
          Do not send anything to this device. The key it presents is not the one {contact.name}’s device has, which can
          mean someone is intercepting the connection. Check that you are both looking at each other’s entry, then
          compare again. Nothing was changed.
        </Alert>
      )}
    </Box>
  );
}
