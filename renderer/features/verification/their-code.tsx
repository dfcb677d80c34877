/**
 * The other device's code, three ways: the camera, a screenshot, or a pasted link. Each ends with link text that is
 * checked here for shape only and then handed to main, which accepts it only if it carries the fingerprint of the
 * key being verified.
 */

import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useCallback, useState } from 'react';
import { useAnnounce } from '../../components/announcer';
import { explainError } from '../../lib/error-text';
import { checkLink } from '../../lib/link-check';
import { CameraScanner } from './camera-scanner';
import { decodeQrFromImage } from './qr-decode';
import { ScreenshotInput } from './screenshot-input';

export function TheirCode({ onLink, busy }: { readonly onLink: (link: string) => void; readonly busy: boolean }) {
  const announce = useAnnounce();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const acceptText = useCallback(
    (candidate: string) => {
      const checked = checkLink(candidate);
      if (!checked.ok) {
        const message = explainError(checked.code);
        setProblem(message);
        announce(message, 'assertive');
        return;
      }
      setProblem(null);
      onLink(checked.text);
    },
    [onLink, announce],
  );

  const fromImage = useCallback(
    (image: Blob) => {
      decodeQrFromImage(image).then(
        (decoded) => {
          if (decoded === null) {
            setProblem(explainError('QR_NOT_FOUND'));
            announce(explainError('QR_NOT_FOUND'), 'assertive');
          } else {
            announce('QR code read from the screenshot.');
            acceptText(decoded);
          }
        },
        () => setProblem('That image could not be opened.'),
      );
    },
    [acceptText, announce],
  );

  return (
    <Stack spacing={2}>
      <CameraScanner onText={acceptText} disabled={busy} />
      <ScreenshotInput onImage={fromImage} disabled={busy} />
      <Box
        component="form"
        onSubmit={(event) => {
          event.preventDefault();
          acceptText(text);
        }}
      >
        <Typography sx={{ mb: 1 }}>Or paste the pairing link their app shows:</Typography>
        <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: 'flex-start' }}>
          <TextField
            label="Their pairing link"
            placeholder="sealdrop://…"
            value={text}
            onChange={(event) => setText(event.target.value)}
            fullWidth
            slotProps={{ htmlInput: { spellCheck: false, autoComplete: 'off' } }}
          />
          <Button type="submit" variant="outlined" disabled={busy || text.trim() === ''} sx={{ mt: 1, flexShrink: 0 }}>
            Check link
          </Button>
        </Stack>
      </Box>
      {problem && (
        <Typography color="error" role="alert">
          {problem}
        </Typography>
      )}
    </Stack>
  );
}
