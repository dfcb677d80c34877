/**
 * The identity, contacts and settings services in the shape main/app/ipc.ts routes to (`Services`), so the
 * composition root (main/app/index.ts) wires them with one call. The transfer, disk and camera parts are built
 * elsewhere (main/transfer, the shell).
 *
 * Two channels need more than these services hold, and are injected:
 * - `identity:pairing-link`: a pairing link is only useful while this device waits in the link's relay room
 *   (main/transfer/pair.ts `pairAsIssuer`), which needs the relay from the settings and the network code;
 * - `identity:rotate` answers the renderer with the new identity only; the signed rotation statement goes to
 *   `onRotated` (no wire message carries statements to contacts yet, docs/PROTOCOL.md §4.6).
 */

import { fail } from '../../src/errors';
import type { InvokeResponse } from '../../src/ipc/contract';
import type { Services } from '../app/ipc';
import type { ContactsService } from './contacts-service';
import type { IdentityService, RotationResult } from './identity-service';
import type { SettingsService } from './settings-service';

export interface IpcServiceParts {
  readonly identity: IdentityService;
  readonly contacts: ContactsService;
  readonly settings: SettingsService;
  /** Start waiting in a fresh pairing room and return its link. Without it, the channel answers INTERNAL. */
  readonly pairingLink?: () => Promise<InvokeResponse<'identity:pairing-link'>>;
  /** Keep the rotation statement for delivery to paired devices. */
  readonly onRotated?: (rotation: RotationResult) => void;
}

export function ipcServicesOf(parts: IpcServiceParts): Pick<Services, 'identity' | 'contacts' | 'settings'> {
  const { identity, contacts, settings } = parts;
  return {
    identity: {
      get: () => identity.get(),
      sign: (request) => identity.sign(request),
      rotate: async () => {
        const rotation = await identity.rotate();
        parts.onRotated?.(rotation);
        return rotation.identity;
      },
      pairingLink: async () => {
        if (parts.pairingLink === undefined) fail('INTERNAL', 'pairing is not available');
        return parts.pairingLink();
      },
    },
    contacts: {
      list: () => contacts.list(),
      verify: (request) => contacts.verify(request),
      forget: (request) => contacts.forget(request),
      acceptKeyChange: (request) => contacts.acceptKeyChange(request),
      safetyNumber: (request) => contacts.safetyNumber(request),
      pair: (request) => contacts.pair(request),
    },
    settings: {
      get: () => settings.get(),
      set: (request) => settings.set(request),
      chooseDownloadDir: (context) => settings.chooseDownloadDir(context),
    },
  };
}
