/** Which later sinks an invocation's decisions go to: the ones the policy turns on, chosen once. */
import type { GuardStore } from '../../lib/guard';
import { RedisGuardStore } from '../../lib/guard/redis-store';
import type { Policy } from '../../lib/policy';
import { chooseSinks, type SinkDeps } from '../../lib/sinks/build';
import { policyOf, record, TOPIC } from './sink-fixtures';

function chooser(policy: Policy | null, guard: GuardStore | null = null) {
  let reads = 0;
  const deps: SinkDeps = { policy: () => (reads++, policy), env: {}, context: undefined, guard: () => guard, now: Date.now };
  return { choose: chooseSinks(deps), reads: () => reads };
}

const names = (sinks: readonly { name: string }[]) => sinks.map((s) => s.name);

test('the default policy without a Redis guard store turns every later sink off', () => {
  const { choose } = chooser(policyOf({}));
  expect(names(choose(record({ decision: 'skipped_no_rule' })))).toEqual([]);
});

test('each sink is chosen when the policy turns it on; the policy is read once per invocation', () => {
  const policy = policyOf({ notify: { smnTopicUrn: TOPIC, webhooks: [{ format: 'slack', urlEnv: 'HOOK' }] }, metrics: { enabled: true } });
  const { choose, reads } = chooser(policy);
  expect(names(choose(record({ decision: 'skipped_no_rule' })))).toEqual(['smn', 'webhooks', 'metrics']);
  expect(names(choose(record({ decision: 'executed' })))).toEqual(['smn', 'webhooks', 'metrics']);
  expect(reads()).toBe(1);
});

test('history needs history.enabled and the Redis guard store', () => {
  const redis = Object.create(RedisGuardStore.prototype) as GuardStore;
  expect(names(chooser(policyOf({}), redis).choose(record()))).toEqual(['history']);
  expect(names(chooser(policyOf({ history: { enabled: false } }), redis).choose(record()))).toEqual([]);
});

test('a rejected decision reaches no sink and reads no policy; an unreadable policy turns them all off', () => {
  const { choose, reads } = chooser(policyOf({ notify: { smnTopicUrn: TOPIC } }));
  expect(choose(record({ decision: 'rejected' }))).toEqual([]);
  expect(reads()).toBe(0);
  expect(chooser(null).choose(record())).toEqual([]);
});
