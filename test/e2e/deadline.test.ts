/**
 * The deadline, through the BUILT bundles in processes the platform kills:
 * `stopAfterMs` SIGKILLs the process like FunctionGraph at its timeout. A slow
 * DCS API never makes the function overrun: it answers before the deadline,
 * every kill it sent is on stdout before it could be stopped, and what it could
 * not do is left to a redelivery that then acts.
 */
import { fixture, type Invocation } from '../support/bundle';
import { describeWithRedis, useRedisServer } from '../support/redis-server';
import { ACTING_POLICY, INSTANCES, unsignedWebhookEvent, useScenario } from '../support/scenario';

const POLICY = {
  ...ACTING_POLICY,
  guard: { cooldownSeconds: 900, maxKillsPerHour: 20, maxKillsPerHourPerInstance: 20, storeTimeoutMs: 2000 },
  jobs: { waitSeconds: 0 },
};

const RUN = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');

describeWithRedis('the deadline: a slow API, a function the platform stops', () => {
  const s = useScenario();
  const redis = useRedisServer();

  const env = (policy: object = POLICY) => ({
    GUARD_POLICY: JSON.stringify(policy),
    GUARD_REDIS_URL: redis.url,
    SMN_ALLOW_UNSIGNED: 'true',
    SMN_MAX_AGE_SECONDS: '0',
  });
  const answered = (run: Invocation) => {
    expect(run.results).toHaveLength(1);
    return (run.results[0] as { ok: true; value: any }).value;
  };

  test('webhook, showInstance slower than the 6 s timeout: 503 before the deadline, nothing sent; the redelivery kills', async () => {
    s.emulator.faults.add({ operation: 'showInstance', latencyMs: 9_000, times: 1 });
    const event = unsignedWebhookEvent(`${RUN}${'1'.padStart(24, '0')}`);
    const first = await s.invoke('alarm', [event], { env: env(), context: { remainingMs: 6_000, stopAfterMs: 6_000 } });
    // A result exists only if the handler answered before the platform stopped it.
    expect(answered(first).statusCode).toBe(503);
    expect(first.audit).toEqual([expect.objectContaining({ decision: 'failed' })]);
    expect(s.killRequests()).toHaveLength(0);

    const again = await s.invoke('alarm', [event], { env: env(), context: { remainingMs: 6_000, stopAfterMs: 6_000 } });
    expect(answered(again).statusCode).toBe(200);
    expect(again.audit).toEqual([expect.objectContaining({ decision: 'executed' })]);
    expect(s.killRequests()).toHaveLength(1);
  });

  test('a schedule of two targets, the second preflight hanging: both decided within the budget, the first kill on record', async () => {
    const schedules = { nightly: { targets: [{ instance: INSTANCES.shop, nodes: 'all' }, { instance: INSTANCES.proxy, nodes: 'all' }] } };
    s.emulator.faults.add({ operation: 'showInstance', pathPattern: INSTANCES.proxy, latencyMs: 30_000 });
    const run = await s.invoke('cron', [fixture('timer.nightly.json')], { env: env({ ...POLICY, schedules }), context: { remainingMs: 5_000, stopAfterMs: 5_000 } });
    answered(run);
    expect(run.audit.map((r) => [r.decision, r.target.instanceId])).toEqual([
      ['executed', INSTANCES.shop],
      ['failed', INSTANCES.proxy],
    ]);
    expect(s.killRequests().map((k) => k.path)).toEqual([expect.stringContaining(INSTANCES.shop)]);
  });

  test('stopped mid-invocation (the platform cuts it short): every kill already sent is on stdout', async () => {
    const schedules = { nightly: { targets: [{ instance: INSTANCES.shop, nodes: 'all' }, { instance: INSTANCES.proxy, nodes: 'all' }] } };
    s.emulator.faults.add({ operation: 'showInstance', pathPattern: INSTANCES.proxy, latencyMs: 30_000 });
    // The context promises a minute; the process is killed after 4 s, in the middle of the second target.
    const run = await s.invoke('cron', [fixture('timer.nightly.json')], { env: env({ ...POLICY, schedules }), context: { remainingMs: 60_000, stopAfterMs: 4_000 } });
    expect(run.results).toHaveLength(0);
    const sent = s.killRequests();
    expect(sent).toHaveLength(1);
    expect(run.audit).toEqual([expect.objectContaining({ decision: 'executed', target: expect.objectContaining({ instanceId: INSTANCES.shop }) })]);
  });
});
