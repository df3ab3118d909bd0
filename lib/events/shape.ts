/**
 * Small shared building blocks for the zod schemas and shape checks of lib/events.
 */
import * as z from 'zod';
import { PRINTABLE } from './ids';

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Own-property test (never the prototype chain: "constructor" in {} is true). */
export const hasOwn = (o: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** zod: a string matching `re`, with a message that says what was expected. */
export const matching = (re: RegExp, what: string) => z.string().regex(re, { error: `must be ${what}` });

/** zod: printable text up to `max` characters. */
export const printable = (max: number) =>
  z.string().max(max, { error: `must be at most ${max} characters` }).regex(PRINTABLE, { error: 'must not contain control characters' });

/** zod: an optional field that senders may also spell as null. */
export const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === null ? undefined : v), schema.optional());
