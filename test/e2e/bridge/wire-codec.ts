/**
 * How values cross between the Playwright test (Node) and the page: JSON, with every Uint8Array replaced by a tagged
 * base64 string, `{ "__sealdropBytes": "<base64>" }`.
 *
 * Stands in for: Electron's structured clone over IPC and MessagePorts, which carries Uint8Array natively. Playwright's
 * bindings and `page.evaluate` carry JSON-like values, so the bridge tags bytes on one side and restores them on the
 * other. Decoding always yields a fresh, exactly sized, ArrayBuffer-backed Uint8Array, as a structured clone does (the
 * port transport checks `data.buffer` against the frame limit, so a view into a pooled Node Buffer would not do).
 *
 * `wireCodec` is self-contained on purpose (no imports, no outside names): the page side runs the very same function,
 * injected as source text by bridge/page-bridge.ts, so the two ends cannot disagree about the format.
 * Keys whose value is `undefined` are left out, as JSON would; `undefined` itself encodes as `null` only at the top
 * level, and callers that care (an invoke without a payload) send a separate flag.
 */

export interface WireCodec {
  encode(value: unknown): unknown;
  decode(value: unknown): unknown;
}

export function wireCodec(): WireCodec {
  const TAG = '__sealdropBytes';
  const toBase64 = (bytes: Uint8Array): string => {
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  };
  const fromBase64 = (text: string): Uint8Array => {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  };
  const encode = (value: unknown): unknown => {
    if (value instanceof Uint8Array) return { [TAG]: toBase64(value) };
    if (Array.isArray(value)) return value.map(encode);
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(value)) if (field !== undefined) out[key] = encode(field);
      return out;
    }
    return value;
  };
  const decode = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(decode);
    if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (keys.length === 1 && keys[0] === TAG && typeof record[TAG] === 'string') return fromBase64(record[TAG]);
      const out: Record<string, unknown> = {};
      for (const key of keys) out[key] = decode(record[key]);
      return out;
    }
    return value;
  };
  return { encode, decode };
}
