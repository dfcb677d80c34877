/**
 * QR codes in the terminal (qrcode's UTF-8 half-block renderer), for links and pairing.
 */

import QRCode from 'qrcode';
import type { Output } from './output';

export async function qrText(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}

export async function printQr(text: string, out: Output): Promise<void> {
  if (out.json) return;
  try {
    out.say(await qrText(text));
  } catch {
    // a link too long for a QR code is still printed as text
  }
}
