/**
 * What a registered action is (Cloud Custodian's model: the policy selects an
 * action by kind; the action knows how to do it to one target). An action only
 * acts: the executor (lib/pipeline/executor.ts) owns the guard claim, the dry-run
 * decision, the budget, the audit record and the claim's settlement.
 */
import { DcsError, isDcsError, waitForJob, type DcsClient } from '../dcs';
import { REPORT_RESERVE_MS, type Budget } from '../domain/budget';
import type { ActionDetails, JobView, Target } from '../domain/types';

/**
 * How an action ended, as evidence allows:
 * - done: it was carried out (or, in a dry run, everything short of the destructive step was);
 * - none_matched: there was nothing to do (a precision action chose no session);
 * - not_applicable: the target cannot take this action (e.g. a precision action on a Redis
 *   server behind proxies); nothing was sent;
 * - refused: DCS answered that it will not (4xx, 429): nothing happened;
 * - not_sent: evidence shows no byte of the destructive request left the machine;
 * - unknown: it may have happened (sent, then timeout, reset, 5xx, garbled answer).
 */
export type ActionOutcome = 'done' | 'none_matched' | 'not_applicable' | 'refused' | 'not_sent' | 'unknown';

/** The request a destructive step sends, shown verbatim in dry-run records. */
export interface ActionRequest {
  method: 'POST';
  path: string;
  body: object;
}

export type ActionReport =
  | { outcome: 'done'; reason: string; details: ActionDetails; jobId?: string; job?: JobView; request?: ActionRequest }
  | { outcome: 'none_matched' | 'not_applicable'; reason: string; details: ActionDetails }
  | { outcome: 'refused' | 'not_sent' | 'unknown'; error: DcsError; details: ActionDetails; jobId?: string };

export interface ActionContext {
  /** In a dry run, a client whose destructive calls refuse to send (see `withoutWrites`). */
  dcs: DcsClient;
  budget: Budget;
  /** The executor's decision: read what is needed, never do the destructive step. */
  dryRun: boolean;
  /** The policy's `jobs` section: how long and how often to follow a job. */
  jobs: { waitSeconds: number; pollIntervalMs: number };
}

export interface Action<S extends { kind: string }> {
  readonly kind: S['kind'];
  /** It lists the target's sessions itself: the executor's snapshot would only repeat its scans. */
  readonly readsSessions?: boolean;
  /** What it does to a target, in words: "kill the client sessions of all nodes of instance …". */
  describe(target: Target, spec: S): string;
  /** Does it (in a dry run: all but the destructive step). Never throws: a failure is a report. */
  run(target: Target, spec: S, ctx: ActionContext): Promise<ActionReport>;
}

/** The DCS calls that change something. A dry run's client refuses exactly these. */
export const WRITE_OPERATIONS: ReadonlySet<string> = new Set(['hangUpKillAllClients', 'hangUpClients']);

/**
 * The client a dry run gets: reads pass through, every destructive call fails
 * before anything is built or sent. A second lock behind the action's own
 * `dryRun` check: an action that forgets it fails instead of killing.
 */
export function withoutWrites(dcs: DcsClient): DcsClient {
  return new Proxy(dcs, {
    get(target, key) {
      if (typeof key === 'string' && WRITE_OPERATIONS.has(key)) {
        return async () => {
          throw new DcsError({ kind: 'invalid_request', code: 'dry_run', message: `${key} not sent: this is a dry run` });
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      // Bound to the real client: its private fields are not reachable through the proxy.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A failed destructive call as a report. The client's error kinds carry the
 * evidence (lib/dcs/errors.ts): only a request that provably never left, or
 * one DCS answered with a refusal, is anything but "unknown".
 */
export function failedSend(error: unknown, details: ActionDetails): ActionReport {
  if (!isDcsError(error)) {
    // A bug past the point of sending: assume the worst.
    return { outcome: 'unknown', details, error: new DcsError({ kind: 'outcome_unknown', code: 'InternalError', message: 'unexpected error while sending' }) };
  }
  switch (error.kind) {
    case 'not_sent':
    case 'config':
    case 'invalid_request':
      return { outcome: 'not_sent', details, error };
    case 'throttled':
    case 'rejected':
    case 'unauthorized':
      return { outcome: 'refused', details, error };
    case 'server':
    case 'outcome_unknown':
      return { outcome: 'unknown', details, error };
  }
}

/**
 * Follows an accepted job until it ends, the policy's wait is over or the
 * budget is spent. Never throws: the action was accepted whatever happens here,
 * so a job that cannot be read (403, 404 ...) is PENDING with the error beside it.
 */
export async function followJob(dcs: Pick<DcsClient, 'showJobInfo'>, jobId: string, ctx: Pick<ActionContext, 'budget' | 'jobs'>): Promise<JobView> {
  try {
    // The job is followed for the record only: the sinks keep the last second of the budget (REPORT_RESERVE_MS).
    const until = Math.min(ctx.budget.within(ctx.jobs.waitSeconds * 1000), ctx.budget.deadline - REPORT_RESERVE_MS);
    const job = await waitForJob(dcs, jobId, until, { initialDelayMs: ctx.jobs.pollIntervalMs });
    return { status: job.status, failReason: job.failReason };
  } catch (e) {
    const error = isDcsError(e) ? e.toInfo() : { code: 'InternalError', message: 'unexpected error while reading the job', httpStatus: null, requestId: null };
    return { status: 'PENDING', failReason: null, error };
  }
}
