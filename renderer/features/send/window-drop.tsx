/**
 * Drop files and folders anywhere on the window. The overlay is only a picture (pointer-events: none): the window
 * itself receives the drag events, so whatever is under the pointer cannot swallow the drop, and the default of
 * navigating to a dropped file never happens.
 *
 * A feature that takes drops of its own (the verification screen's screenshot zone) marks its element with
 * `data-local-drop` and stops the events there; the overlay hides while the pointer is over such an element.
 */

import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { useAnnounce } from '../../components/announcer';
import { UploadIcon } from '../../components/icons';
import { countLabel } from '../../lib/format';
import { useNavigation } from '../../navigation';
import { dragHasFiles, itemsFromDataTransfer } from './dropped-files';
import { isFolder, useSendDraft } from './send-draft';

function overLocalZone(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('[data-local-drop]') !== null;
}

export function WindowDropTarget({ disabled = false }: { readonly disabled?: boolean }) {
  const [dragging, setDragging] = useState(false);
  const [local, setLocal] = useState(false);
  const draft = useSendDraft();
  const { go } = useNavigation();
  const announce = useAnnounce();

  useEffect(() => {
    let depth = 0;
    const reset = () => {
      depth = 0;
      setDragging(false);
      setLocal(false);
    };
    const onEnter = (event: DragEvent) => {
      if (!dragHasFiles(event.dataTransfer)) return;
      depth++;
      setDragging(true);
    };
    const onLeave = (event: DragEvent) => {
      if (!dragHasFiles(event.dataTransfer)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0 || event.relatedTarget === null) reset();
    };
    const onOverCapture = (event: DragEvent) => setLocal(overLocalZone(event.target));
    const onOver = (event: DragEvent) => {
      // Always prevent the default, files or not: an unhandled drop would navigate the window.
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
    };
    const onDrop = (event: DragEvent) => {
      event.preventDefault();
      if (disabled || !event.dataTransfer || !dragHasFiles(event.dataTransfer)) return;
      const items = itemsFromDataTransfer(event.dataTransfer);
      if (items.length === 0) return;
      const added = draft.add(items);
      go({ screen: 'send' });
      const folders = items.filter(isFolder).length;
      announce(
        added === 0
          ? 'Those items are already in the list to send.'
          : `${countLabel(items.length - folders, folders)} added. Choose who to send to.`,
      );
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('dragover', onOverCapture, true);
    window.addEventListener('dragover', onOver);
    window.addEventListener('drop', reset, true);
    window.addEventListener('dragend', reset);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('dragover', onOverCapture, true);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('drop', reset, true);
      window.removeEventListener('dragend', reset);
      window.removeEventListener('drop', onDrop);
    };
  }, [draft, go, announce, disabled]);

  if (!dragging || local || disabled) return null;
  return (
    <Box
      aria-hidden
      data-testid="drop-overlay"
      sx={{
        position: 'fixed',
        inset: 0,
        zIndex: (theme) => theme.zIndex.modal + 1,
        pointerEvents: 'none',
        display: 'grid',
        placeItems: 'center',
        bgcolor: (theme) => (theme.palette.mode === 'dark' ? 'rgba(0,0,0,0.6)' : 'rgba(255,255,255,0.7)'),
        border: (theme) => `4px dashed ${theme.palette.primary.main}`,
      }}
    >
      <Paper elevation={8} sx={{ p: 4, textAlign: 'center' }}>
        <UploadIcon color="primary" sx={{ fontSize: 56 }} />
        <Typography variant="h5" component="p">
          Drop to send
        </Typography>
        <Typography color="text.secondary">Files and folders are encrypted before they leave this device.</Typography>
      </Paper>
    </Box>
  );
}
