/**
 * Scanning the other device's QR code with the camera. The camera is requested only when the user presses "Scan":
 * `camera.startScan` first opens main's camera window (its permission handler grants video, and nothing else, only
 * inside it), then getUserMedia. The preview is shown so the user knows the camera is on, and everything is released
 * — every track stopped, `camera.stopScan` called — as soon as a code is found, the user stops, or the screen closes.
 */

import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '../../api';
import { CameraIcon } from '../../components/icons';
import { explainError } from '../../lib/error-text';
import { decodeQr } from './qr-decode';

type ScanState = { readonly kind: 'idle' } | { readonly kind: 'starting' } | { readonly kind: 'scanning' } | { readonly kind: 'error' };

export function CameraScanner({ onText, disabled }: { readonly onText: (text: string) => void; readonly disabled: boolean }) {
  const api = useApi();
  const [state, setState] = useState<ScanState>({ kind: 'idle' });
  const windowOpen = useRef(false);
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const frame = useRef<number | null>(null);
  const canvas = useRef<HTMLCanvasElement | null>(null);

  const stop = useCallback(() => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    frame.current = null;
    stream.current?.getTracks().forEach((track) => track.stop());
    stream.current = null;
    if (video.current) video.current.srcObject = null;
    if (windowOpen.current) {
      windowOpen.current = false;
      // Best effort: main also closes the window when it times out (`until`).
      api.camera.stopScan().catch(() => undefined);
    }
  }, [api]);

  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      stop();
    };
  }, [stop]);

  const tick = useCallback(() => {
    const element = video.current;
    if (!element || !stream.current) return;
    if (element.readyState >= element.HAVE_CURRENT_DATA && element.videoWidth > 0) {
      canvas.current ??= document.createElement('canvas');
      const text = decodeQr(element, element.videoWidth, element.videoHeight, canvas.current, false);
      if (text !== null) {
        stop();
        setState({ kind: 'idle' });
        onText(text);
        return;
      }
    }
    frame.current = requestAnimationFrame(tick);
  }, [onText, stop]);

  const start = async () => {
    setState({ kind: 'starting' });
    try {
      await api.camera.startScan();
      windowOpen.current = true;
      if (!mounted.current) return stop();
      const media = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      stream.current = media;
      // The screen closed while the camera was starting: release it at once.
      if (!mounted.current) return stop();
      setState({ kind: 'scanning' });
    } catch {
      stop();
      setState({ kind: 'error' });
    }
  };

  // Attach the stream once the video element is rendered for the 'scanning' state.
  useEffect(() => {
    const element = video.current;
    if (state.kind !== 'scanning' || !element || !stream.current) return;
    element.srcObject = stream.current;
    element.play().then(
      () => {
        frame.current = requestAnimationFrame(tick);
      },
      () => {
        stop();
        setState({ kind: 'error' });
      },
    );
  }, [state.kind, tick, stop]);

  return (
    <Box>
      {state.kind !== 'scanning' && (
        <Button
          variant="outlined"
          startIcon={<CameraIcon />}
          onClick={() => void start()}
          disabled={disabled || state.kind === 'starting'}
        >
          {state.kind === 'starting' ? 'Starting camera…' : 'Scan with camera'}
        </Button>
      )}
      {state.kind === 'scanning' && (
        <Box>
          <Typography role="status" sx={{ mb: 1 }}>
            Camera on. Point it at the QR code on the other screen.
          </Typography>
          <Box
            component="video"
            ref={video}
            muted
            playsInline
            aria-label="Camera view"
            sx={{ width: '100%', maxWidth: 360, borderRadius: 1, bgcolor: 'black', display: 'block' }}
          />
          <Button
            sx={{ mt: 1 }}
            onClick={() => {
              stop();
              setState({ kind: 'idle' });
            }}
          >
            Stop camera
          </Button>
        </Box>
      )}
      {state.kind === 'error' && (
        <Alert severity="error" role="alert" sx={{ mt: 1 }}>
          {explainError('CAMERA_DENIED')}
        </Alert>
      )}
    </Box>
  );
}
