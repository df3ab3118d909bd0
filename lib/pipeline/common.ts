import { isDcsError, type DcsClient } from '../dcs';
import type { Result, Source, Target } from '../domain/types';
import type { GuardSettings } from '../guard';
import type { LoadedPolicy, Policy } from '../policy';
import { takeSessionSnapshot } from '../snapshot';
import { actOnTarget, decided, internalError, type Outcome, type TargetJob } from './act';
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

/**
 * Runs one decision step and audits what it decided: the first outcome timed
 * from the start of the step, each further target as its own decision.
 */
export async function decideAndAudit(inv: Invocation, step: () => Promise<Outcome[]>, source: Source): Promise<void> {
  const begin = inv.auditor.begin();
  const outcomes = await safely(step, { source });
  outcomes.forEach((outcome, i) => inv.settle(i === 0 ? begin : inv.auditor.begin(), outcome));
}

/** An unexpected exception becomes a `failed` decision, never an escaped error. */
async function safely(step: () => Promise<Outcome[]>, context: { source?: Source }): Promise<Outcome[]> {
  try {
    return await step();
  } catch (e) {
    // A DCS read failing before any kill (e.g. the node listing): nothing was done, a redelivery may help.
    if (isDcsError(e)) {
      return [decided({ decision: 'failed', reason: `A DCS call failed before acting: ${e.message}`, error: e.toInfo(), ...context }, e.transient)];
    }
    const error = internalError(e);
    return [decided({ decision: 'failed', reason: 'Unexpected internal error; no further action taken.', error, ...context })];
  }
}

function guardSettingsOf({ policy }: LoadedPolicy): GuardSettings {
  const { cooldownSeconds, maxKillsPerHour, maxKillsPerHourPerInstance, dedupTtlSeconds, failOpen } = policy.guard;
  return { cooldownSeconds, maxKillsPerHour, maxKillsPerHourPerInstance, dedupTtlSeconds, failOpen };
}

/**
 * The session snapshot step, when the policy wants one: bounded by its own
 * budget and by the invocation's (a snapshot never delays the kill past it).
 */
function snapshotOf(policy: Policy, target: Target, dcs: DcsClient, inv: Invocation): Pick<TargetJob, 'snapshot'> {
  const { snapshotSessions, snapshotMaxNodes, snapshotBudgetMs } = policy.audit;
  if (!snapshotSessions || snapshotBudgetMs <= 0) return {};
  return {
    snapshot: () => {
      const budgetMs = Math.min(snapshotBudgetMs, Math.max(0, inv.jobDeadline(policy.jobs.waitSeconds) - inv.now()) / 2);
      return takeSessionSnapshot(dcs, target, { maxNodes: snapshotMaxNodes, budgetMs: Math.max(1, Math.floor(budgetMs)), now: inv.now });
    },
  };
}

/** How one decision acts: which rule, which notification, whether it is a dry run. */
export interface ActOptions {
  rule: string;
  dedupKey: string | null;
  dryRun: boolean;
}

/** What acting needs once per invocation: the DCS client and the guard store, ready. */
export interface Actor {
  dcs: DcsClient;
  act(target: Target, how: ActOptions): Promise<Outcome>;
}

/** Resolves the DCS client and the guard store; a setting that is wrong becomes the decision. */
export function prepareActor(inv: Invocation, loaded: LoadedPolicy, source: Source): Result<Actor, Outcome> {
  const { policy } = loaded;
  const dcs = inv.container.dcs(inv.context);
  if (!dcs.ok) return { ok: false, error: configFailure(inv, 'DcsConfigInvalid', dcs.error.message, source) };
  const guard = inv.container.guard(policy.guard.storeTimeoutMs);
  if (!guard.ok) return { ok: false, error: configFailure(inv, 'GuardConfigInvalid', guard.error.message, source) };
  const client = dcs.value;
  const guardSettings = guardSettingsOf(loaded);
  const act = (target: Target, how: ActOptions) =>
    actOnTarget({
      target,
      source,
      ...how,
      guardSettings,
      guard: guard.value,
      dcs: client,
      jobDeadline: () => inv.jobDeadline(policy.jobs.waitSeconds),
      jobPollMs: policy.jobs.pollIntervalMs,
      now: inv.now,
      ...snapshotOf(policy, target, client, inv),
    });
  return { ok: true, value: { dcs: client, act } };
}
