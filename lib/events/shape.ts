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
// The one locale by path: zod/mini's `locales` namespace would bundle every language.
import en from 'zod/v4/locales/en.js';
import { PRINTABLE } from './ids';

// zod keeps its configuration on globalThis: one setting serves every copy of zod in the process.
z.config(en());

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Own-property test (never the prototype chain: "constructor" in {} is true). */
export const hasOwn = (o: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** zod: a string of at most `max` characters. */
export const text = (max: number) => z.string().check(z.maxLength(max));

/** zod: a string matching `re`, with a message that says what was expected. */
export const matching = (re: RegExp, what: string) => z.string().check(z.regex(re, { error: `must be ${what}` }));

/** zod: printable text up to `max` characters. */
export const printable = (max: number) =>
  z.string().check(z.maxLength(max, { error: `must be at most ${max} characters` }), z.regex(PRINTABLE, { error: 'must not contain control characters' }));

/** zod: an optional field that senders may also spell as null. */
export const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(z.transform((v: unknown): unknown => (v === null ? undefined : v)), z.optional(schema));
