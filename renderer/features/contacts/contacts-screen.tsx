import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActions from '@mui/material/CardActions';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useId, useState } from 'react';
import { useApi, type ContactInfo } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { VerifiedIcon, WarningIcon } from '../../components/icons';
import { ErrorAlert, Loaded, Screen } from '../../components/screen';
import { useLiveData } from '../../data/live-data';
import { formatTime } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { useNavigation } from '../../navigation';
import { useKeyChangePrompt } from '../key-change/key-change-prompt';

export function ContactsScreen() {
  const data = useLiveData();
  return (
    <Screen title="Contacts" intro="Devices you have exchanged files with. Their keys are saved, so a later transfer is Level 3.">
      <Loaded loadable={data.contacts} what="contacts">
        {(contacts) =>
          contacts.length === 0 ? (
            <Typography>No contacts yet. Send or receive with a link and the other device is added here.</Typography>
          ) : (
            <Stack component="ul" spacing={2} aria-label="Contacts" sx={{ listStyle: 'none', p: 0, m: 0 }}>
              {[...contacts]
                .sort((a, b) => a.name.localeCompare(b.name))
                .map((contact) => (
                  <li key={contact.id}>
                    <ContactCard contact={contact} />
                  </li>
                ))}
            </Stack>
          )
        }
      </Loaded>
    </Screen>
  );
}

function StatusChip({ contact }: { readonly contact: ContactInfo }) {
  if (contact.status === 'verified') return <Chip size="small" color="success" icon={<VerifiedIcon />} label="Verified" />;
  if (contact.status === 'keyChanged')
    return <Chip size="small" color="error" icon={<WarningIcon />} label="Key changed: transfers blocked" />;
  return <Chip size="small" variant="outlined" label="Not verified" />;
}

function ContactCard({ contact }: { readonly contact: ContactInfo }) {
  const { go } = useNavigation();
  const keyChange = useKeyChangePrompt();
  const titleId = useId();
  const [removing, setRemoving] = useState(false);
  return (
    <Card variant="outlined" component="article" aria-labelledby={titleId} data-contact-id={contact.id}>
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 1 }}>
          <Typography id={titleId} variant="h6" component="h2">
            {contact.name}
          </Typography>
          <StatusChip contact={contact} />
        </Stack>
        <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
          Key <span style={{ fontFamily: 'monospace' }}>{contact.short}</span> · added {formatTime(contact.addedAt)}
          {contact.verifiedAt !== null && ` · verified ${formatTime(contact.verifiedAt)}`}
        </Typography>
        {contact.pendingKey && (
          <Typography variant="body2" color="error" sx={{ mt: 0.5 }}>
            New key <span style={{ fontFamily: 'monospace' }}>{contact.pendingKey.short}</span> presented{' '}
            {formatTime(contact.pendingKey.seenAt)}, not trusted.
          </Typography>
        )}
      </CardContent>
      <CardActions sx={{ flexWrap: 'wrap' }}>
        {contact.status === 'keyChanged' ? (
          <Button variant="contained" color="error" onClick={() => keyChange.show(contact.id)}>
            Review key change
          </Button>
        ) : (
          <Button onClick={() => go({ screen: 'verification', contactId: contact.id })}>
            {contact.status === 'verified' ? 'Compare again' : 'Verify'}
          </Button>
        )}
        <Button color="error" onClick={() => setRemoving(true)} aria-label={`Remove ${contact.name}`}>
          Remove
        </Button>
      </CardActions>
      {removing && <RemoveDialog contact={contact} onClose={() => setRemoving(false)} />}
    </Card>
  );
}

function RemoveDialog({ contact, onClose }: { readonly contact: ContactInfo; readonly onClose: () => void }) {
  const api = useApi();
  const announce = useAnnounce();
  const remove = useAction(async () => {
    await api.contacts.forget(contact.id);
    return true;
  });
  return (
    <Dialog open onClose={onClose} aria-labelledby="remove-title" aria-describedby="remove-body">
      <DialogTitle id="remove-title">Remove {contact.name}?</DialogTitle>
      <DialogContent>
        <DialogContentText id="remove-body">
          Their saved key is forgotten. The next transfer with this device starts again as a first contact, and you will
          need to verify it again.
        </DialogContentText>
        {remove.error && <ErrorAlert error={remove.error} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} autoFocus>
          Keep
        </Button>
        <Button
          color="error"
          disabled={remove.pending}
          onClick={() =>
            void remove.run().then((removed) => {
              if (!removed) return;
              announce(`${contact.name} removed.`);
              onClose();
            })
          }
        >
          Remove
        </Button>
      </DialogActions>
    </Dialog>
  );
}
