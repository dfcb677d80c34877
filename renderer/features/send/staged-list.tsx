import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useApi } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { CloseIcon, FileIcon, FolderIcon } from '../../components/icons';
import { ErrorAlert } from '../../components/screen';
import { countLabel, formatBytes } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import { isFolder, itemName, itemSize, useSendDraft } from './send-draft';

/**
 * The staged files and folders, the pickers, and the hint that anything can be dropped on the window. Picking goes
 * through main's native dialog (transfer.pickFiles), which — unlike <input type=file> — can pick folders and hands
 * back opaque ids rather than paths.
 */
export function StagedList({ disabled }: { readonly disabled: boolean }) {
  const api = useApi();
  const draft = useSendDraft();
  const announce = useAnnounce();
  const pick = useAction(async (kind: 'files' | 'folder') => {
    const picked = await api.transfer.pickFiles(kind);
    if (picked.length === 0) return;
    const added = draft.add(picked.map((item) => ({ kind: 'picked', item })));
    announce(added > 0 ? `${added} added.` : 'Already in the list.');
  });
  const folders = draft.items.filter(isFolder).length;
  const files = draft.items.length - folders;
  const bytes = draft.items.reduce((sum, item) => sum + (itemSize(item) ?? 0), 0);

  return (
    <section aria-labelledby="send-what">
      <Typography id="send-what" variant="h6" component="h2">
        1. What to send
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 1 }}>
        Drop files and folders anywhere on this window, or choose them.
      </Typography>
      {draft.items.length > 0 && (
        <>
          <List dense aria-label="Files and folders to send" sx={{ maxHeight: 280, overflow: 'auto' }}>
            {draft.items.map((item) => {
              const name = itemName(item);
              const size = itemSize(item);
              return (
                <ListItem
                  key={item.key}
                  secondaryAction={
                    <IconButton edge="end" aria-label={`Remove ${name}`} onClick={() => draft.remove(item.key)} disabled={disabled}>
                      <CloseIcon />
                    </IconButton>
                  }
                >
                  <ListItemIcon>{isFolder(item) ? <FolderIcon /> : <FileIcon />}</ListItemIcon>
                  <ListItemText
                    primary={name}
                    secondary={size === null ? 'Folder, with everything in it' : formatBytes(size)}
                    slotProps={{ primary: { sx: { wordBreak: 'break-all' } } }}
                  />
                </ListItem>
              );
            })}
          </List>
          <Typography sx={{ mb: 1 }} data-testid="staged-summary">
            {countLabel(files, folders)}
            {files > 0 && ` · ${formatBytes(bytes)}`}
            {folders > 0 && ' plus the folder contents'}
          </Typography>
        </>
      )}
      <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap' }}>
        <Button variant="outlined" onClick={() => void pick.run('files')} disabled={disabled || pick.pending}>
          Choose files…
        </Button>
        <Button variant="outlined" onClick={() => void pick.run('folder')} disabled={disabled || pick.pending}>
          Choose folder…
        </Button>
        {draft.items.length > 0 && (
          <Button onClick={draft.clear} disabled={disabled}>
            Clear list
          </Button>
        )}
      </Stack>
      {pick.error && <ErrorAlert error={pick.error} title="Could not open the file chooser." />}
    </section>
  );
}
