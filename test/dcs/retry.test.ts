/** Retry policy: bounded attempts, full-jitter backoff, kinds by idempotency, deadline. Pure logic, injected sleep/random/clock. */
import fc from 'fast-check';
import { DcsError, type DcsErrorKind } from '../../lib/dcs/errors';
import { backoffDelay, NON_IDEMPOTENT_RETRY_POLICY, READ_RETRY_POLICY, withRetry, type RetryDeps, type RetryPolicy } from '../../lib/dcs/retry';

const fail = (kind: DcsErrorKind) => new DcsError({ kind, code: kind, message: kind });

function fakeDeps(random = 0.5): RetryDeps & { slept: number[] } {
  let clock = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => clock,
    random: () => random,
    sleep: async (ms) => {
      slept.push(ms);
      clock += ms;
    },
  };
}

/** Fails with the given kinds in order, then succeeds. */
function flaky(kinds: DcsErrorKind[]) {
  const calls: number[] = [];
  const op = async (n: number) => {
    calls.push(n);
    const kind = kinds[n - 1];
    if (kind !== undefined) throw fail(kind);
    return 'done';
  };
  return { op, calls };
}

describe('backoffDelay (full jitter)', () => {
  test('stays within [0, min(max, base*2^i))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (i, r) => {
        const d = backoffDelay(i, { baseDelayMs: 100, maxDelayMs: 3000 }, () => r);
        return d >= 0 && d < Math.min(3000, 100 * 2 ** i) && Number.isInteger(d);
      }),
    );
  });

  test('the ceiling doubles, then caps', () => {
    const top = (i: number) => backoffDelay(i, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.999999);
    expect([0, 1, 2, 3, 4, 5].map(top)).toEqual([99, 199, 399, 799, 999, 999]);
  });
});

describe('withRetry', () => {
  test('reads retry every transient kind', async () => {
    const { op, calls } = flaky(['not_sent', 'throttled']);
    const deps = fakeDeps();
    await expect(withRetry(op, { ...READ_RETRY_POLICY, maxAttempts: 5 }, deps)).resolves.toBe('done');
    expect(calls).toEqual([1, 2, 3]);
    const more = flaky(['server', 'outcome_unknown']);
    await expect(withRetry(more.op, { ...READ_RETRY_POLICY, maxAttempts: 5 }, deps)).resolves.toBe('done');
    expect(more.calls).toEqual([1, 2, 3]);
  });

  test.each(['server', 'outcome_unknown'] as const)('the non-idempotent policy never retries %s', async (kind) => {
    const { op, calls } = flaky([kind]);
    await expect(withRetry(op, NON_IDEMPOTENT_RETRY_POLICY, fakeDeps())).rejects.toMatchObject({ kind });
    expect(calls).toEqual([1]);
  });

  test.each(['not_sent', 'throttled'] as const)('the non-idempotent policy retries %s', async (kind) => {
    const { op, calls } = flaky([kind]);
    await expect(withRetry(op, NON_IDEMPOTENT_RETRY_POLICY, fakeDeps())).resolves.toBe('done');
    expect(calls).toEqual([1, 2]);
  });

  test.each(['rejected', 'unauthorized', 'invalid_request', 'config'] as const)('%s is never retried', async (kind) => {
    const { op, calls } = flaky([kind]);
    await expect(withRetry(op, READ_RETRY_POLICY, fakeDeps())).rejects.toMatchObject({ kind });
    expect(calls).toEqual([1]);
  });

  test('attempts are bounded and the sleeps follow the backoff', async () => {
    const policy: RetryPolicy = { ...READ_RETRY_POLICY, maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 };
    const { op, calls } = flaky(['server', 'server', 'server', 'server', 'server']);
    const deps = fakeDeps(0.5);
    await expect(withRetry(op, policy, deps)).rejects.toMatchObject({ kind: 'server' });
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(deps.slept).toEqual([50, 100, 200]);
  });

  test('no retry would start after the deadline', async () => {
    const deps = fakeDeps(0.999);
    const { op, calls } = flaky(['server', 'server', 'server']);
    const policy: RetryPolicy = { ...READ_RETRY_POLICY, maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 1000 };
    await expect(withRetry(op, policy, deps, { deadlineEpochMs: deps.now() + 1500 })).rejects.toMatchObject({ kind: 'server' });
    expect(calls).toEqual([1, 2]);
  });

  test('a non-DcsError is rethrown untouched, never retried', async () => {
    let calls = 0;
    const boom = new Error('bug');
    await expect(withRetry(async () => { calls++; throw boom; }, READ_RETRY_POLICY, fakeDeps())).rejects.toBe(boom);
    expect(calls).toBe(1);
  });
});
