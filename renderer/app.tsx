/**
 * The app shell: theme (system light/dark, or the user's choice in Settings), the section navigation, the screen,
 * and the app-wide pieces that must work whatever screen is open — the window drop target, the key-change hard
 * stop, and the announcements of transfer and offer changes.
 */

import Box from '@mui/material/Box';
import CssBaseline from '@mui/material/CssBaseline';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import { ThemeProvider } from '@mui/material/styles';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useEffect, useMemo, useRef, useState, type ComponentType } from 'react';
import { useApi } from './api';
import { useAnnounce, visuallyHidden } from './components/announcer';
import {
  ContactsIcon,
  KeyIcon,
  ReceiveIcon,
  SendIcon,
  SettingsIcon,
  TransfersIcon,
} from './components/icons';
import { useLiveData, valueOr } from './data/live-data';
import { ContactsScreen } from './features/contacts/contacts-screen';
import { KeyChangeProvider } from './features/key-change/key-change-prompt';
import { ReceiveScreen } from './features/receive/receive-screen';
import { SendDraftProvider } from './features/send/send-draft';
import { SendScreen } from './features/send/send-screen';
import { WindowDropTarget } from './features/send/window-drop';
import { SettingsScreen } from './features/settings/settings-screen';
import { TransferAnnouncer } from './features/transfers/transfer-announcer';
import { TERMINAL_STATES } from './features/transfers/transfer-state-text';
import { TransfersScreen } from './features/transfers/transfers-screen';
import { FirstContactPrompt } from './features/verification/first-contact-prompt';
import { VerificationScreen } from './features/verification/verification-screen';
import { NavigationContext, useNavigation, type Navigation, type Route, type ScreenName } from './navigation';
import { createAppTheme } from './theme';

const SCREENS: readonly { readonly name: ScreenName; readonly label: string; readonly icon: ComponentType; readonly view: ComponentType }[] = [
  { name: 'send', label: 'Send', icon: SendIcon, view: SendScreen },
  { name: 'receive', label: 'Receive', icon: ReceiveIcon, view: ReceiveScreen },
  { name: 'transfers', label: 'Transfers', icon: TransfersIcon, view: TransfersScreen },
  { name: 'contacts', label: 'Contacts', icon: ContactsIcon, view: ContactsScreen },
  { name: 'verification', label: 'Verify', icon: KeyIcon, view: VerificationScreen },
  { name: 'settings', label: 'Settings', icon: SettingsIcon, view: SettingsScreen },
];

export function App() {
  const data = useLiveData();
  const prefersDark = useMediaQuery('(prefers-color-scheme: dark)', { noSsr: true });
  const preference = valueOr(data.settings, null)?.theme ?? 'system';
  const mode = preference === 'system' ? (prefersDark ? 'dark' : 'light') : preference;
  const theme = useMemo(() => createAppTheme(mode), [mode]);
  const [route, setRoute] = useState<Route>({ screen: 'send' });
  const navigation = useMemo<Navigation>(() => ({ route, go: setRoute }), [route]);

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline enableColorScheme />
      <NavigationContext.Provider value={navigation}>
        <SendDraftProvider>
          <KeyChangeProvider>
            <Shell route={route} />
            <WindowDropTarget />
            <TransferAnnouncer />
            <OfferAnnouncer />
            <FirstContactPrompt />
          </KeyChangeProvider>
        </SendDraftProvider>
      </NavigationContext.Provider>
    </ThemeProvider>
  );
}

function Shell({ route }: { readonly route: Route }) {
  const data = useLiveData();
  const { go } = useNavigation();
  const offers = data.offers.length;
  const active = data.transfers.filter((t) => !TERMINAL_STATES.has(t.state)).length;
  const blocked = valueOr(data.contacts, []).filter((c) => c.status === 'keyChanged').length;
  const counts: Partial<Record<ScreenName, { n: number; text: string; alert?: boolean }>> = {
    receive: { n: offers, text: `${offers} ${offers === 1 ? 'offer' : 'offers'} waiting` },
    transfers: { n: active, text: `${active} active` },
    contacts: { n: blocked, text: `${blocked} with a changed key`, alert: true },
  };
  const current = SCREENS.find((screen) => screen.name === route.screen) ?? SCREENS[0]!;
  const View = current.view;
  const identity = valueOr(data.identity, null);
  const receiving = useTrayReceiving();

  return (
    <Box sx={{ display: 'flex', minHeight: '100vh' }}>
      <Box
        component="a"
        href="#main"
        sx={{ ...visuallyHidden, '&:focus': { position: 'fixed', top: 8, left: 8, width: 'auto', height: 'auto', clip: 'auto', p: 1, zIndex: 2000, bgcolor: 'background.paper' } }}
      >
        Skip to content
      </Box>
      <Box
        component="nav"
        aria-label="Sections"
        sx={{ width: 232, flexShrink: 0, borderRight: 1, borderColor: 'divider', display: 'flex', flexDirection: 'column', bgcolor: 'background.paper' }}
      >
        <Typography variant="h6" component="p" sx={{ px: 2, pt: 2, pb: 1, fontWeight: 700 }}>
          Sealdrop
        </Typography>
        <List component="ul" sx={{ flex: 1 }}>
          {SCREENS.map(({ name, label, icon: Icon }) => {
            const count = counts[name];
            const selected = route.screen === name;
            return (
              <li key={name}>
                <ListItemButton
                  selected={selected}
                  aria-current={selected ? 'page' : undefined}
                  onClick={() => go({ screen: name })}
                  data-screen={name}
                >
                  <ListItemIcon>
                    <Icon />
                  </ListItemIcon>
                  <ListItemText primary={label} />
                  {count && count.n > 0 && (
                    <Box
                      component="span"
                      sx={{
                        minWidth: 24,
                        px: 0.75,
                        borderRadius: 12,
                        textAlign: 'center',
                        fontSize: '0.8rem',
                        fontWeight: 700,
                        bgcolor: count.alert ? 'error.main' : 'primary.main',
                        color: count.alert ? 'error.contrastText' : 'primary.contrastText',
                      }}
                    >
                      <span aria-hidden>{count.n}</span>
                      <Box component="span" sx={visuallyHidden}>
                        , {count.text}
                      </Box>
                    </Box>
                  )}
                </ListItemButton>
              </li>
            );
          })}
        </List>
        {identity && (
          <Box sx={{ p: 2 }}>
            <Typography variant="caption" color="text.secondary" component="p">
              This device: {identity.name}
            </Typography>
            <Typography variant="caption" component="p" sx={{ fontFamily: 'monospace' }}>
              {identity.short}
            </Typography>
            {receiving !== null && (
              <Typography variant="caption" component="p" color="text.secondary" role="status">
                Receiving in the tray: {receiving ? 'on' : 'off'}
              </Typography>
            )}
          </Box>
        )}
      </Box>
      <Box component="main" id="main" tabIndex={-1} sx={{ flex: 1, minWidth: 0, overflow: 'auto', outline: 'none' }}>
        <View key={`${route.screen}:${route.contactId ?? ''}`} />
      </Box>
    </Box>
  );
}

/** Whether main keeps receiving from the tray; null until main has said (it reports changes only). */
function useTrayReceiving(): boolean | null {
  const api = useApi();
  const [receiving, setReceiving] = useState<boolean | null>(null);
  useEffect(() => api.tray.onReceivingChanged(setReceiving), [api]);
  return receiving;
}

/**
 * Announces a new incoming offer wherever the user is, since acting on it may need switching screens; opens the
 * Receive screen when the user chose "open" on an offer's OS notification.
 */
function OfferAnnouncer() {
  const api = useApi();
  const { offers } = useLiveData();
  const { go } = useNavigation();
  const announce = useAnnounce();
  const known = useRef<Set<string>>(new Set());
  useEffect(() => {
    const previous = known.current;
    known.current = new Set(offers.map((offer) => offer.transferId));
    for (const offer of offers) {
      if (!previous.has(offer.transferId)) announce(`New offer from ${offer.peer.name}. Open Receive to accept or decline.`);
    }
  }, [offers, announce]);
  useEffect(() => api.offers.onOpenRequested(() => go({ screen: 'receive' })), [api, go]);
  return null;
}
