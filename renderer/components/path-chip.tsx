import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import type { TransferPath } from '../api';
import { PATH_TEXT } from './security-text';

/** The network path of a session; the level badge explains it in full, the tooltip here is a reminder only. */
export function PathChip({ path }: { readonly path: TransferPath }) {
  const text = PATH_TEXT[path];
  return (
    <Tooltip title={text.detail}>
      <Chip size="small" variant="outlined" label={`Path: ${text.label}`} data-path={path} tabIndex={0} />
    </Tooltip>
  );
}
