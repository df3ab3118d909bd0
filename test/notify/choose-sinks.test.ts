/** Which later sinks an invocation's decisions go to: the ones the policy turns on, chosen once. */
import type { Policy } from '../../lib/policy';
import { policySinks } from '../../lib/sinks/build';
import { chooseSinks } from '../../lib/sinks/choose';
import { policyOf, TOPIC } from './sink-fixtures';

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
  expect(names(choose())).toEqual([]);
  expect(builds()).toBe(0);
});

test('each sink is chosen when the policy turns it on; the policy is read and the sinks built once per invocation', () => {
  const policy = policyOf({ notify: { smnTopicUrn: TOPIC, webhooks: [{ format: 'slack', urlEnv: 'HOOK' }] }, metrics: { enabled: true } });
  const { choose, reads, builds } = chooser(policy);
  expect(names(choose())).toEqual(['smn', 'webhooks', 'metrics']);
  expect(names(choose())).toEqual(['smn', 'webhooks', 'metrics']);
  expect([reads(), builds()]).toEqual([1, 1]);
});

test('history needs history.enabled and a Redis guard store', () => {
  expect(names(chooser(policyOf({}), true).choose())).toEqual(['history']);
  expect(names(chooser(policyOf({ history: { enabled: false } }), true).choose())).toEqual([]);
});

test('an unreadable policy turns them all off', () => {
  expect(chooser(null).choose()).toEqual([]);
});
