/**
 * waitForJob's loop on a scripted job reader and a fake clock (pure logic);
 * the same loop against the emulator, over HTTP, is in emulator.test.ts.
 */
import { DcsError, type DcsErrorKind } from '../../lib/dcs/errors';
import { waitForJob, type JobReader } from '../../lib/dcs/jobs';
import type { ShowJobInfoResponse } from '../../lib/dcs/models';
import { JOB_ID } from './support/fixtures';

type Step = ShowJobInfoResponse['status'] | DcsErrorKind;
const STATUSES = new Set(['INIT', 'RUNNING', 'SUCCESS', 'FAIL']);

/** Answers the scripted steps in order (the last repeats), on a clock that only moves when slept. */
function scripted(steps: Step[], failReason: string | null = null) {
  let clock = 0;
  let calls = 0;
  const seenDeadlines: (number | undefined)[] = [];
  const reader: JobReader = {
    showJobInfo: async (_req, options) => {
      seenDeadlines.push(options?.deadlineEpochMs);
      const step = steps[Math.min(calls++, steps.length - 1)]!;
      if (!STATUSES.has(step)) throw new DcsError({ kind: step as DcsErrorKind, code: `c_${step}`, message: step });
      return { job_id: JOB_ID, status: step as ShowJobInfoResponse['status'], fail_reason: failReason };
    },
  };
  const sleeps: number[] = [];
  const options = {
    now: () => clock,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      clock += ms;
    },
    initialDelayMs: 100,
    maxDelayMs: 400,
  };
  return { reader, options, sleeps, seenDeadlines, calls: () => calls };
}

describe('waitForJob', () => {
  test('follows INIT → RUNNING → SUCCESS with doubling, capped delays', async () => {
    const s = scripted(['INIT', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCESS']);
    const result = await waitForJob(s.reader, JOB_ID, 10_000, s.options);
    expect(result).toEqual({ status: 'SUCCESS', failReason: null, polls: 5, lastError: null });
    expect(s.sleeps).toEqual([100, 200, 400, 400, 400]);
    expect(s.seenDeadlines.every((d) => d === 10_000)).toBe(true);
  });

  test('FAIL carries the fail reason', async () => {
    const s = scripted(['RUNNING', 'FAIL'], 'node restarted');
    expect(await waitForJob(s.reader, JOB_ID, 10_000, s.options)).toEqual({ status: 'FAIL', failReason: 'node restarted', polls: 2, lastError: null });
  });

  test('at the deadline the answer is PENDING, and no poll starts after it', async () => {
    const s = scripted(['RUNNING']);
    const result = await waitForJob(s.reader, JOB_ID, 1000, s.options);
    expect(result.status).toBe('PENDING');
    expect(result.lastError).toBeNull();
    // Polls at 100, 300, 700; the next sleep is clipped to the deadline (300 ms), then it stops.
    expect(result.polls).toBe(3);
    expect(s.sleeps).toEqual([100, 200, 400, 300]);
  });

  test('transient read errors are ridden out', async () => {
    const s = scripted(['server', 'outcome_unknown', 'throttled', 'not_sent', 'SUCCESS']);
    expect((await waitForJob(s.reader, JOB_ID, 100_000, s.options)).status).toBe('SUCCESS');
  });

  test('a transient error on the last poll leaves PENDING with the error, never a throw', async () => {
    const s = scripted(['RUNNING', 'server']);
    const result = await waitForJob(s.reader, JOB_ID, 1000, s.options);
    expect(result.status).toBe('PENDING');
    expect(result.lastError).toEqual({ code: 'c_server', message: 'server', httpStatus: null, requestId: null });
  });

  test.each(['rejected', 'unauthorized'] as const)('a permanent error (%s) is thrown at once', async (kind) => {
    const s = scripted(['RUNNING', kind]);
    await expect(waitForJob(s.reader, JOB_ID, 100_000, s.options)).rejects.toMatchObject({ kind });
    expect(s.calls()).toBe(2);
  });

  test('a malformed job id is refused before any poll', async () => {
    const s = scripted(['SUCCESS']);
    await expect(waitForJob(s.reader, '../jobs', 100_000, s.options)).rejects.toMatchObject({ kind: 'invalid_request' });
    expect(s.calls()).toBe(0);
  });

  test('a deadline already past: PENDING without polling', async () => {
    const s = scripted(['SUCCESS']);
    expect(await waitForJob(s.reader, JOB_ID, 0, s.options)).toEqual({ status: 'PENDING', failReason: null, polls: 0, lastError: null });
  });
});
