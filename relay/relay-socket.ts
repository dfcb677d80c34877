/**
 * The WebSocket class the relay's server instantiates, for one reason: the close code of an oversize message.
 *
 * ws enforces `maxPayload` itself, from the frame header and before buffering the payload — exactly where a size
 * limit belongs — but closes with the standard 1009 (RFC 6455 §7.4.1 "message too big") before any handler of
 * ours runs (ws 8.23: receiverOnError → `websocket.close(1009)`, then the 'error' event). The relay protocol
 * documents 4001 FRAME_TOO_LARGE, so this subclass translates that one code in the public `close()`, which is the
 * method ws calls. The relay never sends 1009 for any other reason; the only other path is echoing a client's own
 * 1009 close, where the echoed code does not matter. test/relay/limits.test.ts pins both ws's 1009 and our 4001.
 */

import { WebSocket } from 'ws';
import { RELAY_CLOSE } from '../src/signaling/relay-protocol';

const WS_MESSAGE_TOO_BIG = 1009;

export class RelaySocket extends WebSocket {
  /** The first close code this side sent, after translation; null while open. */
  closeCodeSent: number | null = null;

  override close(code?: number, data?: string | Buffer): void {
    const translated = code === WS_MESSAGE_TOO_BIG ? RELAY_CLOSE.FRAME_TOO_LARGE : code;
    if (this.readyState === WebSocket.OPEN && this.closeCodeSent === null) this.closeCodeSent = translated ?? 1005;
    super.close(translated, data);
  }
}
