/**
 * Small shared building blocks for the zod schemas and shape checks of lib/events.
 *
 * The event schemas are built with zod/mini, zod's tree-shakable build: a cold start
 * compiles and evaluates only the few zod classes an event's schemas use, and building
 * and running them costs a third of the classic API's (docs/performance.md). zod/mini
 * loads no locale by itself: the English one gives the issue messages the rejections
 * carry ("Invalid input: expected array, received string").
 */
import * as z from 'zod/mini';
// By name: zod/mini's `z.locales` namespace would bundle every language.
import { en } from 'zod/locales';
import { PRINTABLE } from './ids';

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Own-property test (never the prototype chain: "constructor" in {} is true). */
export const hasOwn = (o: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * A schema built on its first use, then kept. Building zod schemas is much of a cold start's
 * own work and an event takes one path, so none is built when the bundle loads
 * (docs/performance.md). A plain memo rather than z.lazy: no zod object at load, and a parse
 * goes straight to the schema.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let schema: T | undefined;
  return () => (schema ??= (speakEnglish(), build()));
}

let english = false;
/** zod keeps its configuration on globalThis: one setting serves every copy of zod in the process. */
function speakEnglish(): void {
  if (!english) z.config(en());
  english = true;
}

/** zod: a string of at most `max` characters. */
export const text = (max: number) => z.string().check(z.maxLength(max));

/** zod: a string matching `re`, with a message that says what was expected. */
export const matching = (re: RegExp, what: string) => z.string().check(z.regex(re, { error: `must be ${what}` }));

/** zod: printable text up to `max` characters. */
export const printable = (max: number) =>
  z.string().check(z.maxLength(max, { error: `must be at most ${max} characters` }), z.regex(PRINTABLE, { error: 'must not contain control characters' }));

/**
 * zod: an optional field that senders may also spell as null; readers treat null as absent.
 * (Plain z.nullish: a null-to-undefined transform would cost a pipe and a transform per field,
 * to build and on every parse.)
 */
export const optional = <T extends z.ZodMiniType>(schema: T) => z.nullish(schema);
