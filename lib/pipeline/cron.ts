import type { ScheduleSource } from '../domain/types';
import { readTimerEvent } from '../events';
import { isInstanceAllowed, resolveSchedule } from '../policy';
import { targetsForSchedule } from '../targets';
import { decided, type Outcome } from './act';
import { configFailure, decideAndAudit, prepareActor } from './common';
import type { Invocation } from './invocation';

/**
 * The timer story: read the event → find the schedule in the policy → for
 * each of its targets: check it is allowed → act → audit.
 */
export async function runCron(event: unknown, inv: Invocation): Promise<void> {
  const timer = readTimerEvent(event);
  if (!timer.ok) {
    inv.reject(timer.error);
    return;
  }
  const source: ScheduleSource & { schedule: string } = { schedule: timer.value.schedule, triggerName: timer.value.triggerName };
  // A timer tick redelivered by the platform must not kill twice.
  const tick = timer.value.time ?? null;
  await decideAndAudit(inv, () => decideSchedule(source, tick, inv), source);
}

async function decideSchedule(source: ScheduleSource & { schedule: string }, tick: string | null, inv: Invocation): Promise<Outcome[]> {
  const loaded = inv.container.policy();
  if (!loaded.ok) return [configFailure(inv, 'PolicyInvalid', loaded.error.format(), source)];
  const { policy } = loaded.value;

  const schedule = resolveSchedule(policy, source.schedule);
  if (!schedule) {
    return [decided({ decision: 'skipped_no_rule', reason: `The policy has no schedule named "${source.schedule}".`, source })];
  }
  const actor = prepareActor(inv, loaded.value, source);
  if (!actor.ok) return [actor.error];

  const how = { rule: `schedule:${source.schedule}`, dedupKey: tick ? `timer:${source.schedule}:${tick}` : null, dryRun: policy.dryRun };
  const outcomes: Outcome[] = [];
  for (const target of targetsForSchedule(schedule.targets, actor.value.dcs.projectId)) {
    const allowed = isInstanceAllowed(policy, target.instanceId);
    outcomes.push(
      allowed.allowed
        ? await actor.value.act(target, how)
        : decided({ decision: 'skipped_not_allowed', reason: allowed.reason, source, target }),
    );
  }
  return outcomes;
}
