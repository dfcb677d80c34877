/**
 * The security level of a connection: a chip that opens a plain-language explanation. A popover rather than a
 * tooltip, so the explanation can be reached by keyboard and touch and stays open while read.
 */

import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Popover from '@mui/material/Popover';
import Typography from '@mui/material/Typography';
import { useId, useState } from 'react';
import type { TransferPath, VerifiedBy } from '../api';
import { InfoIcon, VerifiedIcon, WarningIcon } from './icons';
import { LEVEL_TEXT, PATH_TEXT, VERIFIED_BY_TEXT, type DisplayLevel } from './security-text';

export interface LevelBadgeProps {
  readonly level: DisplayLevel;
  readonly verifiedBy?: VerifiedBy | undefined;
  readonly path?: TransferPath | null | undefined;
  readonly size?: 'small' | 'medium';
}

export function LevelBadge({ level, verifiedBy, path, size = 'small' }: LevelBadgeProps) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const popoverId = useId();
  const headingId = useId();
  const text = LEVEL_TEXT[level];
  const open = anchor !== null;
  return (
    <>
      <Chip
        size={size}
        color={level === 3 ? 'success' : 'warning'}
        variant={level === 3 ? 'filled' : 'outlined'}
        icon={level === 3 ? <VerifiedIcon /> : <WarningIcon />}
        label={`${text.label} · ${text.summary}`}
        onClick={(event) => setAnchor(event.currentTarget)}
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? popoverId : undefined}
        aria-label={`${text.label}: ${text.summary}. Show what this means`}
        data-level={level}
      />
      <Popover
        id={popoverId}
        open={open}
        anchorEl={anchor}
        onClose={() => setAnchor(null)}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        slotProps={{ paper: { role: 'dialog', 'aria-labelledby': headingId, sx: { p: 2, maxWidth: 380 } } }}
      >
        <Typography id={headingId} variant="subtitle1" component="h2" sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
          <InfoIcon fontSize="small" /> {text.label}: {text.summary}
        </Typography>
        <Typography variant="body2" sx={{ mt: 1 }}>
          {text.detail}
        </Typography>
        {verifiedBy && (
          <Typography variant="body2" sx={{ mt: 1 }}>
            <strong>How the other device was checked:</strong> {VERIFIED_BY_TEXT[verifiedBy]}
          </Typography>
        )}
        {path && (
          <Box sx={{ mt: 1 }}>
            <Typography variant="body2">
              <strong>Path: {PATH_TEXT[path].label}.</strong> {PATH_TEXT[path].detail}
            </Typography>
          </Box>
        )}
      </Popover>
    </>
  );
}
