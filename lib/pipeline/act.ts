import type { DecisionDraft } from '../audit';
import { DcsError, type DcsClient } from '../dcs';
import { rejectionInfo, type ErrorInfo, type Rejection, type Source, type Target } from '../domain/types';
import type { GuardSettings, GuardStore, GuardVerdict } from '../guard';
import { killRequest, killSessions } from '../remediate';
import type { SessionSnapshot } from '../snapshot';
import { preflight } from '../targets';

/** A decision, and whether SMN redelivering the message could change it (the 5xx rule). */
export interface Outcome {
  draft: DecisionDraft;
  redeliveryHelps: boolean;
}

export const decided = (draft: DecisionDraft, redeliveryHelps = false): Outcome => ({ draft, redeliveryHelps });

/** Refused input: a `rejected` decision whose status (4xx) weighs on the HTTP answer. */
export function rejected(inv: { escalate(status: number): void }, rejection: Rejection, source?: Source): Outcome {
  inv.escalate(rejection.status);
  return decided({ decision: 'rejected', reason: rejection.reason, error: rejectionInfo(rejection), ...(source ? { source } : {}) });
}

/** Everything needed to decide and act on one target. */
export interface TargetJob {
  target: Target;
  source: Source;
  rule: string | undefined;
  dedupKey: string | null;
  dryRun: boolean;
  guardSettings: GuardSettings;
  guard: GuardStore;
  /** Building the client loads nothing: the SDK is loaded on its first call, past the guard. */
  dcs: DcsClient;
  /** Who is connected, recorded before the kill (and in dry runs); absent when the policy turns it off. */
  snapshot?: () => Promise<SessionSnapshot>;
  /** Until when the kill job may be followed (epoch ms). */
  jobDeadline: () => number;
  /** First wait before polling the kill job (policy jobs.pollIntervalMs); later polls back off. */
  jobPollMs?: number;
  now: () => number;
}

/**
 * The destructive step, guarded: guard → preflight → kill (or dry run) →
 * settle the guard with what really happened. Always returns a decision.
 */
export async function actOnTarget(job: TargetJob): Promise<Outcome> {
  const base = { target: job.target, source: job.source, ...(job.rule ? { rule: job.rule } : {}) };
  const verdict = await job.guard.check({
    target: job.target,
    dedupKey: job.dedupKey,
    dryRun: job.dryRun,
    now: job.now(),
    settings: job.guardSettings,
  });
  const stop = guardStop(verdict);
  if (stop) return decided({ ...base, ...stop }, verdict.kind === 'unavailable');

  const lease = verdict.kind === 'proceed' ? verdict.lease : null;
  const notes: Pick<DecisionDraft, 'guard' | 'sessions'> = verdict.kind === 'unavailable' ? { guard: { failOpen: true, message: verdict.message, cause: verdict.cause ?? null } } : {};
  let settled = false;
  let sent = false;
  const settle = async (effect: 'executed' | 'not_sent' | 'outcome_unknown') => {
    settled = true;
    if (lease) await job.guard.settle(lease, effect).catch(() => undefined);
  };

  try {
    const check = await preflight(job.dcs, job.target.instanceId);
    if (!check.ok) {
      await settle('not_sent');
      return decided({ ...base, ...notes, decision: 'skipped_precondition', reason: check.reason });
    }
    if (job.snapshot) notes.sessions = { ...(await job.snapshot()) };
    if (job.dryRun) {
      return decided({ ...base, ...notes, dryRun: true, decision: 'dry_run', reason: dryRunReason(job.target), request: killRequest(job.target) });
    }
    sent = true;
    const outcome = await killSessions(job.dcs, job.target, job.jobDeadline(), job.jobPollMs);
    await settle(outcome.kind === 'executed' ? 'executed' : outcome.effect);
    if (outcome.kind === 'failed') {
      const draft: DecisionDraft = { ...base, ...notes, decision: 'failed', reason: failReason(outcome.error, outcome.effect), error: outcome.error.toInfo() };
      return decided(draft, outcome.effect === 'not_sent' && outcome.error.retryable);
    }
    return decided({
      ...base,
      ...notes,
      decision: 'executed',
      reason: executedReason(job.target, outcome.job.status),
      jobId: outcome.jobId,
      job: outcome.job,
    });
  } catch (e) {
    // Before the kill was sent (preflight, client setup) nothing happened; past it we cannot know.
    if (!settled) await settle(sent ? 'outcome_unknown' : 'not_sent');
    const error = e instanceof DcsError ? e.toInfo() : internalError(e);
    const draft: DecisionDraft = { ...base, ...notes, decision: 'failed', reason: `Could not act on the target: ${error.message}`, error };
    return decided(draft, !sent && e instanceof DcsError && e.transient);
  }
}

function guardStop(verdict: GuardVerdict): Pick<DecisionDraft, 'decision' | 'reason' | 'guard' | 'error'> | null {
  switch (verdict.kind) {
    case 'proceed':
      return null;
    case 'duplicate':
      return {
        decision: 'skipped_duplicate',
        reason: 'This notification was already handled.',
        // Every time in an audit record is ISO 8601 (docs/reference.md).
        guard: { ...verdict, ...(verdict.firstSeenAt !== undefined ? { firstSeenAt: new Date(verdict.firstSeenAt).toISOString() } : {}) },
      };
    case 'cooldown':
      return {
        decision: 'skipped_cooldown',
        // The claim is taken before the kill: a concurrent invocation lands here too, `since` tells when.
        reason: `The ${verdict.scope} is cooling down after a kill until ${new Date(verdict.until).toISOString()}.`,
        guard: {
          ...verdict,
          until: new Date(verdict.until).toISOString(),
          ...(verdict.since !== undefined ? { since: new Date(verdict.since).toISOString() } : {}),
        },
      };
    case 'rate_limit':
      return {
        decision: 'skipped_rate_limit',
        reason: `Circuit breaker open: ${verdict.limit} kills per hour reached (${verdict.scope}); next slot at ${new Date(verdict.retryAt).toISOString()}.`,
        guard: { ...verdict, retryAt: new Date(verdict.retryAt).toISOString() },
      };
    case 'unavailable':
      if (verdict.failOpen) return null;
      return {
        decision: 'failed',
        reason: 'The guard store is unavailable; failing closed, no kill.',
        error: { code: 'GuardStoreUnavailable', message: 'guard store unavailable', httpStatus: null, requestId: null },
        guard: { message: verdict.message, failOpen: false, cause: verdict.cause ?? null },
      };
  }
}

function scopeText(target: Target): string {
  return target.killAllNodes ? `all nodes of instance ${target.instanceId}` : `node ${target.nodeId} of instance ${target.instanceId}`;
}

function dryRunReason(target: Target): string {
  return `Dry run: would kill the client sessions of ${scopeText(target)}.`;
}

function executedReason(target: Target, status: string): string {
  return `Killed the client sessions of ${scopeText(target)} (job ${status}).`;
}

function failReason(error: DcsError, effect: 'not_sent' | 'outcome_unknown'): string {
  const what = effect === 'not_sent' ? 'was not carried out' : 'may or may not have been carried out; it will not be re-sent';
  return `The kill-all request ${what}: ${error.message}`;
}

export function internalError(e: unknown): ErrorInfo {
  const name = e instanceof Error ? e.name : 'Error';
  return { code: 'InternalError', message: `unexpected ${name}`, httpStatus: null, requestId: null };
}
