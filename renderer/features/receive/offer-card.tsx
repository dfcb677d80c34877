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

const PEER_STATUS = {
  verified: 'Verified contact',
  seen: 'Contact, not verified',
  keyChanged: 'Key changed',
  new: 'Not a contact',
} as const;

/**
 * Who is offering, in the heading. Only a verified contact is named plainly; any other name was chosen by the sender
 * (or copied from it when the contact was first seen), so it is quoted and labelled, as in the notifications
 * (main/services/notifications.ts) and docs/PROTOCOL.md §5.6.
 */
export function senderLabel(peer: OfferView['peer']): string {
  switch (peer.status) {
    case 'verified':
      return peer.name;
    case 'seen':
      return `Unverified contact “${peer.name}”`;
    case 'keyChanged':
      return `“${peer.name}” (key changed)`;
    case 'new':
      return `New device “${peer.name}”`;
  }
}

export function OfferCard({ offer, downloadDir }: { readonly offer: OfferView; readonly downloadDir: string | null }) {
  const api = useApi();
  const announce = useAnnounce();
  const titleId = useId();
  const accept = useAction(async () => {
    await api.offers.accept(offer.transferId);
    announce(`Receiving from ${offer.peer.name}.`);
  });
  const decline = useAction(async () => {
    await api.offers.decline(offer.transferId);
    announce(`Declined the offer from ${offer.peer.name}.`);
  });
  const busy = accept.pending || decline.pending;
  const { peer } = offer;
  // With the manifest (from this app's session) every file has its size; before it, main's preview names only.
  const listed: readonly { readonly path: string; readonly size: number | null }[] = offer.entries
    ? offer.entries.slice(0, SHOWN_FILES)
    : offer.names.map((path) => ({ path, size: null }));
  const unlisted = offer.files - listed.length;

  return (
    <Card variant="outlined" component="article" aria-labelledby={titleId} data-offer-id={offer.transferId} sx={{ borderWidth: 2 }}>
      <CardContent>
        <Typography id={titleId} variant="h6" component="h2">
          {senderLabel(peer)} wants to send you {countLabel(offer.files, offer.directories)}
        </Typography>
        <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography variant="body2" color="text.secondary">
            Device <Box component="span" sx={{ fontFamily: 'monospace' }}>{peer.short}</Box>
          </Typography>
          <Chip
            size="small"
            color={peer.status === 'verified' ? 'success' : peer.status === 'keyChanged' ? 'error' : 'default'}
            variant={peer.status === 'verified' ? 'filled' : 'outlined'}
            icon={peer.status === 'verified' ? <VerifiedIcon /> : undefined}
            label={PEER_STATUS[peer.status]}
          />
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
          {listed.map((file) => (
            <ListItem key={file.path} disableGutters>
              <ListItemText
                primary={file.path}
                secondary={file.size === null ? undefined : formatBytes(file.size)}
                slotProps={{ primary: { sx: { wordBreak: 'break-all' } } }}
              />
            </ListItem>
          ))}
        </List>
        {unlisted > 0 && (
          <Typography variant="body2">
            …and {unlisted} more {unlisted === 1 ? 'file' : 'files'}.
          </Typography>
        )}
        <Typography sx={{ mt: 1 }}>
          <strong>Total: {formatBytes(offer.bytes)}</strong>
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {downloadDir ? `Saved to ${downloadDir}.` : 'Saved to your download folder.'} Each file is checked before it
          is kept.
        </Typography>
        {accept.error && <ErrorAlert error={accept.error} title="Could not accept." />}
        {decline.error && <ErrorAlert error={decline.error} title="Could not decline." />}
      </CardContent>
      <CardActions>
        <Button variant="contained" disabled={busy} onClick={() => void accept.run()}>
          Accept
        </Button>
        <Button disabled={busy} onClick={() => void decline.run()}>
          Decline
        </Button>
      </CardActions>
    </Card>
  );
}
