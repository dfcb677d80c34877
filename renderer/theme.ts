/**
 * Light and dark themes. Focus is made unmistakable on every interactive element (a solid outline, not only MUI's
 * ripple tint), since keyboard use is a first-class way to drive the app.
 */

import { createTheme, type Theme } from '@mui/material/styles';

export type ThemeMode = 'light' | 'dark';

export function createAppTheme(mode: ThemeMode): Theme {
  const focus = mode === 'dark' ? '#90caf9' : '#0b57d0';
  return createTheme({
    palette: {
      mode,
      primary: { main: mode === 'dark' ? '#8ab4f8' : '#0b57d0' },
      success: { main: mode === 'dark' ? '#81c995' : '#137333' },
      warning: { main: mode === 'dark' ? '#fdd663' : '#b06000' },
      error: { main: mode === 'dark' ? '#f28b82' : '#c5221f' },
    },
    shape: { borderRadius: 8 },
    components: {
      // ButtonBase resets outline on its root class; '&.Mui-focusVisible' outranks that reset (two classes).
      MuiButtonBase: {
        styleOverrides: { root: { '&.Mui-focusVisible': { outline: `3px solid ${focus}`, outlineOffset: 2 } } },
      },
      MuiCssBaseline: {
        styleOverrides: {
          // Everything that is not a ButtonBase: links, the skip link, focusable regions.
          ':focus-visible': { outline: `3px solid ${focus}`, outlineOffset: 2 },
          '@media (prefers-reduced-motion: reduce)': {
            '*, *::before, *::after': { transitionDuration: '0.01ms !important', animationDuration: '0.01ms !important' },
          },
        },
      },
      MuiLinearProgress: { styleOverrides: { root: { height: 8, borderRadius: 4 } } },
    },
  });
}
