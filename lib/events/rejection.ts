/**
 * Building Rejection values: one place that turns a validation failure into
 * the short, field-naming reason the audit record and the HTTP answer carry.
 */
import type { core } from 'zod/mini';
import type { Rejection } from '../domain/types';

export function reject(status: Rejection['status'], code: string, reason: string): Rejection {
  return { status, code, reason };
}

/** `['record', 0, 'smn', 'message']` → `record[0].smn.message`, prefixed by `root` when given. */
export function fieldPath(path: readonly PropertyKey[], root = ''): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** The first zod issue as "field: what is wrong" (one is enough to act on, and keeps reasons short). */
export function zodReason(error: core.$ZodError, root = ''): string {
  const issue = error.issues[0];
  if (issue === undefined) return `${root || 'input'}: invalid`;
  return `${fieldPath(issue.path, root)}: ${issue.message}`;
}

/** Rejection (400 by default) from a zod error, its reason naming the field. */
export function zodRejection(error: core.$ZodError, code: string, root = '', status: Rejection['status'] = 400): Rejection {
  return reject(status, code, zodReason(error, root));
}

/** Same Rejection with its reason prefixed by where the nested input came from. */
export function within(prefix: string, rejection: Rejection): Rejection {
  return { ...rejection, reason: `${prefix}: ${rejection.reason}` };
}
