/**
 * What the policy says about one alarm, one instance or one schedule.
 *
 * IMPORTANT — templated alarms. Cloud Eye's templated body (`{"version":"v1","data":{...}}`)
 * carries only localized display names for the namespace and the metric, no codes.
 * Such an alarm has `metric: null` and `namespace: null`, so:
 *   - a rule with `metrics` never matches it (a field the rule requires but the alarm
 *     lacks does not match);
 *   - a rule with `namespaces` never matches it;
 *   - match templated alarms by `alarmNames` and/or `instances` (optionally `formats: [templated]`).
 * Classic alarms must come from the SYS.DCS namespace unless the rule lists `namespaces`.
 */
import type { DryRunCause } from '../domain/types';
import { matchesAny } from './glob';
import { DCS_NAMESPACE, type AlarmFormat, type AlarmRule, type Policy, type Schedule } from './schema';

/** The facts of an alarm a rule can match on; null when the alarm does not carry it. */
export interface AlarmFacts {
  alarmName: string | null;
  metric: string | null;
  instanceId: string | null;
  namespace: string | null;
  format: AlarmFormat;
}

/** The first rule (in policy order) that matches the alarm, or null. */
export function matchAlarmRule(policy: Pick<Policy, 'alarms'>, alarm: AlarmFacts): AlarmRule | null {
  return policy.alarms.find((rule) => ruleMatches(rule, alarm)) ?? null;
}

export function ruleMatches(rule: AlarmRule, alarm: AlarmFacts): boolean {
  const { match } = rule;
  return (
    fieldMatches(match.alarmNames, alarm.alarmName) &&
    fieldMatches(match.metrics, alarm.metric) &&
    fieldMatches(match.instances, normalizeInstanceId(alarm.instanceId)) &&
    namespaceMatches(match.namespaces, alarm) &&
    (match.formats === undefined || match.formats.includes(alarm.format))
  );
}

/** A field the rule leaves out matches anything; a field it gives must be present and match a glob. */
function fieldMatches(patterns: readonly string[] | undefined, value: string | null): boolean {
  if (patterns === undefined) return true;
  return value !== null && matchesAny(patterns, value);
}

/**
 * Without `namespaces` in the rule: classic alarms must be SYS.DCS, templated ones
 * (which carry no namespace code) pass. With it: the alarm must carry a matching namespace.
 */
function namespaceMatches(patterns: readonly string[] | undefined, alarm: AlarmFacts): boolean {
  if (patterns !== undefined) return fieldMatches(patterns, alarm.namespace);
  return alarm.namespace === DCS_NAMESPACE || (alarm.format === 'templated' && alarm.namespace === null);
}

/** Instance ids are UUIDs; the policy writes them lower-case, so compare in lower case. */
function normalizeInstanceId(instanceId: string | null): string | null {
  return instanceId === null ? null : instanceId.toLowerCase();
}

export interface InstanceVerdict {
  allowed: boolean;
  /** One sentence for the audit record. */
  reason: string;
}

/** Whether the policy lets us touch an instance at all. Deny wins over allow. */
export function isInstanceAllowed(policy: Pick<Policy, 'instances'>, instanceId: string): InstanceVerdict {
  const id = instanceId.toLowerCase();
  const { allow, deny } = policy.instances;
  const denied = deny.find((pattern) => matchesAny([pattern], id));
  if (denied !== undefined) {
    return { allowed: false, reason: `Instance ${instanceId} is denied by the policy (instances.deny "${denied}").` };
  }
  const allowedBy = allow.find((pattern) => matchesAny([pattern], id));
  if (allowedBy === undefined) {
    return { allowed: false, reason: `Instance ${instanceId} is not in the policy's instances.allow list.` };
  }
  return { allowed: true, reason: `Instance ${instanceId} is allowed by the policy (instances.allow "${allowedBy}").` };
}

/** A schedule by name, with its name, or null when the policy has no such schedule. */
export interface ScheduleTargets extends Schedule {
  name: string;
}

export function resolveSchedule(policy: Pick<Policy, 'schedules'>, name: string): ScheduleTargets | null {
  // Own properties only: a schedule called "constructor" or "__proto__" must not resolve to Object's.
  if (!Object.prototype.hasOwnProperty.call(policy.schedules, name)) return null;
  const schedule = policy.schedules[name];
  return schedule ? { name, ...schedule } : null;
}

export type { DryRunCause };

/**
 * Why a decision is a dry run, or null when it may act: the one place every
 * source is weighed (GUARD_DRY_RUN, the policy, the rule or the schedule). A rule
 * or schedule can only add a dry run (`dryRun: true`), never lift the policy's
 * or GUARD_DRY_RUN's.
 */
export function dryRunCause(
  loaded: { policy: Pick<Policy, 'dryRun'>; forcedDryRun: boolean },
  ruleOrSchedule?: AlarmRule | ScheduleTargets | null,
): DryRunCause | null {
  if (loaded.forcedDryRun) return 'GUARD_DRY_RUN';
  if (loaded.policy.dryRun) return 'policy';
  if (ruleOrSchedule?.dryRun === true) return 'match' in ruleOrSchedule ? 'rule' : 'schedule';
  return null;
}
