import { expect } from 'vitest';
import { SealdropError, type ErrorCode } from '../../src/errors';

/** Assert that `work` rejects (or throws) a SealdropError with exactly `code`. Codes, never message text. */
export async function expectCode(work: Promise<unknown> | (() => unknown), code: ErrorCode): Promise<void> {
  let caught: unknown;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(SealdropError);
  expect((caught as SealdropError).code).toBe(code);
}
