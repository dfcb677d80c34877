import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useApi } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { FolderIcon } from '../../components/icons';
import { ErrorAlert, Loaded, Screen } from '../../components/screen';
import { useLiveData, valueOr } from '../../data/live-data';
import { useAction } from '../../lib/use-action';
import { OfferCard } from './offer-card';
import { ReceiveLinkForm } from './receive-link-form';

export function ReceiveScreen() {
  const data = useLiveData();
  const settings = valueOr(data.settings, null);
  return (
    <Screen title="Receive" intro="Offers from other devices appear here. Nothing is received until you accept.">
      <DownloadFolder />
      <Box aria-live="polite" aria-relevant="additions">
        {data.offers.length === 0 ? (
          <Typography sx={{ my: 2 }}>No offers waiting.</Typography>
        ) : (
          <Stack spacing={2} sx={{ my: 2 }}>
            {data.offers.map((offer) => (
              <OfferCard key={offer.transferId} offer={offer} downloadDir={settings?.downloadDir ?? null} />
            ))}
          </Stack>
        )}
      </Box>
      <ReceiveLinkForm />
    </Screen>
  );
}

function DownloadFolder() {
  const api = useApi();
  const data = useLiveData();
  const announce = useAnnounce();
  const change = useAction(async () => {
    const before = valueOr(data.settings, null)?.downloadDir;
    const settings = await api.settings.chooseDownloadDir();
    data.applySettings(settings);
    if (settings.downloadDir !== before) announce(`Files will be saved to ${settings.downloadDir}.`);
  });
  return (
    <Paper variant="outlined" sx={{ p: 2, display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap' }}>
      <FolderIcon color="action" />
      <Box sx={{ flex: 1, minWidth: 200 }}>
        <Typography variant="body2" color="text.secondary" id="download-folder-label">
          Download folder
        </Typography>
        <Loaded loadable={data.settings} what="settings">
          {(settings) => (
            <Typography aria-labelledby="download-folder-label" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
              {settings.downloadDir}
            </Typography>
          )}
        </Loaded>
      </Box>
      <Button onClick={() => void change.run()} disabled={change.pending} aria-label="Change download folder">
        Change…
      </Button>
      {change.error && <ErrorAlert error={change.error} />}
    </Paper>
  );
}
