/**
 * QR decoding with jsQR, from a camera frame or from a screenshot. Everything stays in this page: no image leaves
 * the renderer, and only the decoded text is passed on (to be checked by main).
 */

import jsQR from 'jsqr';

/** Screenshots are scaled down to this many pixels on the long side; jsQR's time grows with the pixel count. */
const MAX_SIDE = 2000;

/** Decodes the first QR code in `source` (drawn at width × height, scaled down if larger than MAX_SIDE). */
export function decodeQr(
  source: CanvasImageSource,
  width: number,
  height: number,
  canvas: HTMLCanvasElement = document.createElement('canvas'),
  thorough = true,
): string | null {
  if (width <= 0 || height <= 0) return null;
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  // Screenshots of a dark-theme screen may show light modules on dark; camera frames are decoded many times a
  // second, so they try the normal polarity only.
  const found = jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: thorough ? 'attemptBoth' : 'dontInvert' });
  return found?.data ?? null;
}

/** Decodes a QR code in an image file (a pasted, dropped or chosen screenshot). */
export async function decodeQrFromImage(image: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(image);
  try {
    return decodeQr(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}
