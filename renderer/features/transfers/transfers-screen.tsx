import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Loaded, Screen } from '../../components/screen';
import { useLiveData } from '../../data/live-data';
import { TransferCard } from './transfer-card';
import { useTransferRates } from './use-rates';

export function TransfersScreen() {
  const data = useLiveData();
  return (
    <Screen title="Transfers" intro="Every transfer shows the path it takes and its security level. Select a level for what it means.">
      <Loaded loadable={data.transfers} what="transfers">
        {(transfers) => <TransferList transfers={transfers} />}
      </Loaded>
    </Screen>
  );
}

function TransferList({ transfers }: { readonly transfers: Parameters<typeof useTransferRates>[0] }) {
  const rates = useTransferRates(transfers);
  if (transfers.length === 0) return <Typography>No transfers yet.</Typography>;
  return (
    <Stack spacing={2} component="ul" aria-label="Transfers" sx={{ listStyle: 'none', p: 0, m: 0 }}>
      {transfers.map((transfer) => (
        <li key={transfer.id}>
          <TransferCard transfer={transfer} rate={rates.get(transfer.id) ?? null} />
        </li>
      ))}
    </Stack>
  );
}
