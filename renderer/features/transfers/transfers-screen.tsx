import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import type { TransferView } from '../../api';
import { Screen } from '../../components/screen';
import { useLiveData, valueOr } from '../../data/live-data';
import { TransferCard } from './transfer-card';
import { useTransferRates } from './use-rates';

export function TransfersScreen() {
  const data = useLiveData();
  return (
    <Screen
      title="Transfers"
      intro="Transfers since Sealdrop started. Each shows the path it takes and its security level; select the level for what it means."
    >
      <TransferList transfers={data.transfers} />
    </Screen>
  );
}

function TransferList({ transfers }: { readonly transfers: readonly TransferView[] }) {
  const rates = useTransferRates(transfers);
  const contacts = valueOr(useLiveData().contacts, []);
  if (transfers.length === 0) return <Typography>No transfers yet.</Typography>;
  return (
    <Stack spacing={2} component="ul" aria-label="Transfers" sx={{ listStyle: 'none', p: 0, m: 0 }}>
      {transfers.map((transfer) => (
        <li key={transfer.id}>
          <TransferCard
            transfer={transfer}
            contact={contacts.find((c) => c.id === transfer.peer?.contactId)}
            rate={rates.get(transfer.id) ?? null}
          />
        </li>
      ))}
    </Stack>
  );
}
