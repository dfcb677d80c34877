/**
 * A tiny validator kit for IPC payloads: the renderer is the least trusted code that can reach main, so every value
 * it sends is checked against an exact shape before any service sees it (STYLE.md 9, Electron security checklist
 * item 17). No dependency: a dozen combinators are enough, and each states its limit.
 *
 * Design:
 * - A `Validator<T>` takes `unknown` and returns a fresh, typed value or throws SealdropError BAD_INPUT. It never
 *   returns the input object itself: objects and arrays are rebuilt from their checked members, and byte arrays are
 *   copied, so a value cannot change after it was checked (no getters, proxies or shared buffers reach a service).
 * - Every string, array and byte array has a maximum length; objects reject unknown keys and non-plain prototypes;
 *   numbers are safe integers in a stated range. Nothing is coerced.
 * - Error messages name the path ("request.hash") and the rule, never the offending value: it may be large, or
 *   secret, and it is the renderer's input, not ours to echo into logs.
 */

import { SealdropError } from '../errors';

/** Checks `value` and returns a fresh, typed copy; throws SealdropError BAD_INPUT otherwise. */
export type Validator<T> = (value: unknown, path?: string) => T;

/** The type a validator produces. */
export type Infer<V> = V extends Validator<infer T> ? T : never;

function reject(path: string, rule: string): never {
  throw new SealdropError('BAD_INPUT', `${path}: ${rule}`);
}

const ROOT = 'request';

/** Exactly `undefined`: for channels that take no payload. */
export const none: Validator<undefined> = (value, path = ROOT) => {
  if (value !== undefined) reject(path, 'expected no payload');
  return undefined;
};

export const boolean: Validator<boolean> = (value, path = ROOT) => {
  if (typeof value !== 'boolean') reject(path, 'expected a boolean');
  return value;
};

export interface StringRule {
  /** Minimum length in UTF-16 code units; default 0. */
  readonly min?: number;
  /** Maximum length in UTF-16 code units; required, so that no string is unbounded. */
  readonly max: number;
  /** Anchored pattern the whole string must match. */
  readonly pattern?: RegExp;
  /** Reject C0/C1 control characters (default true): no string we accept needs them. */
  readonly allowControl?: boolean;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

export function string(rule: StringRule): Validator<string> {
  const min = rule.min ?? 0;
  return (value, path = ROOT) => {
    if (typeof value !== 'string') reject(path, 'expected a string');
    if (value.length < min || value.length > rule.max) reject(path, `expected ${min}..${rule.max} characters`);
    if (rule.allowControl !== true && CONTROL.test(value)) reject(path, 'control characters are not allowed');
    if (rule.pattern && !rule.pattern.test(value)) reject(path, 'has the wrong format');
    return value;
  };
}

/** A safe integer in [min, max]. */
export function integer(min: number, max: number): Validator<number> {
  return (value, path = ROOT) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) reject(path, 'expected an integer');
    if (value < min || value > max) reject(path, `expected an integer in ${min}..${max}`);
    return value;
  };
}

/** One of a fixed set of literals (compared with ===). */
export function literal<const T extends readonly (string | number | boolean)[]>(...values: T): Validator<T[number]> {
  return (value, path = ROOT) => {
    if (!values.includes(value as T[number])) reject(path, `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    return value as T[number];
  };
}

export type ByteRule = { readonly length: number } | { readonly min?: number; readonly max: number };

/** A Uint8Array (Buffer included) of an exact length or a bounded one, copied into a fresh array. */
export function bytes(rule: ByteRule): Validator<Uint8Array> {
  const min = 'length' in rule ? rule.length : (rule.min ?? 0);
  const max = 'length' in rule ? rule.length : rule.max;
  return (value, path = ROOT) => {
    // A tag check rather than instanceof, so a Uint8Array from another realm is recognised; other views are not.
    if (!ArrayBuffer.isView(value) || Object.prototype.toString.call(value) !== '[object Uint8Array]') {
      reject(path, 'expected a Uint8Array');
    }
    const view = value as Uint8Array;
    if (view.length < min || view.length > max) {
      reject(path, min === max ? `expected exactly ${min} bytes` : `expected ${min}..${max} bytes`);
    }
    return new Uint8Array(view);
  };
}

export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (value, path = ROOT) => (value === null ? null : inner(value, path));
}

export interface ArrayRule {
  readonly min?: number;
  readonly max: number;
}

export function array<T>(item: Validator<T>, rule: ArrayRule): Validator<T[]> {
  const min = rule.min ?? 0;
  return (value, path = ROOT) => {
    if (!Array.isArray(value)) reject(path, 'expected an array');
    if (value.length < min || value.length > rule.max) reject(path, `expected ${min}..${rule.max} items`);
    const out: T[] = [];
    // Index access (not iteration) so a sparse array fails on its hole instead of skipping it.
    for (let i = 0; i < value.length; i++) out.push(item(value[i] as unknown, `${path}[${i}]`));
    return out;
  };
}

type Shape = Record<string, Validator<unknown>>;

/** Required keys from `R`, optional keys from `O`; with exactOptionalPropertyTypes an optional key is present or absent. */
export type ObjectOf<R extends Shape, O extends Shape = Record<never, never>> = {
  [K in keyof R]: Infer<R[K]>;
} & { [K in keyof O]?: Infer<O[K]> };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A plain object with exactly the `required` keys and any of the `optional` ones; any other own key (symbols
 * included) is rejected. `options.minKeys` demands at least that many keys in total (a patch that changes nothing is
 * not a request).
 */
export function object<R extends Shape, O extends Shape = Record<never, never>>(
  required: R,
  optional?: O,
  options?: { readonly minKeys?: number },
): Validator<ObjectOf<R, O>> {
  const optionalShape: Shape = optional ?? {};
  return (value, path = ROOT) => {
    if (!isPlainObject(value)) reject(path, 'expected a plain object');
    if (Object.getOwnPropertySymbols(value).length > 0) reject(path, 'unexpected symbol key');
    const keys = Object.keys(value);
    for (const key of keys) {
      if (!Object.hasOwn(required, key) && !Object.hasOwn(optionalShape, key)) reject(path, `unexpected key ${JSON.stringify(key)}`);
    }
    if (options?.minKeys !== undefined && keys.length < options.minKeys) reject(path, `expected at least ${options.minKeys} keys`);
    const out: Record<string, unknown> = {};
    for (const [key, check] of Object.entries(required)) {
      if (!Object.hasOwn(value, key)) reject(path, `missing key ${JSON.stringify(key)}`);
      out[key] = check(value[key], `${path}.${key}`);
    }
    for (const [key, check] of Object.entries(optionalShape)) {
      if (Object.hasOwn(value, key)) out[key] = check(value[key], `${path}.${key}`);
    }
    return out as ObjectOf<R, O>;
  };
}

/**
 * A discriminated union: reads `value[key]`, picks the validator registered for it and lets that validator check
 * the whole object (each variant's shape must include `key` as a literal).
 */
export function variant<K extends string, V extends Record<string, Validator<unknown>>>(
  key: K,
  variants: V,
): Validator<Infer<V[keyof V]>> {
  return (value, path = ROOT) => {
    if (!isPlainObject(value)) reject(path, 'expected a plain object');
    const tag = value[key];
    if (typeof tag !== 'string' || !Object.hasOwn(variants, tag)) {
      reject(`${path}.${key}`, `expected one of ${Object.keys(variants).map((v) => JSON.stringify(v)).join(', ')}`);
    }
    return variants[tag]!(value, path) as Infer<V[keyof V]>;
  };
}

/** An extra check after the shape is known; `rule` names what failed. */
export function refine<T>(inner: Validator<T>, test: (value: T) => boolean, rule: string): Validator<T> {
  return (value, path = ROOT) => {
    const checked = inner(value, path);
    if (!test(checked)) reject(path, rule);
    return checked;
  };
}
