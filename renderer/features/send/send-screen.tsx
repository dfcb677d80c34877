import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { useState } from 'react';
import { useApi, type SendTarget } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { ErrorAlert, Loaded, Screen } from '../../components/screen';
import { useLiveData, valueOr } from '../../data/live-data';
import { countLabel } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { useNavigation } from '../../navigation';
import { LinkResult } from './link-result';
import { LINK_CHOICE, RecipientPicker } from './recipient-picker';
import { isFolder, toSendItem, useSendDraft } from './send-draft';
import { StagedList } from './staged-list';

export function SendScreen() {
  const api = useApi();
  const data = useLiveData();
  const draft = useSendDraft();
  const announce = useAnnounce();
  const { go } = useNavigation();
  const [recipient, setRecipient] = useState<string>(LINK_CHOICE);
  const [sent, setSent] = useState<{ transferId: string; link: string | null; to: string } | null>(null);
  const send = useAction((target: SendTarget) => api.transfer.send({ items: draft.items.map(toSendItem), to: target }));

  const contacts = valueOr(data.contacts, []);
  const chosen = contacts.find((contact) => contact.id === recipient);
  // A contact chosen earlier may since have been removed or become blocked; never send to it then.
  const target: SendTarget | null =
    recipient === LINK_CHOICE ? { kind: 'link' } : chosen && chosen.status !== 'keyChanged' ? { kind: 'contact', contactId: chosen.id } : null;
  const folders = draft.items.filter(isFolder).length;
  const what = countLabel(draft.items.length - folders, folders);

  const submit = async () => {
    if (!target || draft.items.length === 0) return;
    const started = await send.run(target);
    if (!started) return;
    setSent({ transferId: started.transferId, link: started.link, to: chosen?.name ?? '' });
    draft.clear();
    announce(started.link ? 'Link created. Copy it or show its QR code to the receiver.' : `Sending to ${chosen?.name ?? 'contact'}.`);
  };

  if (sent?.link) {
    const transfer = data.transfers.find((t) => t.id === sent.transferId);
    return (
      <Screen title="Send">
        <LinkResult link={sent.link} transfer={transfer} onDone={() => setSent(null)} />
      </Screen>
    );
  }

  return (
    <Screen title="Send" intro="Files are encrypted on this device before they leave it, whichever path they take.">
      {sent && (
        <Alert
          severity="success"
          sx={{ mb: 3 }}
          action={
            <Button color="inherit" onClick={() => go({ screen: 'transfers' })}>
              Show
            </Button>
          }
          onClose={() => setSent(null)}
        >
          Sending to {sent.to}. Follow it in Transfers.
        </Alert>
      )}
      <StagedList disabled={send.pending} />
      <Loaded loadable={data.contacts} what="contacts">
        {(list) => <RecipientPicker contacts={list} value={recipient} onChange={setRecipient} disabled={send.pending} />}
      </Loaded>
      {send.error && <ErrorAlert error={send.error} title="Not sent." />}
      <Box sx={{ mt: 3 }}>
        <Button
          variant="contained"
          size="large"
          disabled={send.pending || draft.items.length === 0 || !target}
          onClick={() => void submit()}
        >
          {send.pending
            ? 'Starting…'
            : target?.kind === 'contact'
              ? `Send ${what} to ${chosen?.name ?? ''}`
              : 'Create link'}
        </Button>
        {draft.items.length === 0 && (
          <Box component="span" sx={{ ml: 2, color: 'text.secondary' }}>
            Add files first.
          </Box>
        )}
      </Box>
    </Screen>
  );
}
