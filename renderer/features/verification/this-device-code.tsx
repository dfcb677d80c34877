import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { toApiError, useApi, type ApiError } from '../../api';
import { CopyField } from '../../components/copy-field';
import { QrImage } from '../../components/qr-image';
import { ErrorAlert } from '../../components/screen';
import { useLiveData } from '../../data/live-data';

/** This device's pairing QR (and link text), for the other person to scan; its short fingerprint to recognise it. */
export function ThisDeviceCode() {
  const api = useApi();
  const { identity } = useLiveData();
  const [link, setLink] = useState<{ text: string } | { error: ApiError } | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    setLink(null);
    api.identity.pairingLink().then(
      (text) => live && setLink({ text }),
      (error: unknown) => live && setLink({ error: toApiError(error) }),
    );
    return () => {
      live = false;
    };
  }, [api, generation]);

  return (
    <Box>
      {identity.status === 'ready' && (
        <Typography sx={{ mb: 1 }}>
          This device: <Box component="span" sx={{ fontFamily: 'monospace' }}>{identity.value.short}</Box> (
          {identity.value.deviceName})
        </Typography>
      )}
      {link === null && <Typography role="status">Preparing this device’s code…</Typography>}
      {link && 'error' in link && (
        <>
          <ErrorAlert error={link.error} title="Could not create this device’s code." />
          <Button onClick={() => setGeneration((n) => n + 1)}>Try again</Button>
        </>
      )}
      {link && 'text' in link && (
        <>
          <QrImage text={link.text} alt="QR code identifying this device, for the other person to scan" />
          <Box sx={{ mt: 2, maxWidth: 480 }}>
            <CopyField label="This device’s pairing link" value={link.text} />
          </Box>
        </>
      )}
    </Box>
  );
}
