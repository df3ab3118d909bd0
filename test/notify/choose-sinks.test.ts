/** Which later sinks an invocation's decisions go to: the ones the policy turns on, chosen once. */
import type { Policy } from '../../lib/policy';
import { policySinks } from '../../lib/sinks/build';
import { chooseSinks } from '../../lib/sinks/choose';
import { policyOf, record, TOPIC } from './sink-fixtures';

function chooser(policy: Policy | null, redisGuard = false) {
  let reads = 0;
  let builds = 0;
  const choose = chooseSinks({
    policy: () => (reads++, policy),
    redisGuard,
    build: (p) => (builds++, policySinks({ policy: () => p, env: {}, context: undefined, guard: () => null, now: Date.now })),
  });
  return { choose, reads: () => reads, builds: () => builds };
}

const names = (sinks: readonly { name: string }[]) => sinks.map((s) => s.name);

test('the default policy without a Redis guard store turns every later sink off, and builds none', () => {
  const { choose, builds } = chooser(policyOf({}));
  expect(names(choose(record({ decision: 'skipped_no_rule' })))).toEqual([]);
  expect(builds()).toBe(0);
});

test('each sink is chosen when the policy turns it on; the policy is read and the sinks built once per invocation', () => {
  const policy = policyOf({ notify: { smnTopicUrn: TOPIC, webhooks: [{ format: 'slack', urlEnv: 'HOOK' }] }, metrics: { enabled: true } });
  const { choose, reads, builds } = chooser(policy);
  expect(names(choose(record({ decision: 'skipped_no_rule' })))).toEqual(['smn', 'webhooks', 'metrics']);
  expect(names(choose(record({ decision: 'executed' })))).toEqual(['smn', 'webhooks', 'metrics']);
  expect([reads(), builds()]).toEqual([1, 1]);
});

test('history needs history.enabled and a Redis guard store', () => {
  expect(names(chooser(policyOf({}), true).choose(record()))).toEqual(['history']);
  expect(names(chooser(policyOf({ history: { enabled: false } }), true).choose(record()))).toEqual([]);
});

test('a rejected decision reaches no sink and reads no policy; an unreadable policy turns them all off', () => {
  const { choose, reads } = chooser(policyOf({ notify: { smnTopicUrn: TOPIC } }));
  expect(choose(record({ decision: 'rejected' }))).toEqual([]);
  expect(reads()).toBe(0);
  expect(chooser(null).choose(record())).toEqual([]);
});
