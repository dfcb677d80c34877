import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { toApiError, useApi, type ApiError } from '../../api';
import { CopyField } from '../../components/copy-field';
import { QrImage } from '../../components/qr-image';
import { ErrorAlert } from '../../components/screen';
import { useLiveData } from '../../data/live-data';
import { formatTime } from '../../lib/format';

type CodeState = { readonly link: string; readonly expiresAt: number } | { readonly error: ApiError } | null;

/**
 * This device's pairing QR (and link text), for the other person to scan, with its short fingerprint to recognise
 * it. A pairing link expires; a fresh one is fetched when it does, so the QR on screen is always usable.
 */
export function ThisDeviceCode() {
  const api = useApi();
  const { identity } = useLiveData();
  const [code, setCode] = useState<CodeState>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setCode(null);
    api.identity.pairingLink().then(
      (result) => {
        if (!live) return;
        setCode(result);
        // setTimeout's limit is 2^31-1 ms; a link lasting longer than ~24 days does not need a timer at all.
        const wait = result.expiresAt - Date.now();
        if (wait < 2 ** 31 - 1) timer = setTimeout(() => setGeneration((n) => n + 1), Math.max(1000, wait));
      },
      (error: unknown) => live && setCode({ error: toApiError(error) }),
    );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, generation]);

  return (
    <Box>
      {identity.status === 'ready' && (
        <Typography sx={{ mb: 1 }}>
          This device: <Box component="span" sx={{ fontFamily: 'monospace' }}>{identity.value.short}</Box> (
          {identity.value.name})
        </Typography>
      )}
      {code === null && <Typography role="status">Preparing this device’s code…</Typography>}
      {code && 'error' in code && (
        <>
          <ErrorAlert error={code.error} title="Could not create this device’s code." />
          <Button onClick={() => setGeneration((n) => n + 1)}>Try again</Button>
        </>
      )}
      {code && 'link' in code && (
        <>
          <QrImage text={code.link} alt="QR code identifying this device, for the other person to scan" />
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            Valid until {formatTime(code.expiresAt)}; a new code appears after that.
          </Typography>
          <Box sx={{ mt: 2, maxWidth: 480 }}>
            <CopyField label="This device’s pairing link" value={code.link} />
          </Box>
        </>
      )}
    </Box>
  );
}
