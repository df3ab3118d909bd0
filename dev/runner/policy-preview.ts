/**
 * What the loaded policy will do with the runner's samples, so the banner promises only what
 * will happen: a kill, a dry run, or a skip, and which schedules exist. Decided with the same
 * matching the functions use (lib/policy), on the sample alarm as the alarm function reads it.
 */
import { readFileSync } from 'node:fs';
import { parseAlarmMessage } from '../../lib/events/alarm-message';
import { dryRunCause, isInstanceAllowed, matchAlarmRule, type Policy } from '../../lib/policy';

export interface LoadedPolicyView {
  policy: Policy;
  forcedDryRun: boolean;
}

/** What the sample alarm leads to: a kill, a dry run (and why), or a skip (and why). */
export type SampleOutcome = { kind: 'kill' } | { kind: 'dry_run'; cause: string } | { kind: 'skip'; decision: string; why: string };

/** `smnHttpFile`: the sample as SMN posts it (its `message` is the Cloud Eye alarm text). */
export function sampleAlarmOutcome(loaded: LoadedPolicyView, smnHttpFile: string): SampleOutcome {
  const { message } = JSON.parse(readFileSync(smnHttpFile, 'utf8')) as { message: string };
  const parsed = parseAlarmMessage(message);
  if (!parsed.ok || parsed.value.kind !== 'alarm') return { kind: 'skip', decision: 'rejected', why: 'the sample is not an alarm' };
  const alarm = parsed.value.alarm;
  const rule = matchAlarmRule(loaded.policy, alarm);
  if (rule === null) return { kind: 'skip', decision: 'skipped_no_rule', why: 'no alarm rule of this policy matches it' };
  if (alarm.instanceId !== null && !isInstanceAllowed(loaded.policy, alarm.instanceId).allowed) {
    return { kind: 'skip', decision: 'skipped_not_allowed', why: 'this policy does not allow its instance' };
  }
  const cause = dryRunCause(loaded, rule);
  if (cause === null) return { kind: 'kill' };
  const causes = { GUARD_DRY_RUN: 'GUARD_DRY_RUN=true', policy: 'the policy says dryRun: true', rule: `rule ${rule.name} says dryRun: true`, schedule: 'the schedule says dryRun: true' };
  return { kind: 'dry_run', cause: causes[cause] };
}

/** The policy's schedule names, in policy order. */
export function scheduleNames(policy: Policy): string[] {
  return Object.keys(policy.schedules);
}
