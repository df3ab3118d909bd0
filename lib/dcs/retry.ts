/**
 * Bounded retry with exponential backoff and full jitter
 * (delay = random(0, min(maxDelay, base * 2^attempt))), the AWS-recommended
 * shape: it spreads the retries of many concurrent functions apart.
 *
 * What is retried depends on the call's idempotency:
 * - reads (showJobInfo, showInstance, ...) are harmless to repeat, so every
 *   transient failure is retried: not_sent, throttled, server, outcome_unknown;
 * - hangUpKillAllClients is not idempotent: a kill-all that timed out or got a
 *   5xx may already be running on DCS, and a second one would cut the sessions
 *   that reconnected in between. It is retried ONLY when we know DCS did not
 *   act: not_sent (the connection never came up) and throttled (429 is refused
 *   before any work). A timed-out kill-all is sent exactly once.
 */
import { DcsError, type DcsErrorKind } from './errors';

export interface RetryPolicy {
  /** Total attempts, the first included (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  retryOn: ReadonlySet<DcsErrorKind>;
}

export const READ_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2000,
  retryOn: new Set<DcsErrorKind>(['not_sent', 'throttled', 'server', 'outcome_unknown']),
};

export const NON_IDEMPOTENT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 2000,
  retryOn: new Set<DcsErrorKind>(['not_sent', 'throttled']),
};

export interface RetryDeps {
  sleep: (ms: number) => Promise<void>;
  /** Uniform in [0, 1). */
  random: () => number;
  now: () => number;
}

export const realRetryDeps: RetryDeps = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now,
};

/** Full jitter: uniform in [0, min(maxDelay, base * 2^retryIndex)). */
export function backoffDelay(retryIndex: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return Math.floor(random() * ceiling);
}

export interface RetryOptions {
  /** No retry starts (nor sleeps) past this instant. */
  deadlineEpochMs?: number;
  /** Called before each retry, e.g. to log it. */
  onRetry?: (error: DcsError, attempt: number, delayMs: number) => void;
}

/**
 * Runs `attempt(n)` (n = 1, 2, ...) until it succeeds, fails with a kind the
 * policy does not retry, runs out of attempts, or the next retry would start
 * after the deadline. The last error is thrown as is.
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  policy: RetryPolicy,
  deps: RetryDeps = realRetryDeps,
  options: RetryOptions = {},
): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!(error instanceof DcsError) || !policy.retryOn.has(error.kind) || n >= policy.maxAttempts) throw error;
      const delay = backoffDelay(n - 1, policy, deps.random);
      if (options.deadlineEpochMs !== undefined && deps.now() + delay >= options.deadlineEpochMs) throw error;
      options.onRetry?.(error, n, delay);
      await deps.sleep(delay);
    }
  }
}
