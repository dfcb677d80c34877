/**
 * What a session that runs in the renderer is built from, derived from main's `transfer:session` parameters
 * (TransferSessionInfo, src/ipc/contract.ts): the path binding as the port transport reports it, the identity signer,
 * and what the handshake expects of the peer.
 *
 * Trust assumptions:
 * - The identity private key never enters the renderer (STYLE.md 8). The signer here holds only the public key and
 *   asks main to sign the handshake transcript hash (`identity:sign`). It refuses, before any IPC, every context
 *   other than the two handshake ones (BAD_INPUT), although main refuses them too (contract.ts header): a session
 *   asking for 'key rotation' is a bug, and should fail where it happens.
 * - The expectation is main's (pinned key, link fingerprint, link issued, the trust store's pinned keys); the
 *   handshake (src/handshake/handshake.ts, `PeerExpectation`) enforces it here. What main pins afterwards comes from
 *   the `connected` report, which main validates (src/ipc/contract.ts) and checks against the session's state.
 *
 * Binding (docs/PROTOCOL.md §5.5): TransferSessionInfo.binding is the transcript's order, initiator first; a
 * Transport reports the same fingerprints from its own side, local first. The session converts local → transcript
 * by its handshake role (src/transfer/session.ts `handshakeConfig`), so this is the inverse of that conversion and
 * the session arrives at exactly the binding main computed.
 */

import { equalBytes } from '../../src/bytes';
import { SealdropError } from '../../src/errors';
import type { PeerExpectation } from '../../src/handshake/handshake';
import type { IdentitySigner } from '../../src/identity/identity';
import { RENDERER_SIGNATURE_CONTEXTS, type RendererSignatureContext, type TransferSessionInfo } from '../../src/ipc/contract';
import type { LocalTransportBinding } from '../../src/ports/transport';
import type { RendererApi } from '../api-types';
import { coded } from './coded-error';

/** The binding as this side's transport sees it: local fingerprint first. */
export function localBinding(info: Pick<TransferSessionInfo, 'binding' | 'handshakeRole'>): LocalTransportBinding {
  const binding = info.binding;
  if (binding.kind === 'none') return { kind: 'none' };
  return info.handshakeRole === 'initiator'
    ? { kind: 'dtls', local: binding.initiatorFingerprint, remote: binding.responderFingerprint }
    : { kind: 'dtls', local: binding.responderFingerprint, remote: binding.initiatorFingerprint };
}

function isRendererContext(context: string): context is RendererSignatureContext {
  return (RENDERER_SIGNATURE_CONTEXTS as readonly string[]).includes(context);
}

/**
 * An IdentitySigner for `identityKey` whose signatures main makes.
 * `signHash` rejects with SealdropError BAD_INPUT for a context other than the two handshake contexts (without
 * asking main), and with main's error when main refuses.
 */
export function ipcSigner(sign: RendererApi['client']['sign'], identityKey: Uint8Array, transferId: string): IdentitySigner {
  return {
    publicKey: identityKey,
    signHash: (context, hash) => {
      if (!isRendererContext(context)) {
        return Promise.reject(new SealdropError('BAD_INPUT', `the renderer may not sign '${context}'`));
      }
      return coded(() => sign({ transferId, context, hash }), 'INTERNAL');
    },
  };
}

/** The handshake's expectation, from main's: null fields are left out (exactOptionalPropertyTypes). */
export function peerExpectation(expect: TransferSessionInfo['expect']): PeerExpectation {
  const pinnedKeys = expect.pinnedKeys;
  return {
    ...(expect.pinnedKey !== null ? { pinnedKey: expect.pinnedKey } : {}),
    ...(expect.linkFingerprint !== null ? { linkFingerprint: expect.linkFingerprint } : {}),
    linkIssued: expect.linkIssued,
    isPinned: (key) => pinnedKeys.some((pinned) => equalBytes(pinned, key)),
  };
}
