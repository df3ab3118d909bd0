/**
 * JSON parsing for hostile input: size cap, depth cap, no prototype-pollution
 * keys, and errors that say where the text went wrong.
 *
 * Objects returned are plain JSON data with none of the keys `__proto__`,
 * `constructor` or `prototype` at any depth, so they are safe to spread,
 * merge or Object.assign.
 */
import { err, ok, type Rejection, type Result } from '../domain/types';
import { checkJsonSyntax } from './json-syntax';
import { reject } from './rejection';

export interface JsonLimits {
  /** Largest accepted UTF-8 size in bytes (default 256 KiB). Larger → 413. */
  maxBytes?: number;
  /** Deepest accepted nesting of objects/arrays (default 32). Deeper → 400. */
  maxDepth?: number;
}

export const DEFAULT_MAX_JSON_BYTES = 256 * 1024;
export const DEFAULT_MAX_JSON_DEPTH = 32;

/** Keys that can reach Object.prototype through naive merges. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function resolveLimits(limits: JsonLimits = {}): Required<JsonLimits> {
  return {
    maxBytes: limits.maxBytes ?? DEFAULT_MAX_JSON_BYTES,
    maxDepth: limits.maxDepth ?? DEFAULT_MAX_JSON_DEPTH,
  };
}

/** UTF-8 size check; the cheap length tests first (a UTF-16 unit is one to three UTF-8 bytes). */
export function exceedsBytes(text: string, maxBytes: number): boolean {
  if (text.length * 3 <= maxBytes) return false;
  return text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes;
}

/**
 * Whether the parsed value of `text` may hold a forbidden key: only if the text spells one
 * out, or holds a \u escape that could. A JSON escape of any other kind (\n, \", \/ ...)
 * cannot make a letter or an underscore. Native scans, so most texts skip the walk.
 */
function mayHoldForbiddenKey(text: string): boolean {
  if (text.includes('\\u')) return true;
  for (const key of FORBIDDEN_KEYS) if (text.includes(key)) return true;
  return false;
}

/**
 * `$.a[0].b` path of the first forbidden key, or null. Iterative (depth is capped, but no
 * recursion needed); the walk keeps no paths, the path is found again only for a hit.
 */
function findForbiddenKey(root: unknown): string | null {
  const pending: unknown[] = [root];
  for (let i = 0; i < pending.length; i++) {
    const value = pending[i];
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') pending.push(item);
      continue;
    }
    for (const key in value) {
      if (FORBIDDEN_KEYS.has(key)) return pathTo(root, value) ?? `$.${key}`;
      const child = (value as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') pending.push(child);
    }
  }
  return null;
}

/** The path of the first forbidden key of `holder`, found from `root` (only on a hit). */
function pathTo(root: unknown, holder: object, path = '$'): string | null {
  if (root === holder) {
    const key = Object.keys(holder).find((k) => FORBIDDEN_KEYS.has(k));
    return key === undefined ? null : `${path}.${key}`;
  }
  if (root === null || typeof root !== 'object') return null;
  for (const [key, child] of Object.entries(root)) {
    const found = pathTo(child, holder, Array.isArray(root) ? `${path}[${key}]` : `${path}.${key}`);
    if (found !== null) return found;
  }
  return null;
}

/**
 * Whether `text` holds at most `max` of the characters that open a container. Each level of
 * nesting needs one, so a text within this bound is within the depth cap, whatever its strings
 * hold; most events (a flat alarm message) are far within it.
 */
function fewOpenings(text: string, max: number): boolean {
  // indexOf scans natively: a loop per character costs more than the parse itself.
  let opened = 0;
  for (const opening of ['{', '[']) {
    for (let at = text.indexOf(opening); at !== -1; at = text.indexOf(opening, at + 1)) if (++opened > max) return false;
  }
  return true;
}

/** JSON.parse, or undefined when it throws: the caller then asks the scanner where and why. */
function nativeParse(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

export function parseJson(text: string, limits?: JsonLimits): Result<unknown, Rejection> {
  const { maxBytes, maxDepth } = resolveLimits(limits);
  if (exceedsBytes(text, maxBytes)) {
    return err(reject(413, 'too_large', `JSON text is larger than ${maxBytes} bytes`));
  }
  // Fast path: a text that cannot be too deep is parsed natively at once (JSON.parse accepts
  // exactly the grammar the scanner checks); the scanner runs only to explain a failure, or
  // ahead of parsing when the text might nest past the cap.
  const parsed = fewOpenings(text, maxDepth) ? nativeParse(text) : undefined;
  if (!parsed) return scanThenParse(text, maxDepth);
  return mayHoldForbiddenKey(text) ? checked(parsed.value) : ok(parsed.value);
}

function scanThenParse(text: string, maxDepth: number): Result<unknown, Rejection> {
  const problem = checkJsonSyntax(text, maxDepth);
  if (problem?.kind === 'too_deep') {
    return err(reject(400, 'too_deep', `JSON nesting deeper than ${maxDepth} levels at position ${problem.position}`));
  }
  if (problem?.kind === 'syntax') {
    const found = problem.position >= text.length ? 'end of input' : JSON.stringify(text[problem.position]);
    return err(reject(400, 'invalid_json', `invalid JSON at position ${problem.position}: expected ${problem.expected}, found ${found}`));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Unreachable when the scanner is right; kept so a scanner bug is a 400, never a crash.
    return err(reject(400, 'invalid_json', 'invalid JSON'));
  }
  return checked(value);
}

function checked(value: unknown): Result<unknown, Rejection> {
  const forbidden = findForbiddenKey(value);
  if (forbidden !== null) {
    return err(reject(400, 'forbidden_key', `forbidden key at ${forbidden} (prototype pollution guard)`));
  }
  return ok(value);
}
