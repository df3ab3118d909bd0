/** The timer story through the BUILT cron bundle against the emulator. */
import { fixture } from '../support/bundle';
import { ACTING_POLICY, FIXTURE_NODE, INSTANCES, Scenario } from '../support/scenario';

let s: Scenario;
beforeAll(async () => {
  s = await Scenario.start();
});
afterAll(() => s.close());
beforeEach(() => s.reset());

const withSchedules = (schedules: object, extra: object = {}) => ({ env: { GUARD_POLICY: JSON.stringify({ ...ACTING_POLICY, schedules, ...extra }) } });

test('the nightly fixture kills all nodes of its instance', async () => {
  const run = await s.invoke('cron', [fixture('timer.nightly.json')]);
  expect(s.killRequests().map((r) => r.body)).toEqual([{ kill_all_nodes: true }]);
  expect(run.audit).toEqual([
    expect.objectContaining({
      trigger: 'timer',
      decision: 'executed',
      source: { schedule: 'nightly', triggerName: 'nightly-session-cleanup' },
      target: expect.objectContaining({ instanceId: INSTANCES.shop, killAllNodes: true }),
      job: expect.objectContaining({ status: 'SUCCESS' }),
    }),
  ]);
});

test('a schedule listing nodes makes one decision per node', async () => {
  const other = 'b7f3ac64b5d1a3d88396f433b1adadc1';
  const run = await s.invoke('cron', [fixture('timer.nightly.json')], withSchedules({ nightly: { targets: [{ instance: INSTANCES.shop, nodes: [FIXTURE_NODE.nodeId, other] }] } }));
  expect(run.audit.map((r) => [r.decision, r.target.nodeId])).toEqual([
    ['executed', FIXTURE_NODE.nodeId],
    ['executed', other],
  ]);
  expect(s.killRequests().map((r) => (r.body as any).node_id)).toEqual([FIXTURE_NODE.nodeId, other]);
});

test('bare schedule name in user_event, and trigger_name when user_event is empty', async () => {
  const bare = { ...fixture('timer.nightly.json'), user_event: 'nightly' };
  const byTrigger = { ...fixture('timer.nightly.json'), user_event: '', trigger_name: 'nightly', time: '2024-11-29T03:00:00+08:00' };
  const run = await s.invoke('cron', [bare, byTrigger], withSchedules(ACTING_POLICY.schedules, { guard: { cooldownSeconds: 0, maxKillsPerHour: 20 } }));
  expect(run.audit.map((r) => r.source.schedule)).toEqual(['nightly', 'nightly']);
  expect(run.audit.map((r) => r.decision)).toEqual(['executed', 'executed']);
});

test('an unknown schedule is skipped_no_rule, a denied target skipped_not_allowed, both without a kill', async () => {
  const unknown = { ...fixture('timer.nightly.json'), user_event: '{"schedule":"weekly"}' };
  const denied = withSchedules(ACTING_POLICY.schedules, { instances: { allow: ['*'], deny: [INSTANCES.shop] } });
  expect((await s.invoke('cron', [unknown])).audit[0]).toMatchObject({ decision: 'skipped_no_rule' });
  expect((await s.invoke('cron', [fixture('timer.nightly.json')], denied)).audit[0]).toMatchObject({ decision: 'skipped_not_allowed' });
  expect(s.killRequests()).toHaveLength(0);
});

test('the same timer tick delivered twice kills once', async () => {
  const tick = fixture('timer.nightly.json');
  const run = await s.invoke('cron', [tick, tick], withSchedules(ACTING_POLICY.schedules, { guard: { cooldownSeconds: 0, maxKillsPerHour: 20 } }));
  expect(run.audit.map((r) => r.decision)).toEqual(['executed', 'skipped_duplicate']);
  expect(s.killRequests()).toHaveLength(1);
});

test.each([
  ['a bad schedule name', { ...fixture('timer.nightly.json'), user_event: '{"schedule":"../../etc"}' }],
  ['a non-object event', 'tick'],
])('%s is rejected without any DCS call', async (_label, event) => {
  const run = await s.invoke('cron', [event]);
  expect(run.audit.map((r) => r.decision)).toEqual(['rejected']);
  expect(s.emulator.requests).toHaveLength(0);
});

test("a schedule's dryRun: true is a dry run: no kill, no guard state, the cause on record", async () => {
  const careful = withSchedules({ nightly: { dryRun: true, targets: [{ instance: INSTANCES.shop, nodes: 'all' }] } });
  const run = await s.invoke('cron', [fixture('timer.nightly.json'), fixture('timer.nightly.json')], careful);
  expect(s.killRequests()).toHaveLength(0);
  // Dry runs consume no dedup mark: the same tick is a dry run again, not a duplicate.
  expect(run.audit.map((r) => [r.decision, r.dryRunCause])).toEqual([
    ['dry_run', 'schedule'],
    ['dry_run', 'schedule'],
  ]);
});
