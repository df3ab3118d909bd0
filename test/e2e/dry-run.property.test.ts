/**
 * Dry run, from every source, on every path: a property over the cross product
 *
 *   GUARD_DRY_RUN (true / false / unset) × the policy's dryRun × the rule's or
 *   schedule's dryRun × both functions × both guard stores × every delivery form
 *
 * through the BUILT bundles against the emulator. Whenever any source says dry
 * run, no kill-all reaches the emulator and the decision names the first cause;
 * when none does, it kills (so the property cannot hold by never killing).
 *
 * Each process (a warm container) gets one environment; fast-check draws the
 * events it handles: which form, which rule or schedule.
 */
import fc from 'fast-check';
import { fixture, type Invocation } from '../support/bundle';
import { describeWithRedis, useRedisServer } from '../support/redis-server';
import { ACTING_POLICY, INSTANCES, useScenario } from '../support/scenario';

type Switch = 'true' | 'false' | undefined;
type AlarmForm = 'smn-trigger' | 'apig' | 'smn-http';
type TimerForm = 'json' | 'bare' | 'trigger-name';

const SWITCHES: readonly Switch[] = ['true', 'false', undefined];
const RUN = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
let serial = 0;
const nextId = () => `${RUN}${(++serial).toString(16).padStart(24, '0')}`;

/** Two rules and two schedules: the careful ones add a dry run, the bold ones do not. */
function policyWith(dryRun: boolean) {
  return {
    ...ACTING_POLICY,
    dryRun,
    alarms: [
      { name: 'careful', match: { alarmNames: ['careful-*'] }, scope: 'instance', dryRun: true },
      { name: 'bold', match: { alarmNames: ['bold-*'] }, scope: 'instance' },
    ],
    schedules: {
      careful: { dryRun: true, targets: [{ instance: INSTANCES.shop, nodes: 'all' }] },
      bold: { targets: [{ instance: INSTANCES.shop, nodes: 'all' }] },
    },
    // Every event may act: no cooldown, a breaker that never opens; the kill job is not followed.
    guard: { cooldownSeconds: 0, maxKillsPerHour: 1000, maxKillsPerHourPerInstance: 1000, storeTimeoutMs: 5000 },
    jobs: { waitSeconds: 0 },
  };
}

/** An alarm named for `rule`, as one notification in the given delivery form. */
function alarmEvent(form: AlarmForm, rule: 'careful' | 'bold'): unknown {
  const id = nextId();
  const renamed = (message: string) => JSON.stringify({ ...JSON.parse(message), alarm_name: `${rule}-${id}` });
  if (form === 'smn-trigger') {
    const event = fixture('smn-trigger.instance-alarm.json');
    const smn = event.record[0].smn;
    Object.assign(smn, { message: renamed(smn.message), message_id: id });
    return event;
  }
  const { signature: _unsigned, ...bare } = fixture('smn-http.notification.json');
  const message = { ...bare, message_id: id, message: renamed(bare.message) };
  if (form === 'smn-http') return message;
  const apig = fixture('apig.smn-notification.json');
  return { ...apig, headers: { ...apig.headers, 'x-smn-message-id': id }, isBase64Encoded: false, body: JSON.stringify(message) };
}

/** A tick of `schedule` in the given form (each tick its own time: a redelivered tick is a duplicate). */
function timerEvent(form: TimerForm, schedule: 'careful' | 'bold'): unknown {
  const base = fixture('timer.nightly.json');
  const time = new Date(Date.UTC(2026, 0, 1) + ++serial * 1000).toISOString();
  if (form === 'json') return { ...base, time, user_event: JSON.stringify({ schedule }) };
  if (form === 'bare') return { ...base, time, user_event: schedule };
  return { ...base, time, user_event: '', trigger_name: schedule };
}

const expectedCause = (env: Switch, policy: boolean, own: boolean, ownCause: 'rule' | 'schedule') =>
  env === 'true' ? 'GUARD_DRY_RUN' : policy ? 'policy' : own ? ownCause : null;

describeWithRedis('dry run: any source, any path, never a kill', () => {
  const s = useScenario();
  const redis = useRedisServer();

  const groups = SWITCHES.flatMap((env) => [false, true].flatMap((policy) => (['memory', 'redis'] as const).map((store) => ({ env, policy, store }))));

  describe.each(['alarm', 'cron'] as const)('%s function', (fn) => {
    test.each(groups)('GUARD_DRY_RUN=$env, policy dryRun $policy, $store store', async ({ env, policy, store }) => {
      const forms: Array<AlarmForm | TimerForm> = fn === 'alarm' ? ['smn-trigger', 'apig', 'smn-http'] : ['json', 'bare', 'trigger-name'];
      const events = fc.sample(
        fc.record({ form: fc.constantFrom(...forms), own: fc.boolean() }),
        { numRuns: 6, seed: Number.parseInt(RUN, 16) ^ groups.indexOf(groups.find((g) => g.env === env && g.policy === policy && g.store === store)!) },
      );
      // Both kinds of event in every group, whatever was drawn.
      events.push({ form: events[0]!.form, own: true }, { form: events[0]!.form, own: false });

      const run: Invocation = await s.invoke(
        fn,
        events.map((e) => (fn === 'alarm' ? alarmEvent(e.form as AlarmForm, e.own ? 'careful' : 'bold') : timerEvent(e.form as TimerForm, e.own ? 'careful' : 'bold'))),
        {
          env: {
            GUARD_POLICY: JSON.stringify(policyWith(policy)),
            GUARD_DRY_RUN: env,
            GUARD_REDIS_URL: store === 'redis' ? redis.url : undefined,
            SMN_ALLOW_UNSIGNED: 'true',
            SMN_MAX_AGE_SECONDS: '0',
          },
        },
      );

      const expected = events.map((e) => expectedCause(env, policy, e.own, fn === 'alarm' ? 'rule' : 'schedule'));
      const records = run.results.map((r) => {
        const value = (r as { ok: true; value: any }).value;
        return (value.results ?? JSON.parse(value.body).results)[0];
      });
      expect(records.map((r) => [r.decision, r.dryRunCause ?? null])).toEqual(expected.map((cause) => (cause ? ['dry_run', cause] : ['executed', null])));
      expect(s.killRequests()).toHaveLength(expected.filter((cause) => cause === null).length);
    });
  });
});
