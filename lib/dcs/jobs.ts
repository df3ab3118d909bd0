/**
 * Following a DCS job (kill-all and scan are asynchronous) until it ends or
 * we run out of time.
 *
 * Polls showJobInfo with exponential backoff (capped) until SUCCESS or FAIL,
 * or until the deadline, where it returns PENDING: the job was still INIT or
 * RUNNING when we stopped looking, which is an answer, not an error.
 *
 * Errors: transient read failures (not_sent, throttled, server,
 * outcome_unknown: reads are safe to repeat) are swallowed and polling goes
 * on; if the deadline comes first the result is PENDING with `lastError` set.
 * Never throws past the deadline for those. Permanent failures
 * (unauthorized, rejected e.g. unknown job, invalid_request, config) are
 * thrown at once as DcsError: waiting longer cannot fix them.
 */
import type { ErrorInfo, JobStatus } from '../domain/types';
import { DcsError, sanitizeText } from './errors';
import { assertJobId } from './ids';
import type { ShowJobInfoRequest, ShowJobInfoResponse } from './models';
import type { CallOptions } from './client';

export interface JobReader {
  showJobInfo(request: ShowJobInfoRequest, options?: CallOptions): Promise<ShowJobInfoResponse>;
}

export interface WaitForJobOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** First wait before polling (the job was just created). Default 1000 ms. */
  initialDelayMs?: number;
  /** Cap of the doubling delay between polls. Default 5000 ms. */
  maxDelayMs?: number;
}

export interface JobWaitResult {
  /** SUCCESS, FAIL, or PENDING (still INIT/RUNNING, or unreadable, at the deadline). */
  status: Extract<JobStatus, 'SUCCESS' | 'FAIL' | 'PENDING'>;
  failReason: string | null;
  /** showJobInfo calls made (attempts inside the client's own retry not counted). */
  polls: number;
  /** The last transient read error when it was PENDING because of it; null otherwise. */
  lastError: ErrorInfo | null;
}

export const DEFAULT_INITIAL_DELAY_MS = 1000;
export const DEFAULT_MAX_DELAY_MS = 5000;

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitForJob(
  client: JobReader,
  jobId: string,
  deadlineEpochMs: number,
  options: WaitForJobOptions = {},
): Promise<JobWaitResult> {
  assertJobId(jobId);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const maxDelay = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  let delay = options.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
  let polls = 0;
  let lastError: DcsError | null = null;

  for (;;) {
    const left = deadlineEpochMs - now();
    if (left <= 0) return { status: 'PENDING', failReason: null, polls, lastError: lastError?.toInfo() ?? null };
    await sleep(Math.min(delay, left));
    delay = Math.min(delay * 2, maxDelay);
    if (now() >= deadlineEpochMs) continue;

    polls += 1;
    try {
      const job = await client.showJobInfo({ jobId }, { deadlineEpochMs });
      lastError = null;
      if (job.status === 'SUCCESS') return { status: 'SUCCESS', failReason: null, polls, lastError: null };
      if (job.status === 'FAIL') return { status: 'FAIL', failReason: job.fail_reason?.trim() ? sanitizeText(job.fail_reason.trim()) : null, polls, lastError: null };
    } catch (error) {
      if (!(error instanceof DcsError) || !error.transient) throw error;
      lastError = error;
    }
  }
}
