/**
 * A decision: what the audit record says, and what it tells the sender of the
 * event. The HTTP status of an APIG answer is derived from the decisions by
 * `httpStatus` and by nothing else.
 */
import type { DecisionDraft } from '../audit';
import { isDcsError } from '../dcs/errors';
import { rejectionInfo, type ErrorInfo, type Rejection, type Source } from '../domain/types';

/**
 * What one decision asks of the sender (SMN redelivers on 5xx only):
 * - ok: handled — done, skipped, or failed in a way a redelivery must not retry
 *   (a kill whose outcome is unknown: re-sending it could kill twice);
 * - retry: nothing was done and a redelivery can fix it (503);
 * - misconfigured: the operator must fix a setting (500; SMN redelivers once it is);
 * - internal: a bug stopped the story before it acted (500);
 * - a 4xx status: the input was refused.
 */
export type Answer = 'ok' | 'retry' | 'misconfigured' | 'internal' | Rejection['status'];

export interface Decision {
  draft: DecisionDraft;
  answer: Answer;
}

const STATUS: Record<Exclude<Answer, number>, number> = { ok: 200, misconfigured: 500, internal: 500, retry: 503 };

/** The HTTP status the decisions add up to: the most severe one wins (503 > 500 > 4xx > 200). */
export function httpStatus(answers: readonly Answer[]): number {
  return Math.max(200, ...answers.map((a) => (typeof a === 'number' ? a : STATUS[a])));
}

export const decided = (draft: DecisionDraft, answer: Answer = 'ok'): Decision => ({ draft, answer });

/** Refused input: a `rejected` decision whose 4xx weighs on the HTTP answer. No DCS call follows. */
export function rejected(rejection: Rejection, source?: Source): Decision {
  return decided({ decision: 'rejected', reason: rejection.reason, error: rejectionInfo(rejection), ...(source ? { source } : {}) }, rejection.status);
}

/**
 * A setting the operator must fix (invalid policy, missing credentials): no
 * action, a `failed` record that says what is wrong, and HTTP 500 so the
 * failure shows in APIG metrics and SMN redelivers once it is fixed.
 */
export function configFailure(code: string, message: string, source?: Source): Decision {
  return decided(
    {
      decision: 'failed',
      reason: `Configuration error, no action taken: ${message}`,
      error: { code, message, httpStatus: null, requestId: null },
      ...(source ? { source } : {}),
    },
    'misconfigured',
  );
}

/** An error no code path expected, as a safe ErrorInfo (its message could hold anything). */
export function internalError(e: unknown): ErrorInfo {
  const name = e instanceof Error ? e.name : 'Error';
  return { code: 'InternalError', message: `unexpected ${name}`, httpStatus: null, requestId: null };
}

/**
 * A story stopped by an exception. Stories only read, so nothing was done: a
 * DCS read that failed for a passing reason is worth a redelivery.
 */
export function planningFailure(e: unknown, source?: Source): Decision {
  const context = source ? { source } : {};
  if (isDcsError(e)) {
    const answer: Answer = e.kind === 'config' ? 'misconfigured' : e.transient ? 'retry' : 'ok';
    return decided({ decision: 'failed', reason: `A DCS call failed before acting: ${e.message}`, error: e.toInfo(), ...context }, answer);
  }
  return decided({ decision: 'failed', reason: 'Unexpected internal error; no further action taken.', error: internalError(e), ...context }, 'internal');
}
