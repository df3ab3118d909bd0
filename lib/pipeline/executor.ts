/**
 * The one executor: the only code that acts. Every plan, whatever story made
 * it, runs the same way:
 *
 *   budget check → guard claim → preflight → snapshot → action → settle the claim → decision
 *
 * The dry-run decision was made when the plan was (plan.dryRunCause); here it
 * decides what the action may do and which client it gets. Every DCS call and
 * wait gets the invocation's budget. The claim is settled by evidence, in one
 * table (SETTLEMENT): only a request that provably never left, or that DCS
 * refused, gives the target back; anything else keeps it, so a redelivery
 * cannot act twice.
 */
import { ACTIONS, actionFor, withoutWrites, type ActionOutcome, type ActionRegistry, type ActionReport } from '../actions';
import type { DecisionDraft } from '../audit';
import { isDcsError, MIN_ATTEMPT_MS, type DcsClient, type DcsError } from '../dcs';
import type { Budget } from '../domain/budget';
import type { DecisionKind, ErrorInfo, Result } from '../domain/types';
import type { GuardSettings, GuardStore, GuardVerdict, Lease, SettleOutcome } from '../guard';
import type { Logger } from '../log/logger';
import { takeSessionSnapshot } from '../snapshot';
import { preflight } from '../targets';
import { configFailure, decided, internalError, type Answer, type Decision } from './decision';
import type { Plan } from './plan';

/** Below this much time left a plan is not started: a preflight and a kill attempt need at least this. */
export const MIN_TARGET_MS = 2 * MIN_ATTEMPT_MS;

/** A setting that prevents acting, as the executor reports it. */
export interface ConfigProblem {
  code: string;
  message: string;
}

/** What the executor needs from the outside world; tests hand in real ones. */
export interface ExecutorPorts {
  dcs(): Result<DcsClient, ConfigProblem>;
  guard(storeTimeoutMs: number): Result<GuardStore, ConfigProblem>;
  budget: Budget;
  now: () => number;
  log: Logger;
  actions?: ActionRegistry;
}

/**
 * Outcome → decision and claim. `executed` and `outcome_unknown` keep the claim
 * (cooldown, breaker count, dedup mark); `not_sent` releases it.
 */
export const SETTLEMENT: Readonly<Record<ActionOutcome, { decision: DecisionKind; claim: SettleOutcome }>> = {
  done: { decision: 'executed', claim: 'executed' },
  none_matched: { decision: 'skipped_no_match', claim: 'not_sent' },
  not_applicable: { decision: 'skipped_precondition', claim: 'not_sent' },
  refused: { decision: 'failed', claim: 'not_sent' },
  not_sent: { decision: 'failed', claim: 'not_sent' },
  unknown: { decision: 'failed', claim: 'outcome_unknown' },
};

/**
 * What a failure tells the sender: a configuration problem (500), a failure a
 * redelivery can fix because nothing happened (not sent, throttled: 503), or
 * one it must not retry (refused, or outcome unknown: 200).
 */
export function answerFor(error: Pick<DcsError, 'kind' | 'retryable'>): Answer {
  if (error.kind === 'config') return 'misconfigured';
  return error.retryable ? 'retry' : 'ok';
}

export class Executor {
  private readonly actions: ActionRegistry;

  constructor(private readonly ports: ExecutorPorts) {
    this.actions = ports.actions ?? ACTIONS;
  }

  /** Runs one plan to its decision. Never throws. */
  async run(plan: Plan): Promise<Decision> {
    const base: DecisionDraftBase = {
      target: plan.target,
      source: plan.source,
      rule: plan.rule,
      ...(plan.dryRunCause ? { dryRun: true, dryRunCause: plan.dryRunCause } : {}),
    };
    if (!this.ports.budget.allows(MIN_TARGET_MS)) return notStarted(base, this.ports.budget.remaining());

    const dcs = this.ports.dcs();
    if (!dcs.ok) return configFailure(dcs.error.code, dcs.error.message, plan.source);
    const guard = this.ports.guard(plan.policy.guard.storeTimeoutMs);
    if (!guard.ok) return configFailure(guard.error.code, guard.error.message, plan.source);

    const verdict = await guard.value.check({
      target: plan.target,
      dedupKey: plan.dedupKey,
      dryRun: plan.dryRunCause !== null,
      now: this.ports.now(),
      settings: guardSettingsOf(plan),
    });
    const stop = guardStop(verdict);
    if (stop) return decided({ ...base, ...stop.draft }, stop.answer);

    const claim = new Claim(guard.value, verdict.kind === 'proceed' ? verdict.lease : null, this.ports.log);
    const notes: Pick<DecisionDraft, 'guard' | 'sessions'> =
      verdict.kind === 'unavailable' ? { guard: { failOpen: true, message: verdict.message, cause: verdict.cause ?? null } } : {};
    return this.act(plan, dcs.value, claim, { ...base, ...notes });
  }

  /** Past the claim: preflight, snapshot, the action, and the claim settled by what it reports. */
  private async act(plan: Plan, dcs: DcsClient, claim: Claim, base: DecisionDraftBase): Promise<Decision> {
    let reached = false;
    try {
      const check = await preflight(dcs, plan.target.instanceId, this.ports.budget.callOptions());
      if (!check.ok) {
        await claim.settle('not_sent');
        return decided({ ...base, decision: 'skipped_precondition', reason: check.reason });
      }
      const action = actionFor(this.actions, plan.action);
      const sessions = action.readsSessions ? undefined : await this.snapshot(plan, dcs);
      const dryRun = plan.dryRunCause !== null;
      reached = true;
      const report = await action.run(plan.target, plan.action, {
        dcs: dryRun ? withoutWrites(dcs) : dcs,
        budget: this.ports.budget,
        dryRun,
        jobs: plan.policy.jobs,
      });
      const settlement = SETTLEMENT[report.outcome];
      await claim.settle(settlement.claim);
      return decisionOf(report, { ...base, ...(sessions ? { sessions } : {}) }, action.describe(plan.target, plan.action), dryRun);
    } catch (e) {
      // Before the action nothing was changed (the reads failed): give the target back.
      // An action never throws; if one did, assume the worst.
      await claim.settle(reached ? 'outcome_unknown' : 'not_sent');
      const error = isDcsError(e) ? e.toInfo() : internalError(e);
      const answer: Answer = !reached && isDcsError(e) ? (e.transient ? 'retry' : answerFor(e)) : 'ok';
      return decided({ ...base, decision: 'failed', reason: `Could not act on the target: ${error.message}`, error }, answer);
    }
  }

  /** Who is connected before the kill, when the policy wants it: half the time left at most. */
  private async snapshot(plan: Plan, dcs: DcsClient): Promise<Record<string, unknown> | undefined> {
    const { snapshotSessions, snapshotMaxNodes, snapshotBudgetMs } = plan.policy.audit;
    if (!snapshotSessions || snapshotBudgetMs <= 0) return undefined;
    const budgetMs = Math.floor(Math.min(snapshotBudgetMs, this.ports.budget.remaining() / 2));
    return { ...(await takeSessionSnapshot(dcs, plan.target, { maxNodes: snapshotMaxNodes, budgetMs: Math.max(1, budgetMs), now: this.ports.now })) };
  }
}

type DecisionDraftBase = Omit<DecisionDraft, 'decision' | 'reason'>;

function decisionOf(report: ActionReport, base: DecisionDraftBase, what: string, dryRun: boolean): Decision {
  const action = { action: report.details };
  switch (report.outcome) {
    case 'done':
      if (dryRun) return decided({ ...base, ...action, decision: 'dry_run', reason: report.reason, ...(report.request ? { request: report.request } : {}) });
      return decided({ ...base, ...action, decision: 'executed', reason: report.reason, ...jobOf(report) });
    case 'none_matched':
    case 'not_applicable':
      return decided({ ...base, ...action, decision: SETTLEMENT[report.outcome].decision, reason: report.reason });
    case 'refused':
    case 'not_sent':
    case 'unknown': {
      const error = report.error;
      return decided({ ...base, ...action, decision: 'failed', reason: failureReason(report.outcome, what, error), error: error.toInfo(), ...jobOf(report) }, answerFor(error));
    }
  }
}

function jobOf(report: { jobId?: string; job?: DecisionDraft['job'] }): Pick<DecisionDraft, 'jobId' | 'job'> {
  return { ...(report.jobId ? { jobId: report.jobId } : {}), ...(report.job ? { job: report.job } : {}) };
}

function failureReason(outcome: 'refused' | 'not_sent' | 'unknown', what: string, error: DcsError): string {
  if (outcome === 'not_sent') return `Could not ${what}: the request was not sent (${error.message}).`;
  if (outcome === 'refused') return `DCS refused to ${what}: ${error.message}`;
  return `The request to ${what} may or may not have been carried out; it will not be re-sent: ${error.message}`;
}

/** A target that cannot fit in what is left of the invocation is not started; a redelivery can do it. */
function notStarted(base: DecisionDraftBase, remainingMs: number): Decision {
  const error: ErrorInfo = { code: 'deadline_exceeded', message: `only ${remainingMs} ms left before the invocation deadline`, httpStatus: null, requestId: null };
  return decided({ ...base, decision: 'failed', reason: `Not started: ${error.message}; nothing was sent.`, error }, 'retry');
}

function guardSettingsOf(plan: Plan): GuardSettings {
  const { cooldownSeconds, maxKillsPerHour, maxKillsPerHourPerInstance, dedupTtlSeconds, failOpen } = plan.policy.guard;
  return { cooldownSeconds, maxKillsPerHour, maxKillsPerHourPerInstance, dedupTtlSeconds, failOpen };
}

/** The guard's claim on a target, settled exactly once (nothing to settle for dry runs and fail-open). */
class Claim {
  private settled = false;

  constructor(
    private readonly store: GuardStore,
    private readonly lease: Lease | null,
    private readonly log: Logger,
  ) {}

  async settle(outcome: SettleOutcome): Promise<void> {
    if (this.settled || this.lease === null) return;
    this.settled = true;
    try {
      const { vanished } = await this.store.settle(this.lease, outcome);
      if (vanished.length > 0) {
        // Seconds after the claim: the store dropped guard state (eviction?). Releasing still worked.
        this.log.warn('Guard claim entries vanished before the claim was settled: the guard store may evict its keys (use maxmemory-policy noeviction).', {
          instanceId: this.lease.target.instanceId,
          vanished,
        });
      }
    } catch (e) {
      // The claim stays: the safe side. Say so, the target stays cool until it expires.
      this.log.warn('The guard claim could not be released; the target stays in cooldown until it expires.', {
        instanceId: this.lease.target.instanceId,
        cause: e instanceof Error ? e.message : 'unknown',
      });
    }
  }
}

function guardStop(verdict: GuardVerdict): { draft: Pick<DecisionDraft, 'decision' | 'reason' | 'guard' | 'error'>; answer: Answer } | null {
  switch (verdict.kind) {
    case 'proceed':
      return null;
    case 'duplicate':
      return {
        answer: 'ok',
        draft: {
          decision: 'skipped_duplicate',
          reason: 'This notification was already handled.',
          // Every time in an audit record is ISO 8601 (docs/reference.md).
          guard: { ...verdict, ...(verdict.firstSeenAt !== undefined ? { firstSeenAt: new Date(verdict.firstSeenAt).toISOString() } : {}) },
        },
      };
    case 'cooldown':
      return {
        answer: 'ok',
        draft: {
          decision: 'skipped_cooldown',
          // The claim is taken before the kill: a concurrent invocation lands here too, `since` tells when.
          reason: `The ${verdict.scope} is cooling down after a kill until ${new Date(verdict.until).toISOString()}.`,
          guard: {
            ...verdict,
            until: new Date(verdict.until).toISOString(),
            ...(verdict.since !== undefined ? { since: new Date(verdict.since).toISOString() } : {}),
          },
        },
      };
    case 'rate_limit':
      return {
        answer: 'ok',
        draft: {
          decision: 'skipped_rate_limit',
          reason: `Circuit breaker open: ${verdict.limit} kills per hour reached (${verdict.scope}); next slot at ${new Date(verdict.retryAt).toISOString()}.`,
          guard: { ...verdict, retryAt: new Date(verdict.retryAt).toISOString() },
        },
      };
    case 'unavailable':
      if (verdict.failOpen) return null;
      return {
        answer: 'retry',
        draft: {
          decision: 'failed',
          reason: 'The guard store is unavailable; failing closed, no kill.',
          error: { code: 'GuardStoreUnavailable', message: 'guard store unavailable', httpStatus: null, requestId: null },
          guard: { message: verdict.message, failOpen: false, cause: verdict.cause ?? null },
        },
      };
  }
}
