import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, type ReactNode } from 'react';
import type { ApiError } from '../api';
import { useLiveData, type Loadable } from '../data/live-data';
import { explainError } from '../lib/error-text';

/**
 * One screen: its heading (h1, focused when the screen opens so keyboard and screen-reader users land on it) and
 * its content.
 */
export function Screen({ title, intro, children }: { readonly title: string; readonly intro?: ReactNode; readonly children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <Box component="section" aria-labelledby="screen-title" sx={{ p: 3, maxWidth: 960 }}>
      <Typography id="screen-title" ref={heading} tabIndex={-1} variant="h4" component="h1" sx={{ outline: 'none', mb: 1 }}>
        {title}
      </Typography>
      {intro && (
        <Typography color="text.secondary" sx={{ mb: 3 }}>
          {intro}
        </Typography>
      )}
      {children}
    </Box>
  );
}

/** An API error, explained by its code. role="alert" so it is announced when it appears. */
export function ErrorAlert({ error, title }: { readonly error: ApiError | { code: string; message: string }; readonly title?: string }) {
  return (
    <Alert severity="error" role="alert" sx={{ my: 2 }} data-error-code={error.code}>
      {title && <strong>{title} </strong>}
      {explainError(error.code, error.message)}
    </Alert>
  );
}

/** Renders `children(value)` once `loadable` is ready; a labelled spinner while loading; the error with a retry. */
export function Loaded<T>({ loadable, what, children }: { readonly loadable: Loadable<T>; readonly what: string; readonly children: (value: T) => ReactNode }) {
  const { reload } = useLiveData();
  if (loadable.status === 'loading') {
    return (
      <Box role="status" sx={{ display: 'flex', gap: 2, alignItems: 'center', my: 2 }}>
        <CircularProgress size={20} aria-hidden />
        <Typography>Loading {what}…</Typography>
      </Box>
    );
  }
  if (loadable.status === 'error') {
    return (
      <Box>
        <ErrorAlert error={loadable.error} title={`Could not load ${what}.`} />
        <Button onClick={reload}>Try again</Button>
      </Box>
    );
  }
  return <>{children(loadable.value)}</>;
}
