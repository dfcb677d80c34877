import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Switch from '@mui/material/Switch';
import Typography from '@mui/material/Typography';
import { useId, type ReactNode } from 'react';
import { useApi, type SettingsInfo, type SettingsPatch, type ThemePreference } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { ErrorAlert, Loaded, Screen } from '../../components/screen';
import { useLiveData } from '../../data/live-data';
import { useAction } from '../../lib/use-action';
import { NetworkSettings } from './network-settings';

type BooleanSetting = 'requireLevel3' | 'autoAcceptVerified' | 'receiveInTray' | 'startAtLogin';

export function SettingsScreen() {
  const data = useLiveData();
  return (
    <Screen title="Settings">
      <Loaded loadable={data.settings} what="settings">
        {(settings) => <SettingsForm settings={settings} />}
      </Loaded>
    </Screen>
  );
}

function Section({ title, children }: { readonly title: string; readonly children: ReactNode }) {
  const id = useId();
  return (
    <Box component="section" aria-labelledby={id} sx={{ mb: 4 }}>
      <Typography id={id} variant="h6" component="h2" gutterBottom>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

function SettingsForm({ settings }: { readonly settings: SettingsInfo }) {
  const api = useApi();
  const data = useLiveData();
  const announce = useAnnounce();
  const update = useAction(async (patch: SettingsPatch) => {
    const saved = await api.settings.set(patch);
    data.applySettings(saved);
    return saved;
  });
  const chooseFolder = useAction(async () => {
    const saved = await api.settings.chooseDownloadDir();
    data.applySettings(saved);
    if (saved.downloadDir !== settings.downloadDir) announce(`Files will be saved to ${saved.downloadDir}.`);
  });

  const toggle = (key: BooleanSetting, label: string, help: string) => {
    const helpId = `setting-${key}-help`;
    return (
      <FormControl sx={{ display: 'block', mb: 1.5 }}>
        <FormControlLabel
          control={
            <Switch
              checked={settings[key]}
              disabled={update.pending}
              onChange={(event) => void update.run({ [key]: event.target.checked })}
              slotProps={{ input: { 'aria-describedby': helpId } }}
            />
          }
          label={label}
        />
        <FormHelperText id={helpId} sx={{ ml: 6, mt: -0.5 }}>
          {help}
        </FormHelperText>
      </FormControl>
    );
  };

  return (
    <>
      {update.error && <ErrorAlert error={update.error} title="Setting not changed." />}
      <Section title="Security">
        {toggle(
          'requireLevel3',
          'Require Level 3',
          'Refuse transfers with devices that could not be verified. Recommended.',
        )}
        {!settings.requireLevel3 && (
          <Alert severity="warning" sx={{ mb: 2 }}>
            Level 2 transfers are allowed. They are encrypted, but an active relay could read them. Each one is marked
            Level 2.
          </Alert>
        )}
        {toggle(
          'autoAcceptVerified',
          'Accept automatically from verified contacts',
          'Only contacts whose safety number you compared. Everyone else is always asked.',
        )}
      </Section>
      <Divider sx={{ mb: 3 }} />
      <Section title="Receiving">
        <Box sx={{ display: 'flex', gap: 2, alignItems: 'center', flexWrap: 'wrap', mb: 2 }}>
          <Box>
            <Typography variant="body2" color="text.secondary" id="settings-folder-label">
              Download folder
            </Typography>
            <Typography aria-labelledby="settings-folder-label" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
              {settings.downloadDir}
            </Typography>
          </Box>
          <Button variant="outlined" onClick={() => void chooseFolder.run()} disabled={chooseFolder.pending} aria-label="Change download folder">
            Change…
          </Button>
        </Box>
        {chooseFolder.error && <ErrorAlert error={chooseFolder.error} />}
        {toggle(
          'receiveInTray',
          'Keep receiving in the tray when the window is closed',
          'Offers then arrive as notifications.',
        )}
        {toggle('startAtLogin', 'Start Sealdrop when you log in', 'Starts in the tray, ready to receive.')}
      </Section>
      <Divider sx={{ mb: 3 }} />
      <Section title="Appearance">
        <FormControl>
          <FormLabel id="theme-label">Theme</FormLabel>
          <RadioGroup
            row
            aria-labelledby="theme-label"
            value={settings.theme}
            onChange={(event) => void update.run({ theme: event.target.value as ThemePreference })}
          >
            <FormControlLabel value="system" control={<Radio />} label="Same as the system" />
            <FormControlLabel value="light" control={<Radio />} label="Light" />
            <FormControlLabel value="dark" control={<Radio />} label="Dark" />
          </RadioGroup>
        </FormControl>
      </Section>
      <Divider sx={{ mb: 3 }} />
      <Section title="Network">
        <NetworkSettings settings={settings} />
      </Section>
    </>
  );
}
