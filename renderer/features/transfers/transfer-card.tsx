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
import { useApi, type ContactInfo, type TransferView } from '../../api';
import { LevelBadge } from '../../components/level-badge';
import { PathChip } from '../../components/path-chip';
import { ErrorAlert } from '../../components/screen';
import { formatBytes, formatDuration, formatRate, formatTime } from '../../lib/format';
import { etaSeconds } from '../../lib/rate';
import { useAction } from '../../lib/use-action';
import { useNavigation } from '../../navigation';
import { STATE_LABEL, STATE_TEXT, TERMINAL_STATES } from './transfer-state-text';

function title(transfer: TransferView, name: string | null): string {
  if (transfer.direction === 'send') return name ? `To ${name}` : 'By link';
  return name ? `From ${name}` : 'From a link';
}

function filesSummary(transfer: TransferView): string {
  const count = transfer.files ?? transfer.names.length;
  const [first] = transfer.names;
  const size = transfer.totalBytes === null ? '' : ` · ${formatBytes(transfer.totalBytes)}`;
  if (!first) return count > 0 ? `${count} ${count === 1 ? 'file' : 'files'}${size}` : size.slice(3);
  return (count > 1 ? `${first} and ${count - 1} more` : first) + size;
}

export function TransferCard({
  transfer,
  contact,
  rate,
}: {
  readonly transfer: TransferView;
  /** The contact this transfer is with, when it is one (looked up by the caller). */
  readonly contact: ContactInfo | undefined;
  readonly rate: number | null;
}) {
  const api = useApi();
  const { go } = useNavigation();
  const titleId = useId();
  const cancel = useAction(() => api.transfer.cancel(transfer.id));
  const openFolder = useAction(() => api.transfer.openFolder(transfer.id));
  const terminal = TERMINAL_STATES.has(transfer.state);
  const peer = transfer.peer;
  const name = contact?.name ?? peer?.name ?? null;
  const short = contact?.short ?? peer?.short ?? null;
  const verified = contact ? contact.status === 'verified' : peer?.status === 'verified';
  const total = transfer.totalBytes;
  const fraction = total !== null && total > 0 ? Math.min(1, transfer.bytesDone / total) : transfer.state === 'complete' ? 1 : 0;
  const percent = Math.floor(fraction * 100);
  const indeterminate = !terminal && (total === null || transfer.state === 'connecting' || transfer.state === 'waiting');
  const eta = transfer.state === 'transferring' && total !== null ? etaSeconds(total, transfer.bytesDone, rate) : null;
  const label = title(transfer, name);
  const reconnecting = transfer.state === 'connecting' && transfer.resumedFrom !== null;

  return (
    <Card variant="outlined" component="article" aria-labelledby={titleId} data-transfer-id={transfer.id} data-state={transfer.state}>
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography id={titleId} variant="h6" component="h2" sx={{ mr: 1 }}>
            {label}
          </Typography>
          <Chip
            size="small"
            label={reconnecting ? 'Reconnecting' : STATE_LABEL[transfer.state]}
            color={transfer.state === 'complete' ? 'success' : transfer.state === 'failed' ? 'error' : 'default'}
          />
          {transfer.level !== null ? (
            <LevelBadge level={transfer.level} verifiedBy={peer?.verifiedBy ?? undefined} path={transfer.path} />
          ) : (
            !terminal && <Chip size="small" variant="outlined" label="Level: not known yet" />
          )}
          {transfer.path && <PathChip path={transfer.path} />}
        </Stack>
        {short && (
          <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
            Device <Box component="span" sx={{ fontFamily: 'monospace' }}>{short}</Box>
            {verified ? ' · verified contact' : ' · not verified'}
          </Typography>
        )}
        <Typography sx={{ mt: 1, wordBreak: 'break-all' }}>{filesSummary(transfer)}</Typography>
        <Box sx={{ mt: 1.5 }}>
          <LinearProgress
            variant={indeterminate ? 'indeterminate' : 'determinate'}
            value={percent}
            color={transfer.state === 'failed' ? 'error' : transfer.state === 'complete' ? 'success' : 'primary'}
            aria-label={`${label}: progress`}
            aria-valuetext={
              indeterminate || total === null
                ? STATE_TEXT[transfer.state]
                : `${percent}%, ${formatBytes(transfer.bytesDone)} of ${formatBytes(total)}`
            }
          />
          <Stack direction="row" spacing={2} sx={{ mt: 0.5, flexWrap: 'wrap' }}>
            {total !== null && (
              <Typography variant="body2">
                {formatBytes(transfer.bytesDone)} of {formatBytes(total)} ({percent}%)
              </Typography>
            )}
            {transfer.state === 'transferring' && (
              <>
                <Typography variant="body2">Speed: {rate === null ? 'measuring…' : formatRate(rate)}</Typography>
                <Typography variant="body2">Time left: {eta === null ? 'estimating…' : formatDuration(eta)}</Typography>
              </>
            )}
          </Stack>
        </Box>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          {reconnecting ? 'The connection was lost; reconnecting…' : STATE_TEXT[transfer.state]} Started{' '}
          {formatTime(transfer.startedAt)}.
        </Typography>
        {transfer.resumedFrom !== null && !terminal && (
          <Alert severity="info" sx={{ mt: 1 }}>
            Resumed after the connection was lost: the {formatBytes(transfer.resumedFrom)} already checked were kept.
          </Alert>
        )}
        {transfer.level === 2 && !terminal && (
          <Alert severity="warning" sx={{ mt: 1 }}>
            This device is not verified. The transfer is encrypted, but an active relay could read it.
          </Alert>
        )}
        {transfer.error && transfer.state !== 'cancelled' && <ErrorAlert error={transfer.error} />}
        {cancel.error && <ErrorAlert error={cancel.error} title="Could not cancel." />}
        {openFolder.error && <ErrorAlert error={openFolder.error} title="Could not open the folder." />}
      </CardContent>
      <CardActions sx={{ flexWrap: 'wrap' }}>
        {!terminal && (
          <Button color="error" onClick={() => void cancel.run()} disabled={cancel.pending} aria-label={`Cancel: ${label}`}>
            Cancel
          </Button>
        )}
        {transfer.direction === 'receive' && transfer.state === 'complete' && (
          <Button onClick={() => void openFolder.run()} disabled={openFolder.pending}>
            Show in folder
          </Button>
        )}
        {contact && contact.status !== 'verified' && (
          <Button onClick={() => go({ screen: 'verification', contactId: contact.id })}>Verify {contact.name}</Button>
        )}
      </CardActions>
    </Card>
  );
}
