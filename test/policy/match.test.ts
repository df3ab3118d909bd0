import {
  dryRunCause,
  isInstanceAllowed,
  matchAlarmRule,
  parsePolicy,
  resolveSchedule,
  type AlarmFacts,
  type Policy,
} from '../../lib/policy';
import { INSTANCE_A, INSTANCE_B } from './examples';

function policy(yaml: string): Policy {
  const result = parsePolicy(yaml, 'test.yaml');
  if (!result.ok) throw new Error(result.error.format());
  return result.value;
}

const classic = (over: Partial<AlarmFacts> = {}): AlarmFacts => ({
  alarmName: 'dcs-node-clients-high',
  metric: 'connected_clients',
  instanceId: INSTANCE_A,
  namespace: 'SYS.DCS',
  format: 'classic',
  ...over,
});

/** The real templated capture: no metric code, no namespace code. */
const templated = (over: Partial<AlarmFacts> = {}): AlarmFacts => ({
  alarmName: 'alarm-c5jj',
  metric: null,
  instanceId: INSTANCE_B,
  namespace: null,
  format: 'templated',
  ...over,
});

const ruleName = (p: Policy, alarm: AlarmFacts) => matchAlarmRule(p, alarm)?.name ?? null;

describe('matchAlarmRule', () => {
  test('the first matching rule wins, in policy order', () => {
    const p = policy(`version: 1
alarms:
  - {name: by-name, match: {alarmNames: ["dcs-node-*"]}, scope: node}
  - {name: by-metric, match: {metrics: [connected_clients]}, scope: instance}
  - {name: catch-all, match: {}}`);
    expect(ruleName(p, classic())).toBe('by-name');
    expect(matchAlarmRule(p, classic())?.scope).toBe('node');
    expect(ruleName(p, classic({ alarmName: 'other' }))).toBe('by-metric');
    expect(ruleName(p, classic({ alarmName: 'other', metric: 'memory_usage' }))).toBe('catch-all');
  });

  test('every given field must match', () => {
    const p = policy(`version: 1
alarms:
  - {name: both, match: {alarmNames: ["dcs-*"], metrics: [connections_usage]}}`);
    expect(ruleName(p, classic({ metric: 'connections_usage' }))).toBe('both');
    expect(ruleName(p, classic({ metric: 'connected_clients' }))).toBeNull();
    expect(ruleName(p, classic({ alarmName: 'cache-alarm', metric: 'connections_usage' }))).toBeNull();
  });

  test('globs on names, metrics and instances', () => {
    const p = policy(`version: 1
alarms:
  - {name: g, match: {alarmNames: ["dcs-?-conn*"], metrics: ["*_clients"], instances: ["5e2b1c9a-*"]}}`);
    expect(ruleName(p, classic({ alarmName: 'dcs-a-connections' }))).toBe('g');
    expect(ruleName(p, classic({ alarmName: 'dcs-ab-connections' }))).toBeNull();
    expect(ruleName(p, classic({ alarmName: 'dcs-a-connections', metric: 'connected_clients_total' }))).toBeNull();
    expect(ruleName(p, classic({ alarmName: 'dcs-a-connections', instanceId: INSTANCE_B }))).toBeNull();
    // Instance ids compare in lower case, whatever case the alarm uses.
    expect(ruleName(p, classic({ alarmName: 'dcs-a-connections', instanceId: INSTANCE_A.toUpperCase() }))).toBe('g');
  });

  test('a field the rule gives but the alarm lacks does not match', () => {
    const p = policy('version: 1\nalarms: [{name: n, match: {alarmNames: ["*"]}}]');
    expect(ruleName(p, classic({ alarmName: null }))).toBeNull();
  });

  test('templated alarms carry no metric code: a metric rule never matches them; name or instance rules do', () => {
    const p = policy(`version: 1
alarms:
  - {name: by-metric, match: {metrics: ["*"]}}
  - {name: by-instance, match: {instances: ["${INSTANCE_B}"]}}`);
    expect(ruleName(p, templated())).toBe('by-instance');
    expect(ruleName(p, classic({ instanceId: INSTANCE_B }))).toBe('by-metric');
    const byName = policy('version: 1\nalarms: [{name: by-name, match: {alarmNames: ["alarm-*"], formats: [templated]}}]');
    expect(ruleName(byName, templated())).toBe('by-name');
    expect(ruleName(byName, classic({ alarmName: 'alarm-x' }))).toBeNull();
  });

  test('namespaces: classic alarms must be SYS.DCS unless the rule says otherwise', () => {
    const p = policy('version: 1\nalarms: [{name: any, match: {}}]');
    expect(ruleName(p, classic())).toBe('any');
    expect(ruleName(p, classic({ namespace: 'SYS.ECS' }))).toBeNull();
    expect(ruleName(p, classic({ namespace: null }))).toBeNull();
    // Templated alarms have no namespace code: they match a rule that does not ask for one.
    expect(ruleName(p, templated())).toBe('any');

    const other = policy('version: 1\nalarms: [{name: custom, match: {namespaces: ["SYS.DCS", "CUSTOM.*"]}}]');
    expect(ruleName(other, classic({ namespace: 'CUSTOM.REDIS' }))).toBe('custom');
    expect(ruleName(other, classic({ namespace: 'SYS.ECS' }))).toBeNull();
    // A rule that requires a namespace never matches an alarm without one.
    expect(ruleName(other, templated())).toBeNull();
  });

  test('no rules: nothing matches', () => {
    expect(matchAlarmRule(policy('version: 1'), classic())).toBeNull();
  });
});

describe('isInstanceAllowed', () => {
  test('the default allows every instance', () => {
    expect(isInstanceAllowed(policy('version: 1'), INSTANCE_A)).toMatchObject({ allowed: true });
  });

  test('deny wins over allow, with globs', () => {
    const p = policy(`version: 1\ninstances: {allow: ["*"], deny: ["5e2b1c9a-*"]}`);
    const denied = isInstanceAllowed(p, INSTANCE_A);
    expect(denied.allowed).toBe(false);
    expect(denied.reason).toContain('instances.deny "5e2b1c9a-*"');
    expect(isInstanceAllowed(p, INSTANCE_A.toUpperCase()).allowed).toBe(false);
    expect(isInstanceAllowed(p, INSTANCE_B).allowed).toBe(true);
  });

  test('an instance listed in both is denied', () => {
    const p = policy(`version: 1\ninstances: {allow: ["${INSTANCE_A}"], deny: ["${INSTANCE_A}"]}`);
    expect(isInstanceAllowed(p, INSTANCE_A).allowed).toBe(false);
  });

  test('an instance not in an explicit allow list is not allowed', () => {
    const p = policy(`version: 1\ninstances: {allow: ["${INSTANCE_B}"]}`);
    expect(isInstanceAllowed(p, INSTANCE_A)).toEqual({ allowed: false, reason: `Instance ${INSTANCE_A} is not in the policy's instances.allow list.` });
    expect(isInstanceAllowed(p, INSTANCE_B).allowed).toBe(true);
    expect(isInstanceAllowed(policy('version: 1\ninstances: {allow: []}'), INSTANCE_B).allowed).toBe(false);
  });
});

describe('resolveSchedule', () => {
  const p = policy(`version: 1
schedules:
  nightly:
    targets:
      - {instance: ${INSTANCE_A}, nodes: all}
      - {instance: ${INSTANCE_B}, nodes: [node-1, node-2]}
  weekly:
    dryRun: true
    targets: [{instance: ${INSTANCE_B}, nodes: all}]`);

  test('a known schedule gives its targets', () => {
    expect(resolveSchedule(p, 'nightly')).toEqual({
      name: 'nightly',
      targets: [
        { instance: INSTANCE_A, nodes: 'all' },
        { instance: INSTANCE_B, nodes: ['node-1', 'node-2'] },
      ],
      action: { kind: 'kill-all' },
    });
  });

  test('an unknown schedule, including names of Object.prototype, gives null', () => {
    expect(resolveSchedule(p, 'hourly')).toBeNull();
    expect(resolveSchedule(p, 'constructor')).toBeNull();
    expect(resolveSchedule(p, '__proto__')).toBeNull();
  });

  test('schedule names are case-sensitive', () => {
    expect(resolveSchedule(p, 'Nightly')).toBeNull();
  });

  test('a schedule can add a dry run', () => {
    expect(dryRunCause({ policy: p, forcedDryRun: false }, resolveSchedule(p, 'weekly'))).toBe('schedule');
    expect(dryRunCause({ policy: p, forcedDryRun: false }, resolveSchedule(p, 'nightly'))).toBeNull();
  });
});

describe('dryRunCause', () => {
  const live = policy('version: 1\nalarms: [{name: careful, match: {}, dryRun: true}, {name: bold, match: {}}]');
  const careful = live.alarms[0] ?? null;
  const bold = live.alarms[1] ?? null;

  test('GUARD_DRY_RUN first, then the policy, then the rule', () => {
    expect(dryRunCause({ policy: { dryRun: true }, forcedDryRun: true }, bold)).toBe('GUARD_DRY_RUN');
    expect(dryRunCause({ policy: { dryRun: true }, forcedDryRun: false }, bold)).toBe('policy');
    expect(dryRunCause({ policy: live, forcedDryRun: false }, careful)).toBe('rule');
    expect(dryRunCause({ policy: live, forcedDryRun: false }, bold)).toBeNull();
    expect(dryRunCause({ policy: live, forcedDryRun: false })).toBeNull();
  });
});
