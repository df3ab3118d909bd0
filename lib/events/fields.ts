/**
 * Plain-code field checks for the event shapes. Every delivery is read with them, so
 * they are straight code rather than a schema library: a warm event is read in a few
 * microseconds and index.js carries no validation library (docs/performance.md).
 *
 * A shape reads its fields through one FieldReader, which keeps the first problem as
 * "path: what is wrong" (the reason its Rejection carries) and answers null for a bad
 * field, so a reader goes on in straight lines and asks for its result at the end
 * (when there was a problem, nothing read is used).
 */
import { isRecord } from '../domain/json';
import { err, ok, type Rejection, type Result } from '../domain/types';
import { PRINTABLE } from './ids';
import { reject } from './rejection';

/** `base.key`, or `key` at the top, or `base` for the value itself (key ''). */
export const fieldAt = (base: string, key: string): string => (base === '' ? key : key === '' ? base : `${base}.${key}`);

/** What a string field must be. Absent and null read as null unless `required`. */
export interface TextRule {
  required?: boolean;
  max?: number;
  /** ... and `what` says it in the problem: "must be <what>". */
  pattern?: RegExp;
  what?: string;
  /** No control characters (no log-line forging with \n or ANSI escapes). */
  printable?: boolean;
}

type Obj = Record<string, unknown> | null;

/**
 * Each check reads field `key` of `o` (an object already read, or null after a problem)
 * at `base`; the field's path is only spelled out when it is bad.
 */
export class FieldReader {
  #problem: string | null = null;

  /** Records `key` at `base` as bad (the first problem is kept: one is enough to act on); reads as null. */
  fail(base: string, key: string, what: string): null {
    this.#problem ??= `${fieldAt(base, key) || '(root)'}: ${what}`;
    return null;
  }

  /** The value itself as an object (`path` names it in a problem). */
  top(value: unknown, path: string): Obj {
    return isRecord(value) ? value : this.fail(path, '', 'must be an object');
  }

  /** A nested object, or null when absent and not required. */
  object(o: Obj, key: string, base: string, required = false): Obj {
    const value = o?.[key];
    if (value == null) return required && o ? this.fail(base, key, 'is required and must be an object') : null;
    return isRecord(value) ? value : this.fail(base, key, 'must be an object');
  }

  /** A string field. */
  text(o: Obj, key: string, base: string, rule: TextRule = {}): string | null {
    const value = o?.[key];
    if (value == null) return rule.required && o ? this.fail(base, key, 'is required and must be a string') : null;
    return this.#checkText(value, base, key, rule);
  }

  /** The value itself as a string (`path` names it in a problem). */
  textValue(value: unknown, path: string, rule: TextRule = {}): string | null {
    return this.#checkText(value, path, '', rule);
  }

  #checkText(value: unknown, base: string, key: string, rule: TextRule): string | null {
    if (typeof value !== 'string') return this.fail(base, key, 'must be a string');
    if (rule.max !== undefined && value.length > rule.max) return this.fail(base, key, `must be at most ${rule.max} characters`);
    if (rule.printable && !PRINTABLE.test(value)) return this.fail(base, key, 'must not contain control characters');
    if (rule.pattern && !rule.pattern.test(value)) return this.fail(base, key, `must be ${rule.what ?? 'well-formed'}`);
    return value;
  }

  /** One of `values` (required). When bad, reads as the first of them: the result is an error then, and nothing read is used. */
  oneOf<T extends string>(o: Obj, key: string, base: string, values: readonly [T, ...T[]]): T {
    const value = o?.[key];
    if ((values as readonly unknown[]).includes(value)) return value as T;
    if (o) this.fail(base, key, `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);
    return values[0];
  }

  /** A boolean, or null when absent. */
  flag(o: Obj, key: string, base: string): boolean | null {
    const value = o?.[key];
    if (value == null || typeof value === 'boolean') return value ?? null;
    return this.fail(base, key, 'must be true or false');
  }

  /** `value` when every field read well, else a 400 Rejection with `code` naming the first bad one. */
  result<T>(value: T, code: string): Result<T, Rejection> {
    return this.#problem === null ? ok(value) : err(reject(400, code, this.#problem));
  }
}

/** A string we can use or ignore (it informs the audit, never a decision): anything unusable is null. */
export function usableText(value: unknown, max: number, pattern?: RegExp): string | null {
  return typeof value === 'string' && value.length <= max && (!pattern || pattern.test(value)) ? value : null;
}

/** Epoch milliseconds we can use or ignore: anything but a non-negative safe integer is null. */
export const usableEpochMs = (value: unknown): number | null => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : null);
