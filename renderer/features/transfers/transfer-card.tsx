import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useId } from 'react';
import { useApi, type TransferView } from '../../api';
import { ErrorAlert } from '../../components/screen';
import { LevelBadge } from '../../components/level-badge';
import { PathChip } from '../../components/path-chip';
import { formatBytes, formatDuration, formatRate, formatTime } from '../../lib/format';
import { etaSeconds } from '../../lib/rate';
import { useAction } from '../../lib/use-action';
import { useNavigation } from '../../navigation';
import { STATE_LABEL, STATE_TEXT, TERMINAL_STATES } from './transfer-state-text';

function title(transfer: TransferView): string {
  const who = transfer.peer?.name;
  if (transfer.direction === 'send') return who ? `To ${who}` : 'By link';
  return who ? `From ${who}` : 'From a link';
}

function filesSummary(transfer: TransferView): string {
  const [first, ...rest] = transfer.files;
  if (!first) return formatBytes(transfer.totalBytes);
  const names = rest.length === 0 ? first.path : `${first.path} and ${rest.length} more`;
  return `${names} · ${formatBytes(transfer.totalBytes)}`;
}

export function TransferCard({ transfer, rate }: { readonly transfer: TransferView; readonly rate: number | null }) {
  const api = useApi();
  const { go } = useNavigation();
  const titleId = useId();
  const cancel = useAction(() => api.transfer.cancel(transfer.id));
  const resume = useAction(() => api.transfer.resume(transfer.id));
  const terminal = TERMINAL_STATES.has(transfer.state);
  const fraction = transfer.totalBytes > 0 ? Math.min(1, transfer.bytesDone / transfer.totalBytes) : transfer.state === 'complete' ? 1 : 0;
  const percent = Math.floor(fraction * 100);
  const indeterminate = transfer.state === 'connecting' || transfer.state === 'waiting';
  const eta = transfer.state === 'transferring' ? etaSeconds(transfer.totalBytes, transfer.bytesDone, rate) : null;
  const label = title(transfer);
  const peer = transfer.peer;

  return (
    <Card variant="outlined" component="article" aria-labelledby={titleId} data-transfer-id={transfer.id} data-state={transfer.state}>
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography id={titleId} variant="h6" component="h2" sx={{ mr: 1 }}>
            {label}
          </Typography>
          <Chip
            size="small"
            label={STATE_LABEL[transfer.state]}
            color={transfer.state === 'complete' ? 'success' : transfer.state === 'failed' ? 'error' : 'default'}
          />
          {transfer.level !== null && <LevelBadge level={transfer.level} verifiedBy={peer?.verifiedBy} path={transfer.path} />}
          {transfer.path && <PathChip path={transfer.path} />}
        </Stack>
        {peer && (
          <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
            Device <Box component="span" sx={{ fontFamily: 'monospace' }}>{peer.short}</Box>
            {peer.verified ? ' · verified contact' : ' · not verified'}
          </Typography>
        )}
        <Typography sx={{ mt: 1 }}>{filesSummary(transfer)}</Typography>
        <Box sx={{ mt: 1.5 }}>
          <LinearProgress
            variant={indeterminate ? 'indeterminate' : 'determinate'}
            value={percent}
            color={transfer.state === 'failed' ? 'error' : transfer.state === 'complete' ? 'success' : 'primary'}
            aria-label={`${label}: progress`}
            aria-valuetext={
              indeterminate ? STATE_TEXT[transfer.state] : `${percent}%, ${formatBytes(transfer.bytesDone)} of ${formatBytes(transfer.totalBytes)}`
            }
          />
          <Stack direction="row" spacing={2} sx={{ mt: 0.5, flexWrap: 'wrap' }}>
            <Typography variant="body2">
              {formatBytes(transfer.bytesDone)} of {formatBytes(transfer.totalBytes)} ({percent}%)
            </Typography>
            {transfer.state === 'transferring' && (
              <>
                <Typography variant="body2">Speed: {rate === null ? 'measuring…' : formatRate(rate)}</Typography>
                <Typography variant="body2">Time left: {eta === null ? 'estimating…' : formatDuration(eta)}</Typography>
              </>
            )}
          </Stack>
        </Box>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          {STATE_TEXT[transfer.state]} Started {formatTime(transfer.startedAt)}.
          {transfer.destination && ` Saving to ${transfer.destination}.`}
        </Typography>
        {transfer.level === 2 && !terminal && (
          <Alert severity="warning" sx={{ mt: 1 }}>
            This device is not verified. An active relay could read this transfer.
          </Alert>
        )}
        {transfer.state === 'interrupted' && (
          <Alert severity={transfer.resumable ? 'info' : 'warning'} sx={{ mt: 1 }}>
            {transfer.resumable
              ? 'Files already received and checked are kept. Resume to continue from where it stopped.'
              : 'This transfer cannot be resumed; start it again.'}
          </Alert>
        )}
        {transfer.error && transfer.state !== 'cancelled' && <ErrorAlert error={transfer.error} />}
        {cancel.error && <ErrorAlert error={cancel.error} title="Could not cancel." />}
        {resume.error && <ErrorAlert error={resume.error} title="Could not resume." />}
      </CardContent>
      <CardActions>
        {transfer.state === 'interrupted' && transfer.resumable && (
          <Button variant="contained" onClick={() => void resume.run()} disabled={resume.pending} aria-label={`Resume: ${label}`}>
            Resume
          </Button>
        )}
        {!terminal && (
          <Button color="error" onClick={() => void cancel.run()} disabled={cancel.pending} aria-label={`Cancel: ${label}`}>
            Cancel
          </Button>
        )}
        {peer?.contactId && !peer.verified && (
          <Button onClick={() => go({ screen: 'verification', contactId: peer.contactId ?? undefined })}>
            Verify {peer.name}
          </Button>
        )}
      </CardActions>
    </Card>
  );
}
