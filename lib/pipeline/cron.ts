import type { ScheduleSource } from '../domain/types';
import { readTimerEvent } from '../events';
import { isInstanceAllowed, resolveSchedule } from '../policy';
import { targetsForSchedule } from '../targets';
import { actOnTarget, decided, type Outcome } from './act';
import { configFailure, guardSettingsOf, safely, snapshotOf } from './common';
import type { Invocation } from './invocation';

/**
 * The timer story: read the event → find the schedule in the policy → for
 * each of its targets: check it is allowed → act → audit.
 */
export async function runCron(event: unknown, inv: Invocation): Promise<void> {
  const timer = readTimerEvent(event);
  if (!timer.ok) {
    inv.reject(timer.error.status, {
      decision: 'rejected',
      reason: timer.error.reason,
      error: { code: timer.error.code, message: timer.error.reason, httpStatus: timer.error.status, requestId: null },
    });
    return;
  }
  const source: ScheduleSource & { schedule: string } = { schedule: timer.value.schedule, triggerName: timer.value.triggerName };
  // A timer tick redelivered by the platform must not kill twice.
  const tick = timer.value.time ?? null;
  const begin = inv.auditor.begin();
  const outcomes = await safely(() => decideSchedule(source, tick, inv), { source });
  outcomes.forEach((outcome, i) => inv.settle(i === 0 ? begin : inv.auditor.begin(), outcome));
}

async function decideSchedule(source: ScheduleSource & { schedule: string }, tick: string | null, inv: Invocation): Promise<Outcome[]> {
  const loaded = inv.container.policy();
  if (!loaded.ok) return [configFailure(inv, 'PolicyInvalid', loaded.error.format(), source)];
  const { policy } = loaded.value;

  const schedule = resolveSchedule(policy, source.schedule);
  if (!schedule) {
    return [decided({ decision: 'skipped_no_rule', reason: `The policy has no schedule named "${source.schedule}".`, source })];
  }
  const dcs = inv.container.dcs(inv.context);
  if (!dcs.ok) return [configFailure(inv, 'DcsConfigInvalid', dcs.error.message, source)];
  const guard = inv.container.guard(policy.guard.storeTimeoutMs);
  if (!guard.ok) return [configFailure(inv, 'GuardConfigInvalid', guard.error.message, source)];

  const outcomes: Outcome[] = [];
  for (const target of targetsForSchedule(schedule.targets, dcs.value.projectId)) {
    const allowed = isInstanceAllowed(policy, target.instanceId);
    if (!allowed.allowed) {
      outcomes.push(decided({ decision: 'skipped_not_allowed', reason: allowed.reason, source, target }));
      continue;
    }
    outcomes.push(
      await actOnTarget({
        target,
        source,
        rule: `schedule:${source.schedule}`,
        dedupKey: tick ? `timer:${source.schedule}:${tick}` : null,
        dryRun: policy.dryRun,
        guardSettings: guardSettingsOf(loaded.value),
        guard: guard.value,
        dcs: () => dcs.value,
        jobDeadline: () => inv.jobDeadline(policy.jobs.waitSeconds),
        now: inv.now,
        ...snapshotOf(policy, target, () => dcs.value, inv),
      }),
    );
  }
  return outcomes;
}
