import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useApi, type ContactInfo, type VerifyRequest } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { Loaded, Screen, ErrorAlert } from '../../components/screen';
import { useLiveData } from '../../data/live-data';
import { formatTime } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { useNavigation } from '../../navigation';
import { SafetyNumberPanel } from './safety-number';
import { TheirCode } from './their-code';
import { ThisDeviceCode } from './this-device-code';

const STATUS_LABEL = { seen: 'Not verified', verified: 'Verified', keyChanged: 'Key changed' } as const;

export function VerificationScreen() {
  const data = useLiveData();
  const { route, go } = useNavigation();
  return (
    <Screen
      title="Verify"
      intro="Verifying makes sure a contact’s device is really theirs and not someone in between. Do it once per device, and again if its key changes."
    >
      <Loaded loadable={data.contacts} what="contacts">
        {(contacts) => {
          const contact = contacts.find((c) => c.id === route.contactId);
          if (route.contactId && !contact) {
            return <Alert severity="info">That contact no longer exists.</Alert>;
          }
          return contact ? (
            <VerifyContact contact={contact} onBack={() => go({ screen: 'verification' })} />
          ) : (
            <ChooseContact contacts={contacts} onChoose={(id) => go({ screen: 'verification', contactId: id })} />
          );
        }}
      </Loaded>
    </Screen>
  );
}

function ChooseContact({ contacts, onChoose }: { readonly contacts: readonly ContactInfo[]; readonly onChoose: (id: string) => void }) {
  const order = { keyChanged: 0, seen: 1, verified: 2 } as const;
  const sorted = [...contacts].sort((a, b) => order[a.status] - order[b.status] || a.name.localeCompare(b.name));
  return (
    <>
      <Typography variant="h6" component="h2">
        Choose a contact to verify
      </Typography>
      {sorted.length === 0 ? (
        <Typography sx={{ my: 2 }}>
          No contacts yet. A contact is added after your first transfer with someone.
        </Typography>
      ) : (
        <List aria-label="Contacts">
          {sorted.map((contact) => (
            <ListItemButton key={contact.id} onClick={() => onChoose(contact.id)}>
              <ListItemText primary={contact.name} secondary={contact.short} slotProps={{ secondary: { sx: { fontFamily: 'monospace' } } }} />
              <Chip
                size="small"
                label={STATUS_LABEL[contact.status]}
                color={contact.status === 'verified' ? 'success' : contact.status === 'keyChanged' ? 'error' : 'default'}
              />
            </ListItemButton>
          ))}
        </List>
      )}
      <Divider sx={{ my: 3 }} />
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 3 }}>
        <Paper variant="outlined" sx={{ p: 3 }} component="section" aria-labelledby="pair-title">
          <Typography id="pair-title" variant="h6" component="h2" gutterBottom>
            Add a device by its code
          </Typography>
          <Typography color="text.secondary" sx={{ mb: 2 }}>
            Scan the code shown on the other device (Verify → This device’s code). It becomes a verified contact.
          </Typography>
          <PairNewDevice onPaired={onChoose} />
        </Paper>
        <Paper variant="outlined" sx={{ p: 3 }} component="section" aria-labelledby="mine-title">
          <Typography id="mine-title" variant="h6" component="h2" gutterBottom>
            This device’s code
          </Typography>
          <ThisDeviceCode />
        </Paper>
      </Box>
    </>
  );
}

function PairNewDevice({ onPaired }: { readonly onPaired: (contactId: string) => void }) {
  const api = useApi();
  const announce = useAnnounce();
  const pair = useAction(async (link: string) => {
    const contact = await api.contacts.pair(link);
    announce(`${contact.name} added.`);
    onPaired(contact.id);
  });
  return (
    <>
      <TheirCode busy={pair.pending} onLink={(link) => void pair.run(link)} />
      {pair.error && <ErrorAlert error={pair.error} title="Not added." />}
    </>
  );
}

function VerifyContact({ contact, onBack }: { readonly contact: ContactInfo; readonly onBack: () => void }) {
  const api = useApi();
  const announce = useAnnounce();
  const [done, setDone] = useState(false);
  const verify = useAction(async (request: VerifyRequest) => {
    await api.contacts.verify(request);
    setDone(true);
    announce(`${contact.name} is verified. Transfers with ${contact.name} are Level 3.`);
  });
  const blocked = contact.status === 'keyChanged';

  return (
    <>
      <Button onClick={onBack} sx={{ mb: 2 }}>
        ← All contacts
      </Button>
      <Typography variant="h5" component="h2" gutterBottom>
        {contact.name}
      </Typography>
      {done && contact.status === 'verified' && (
        <Alert severity="success" sx={{ mb: 2 }}>
          {contact.name} is verified.
        </Alert>
      )}
      {!done && contact.status === 'verified' && contact.verifiedAt !== null && (
        <Alert severity="success" sx={{ mb: 2 }}>
          Verified on {formatTime(contact.verifiedAt)}. You can compare again at any time.
        </Alert>
      )}
      {blocked && (
        <Alert severity="error" sx={{ mb: 2 }}>
          {contact.name}’s key changed. Transfers are blocked until you verify the new key below.
        </Alert>
      )}
      {verify.error && (
        <ErrorAlert
          error={
            verify.error.code === 'IDENTITY_MISMATCH'
              ? { code: verify.error.code, message: '' }
              : verify.error
          }
          title={verify.error.code === 'IDENTITY_MISMATCH' ? 'That code belongs to a different device.' : 'Not verified.'}
        />
      )}
      <Paper variant="outlined" sx={{ p: 3, mb: 3 }} component="section" aria-labelledby="compare-title">
        <Typography id="compare-title" variant="h6" component="h3" gutterBottom>
          Compare safety numbers
        </Typography>
        <SafetyNumberPanel
          contact={contact}
          busy={verify.pending}
          onConfirm={(digits) => void verify.run({ id: contact.id, method: 'safety-number', digits })}
        />
      </Paper>
      <Box sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr', md: '1fr 1fr' }, gap: 3 }}>
        <Paper variant="outlined" sx={{ p: 3 }} component="section" aria-labelledby="scan-title">
          <Typography id="scan-title" variant="h6" component="h3" gutterBottom>
            Or scan {contact.name}’s code
          </Typography>
          <Typography color="text.secondary" sx={{ mb: 2 }}>
            On {contact.name}’s device, open Verify → This device’s code.
          </Typography>
          <TheirCode busy={verify.pending} onLink={(link) => void verify.run({ id: contact.id, method: 'qr', link })} />
        </Paper>
        <Paper variant="outlined" sx={{ p: 3 }} component="section" aria-labelledby="mine-code-title">
          <Typography id="mine-code-title" variant="h6" component="h3" gutterBottom>
            Let {contact.name} scan yours
          </Typography>
          <ThisDeviceCode />
        </Paper>
      </Box>
    </>
  );
}
