import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { TransferView } from '../../api';
import { CopyField } from '../../components/copy-field';
import { QrImage } from '../../components/qr-image';
import { useNavigation } from '../../navigation';
import { STATE_TEXT } from '../transfers/transfer-state-text';

/** The link for a transfer waiting to be picked up: text with a copy button, its QR code, and its live state. */
export function LinkResult({ link, transfer, onDone }: { readonly link: string; readonly transfer: TransferView | undefined; readonly onDone: () => void }) {
  const { go } = useNavigation();
  return (
    <Paper variant="outlined" sx={{ p: 3, mt: 3 }} component="section" aria-labelledby="link-title">
      <Typography id="link-title" variant="h6" component="h2">
        Your link is ready
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        Give it to the person receiving, over a channel you trust (in person, or a chat you know is theirs). Anyone who
        has this link can receive the files, once; it also tells their app exactly which device to expect, so the
        transfer is Level 3 for them.
      </Typography>
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={3} sx={{ alignItems: 'flex-start' }}>
        <QrImage text={link} alt="QR code of the transfer link" />
        <Box sx={{ flex: 1, width: '100%' }}>
          <CopyField label="Transfer link" value={link} />
          <Alert severity="info" sx={{ mt: 2 }} role="status" aria-live="polite">
            {transfer ? STATE_TEXT[transfer.state] : 'Waiting for the receiver…'}
          </Alert>
          <Stack direction="row" spacing={1} sx={{ mt: 2 }}>
            <Button variant="outlined" onClick={() => go({ screen: 'transfers' })}>
              Show in Transfers
            </Button>
            <Button onClick={onDone}>Send something else</Button>
          </Stack>
        </Box>
      </Stack>
    </Paper>
  );
}
