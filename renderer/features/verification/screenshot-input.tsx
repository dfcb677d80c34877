/**
 * The other device's QR code from a screenshot: pasted (anywhere on the screen), dropped on the zone, or chosen.
 * The zone takes its own drops (data-local-drop), so a screenshot dropped here is not staged for sending.
 */

import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, useState, type DragEvent } from 'react';

export function ScreenshotInput({ onImage, disabled }: { readonly onImage: (image: Blob) => void; readonly disabled: boolean }) {
  const picker = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      if (disabled) return;
      const image = Array.from(event.clipboardData?.files ?? []).find((file) => file.type.startsWith('image/'));
      if (!image) return; // text pastes go to whatever field has focus
      event.preventDefault();
      onImage(image);
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [onImage, disabled]);

  const stopDrag = (event: DragEvent) => {
    event.preventDefault();
    event.stopPropagation();
  };

  return (
    <Box
      data-local-drop
      data-testid="screenshot-drop"
      role="group"
      aria-label="Screenshot of their QR code"
      onDragEnter={(event) => {
        stopDrag(event);
        setOver(true);
      }}
      onDragOver={stopDrag}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        stopDrag(event);
        setOver(false);
        const image = Array.from(event.dataTransfer.files).find((file) => file.type.startsWith('image/'));
        if (image && !disabled) onImage(image);
      }}
      sx={{
        border: 2,
        borderStyle: 'dashed',
        borderColor: over ? 'primary.main' : 'divider',
        borderRadius: 1,
        p: 2,
        bgcolor: over ? 'action.hover' : 'transparent',
      }}
    >
      <Typography sx={{ mb: 1 }}>Paste a screenshot of their QR code (Ctrl+V or ⌘V), drop it here, or</Typography>
      <Button variant="outlined" onClick={() => picker.current?.click()} disabled={disabled}>
        Choose screenshot…
      </Button>
      <input
        ref={picker}
        type="file"
        accept="image/*"
        hidden
        aria-hidden
        tabIndex={-1}
        data-testid="screenshot-picker"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) onImage(file);
        }}
      />
    </Box>
  );
}
