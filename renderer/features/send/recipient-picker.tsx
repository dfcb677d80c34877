import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import Link from '@mui/material/Link';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Typography from '@mui/material/Typography';
import type { ContactInfo } from '../../api';
import { VerifiedIcon, WarningIcon } from '../../components/icons';
import { useKeyChangePrompt } from '../key-change/key-change-prompt';

export const LINK_CHOICE = 'link';

/** The recipient: one contact, or a new link. Contacts whose key changed are listed but cannot be chosen. */
export function RecipientPicker({
  contacts,
  value,
  onChange,
  disabled,
}: {
  readonly contacts: readonly ContactInfo[];
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly disabled: boolean;
}) {
  const keyChange = useKeyChangePrompt();
  return (
    <FormControl component="fieldset" disabled={disabled} sx={{ mt: 3, display: 'block' }}>
      <FormLabel component="legend" sx={{ color: 'text.primary', '&.Mui-focused': { color: 'text.primary' } }}>
        <Typography variant="h6" component="span" color="text.primary">
          2. Send to
        </Typography>
      </FormLabel>
      <RadioGroup name="recipient" value={value} onChange={(event) => onChange(event.target.value)}>
        <FormControlLabel
          value={LINK_CHOICE}
          control={<Radio />}
          label={
            <Box>
              <Typography>Create a link</Typography>
              <Typography variant="body2" color="text.secondary">
                For someone who is not a contact yet. Whoever opens the link receives the files.
              </Typography>
            </Box>
          }
        />
        {contacts.map((contact) => {
          const blocked = contact.status === 'keyChanged';
          const descriptionId = `recipient-${contact.id}-note`;
          return (
            <Box key={contact.id} sx={{ display: 'flex', alignItems: 'center', gap: 1, flexWrap: 'wrap' }}>
              <FormControlLabel
                value={contact.id}
                disabled={disabled || blocked}
                control={<Radio slotProps={{ input: { 'aria-describedby': descriptionId } }} />}
                label={
                  <Box component="span" sx={{ display: 'inline-flex', gap: 1, alignItems: 'center' }}>
                    <span>{contact.name}</span>
                    <Typography component="span" variant="body2" color="text.secondary" sx={{ fontFamily: 'monospace' }}>
                      {contact.short}
                    </Typography>
                  </Box>
                }
              />
              <span id={descriptionId}>
                {contact.status === 'verified' && (
                  <Chip size="small" color="success" icon={<VerifiedIcon />} label="Verified" />
                )}
                {contact.status === 'seen' && <Chip size="small" variant="outlined" label="Not verified" />}
                {blocked && (
                  <Chip size="small" color="error" icon={<WarningIcon />} label="Key changed: transfers blocked" />
                )}
              </span>
              {blocked && (
                <Link component="button" type="button" onClick={() => keyChange.show(contact.id)}>
                  What happened?
                </Link>
              )}
            </Box>
          );
        })}
      </RadioGroup>
      {contacts.length === 0 && <FormHelperText>No contacts yet. Create a link for your first transfer.</FormHelperText>}
    </FormControl>
  );
}
