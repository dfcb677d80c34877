import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useRef } from 'react';
import { useAnnounce } from '../../components/announcer';
import { CloseIcon, FileIcon, FolderIcon } from '../../components/icons';
import { countLabel, formatBytes } from '../../lib/format';
import { useSendDraft } from './send-draft';

/** The staged files and folders, the picker, and the hint that anything can be dropped on the window. */
export function StagedList({ disabled }: { readonly disabled: boolean }) {
  const draft = useSendDraft();
  const picker = useRef<HTMLInputElement>(null);
  const announce = useAnnounce();
  const files = draft.items.filter((item) => !item.isDirectory);
  const folders = draft.items.length - files.length;
  const bytes = files.reduce((sum, item) => sum + item.file.size, 0);

  return (
    <section aria-labelledby="send-what">
      <Typography id="send-what" variant="h6" component="h2">
        1. What to send
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 1 }}>
        Drop files and folders anywhere on this window, or choose files.
      </Typography>
      {draft.items.length > 0 && (
        <>
          <List dense aria-label="Files and folders to send" sx={{ maxHeight: 280, overflow: 'auto' }}>
            {draft.items.map((item) => (
              <ListItem
                key={item.key}
                secondaryAction={
                  <IconButton
                    edge="end"
                    aria-label={`Remove ${item.file.name}`}
                    onClick={() => draft.remove(item.key)}
                    disabled={disabled}
                  >
                    <CloseIcon />
                  </IconButton>
                }
              >
                <ListItemIcon>{item.isDirectory ? <FolderIcon /> : <FileIcon />}</ListItemIcon>
                <ListItemText
                  primary={item.file.name}
                  secondary={item.isDirectory ? 'Folder, with everything in it' : formatBytes(item.file.size)}
                />
              </ListItem>
            ))}
          </List>
          <Typography sx={{ mb: 1 }} data-testid="staged-summary">
            {countLabel(files.length, folders)}
            {files.length > 0 && ` · ${formatBytes(bytes)}`}
            {folders > 0 && ' plus the folder contents'}
          </Typography>
        </>
      )}
      <Stack direction="row" spacing={1}>
        <Button variant="outlined" onClick={() => picker.current?.click()} disabled={disabled}>
          Choose files…
        </Button>
        {draft.items.length > 0 && (
          <Button onClick={draft.clear} disabled={disabled}>
            Clear list
          </Button>
        )}
      </Stack>
      <input
        ref={picker}
        type="file"
        multiple
        hidden
        aria-hidden
        tabIndex={-1}
        data-testid="file-picker"
        onChange={(event) => {
          const picked = Array.from(event.target.files ?? []);
          const added = draft.add(picked.map((file) => ({ file, isDirectory: false })));
          if (picked.length > 0) announce(added > 0 ? `${countLabel(added)} added.` : 'Those files are already in the list.');
          // Clearing lets the same file be picked again after it was removed.
          event.target.value = '';
        }}
      />
    </section>
  );
}
