/**
 * Errors from main as the core's errors. Calls through renderer/api.ts reject with ApiError, whose `code` is main's
 * stable code; the session core only understands SealdropError (src/errors.ts `errorCodeOf`) and turns anything else
 * into INTERNAL. Converting at the adapter keeps the reason a session stopped (SINK_FAILED, DESTINATION_EXISTS, …)
 * all the way to its `finished` report.
 */

import { isErrorCode, SealdropError, type ErrorCode } from '../../src/errors';

/** `error` as a SealdropError with its own stable code, or `fallback` when it has none the core knows. */
export function asSealdropError(error: unknown, fallback: ErrorCode): SealdropError {
  if (error instanceof SealdropError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return new SealdropError(isErrorCode(code) ? code : fallback, message, { cause: error });
}

/** Run `call`; a rejection becomes a SealdropError (see `asSealdropError`). */
export async function coded<T>(call: () => Promise<T>, fallback: ErrorCode): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asSealdropError(error, fallback);
  }
}
