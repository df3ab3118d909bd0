/**
 * Building Rejection values: one place that turns a validation failure into
 * the short, field-naming reason the audit record and the HTTP answer carry.
 */
import type { Rejection } from '../domain/types';

export function reject(status: Rejection['status'], code: string, reason: string): Rejection {
  return { status, code, reason };
}

/** Same Rejection with its reason prefixed by where the nested input came from. */
export function within(prefix: string, rejection: Rejection): Rejection {
  return { ...rejection, reason: `${prefix}: ${rejection.reason}` };
}
