import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { MAX_STUN_SERVERS, MAX_TURN_SERVERS } from '../../../src/ipc/contract';
import { useApi, type SettingsInfo, type SettingsPatch, type TurnServer } from '../../api';
import { useAnnounce } from '../../components/announcer';
import { CloseIcon } from '../../components/icons';
import { ErrorAlert } from '../../components/screen';
import { useLiveData } from '../../data/live-data';
import { useAction } from '../../lib/use-action';
import { parseStunLines, relayUrlProblem, turnServerProblem } from './network-validation';

/** Relay, STUN and TURN: edited together and saved with one button, since a half-saved network setup is useless. */
export function NetworkSettings({ settings }: { readonly settings: SettingsInfo }) {
  const api = useApi();
  const data = useLiveData();
  const announce = useAnnounce();
  const [relay, setRelay] = useState(settings.relayUrl);
  const [stun, setStun] = useState(settings.stun.join('\n'));
  const [turn, setTurn] = useState<TurnServer[]>([...settings.turn]);
  const [checked, setChecked] = useState(false);
  const save = useAction((patch: SettingsPatch) => api.settings.set(patch));

  const relayProblem = relayUrlProblem(relay);
  const stunResult = parseStunLines(stun, MAX_STUN_SERVERS);
  const turnProblems = turn.map(turnServerProblem);
  const valid = relayProblem === null && 'urls' in stunResult && turnProblems.every((p) => p === null);
  const show = (problem: string | null) => (checked ? problem : null);

  const submit = async () => {
    setChecked(true);
    if (!valid || !('urls' in stunResult)) {
      announce('Some network settings need fixing before they can be saved.', 'assertive');
      return;
    }
    const saved = await save.run({
      relayUrl: relay.trim(),
      stun: stunResult.urls,
      turn: turn.map((server) => ({ ...server, url: server.url.trim(), username: server.username.trim() })),
    });
    if (saved) {
      data.applySettings(saved);
      announce('Network settings saved.');
    }
  };

  const updateTurn = (index: number, patch: Partial<TurnServer>) =>
    setTurn((list) => list.map((server, i) => (i === index ? { ...server, ...patch } : server)));

  return (
    <Box
      component="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Stack spacing={2}>
        <TextField
          label="Relay address"
          value={relay}
          onChange={(event) => setRelay(event.target.value)}
          error={show(relayProblem) !== null}
          helperText={
            show(relayProblem) ??
            'Used to meet the other device and as the last-resort path. At Level 3 it cannot read or change your files.'
          }
          slotProps={{ htmlInput: { spellCheck: false, inputMode: 'url' } }}
        />
        <TextField
          label="STUN servers"
          value={stun}
          onChange={(event) => setStun(event.target.value)}
          multiline
          minRows={2}
          error={checked && 'problem' in stunResult}
          helperText={(checked && 'problem' in stunResult ? stunResult.problem : null) ?? 'One per line, e.g. stun:stun.example.org:3478'}
          slotProps={{ htmlInput: { spellCheck: false } }}
        />
        <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
          <Typography component="legend" variant="subtitle1">
            TURN servers
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            Used when the two devices cannot connect directly. A TURN server carries the data; at Level 3 it cannot read it.
          </Typography>
          <Stack spacing={2}>
            {turn.map((server, index) => (
              <Stack key={index} direction={{ xs: 'column', md: 'row' }} spacing={1} sx={{ alignItems: 'flex-start' }}>
                <TextField
                  label={`TURN server ${index + 1} address`}
                  value={server.url}
                  onChange={(event) => updateTurn(index, { url: event.target.value })}
                  error={show(turnProblems[index] ?? null) !== null}
                  helperText={show(turnProblems[index] ?? null) ?? 'turn:host:3478 or turns:host:5349'}
                  sx={{ flex: 2 }}
                  slotProps={{ htmlInput: { spellCheck: false } }}
                />
                <TextField
                  label={`TURN server ${index + 1} user name`}
                  value={server.username}
                  onChange={(event) => updateTurn(index, { username: event.target.value })}
                  sx={{ flex: 1 }}
                  slotProps={{ htmlInput: { spellCheck: false, autoComplete: 'off' } }}
                />
                <TextField
                  label={`TURN server ${index + 1} password`}
                  type="password"
                  value={server.credential}
                  onChange={(event) => updateTurn(index, { credential: event.target.value })}
                  sx={{ flex: 1 }}
                  slotProps={{ htmlInput: { autoComplete: 'off' } }}
                />
                <IconButton
                  aria-label={`Remove TURN server ${index + 1}`}
                  onClick={() => setTurn((list) => list.filter((_, i) => i !== index))}
                  sx={{ mt: 1 }}
                >
                  <CloseIcon />
                </IconButton>
              </Stack>
            ))}
          </Stack>
          <Button
            sx={{ mt: 1 }}
            disabled={turn.length >= MAX_TURN_SERVERS}
            onClick={() => setTurn((list) => [...list, { url: '', username: '', credential: '' }])}
          >
            Add TURN server
          </Button>
        </Box>
        {save.error && <ErrorAlert error={save.error} title="Not saved." />}
        <Box>
          <Button type="submit" variant="contained" disabled={save.pending}>
            Save network settings
          </Button>
        </Box>
      </Stack>
    </Box>
  );
}
