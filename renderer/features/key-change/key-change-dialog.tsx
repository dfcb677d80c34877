import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useId } from 'react';
import type { ContactInfo } from '../../api';
import { KeyIcon, WarningIcon } from '../../components/icons';
import { formatTime } from '../../lib/format';

export interface KeyChangeDialogProps {
  readonly contact: ContactInfo;
  readonly onCompare: () => void;
  readonly onNotNow: () => void;
}

function Fingerprint({ label, short, note }: { readonly label: string; readonly short: string; readonly note: string }) {
  return (
    <Box role="group" aria-label={label} sx={{ p: 2, border: 1, borderColor: 'divider', borderRadius: 1, minWidth: 240 }}>
      <Typography variant="body2" color="text.secondary">
        {label}
      </Typography>
      <Typography sx={{ fontFamily: 'monospace', fontSize: '1.25rem', letterSpacing: 1 }}>{short}</Typography>
      <Typography variant="caption" color="text.secondary">
        {note}
      </Typography>
    </Box>
  );
}

/** Full screen, and only the two buttons close it: Escape and backdrop clicks are ignored on purpose. */
export function KeyChangeDialog({ contact, onCompare, onNotNow }: KeyChangeDialogProps) {
  const titleId = useId();
  const bodyId = useId();
  const name = contact.name;
  const pending = contact.pendingKey;
  return (
    <Dialog
      open
      fullScreen
      // Escape and backdrop clicks both arrive here; neither closes it.
      onClose={() => undefined}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      data-testid="key-change-dialog"
      slotProps={{ paper: { role: 'alertdialog' } }}
    >
      <DialogTitle id={titleId} component="h1" variant="h4" sx={{ display: 'flex', gap: 1.5, alignItems: 'center', pt: 4 }}>
        <WarningIcon color="error" fontSize="large" />
        {name}’s security key has changed
      </DialogTitle>
      <DialogContent>
        <Box id={bodyId} sx={{ maxWidth: 720 }}>
          <Typography sx={{ fontWeight: 600 }} gutterBottom>
            Sending and receiving with {name} is blocked until you check the new key.
          </Typography>
          <Typography component="h2" variant="h6" sx={{ mt: 3 }}>
            What happened
          </Typography>
          <Typography sx={{ mb: 2 }}>
            A device calling itself {name} connected with a different key from the one you saved for {name}
            {pending ? ` (seen ${formatTime(pending.seenAt)})` : ''}. Usually this is harmless: {name} reinstalled Sealdrop
            or started using a new device. But it is also exactly what you would see if someone were intercepting the
            connection and pretending to be {name}. From here, there is no way to tell which.
          </Typography>
          <Typography component="h2" variant="h6" sx={{ mt: 2 }}>
            What to do
          </Typography>
          <Typography sx={{ mb: 2 }}>
            Compare safety numbers with {name} in person, or on a call where you recognise their voice — not by a message
            sent through this app. If the numbers match, {name}’s new key is saved and transfers work again.
          </Typography>
        </Box>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ mt: 2 }} aria-label="Keys">
          <Fingerprint label="Key you saved" short={contact.short} note="Used until now" />
          <Fingerprint label="New key presented" short={pending?.short ?? 'unknown'} note="Not trusted" />
        </Stack>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          These short codes help you recognise a key. They are not enough to verify one; the safety number is.
        </Typography>
      </DialogContent>
      <DialogActions sx={{ justifyContent: 'flex-start', px: 3, pb: 4, gap: 1, flexWrap: 'wrap' }}>
        <Button variant="contained" size="large" startIcon={<KeyIcon />} onClick={onCompare} autoFocus>
          Compare safety numbers
        </Button>
        <Button size="large" onClick={onNotNow} aria-describedby={`${titleId}-notnow`}>
          Not now
        </Button>
        <Typography id={`${titleId}-notnow`} variant="body2" color="text.secondary">
          {name} stays blocked.
        </Typography>
      </DialogActions>
    </Dialog>
  );
}
