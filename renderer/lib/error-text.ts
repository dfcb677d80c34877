/**
 * Plain-language explanations for the error codes the UI can meet (src/errors.ts, plus the API's own). The UI shows
 * these, not the raw message: messages are for logs and may change, codes are the contract.
 */

const TEXT: Readonly<Record<string, string>> = {
  IDENTITY_MISMATCH:
    'The other device presented a different key from the one you trust for this contact. Nothing was transferred.',
  KEY_CHANGED: "This contact's key changed. Compare safety numbers again before sending or receiving.",
  LEVEL3_REQUIRED:
    'The other device could not be verified, and your settings require Level 3. Nothing was transferred.',
  DECLINED: 'The other side declined the transfer.',
  CANCELLED: 'The transfer was cancelled.',
  PEER_ABORTED: 'The other side stopped the transfer.',
  TIMEOUT: 'The other side stopped responding.',
  TRANSPORT_CLOSED: 'The connection was lost.',
  FILE_HASH_MISMATCH: 'A received file did not match what the sender described, so it was discarded.',
  CHUNK_AUTH_FAILED: 'Data arrived that was not sent by the other device (it failed authentication) and was refused.',
  CONTROL_AUTH_FAILED: 'A message arrived that was not sent by the other device and was refused.',
  SINK_FAILED: 'The files could not be written to the download folder.',
  SOURCE_FAILED: 'A file could not be read.',
  DESTINATION_EXISTS: 'A file with the same name already exists in the download folder.',
  RESUME_INVALID: 'The interrupted transfer could not be resumed; start it again.',
  LINK_BAD_SCHEME: 'That is not a Sealdrop link. Links start with sealdrop://',
  LINK_BAD_CHARACTERS: 'The link is damaged: it contains characters a Sealdrop link never has.',
  LINK_BAD_LENGTH: 'The link is incomplete or damaged. Copy the whole link again.',
  LINK_VERSION_UNSUPPORTED: 'The link was made by a newer version of Sealdrop. Update this app.',
  LINK_BAD_KIND: 'The link is damaged or of an unknown kind.',
  LINK_BAD_RELAY: 'The link names a relay address Sealdrop does not accept.',
  CONTACT_UNKNOWN: 'This contact no longer exists.',
  KEYSTORE_UNAVAILABLE: "This device's key store (the system keychain) is not available.",
  BRIDGE_UNAVAILABLE: 'This window is not connected to the Sealdrop app.',
  QR_NOT_FOUND: 'No QR code was found in that image.',
  CAMERA_DENIED: 'The camera could not be used. Check that no other app holds it, or use a screenshot instead.',
};

/** The plain explanation for `code`; falls back to the message (which never holds secrets, src/errors.ts). */
export function explainError(code: string, message?: string): string {
  return TEXT[code] ?? message ?? 'Something went wrong.';
}
