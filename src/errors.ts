/**
 * Stable error codes for the whole protocol core.
 *
 * Design: every failure the core can report carries one of these codes. Codes are part of the public contract
 * (tests assert them, the CLI prints them, the UI maps them to explanations); messages are for humans and may change.
 * A message never contains key material, secrets, or the other side's full paths.
 *
 * Codes are grouped by the layer that raises them; docs/PROTOCOL.md §10 lists each with its meaning.
 */

export const ERROR_CODES = [
  // generic input / encoding
  'BAD_INPUT',
  'BAD_ENCODING',
  // primitives
  'BAD_KEY',
  // identity and links
  'LINK_BAD_SCHEME',
  'LINK_BAD_CHARACTERS',
  'LINK_BAD_LENGTH',
  'LINK_VERSION_UNSUPPORTED',
  'LINK_BAD_KIND',
  'LINK_BAD_RELAY',
  // handshake
  'VERSION_UNSUPPORTED',
  'DOWNGRADE',
  'TRANSCRIPT_MISMATCH',
  'BAD_SIGNATURE',
  'IDENTITY_MISMATCH',
  'LEVEL3_REQUIRED',
  'HANDSHAKE_STATE',
  'ROLE_CONFLICT',
  // STREAM
  'CHUNK_AUTH_FAILED',
  'CHUNK_TOO_LARGE',
  'TRUNCATED',
  'TRAILING_DATA',
  'EMPTY_FINAL_CHUNK',
  'IMPOSSIBLE_SIZE',
  'CHUNK_INDEX_RANGE',
  // frames
  'FRAME_TOO_SHORT',
  'FRAME_TOO_LARGE',
  'FRAME_BAD_VERSION',
  'FRAME_UNKNOWN_TYPE',
  'FRAME_BAD_LENGTH',
  'CONTROL_AUTH_FAILED',
  'CONTROL_BAD_MESSAGE',
  // manifest
  'MANIFEST_TOO_MANY_ENTRIES',
  'MANIFEST_EMPTY_PATH',
  'MANIFEST_ABSOLUTE_PATH',
  'MANIFEST_TRAVERSAL',
  'MANIFEST_EMPTY_SEGMENT',
  'MANIFEST_CONTROL_CHARACTER',
  'MANIFEST_RESERVED_NAME',
  'MANIFEST_RESERVED_CHARACTER',
  'MANIFEST_TRAILING_DOT_OR_SPACE',
  'MANIFEST_DUPLICATE_PATH',
  'MANIFEST_PATH_TOO_LONG',
  'MANIFEST_SEGMENT_TOO_LONG',
  'MANIFEST_BAD_KIND',
  'MANIFEST_BAD_SIZE',
  'MANIFEST_TOTAL_TOO_LARGE',
  'MANIFEST_BAD_HASH',
  'MANIFEST_PARENT_IS_FILE',
  'MANIFEST_HASH_MISMATCH',
  // transfer
  'CHUNK_OUT_OF_ORDER',
  'CHUNK_REPLAYED',
  'FILE_HASH_MISMATCH',
  'UNEXPECTED_MESSAGE',
  'RESUME_INVALID',
  'DECLINED',
  'CANCELLED',
  'PEER_ABORTED',
  'TIMEOUT',
  'TRANSPORT_CLOSED',
  'SINK_FAILED',
  'SOURCE_FAILED',
  // trust store
  'TRUST_STORE_CORRUPT',
  'KEY_CHANGED',
  // key store
  'KEYSTORE_UNAVAILABLE',
  'KEYSTORE_CORRUPT',
  // trust store: contacts and key rotation
  'CONTACT_UNKNOWN',
  'KEY_ALREADY_PINNED',
  'ROTATION_REPLAYED',
  'FILE_SIZE_MISMATCH',
  'INTERNAL',
  'DESTINATION_EXISTS',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

/** True when `value` is one of the core's stable error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

/**
 * The one error class the core throws. `code` is stable; `message` is human text without secrets.
 * `cause` may hold a lower-level error for local debugging; it is never sent to the peer.
 */
export class SealdropError extends Error {
  override readonly name = 'SealdropError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Throw a coded error. Returning `never` lets callers use it in expressions. */
export function fail(code: ErrorCode, message: string, cause?: unknown): never {
  throw new SealdropError(code, message, cause === undefined ? undefined : { cause });
}

/** The code of a thrown value, if it is a SealdropError. */
export function errorCodeOf(error: unknown): ErrorCode | undefined {
  return error instanceof SealdropError ? error.code : undefined;
}

/** Exhaustiveness guard for discriminated unions (Signal's `missingCaseError`). */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(value)}`);
}
