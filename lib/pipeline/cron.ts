import type { ScheduleSource } from '../domain/types';
import { readTimerEvent } from '../events';
import { dryRunCause, isInstanceAllowed, resolveSchedule } from '../policy';
import { acting } from '../runtime/acting';
import { configFailure, decided, rejected } from './decision';
import type { Invocation } from './invocation';
import { caught, executionPolicy, type Step } from './plan';

type NamedSchedule = ScheduleSource & { schedule: string };

/**
 * The timer story: read the event → find the schedule in the policy → one plan
 * per allowed target (a denied one is a decision). It never acts.
 */
export async function* cronStory(event: unknown, inv: Invocation): AsyncGenerator<Step> {
  const timer = readTimerEvent(event);
  if (!timer.ok) return yield rejected(timer.error);
  const source: NamedSchedule = { schedule: timer.value.schedule, triggerName: timer.value.triggerName };
  yield* caught(source, scheduleSteps(source, timer.value.time ?? null, inv));
}

async function* scheduleSteps(source: NamedSchedule, tick: string | null, inv: Invocation): AsyncGenerator<Step> {
  const loaded = inv.container.policy();
  if (!loaded.ok) return yield configFailure('PolicyInvalid', loaded.error.format(), source);
  const { policy } = loaded.value;

  const schedule = resolveSchedule(policy, source.schedule);
  if (!schedule) return yield decided({ decision: 'skipped_no_rule', reason: `The policy has no schedule named "${source.schedule}".`, source });
  const dcs = inv.dcs(source);
  if (!dcs.ok) return yield dcs.error;

  const plan = {
    source,
    rule: `schedule:${schedule.name}`,
    action: schedule.action,
    dryRunCause: dryRunCause(loaded.value, schedule),
    // A timer tick redelivered by the platform must not kill twice.
    dedupKey: tick ? `timer:${schedule.name}:${tick}` : null,
    policy: executionPolicy(policy),
  };
  for (const target of acting().targetsForSchedule(schedule.targets, dcs.value.projectId)) {
    const allowed = isInstanceAllowed(policy, target.instanceId);
    yield allowed.allowed ? { ...plan, target } : decided({ decision: 'skipped_not_allowed', reason: allowed.reason, source, target, rule: plan.rule });
  }
}
