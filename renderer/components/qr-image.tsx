/**
 * A QR code for `text`, drawn by the `qrcode` package's browser build into a data: URL (no network, no canvas left
 * in the page). The CSP must allow `img-src data:` for it.
 */

import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Skeleton from '@mui/material/Skeleton';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';

export interface QrImageProps {
  readonly text: string;
  /** Describes what the code holds, e.g. "QR code of the transfer link". */
  readonly alt: string;
  readonly size?: number;
}

export function QrImage({ text, alt, size = 220 }: QrImageProps) {
  const [state, setState] = useState<{ text: string; url: string } | { text: string; error: true } | null>(null);
  useEffect(() => {
    let live = true;
    // Dark modules on white whatever the theme: scanners expect dark-on-light, and the quiet zone gives contrast.
    QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: size * 2, color: { dark: '#000000', light: '#ffffff' } }).then(
      (url) => live && setState({ text, url }),
      () => live && setState({ text, error: true }),
    );
    return () => {
      live = false;
    };
  }, [text, size]);
  if (!state || state.text !== text) return <Skeleton variant="rectangular" width={size} height={size} aria-label="Drawing QR code" />;
  if ('error' in state) return <Alert severity="error">The QR code could not be drawn; use the link text instead.</Alert>;
  return (
    <Box
      component="img"
      src={state.url}
      alt={alt}
      width={size}
      height={size}
      sx={{ display: 'block', borderRadius: 1, imageRendering: 'pixelated' }}
      data-qr-text={text}
    />
  );
}
