import { useCallback, useRef, useState } from 'react';
import { toApiError, type ApiError } from '../api';

export interface Action<A extends unknown[], R> {
  /** Runs the action; resolves to the result, or undefined when it failed (the error is in `error`). */
  readonly run: (...args: A) => Promise<R | undefined>;
  readonly pending: boolean;
  readonly error: ApiError | null;
  readonly clearError: () => void;
}

/**
 * An API call started by the user: pending while it runs (buttons disable, so a double click cannot send twice) and
 * its error kept for display. A second run while one is pending is ignored.
 */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>): Action<A, R> {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const running = useRef(false);
  const latest = useRef(action);
  latest.current = action;
  const run = useCallback(async (...args: A) => {
    if (running.current) return undefined;
    running.current = true;
    setPending(true);
    setError(null);
    try {
      return await latest.current(...args);
    } catch (caught) {
      setError(toApiError(caught));
      return undefined;
    } finally {
      running.current = false;
      setPending(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { run, pending, error, clearError };
}
