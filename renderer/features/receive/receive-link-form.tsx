import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useApi } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { ErrorAlert } from '../../components/screen';
import { useLiveData } from '../../data/live-data';
import { explainError } from '../../lib/error-text';
import { checkLink } from '../../lib/link-check';
import { useAction } from '../../lib/use-action';
import { useNavigation } from '../../navigation';
import { STATE_TEXT } from '../transfers/transfer-state-text';

/** Receive from a link someone sent: paste it, the app connects, and the offer appears above. */
export function ReceiveLinkForm() {
  const api = useApi();
  const data = useLiveData();
  const announce = useAnnounce();
  const { go } = useNavigation();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [transferId, setTransferId] = useState<string | null>(null);
  const receive = useAction((link: string) => api.transfer.receive(link));
  const transfer = transferId ? data.transfers.find((t) => t.id === transferId) : undefined;

  const submit = async () => {
    const checked = checkLink(text);
    if (!checked.ok) {
      setProblem(explainError(checked.code));
      return;
    }
    if (checked.kind !== 'transfer') {
      setProblem('This is a pairing link, for verifying a contact. Open it from the Verify screen.');
      return;
    }
    setProblem(null);
    const started = await receive.run(checked.text);
    if (!started) return;
    setTransferId(started.transferId);
    setText('');
    announce('Connecting to the sender. Their offer will appear here.');
  };

  return (
    <Box component="section" aria-labelledby="receive-link-title" sx={{ mt: 4 }}>
      <Typography id="receive-link-title" variant="h6" component="h2">
        Receive from a link
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 1 }}>
        A link tells this app exactly which device to expect, so a link you got from the sender gives a Level 3 transfer.
      </Typography>
      <Stack
        direction={{ xs: 'column', sm: 'row' }}
        spacing={1}
        component="form"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
        sx={{ alignItems: 'flex-start' }}
      >
        <TextField
          label="Sealdrop link"
          placeholder="sealdrop://…"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setProblem(null);
          }}
          error={problem !== null}
          helperText={problem ?? ' '}
          fullWidth
          slotProps={{ htmlInput: { spellCheck: false, autoComplete: 'off' } }}
        />
        <Button type="submit" variant="contained" disabled={receive.pending || text.trim() === ''} sx={{ mt: 1, flexShrink: 0 }}>
          {receive.pending ? 'Connecting…' : 'Receive'}
        </Button>
      </Stack>
      {receive.error && <ErrorAlert error={receive.error} title="Could not use this link." />}
      {transfer && (
        <Alert
          severity={transfer.state === 'failed' ? 'error' : 'info'}
          role="status"
          action={
            <Button color="inherit" onClick={() => go({ screen: 'transfers' })}>
              Show
            </Button>
          }
        >
          {STATE_TEXT[transfer.state]}
          {transfer.error && ` ${explainError(transfer.error.code, transfer.error.message)}`}
        </Alert>
      )}
    </Box>
  );
}
