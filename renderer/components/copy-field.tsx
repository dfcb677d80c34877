/**
 * A read-only text (a link) with a copy button. Copying uses the async Clipboard API, which in Electron goes through
 * the session's permission handler ('clipboard-sanitized-write'); if that is refused the text is selected so the
 * user can copy it by hand, and the result is announced either way.
 */

import IconButton from '@mui/material/IconButton';
import InputAdornment from '@mui/material/InputAdornment';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import { useRef } from 'react';
import { useAnnounce } from './announcer';
import { CopyIcon } from './icons';

export interface CopyFieldProps {
  readonly label: string;
  readonly value: string;
}

export function CopyField({ label, value }: CopyFieldProps) {
  const input = useRef<HTMLInputElement>(null);
  const announce = useAnnounce();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      announce(`${label} copied to the clipboard`);
    } catch {
      input.current?.focus();
      input.current?.select();
      announce(`Could not copy automatically. ${label} is selected: press Control or Command and C to copy it.`, 'assertive');
    }
  };
  return (
    <TextField
      label={label}
      value={value}
      fullWidth
      inputRef={input}
      onFocus={(event) => event.target.select()}
      slotProps={{
        htmlInput: { readOnly: true, spellCheck: false, style: { fontFamily: 'monospace' } },
        input: {
          endAdornment: (
            <InputAdornment position="end">
              <Tooltip title="Copy">
                <IconButton aria-label={`Copy ${label.toLowerCase()}`} onClick={() => void copy()} edge="end">
                  <CopyIcon />
                </IconButton>
              </Tooltip>
            </InputAdornment>
          ),
        },
      }}
    />
  );
}
