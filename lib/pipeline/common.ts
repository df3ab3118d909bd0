import type { Source } from '../domain/types';
import type { GuardSettings } from '../guard';
import type { LoadedPolicy } from '../policy';
import { decided, internalError, type Outcome } from './act';
import type { Invocation } from './invocation';

/**
 * A setting the operator must fix (invalid policy, missing credentials):
 * no action, a `failed` record that says what is wrong, and HTTP 500 so the
 * failure shows in APIG metrics and SMN redelivers once it is fixed.
 */
export function configFailure(inv: Invocation, code: string, message: string, source?: Source): Outcome {
  inv.escalate(500);
  return decided({
    decision: 'failed',
    reason: `Configuration error, no action taken: ${message}`,
    error: { code, message, httpStatus: null, requestId: null },
    ...(source ? { source } : {}),
  });
}

/** Runs one decision step; an unexpected exception becomes a `failed` decision, never an escaped error. */
export async function safely(step: () => Promise<Outcome[]>, context: { source?: Source }): Promise<Outcome[]> {
  try {
    return await step();
  } catch (e) {
    const error = internalError(e);
    return [decided({ decision: 'failed', reason: 'Unexpected internal error; no further action taken.', error, ...context })];
  }
}

export function guardSettingsOf({ policy }: LoadedPolicy): GuardSettings {
  const { cooldownSeconds, maxKillsPerHour, maxKillsPerHourPerInstance, dedupTtlSeconds, failOpen } = policy.guard;
  return { cooldownSeconds, maxKillsPerHour, maxKillsPerHourPerInstance, dedupTtlSeconds, failOpen };
}
