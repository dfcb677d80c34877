import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useId } from 'react';
import { useApi, type OfferView } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { VerifiedIcon } from '../../components/icons';
import { LevelBadge } from '../../components/level-badge';
import { PathChip } from '../../components/path-chip';
import { ErrorAlert } from '../../components/screen';
import { countLabel, formatBytes } from '../../lib/format';
import { useAction } from '../../lib/use-action';

/** Long offers list the first files; the total line always covers all of them. */
const SHOWN_FILES = 100;

export function OfferCard({ offer, downloadFolder }: { readonly offer: OfferView; readonly downloadFolder: string | null }) {
  const api = useApi();
  const announce = useAnnounce();
  const titleId = useId();
  const accept = useAction(() => api.offers.accept(offer.id));
  const decline = useAction(() => api.offers.decline(offer.id));
  const busy = accept.pending || decline.pending;
  const { peer } = offer;
  const shown = offer.files.slice(0, SHOWN_FILES);

  return (
    <Card variant="outlined" component="article" aria-labelledby={titleId} data-offer-id={offer.id} sx={{ borderWidth: 2 }}>
      <CardContent>
        <Typography id={titleId} variant="h6" component="h2">
          {peer.name} wants to send you {countLabel(offer.files.length, offer.directories)}
        </Typography>
        <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography variant="body2" color="text.secondary">
            Device <Box component="span" sx={{ fontFamily: 'monospace' }}>{peer.short}</Box>
          </Typography>
          {peer.verified ? (
            <Chip size="small" color="success" icon={<VerifiedIcon />} label="Verified contact" />
          ) : (
            <Chip size="small" variant="outlined" label={peer.contactId ? 'Contact, not verified' : 'Not a contact'} />
          )}
          <LevelBadge level={offer.level} verifiedBy={peer.verifiedBy} path={offer.path} />
          <PathChip path={offer.path} />
        </Stack>
        {offer.level === 2 && (
          <Alert severity="warning" sx={{ mt: 2 }}>
            This sender could not be verified. The files are encrypted, but an active relay could read them. Accept only
            if you were expecting exactly these files from {peer.name}.
          </Alert>
        )}
        <List dense aria-label={`Files offered by ${peer.name}`} sx={{ maxHeight: 240, overflow: 'auto', mt: 1 }}>
          {shown.map((file) => (
            <ListItem key={file.path} disableGutters>
              <ListItemText primary={file.path} secondary={formatBytes(file.size)} slotProps={{ primary: { sx: { wordBreak: 'break-all' } } }} />
            </ListItem>
          ))}
        </List>
        {offer.files.length > shown.length && (
          <Typography variant="body2">…and {offer.files.length - shown.length} more files.</Typography>
        )}
        <Typography sx={{ mt: 1 }}>
          <strong>Total: {formatBytes(offer.totalBytes)}</strong>
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {downloadFolder ? `Saved to ${downloadFolder}.` : 'Saved to your download folder.'} Each file is checked before it
          is kept.
        </Typography>
        {accept.error && <ErrorAlert error={accept.error} title="Could not accept." />}
        {decline.error && <ErrorAlert error={decline.error} title="Could not decline." />}
      </CardContent>
      <CardActions>
        <Button
          variant="contained"
          disabled={busy}
          onClick={() => void accept.run().then(() => announce(`Receiving from ${peer.name}.`))}
        >
          Accept
        </Button>
        <Button disabled={busy} onClick={() => void decline.run().then(() => announce(`Declined the offer from ${peer.name}.`))}>
          Decline
        </Button>
      </CardActions>
    </Card>
  );
}
