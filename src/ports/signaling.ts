/**
 * Signalling port: how two peers meet before a transport exists — a room at the relay, named by the 16-byte room id
 * from the link, carrying opaque messages (SDP offers/answers, ICE candidates, direct-address hints). The relay that
 * implements it is untrusted: everything security-relevant that passes through signalling is bound into the
 * handshake transcript (the DTLS fingerprints) or authenticated afterwards (direct addresses).
 */

export interface SignalingHandlers {
  message(bytes: Uint8Array): void;
  /** The other peer joined the room (true) or left it (false). */
  peer(present: boolean): void;
  close(reason: { readonly code: string; readonly message?: string }): void;
}

export interface SignalingRoom {
  send(bytes: Uint8Array): Promise<void>;
  listen(handlers: SignalingHandlers): void;
  leave(): void;
}

export interface Signaling {
  /** Join (or create) the room `roomId` (16 bytes). */
  join(roomId: Uint8Array): Promise<SignalingRoom>;
}
