/** The policy: what may be touched, which alarms act, schedules, guard and job settings. */
export {
  PolicySchema,
  ALARM_FORMATS,
  SCOPES,
  DCS_NAMESPACE,
  type Policy,
  type PolicyInput,
  type AlarmRule,
  type AlarmMatch,
  type AlarmFormat,
  type Scope,
  type Schedule,
  type ScheduleTarget,
  type InstanceRules,
  type GuardSettings,
  type JobSettings,
  type AuditSettings,
} from './schema';
export {
  loadPolicy,
  getPolicy,
  clearPolicyCache,
  parsePolicy,
  formatPath,
  PolicyError,
  INLINE_SOURCE,
  DRY_RUN_SOURCE,
  type LoadPolicyOptions,
  type LoadedPolicy,
  type PolicyIssue,
  type PolicyErrorCode,
  type PolicyPath,
} from './load';
export {
  matchAlarmRule,
  ruleMatches,
  isInstanceAllowed,
  resolveSchedule,
  dryRunCause,
  type AlarmFacts,
  type InstanceVerdict,
  type ScheduleTargets,
  type DryRunCause,
} from './match';
export { compileGlob, globMatch, matchesAny } from './glob';
export { policyJsonSchema, policyJsonSchemaText, POLICY_SCHEMA_FILE } from './json-schema';
