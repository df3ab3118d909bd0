/**
 * Mutation primitives for fuzzing JSON-shaped input: altered strings, values
 * of the wrong type, huge strings, deep nesting, prototype-pollution keys,
 * and an independent judge of what a safe JSON reader must refuse.
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys that reach Object.prototype through naive merges. */
export const POLLUTING_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** The body limits the contract's hostile-input rules use (lib/events defaults). */
export const BODY_LIMITS = { maxBytes: 256 * 1024, maxDepth: 32 };

/** A string surely different from `s`: one of many small or nasty edits. */
export function alteredString(s: string): fc.Arbitrary<string> {
  const at = fc.nat({ max: Math.max(0, s.length) });
  const edits: Array<fc.Arbitrary<string>> = [
    at.chain((i) => fc.string({ minLength: 1, maxLength: 1 }).map((c) => s.slice(0, i) + c + s.slice(i + 1))),
    fc.string({ minLength: 1, maxLength: 6 }).map((x) => s + x),
    fc.string({ minLength: 1, maxLength: 6 }).map((x) => x + s),
    at.map((i) => s.slice(0, i)),
    fc.constant(swapCase(s)),
    fc.constant(` ${s}`),
    fc.constant(`${s}\n`),
    at.map((i) => `${s.slice(0, i)}\u200b${s.slice(i)}`),
    at.map((i) => `${s.slice(0, i)}\ud800${s.slice(i)}`),
    at.map((i) => `${s.slice(0, i)}\u0000${s.slice(i)}`),
    at.map((i) => `${s.slice(0, i)}\u001b[31m${s.slice(i)}`),
    fc.constant(s.normalize('NFD')),
    fc.constant(''),
  ];
  return fc.oneof(...edits).map((out) => (out === s ? `${s}x` : out));
}

function swapCase(s: string): string {
  return [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/** A value where a string belongs. */
export const wrongType: fc.Arbitrary<Json> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
);

/** 100-400 k characters: over the 256 KiB body cap as UTF-8, or close to it. */
export const hugeString: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 100_000, max: 400_000 }), fc.constantFrom('A', '中', '"', '\\u0000', '{'))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));

/** `depth` containers nested inside each other (objects, arrays, or both). */
export function nested(depth: number, kind: 'object' | 'array' | 'mixed'): Json {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i++) {
    const asObject = kind === 'object' || (kind === 'mixed' && i % 2 === 0);
    value = asObject ? { d: value } : [value];
  }
  return value;
}

/** Deep structures around the depth cap (31..34) and far beyond it. */
export const deepValue: fc.Arbitrary<Json> = fc
  .tuple(fc.oneof(fc.integer({ min: 28, max: 36 }), fc.integer({ min: 37, max: 2000 })), fc.constantFrom('object', 'array', 'mixed') as fc.Arbitrary<'object' | 'array' | 'mixed'>)
  .map(([depth, kind]) => nested(depth, kind));

/** An object holding a polluting key as an OWN property (what JSON.parse builds from text). */
export const pollutingObject: fc.Arbitrary<Json> = fc
  .tuple(fc.constantFrom(...POLLUTING_KEYS), fc.constantFrom<Json>({ polluted: true }, 'x', 1, { isAdmin: true, dryRun: false }))
  .map(([key, value]) => JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}}`) as Json);

/** What a field may be turned into: wrong type, huge, deep, polluting, or absent (undefined). */
export function hostileValue(current: unknown): fc.Arbitrary<Json | undefined> {
  const arbs: Array<fc.Arbitrary<Json | undefined>> = [fc.constant(undefined), wrongType, hugeString, deepValue, pollutingObject];
  if (typeof current === 'string') arbs.push(alteredString(current), alteredString(current), alteredString(current));
  return fc.oneof(...arbs);
}

/** Nesting depth of a JSON value: scalars 0, `{}` 1, `{"a":[]}` 2. */
export function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

/** Whether a polluting key appears anywhere as an own key. */
export function hasPollutingKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  return Object.keys(value).some((k) => (POLLUTING_KEYS as readonly string[]).includes(k) || hasPollutingKey((value as Record<string, unknown>)[k]));
}

/**
 * Why a safe JSON reader must refuse this JSON text (size, depth, polluting
 * keys, syntax), or null when it must read it. Judged independently of lib/events.
 */
export function jsonTextRefusal(text: string): string | null {
  if (Buffer.byteLength(text, 'utf8') > BODY_LIMITS.maxBytes) return 'too large';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (depthOf(value) > BODY_LIMITS.maxDepth) return 'too deep';
  if (hasPollutingKey(value)) return 'polluting key';
  return null;
}

/** Replaces the value at a random path of a JSON value (`undefined` deletes it). */
export function replaceAt(value: unknown, path: readonly number[], replacement: unknown): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') return replacement;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const [step, ...rest] = path;
  const key = keys[step! % keys.length]!;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...value };
  const next = replaceAt((value as Record<string, unknown>)[key], rest, replacement);
  if (next === undefined && !Array.isArray(value)) delete copy[key];
  else setOwn(copy, key, next);
  return copy;
}

/** Assignment that makes "__proto__" an own key instead of changing the prototype. */
export function setOwn(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Object keys in a random order (same JSON meaning, different text). */
export function shuffledKeys<T extends Record<string, unknown>>(obj: T, order: readonly number[]): T {
  const entries = Object.entries(obj);
  const out: Array<[string, unknown]> = [];
  const pool = [...entries];
  for (const n of order) {
    if (pool.length === 0) break;
    out.push(pool.splice(n % pool.length, 1)[0]!);
  }
  return Object.fromEntries([...out, ...pool]) as T;
}

/** JSON text with every non-ASCII character written as a \u escape (same value). */
export function asciiJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
