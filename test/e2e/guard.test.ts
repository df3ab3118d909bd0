/**
 * The guard end to end: the BUILT alarm bundle (dist/alarm/index.js), each invokeBundle call a
 * separate process (= a separate warm FunctionGraph container), against the DCS emulator over
 * HTTP, with GUARD_REDIS_URL pointing at a real redis-server this file starts. What counts is
 * what the emulator received (kill-all requests) and the audit lines the function printed.
 *
 * Time: the guard decides with the function's own clock. Nothing here asserts how long anything
 * took; where a cooldown must have ended, the test waits until the `until` the audit line names.
 */
import { DEFAULT_KEY_PREFIX, historyStreamKey } from '../../lib/guard';
import { startEmulator, type Emulator, type RecordedRequest } from '../../dev/emulator/server';
import { invokeBundle, type Invocation } from '../support/bundle';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster';
import { describeWithRedis, startRedisServer, useRedisServer, type RedisServerHandle } from '../support/redis-server';
import { ACTING_POLICY, alarmEvent, FIXTURE_NODE, INSTANCES, instanceAlarmOn, Scenario, useScenario } from '../support/scenario';

/**
 * The policy of these tests. What is under test is decisions, not outage detection: a generous
 * store deadline keeps a cold process on a loaded 2-core machine from reading as an outage (the
 * outage tests kill the server, which is refused at once whatever the deadline). The guard's part
 * ends with the kill-all answer: the kill job is not followed (its first poll comes after 1 s).
 */
const POLICY = {
  ...ACTING_POLICY,
  guard: { cooldownSeconds: 900, maxKillsPerHour: 20, maxKillsPerHourPerInstance: 20, storeTimeoutMs: 5000, failOpen: false },
  jobs: { waitSeconds: 0 },
};
type GuardPolicy = Partial<(typeof POLICY)['guard']>;
const policyWith = (guard: GuardPolicy) => ({ ...POLICY, guard: { ...POLICY.guard, ...guard } });

/** Three nodes of the shop instance: the dimension value an alarm carries, the node_id the API takes. */
const SHOP_NODES = {
  a: FIXTURE_NODE,
  b: { dimension: 'd7abb4c60892e29c4b8dac79dd053f2f', nodeId: '8d8268e8bb6a2c979be8751466c42051' },
  c: { dimension: '036ca66366c9ec5be2659c62f1fbce4a', nodeId: '6ec7f1c5ebc6329a10bcb1b352bbc14a' },
};
type ShopNode = keyof typeof SHOP_NODES;

/** SMN message ids are 32 hex digits; a random run part keeps runs apart. */
const RUN = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
const msg = (n: number) => `${RUN}${n.toString(16).padStart(24, '0')}`;

const instanceAlarm = (n: number, instanceId: string = INSTANCES.shop) => instanceAlarmOn(instanceId, msg(n));
const nodeAlarm = (node: ShopNode, n: number) =>
  alarmEvent(
    'smn-trigger.node-alarm.json',
    (m) => (m.dimension = `dcs_instance_id:${INSTANCES.shop},dcs_cluster_redis_node:${SHOP_NODES[node].dimension}`),
    msg(n),
  );

const decisions = (run: Invocation) => run.audit.map((r) => r.decision);
const count = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
const sleepUntil = async (epochMs: number) => {
  while (Date.now() <= epochMs) await new Promise((resolve) => setTimeout(resolve, Math.max(1, epochMs - Date.now() + 1)));
};

describeWithRedis('guard end to end: built alarm bundle, warm containers sharing a real redis-server', () => {
  const s = useScenario();
  const redis = useRedisServer();

  /** The kill-all requests the emulator received (paths: a failure message stays readable). */
  const killPaths = () => s.killRequests().map((k) => k.path);
  /** The guard's own keys: the decision history stream beside them records dry runs too, by design. */
  const guardKeys = () => redis.cli('KEYS', '*').split('\n').filter((k) => k !== '' && !k.endsWith(':history'));

  /** One warm container handling `events` (`concurrency` at once), on the shared Redis unless told otherwise. */
  const run = (events: unknown[], opts: { guard?: GuardPolicy; env?: Record<string, string | undefined>; concurrency?: number } = {}) =>
    s.invoke('alarm', events, {
      concurrency: opts.concurrency ?? 1,
      env: { GUARD_REDIS_URL: redis.url, GUARD_POLICY: JSON.stringify(policyWith(opts.guard ?? {})), ...opts.env },
    });

  /** `containers` processes started together, each handling `perContainer` copies of its events at once. */
  const burst = async (containers: number, events: (container: number, i: number) => unknown, perContainer: number) => {
    const runs = await Promise.all(
      Array.from({ length: containers }, (_, c) => run(Array.from({ length: perContainer }, (_, i) => events(c, i)), { concurrency: perContainer })),
    );
    for (const r of runs) {
      expect(r.exitCode).toBe(0);
      expect(r.audit).toHaveLength(perContainer); // every container really handled its share
    }
    return runs.flatMap((r) => r.audit);
  };

  describe('concurrency', () => {
    test('the same alarm 50 times at once from 5 warm containers (10 concurrent each): exactly one kill-all, 49 skipped', async () => {
      const audit = await burst(5, () => instanceAlarm(1), 10);
      expect(killPaths()).toHaveLength(1);
      const byDecision = count(audit.map((r) => r.decision));
      expect(byDecision.executed).toBe(1);
      expect((byDecision.skipped_duplicate ?? 0) + (byDecision.skipped_cooldown ?? 0)).toBe(49);
      const executed = audit.find((r) => r.decision === 'executed')!;
      expect(executed).toMatchObject({ target: { instanceId: INSTANCES.shop, killAllNodes: true }, jobId: expect.any(String) });
    });

    test('the same alarm 50 times at once inside one warm container: exactly one kill-all', async () => {
      const r = await run(Array.from({ length: 50 }, () => instanceAlarm(2)), { concurrency: 50 });
      expect(killPaths()).toHaveLength(1);
      const byDecision = count(decisions(r));
      expect(byDecision.executed).toBe(1);
      expect((byDecision.skipped_duplicate ?? 0) + (byDecision.skipped_cooldown ?? 0)).toBe(49);
    });

    test('50 different alarms on one target at once from 5 containers: one kill, 49 skipped_cooldown naming the same claim', async () => {
      const audit = await burst(5, (c, i) => instanceAlarm(100 + c * 10 + i), 10);
      expect(killPaths()).toHaveLength(1);
      expect(count(audit.map((r) => r.decision))).toEqual({ executed: 1, skipped_cooldown: 49 });
      const skipped = audit.filter((r) => r.decision === 'skipped_cooldown');
      expect(new Set(skipped.map((r) => `${r.guard.since}|${r.guard.until}`)).size).toBe(1);
      expect(skipped[0]).toMatchObject({ guard: { kind: 'cooldown', scope: 'instance' }, reason: expect.stringMatching(/cooling down/) });
    });
  });

  describe('cooldown, breaker and dry runs', () => {
    test('a 1 s cooldown: a second alarm within it is skipped_cooldown, one after it executes', async () => {
      // Two alarms at once: the second is decided within the first one's cooldown, whatever the machine's speed.
      const first = await run([instanceAlarm(1), instanceAlarm(2)], { guard: { cooldownSeconds: 1 }, concurrency: 2 });
      expect(decisions(first).sort()).toEqual(['executed', 'skipped_cooldown']);
      const skipped = first.audit.find((r) => r.decision === 'skipped_cooldown')!;
      expect(Date.parse(skipped.guard.until) - Date.parse(skipped.guard.since)).toBe(1000);

      await sleepUntil(Date.parse(skipped.guard.until));
      const later = await run([instanceAlarm(3)], { guard: { cooldownSeconds: 1 } });
      expect(decisions(later)).toEqual(['executed']);
      expect(killPaths()).toHaveLength(2);
    });

    test('breaker, global: with maxKillsPerHour 2 the third target is skipped_rate_limit, with the limit in the record', async () => {
      const r = await run([nodeAlarm('a', 1), nodeAlarm('b', 2), nodeAlarm('c', 3)], { guard: { maxKillsPerHour: 2 } });
      expect(decisions(r)).toEqual(['executed', 'executed', 'skipped_rate_limit']);
      expect(r.audit[2]).toMatchObject({ target: { nodeId: SHOP_NODES.c.nodeId }, guard: { kind: 'rate_limit', scope: 'global', limit: 2 } });
      expect(r.audit[2]!.reason).toMatch(/2 kills per hour/);
      expect(Date.parse(r.audit[2]!.guard.retryAt)).toBeGreaterThan(Date.parse(r.audit[2]!.time));
      expect(s.killRequests().map((k) => (k.body as { node_id?: string }).node_id)).toEqual([SHOP_NODES.a.nodeId, SHOP_NODES.b.nodeId]);
    });

    test('breaker, per instance: maxKillsPerHourPerInstance 1 stops the second node but not another instance', async () => {
      const r = await run([nodeAlarm('a', 1), nodeAlarm('b', 2), instanceAlarm(3, INSTANCES.proxy)], { guard: { maxKillsPerHourPerInstance: 1 } });
      expect(decisions(r)).toEqual(['executed', 'skipped_rate_limit', 'executed']);
      expect(r.audit[1]).toMatchObject({ guard: { kind: 'rate_limit', scope: 'instance', limit: 1 } });
    });

    test('a node kill cools the instance-wide target (not the other nodes); an instance kill cools every node', async () => {
      const nodeFirst = await run([nodeAlarm('a', 1), nodeAlarm('b', 2), instanceAlarm(3)]);
      expect(decisions(nodeFirst)).toEqual(['executed', 'executed', 'skipped_cooldown']);
      expect(nodeFirst.audit[2]).toMatchObject({ target: { killAllNodes: true }, guard: { scope: 'node' } });

      s.reset();
      redis.cli('FLUSHALL');
      const instanceFirst = await run([instanceAlarm(4), nodeAlarm('a', 5), nodeAlarm('c', 6)]);
      expect(decisions(instanceFirst)).toEqual(['executed', 'skipped_cooldown', 'skipped_cooldown']);
      expect(instanceFirst.audit.slice(1).map((r) => r.guard.scope)).toEqual(['instance', 'instance']);
      expect(killPaths()).toHaveLength(1);
    });

    test('dry runs are judged by the guard but leave no guard state, only history, then a real run still executes', async () => {
      const dry = { GUARD_DRY_RUN: 'true' };
      const rehearsal = await run([instanceAlarm(1), instanceAlarm(1), nodeAlarm('a', 2), nodeAlarm('a', 2)], { env: dry });
      expect(decisions(rehearsal)).toEqual(['dry_run', 'dry_run', 'dry_run', 'dry_run']);
      expect(guardKeys()).toEqual([]);
      expect(redis.cli('XLEN', historyStreamKey(DEFAULT_KEY_PREFIX))).toBe('4');
      expect(killPaths()).toHaveLength(0);

      const real = await run([instanceAlarm(1)]);
      expect(decisions(real)).toEqual(['executed']);
      expect(Number(redis.cli('DBSIZE'))).toBeGreaterThan(0);

      // ...and now a dry run tells the truth: the real kill's cooldown would stop it.
      const after = await run([nodeAlarm('a', 3)], { env: dry });
      expect(decisions(after)).toEqual(['skipped_cooldown']);
      expect(killPaths()).toHaveLength(1);
    });

    test('a kill refused before it took effect (400) releases the target: the redelivery acts', async () => {
      s.emulator.faults.add({ operation: 'hangUpKillAllClients', status: 400, errorCode: 'DCS.4957', errorMsg: 'not now', times: 1 });
      const refused = await run([instanceAlarm(1)]);
      expect(refused.audit[0]).toMatchObject({ decision: 'failed', error: { code: 'DCS.4957', httpStatus: 400 } });
      expect(guardKeys()).toEqual([]); // claim released: dedup mark, cooldown and breaker entry

      const redelivery = await run([instanceAlarm(1)]);
      expect(decisions(redelivery)).toEqual(['executed']);
      expect(killPaths()).toHaveLength(2);
    });

    test('a kill that timed out keeps the claim: neither the redelivery nor another alarm acts', async () => {
      s.emulator.faults.add({ operation: 'hangUpKillAllClients', hang: true, times: 1 });
      const timedOut = await run([instanceAlarm(1)], { env: { DCS_TIMEOUT_MS: '1500' } });
      expect(timedOut.audit[0]).toMatchObject({ decision: 'failed', reason: expect.stringMatching(/may or may not/) });

      const next = await run([instanceAlarm(1), instanceAlarm(2)]);
      expect(decisions(next)).toEqual(['skipped_duplicate', 'skipped_cooldown']);
      expect(killPaths()).toHaveLength(1);
    });
  });

  describe('the memory store decides like Redis', () => {
    test('the same sequence in one container, with and without GUARD_REDIS_URL', async () => {
      const guard = { maxKillsPerHour: 3, maxKillsPerHourPerInstance: 2 };
      const sequence = [
        nodeAlarm('a', 1), // executed
        nodeAlarm('a', 1), // redelivery: skipped_duplicate
        instanceAlarm(2), // a node of it was just killed: skipped_cooldown
        nodeAlarm('b', 3), // another node: executed (2nd kill on shop)
        nodeAlarm('c', 4), // skipped_rate_limit (instance, 2)
        instanceAlarm(5, INSTANCES.proxy), // kill refused with 400: failed, released
        instanceAlarm(5, INSTANCES.proxy), // its redelivery: executed (3rd kill)
        instanceAlarm(6, INSTANCES.proxy), // skipped_cooldown
        nodeAlarm('c', 7), // skipped_rate_limit (global, 3)
      ];
      const refuseProxyOnce = () =>
        s.emulator.faults.add({ operation: 'hangUpKillAllClients', pathPattern: INSTANCES.proxy, status: 400, errorCode: 'DCS.4957', times: 1 });
      const summary = (r: Invocation) => r.audit.map((a) => [a.decision, a.guard?.scope ?? null, a.guard?.limit ?? null]);

      refuseProxyOnce();
      const memory = await run(sequence, { guard, env: { GUARD_REDIS_URL: undefined } });
      const killsSent = () => s.killRequests().map((k) => [k.path, k.body]);
      const memoryKills = killsSent();
      expect(redis.cli('DBSIZE')).toBe('0'); // it really ran without Redis

      s.reset();
      refuseProxyOnce();
      const shared = await run(sequence, { guard });
      expect(Number(redis.cli('DBSIZE'))).toBeGreaterThan(0);

      expect(summary(memory)).toEqual([
        ['executed', null, null],
        ['skipped_duplicate', null, null],
        ['skipped_cooldown', 'node', null],
        ['executed', null, null],
        ['skipped_rate_limit', 'instance', 2],
        ['failed', null, null],
        ['executed', null, null],
        ['skipped_cooldown', 'instance', null],
        ['skipped_rate_limit', 'global', 3],
      ]);
      expect(summary(shared)).toEqual(summary(memory));
      expect(killsSent()).toEqual(memoryKills);
      expect(memoryKills).toHaveLength(4); // three accepted, one refused (400)
    });
  });
});

describeWithRedis('guard end to end: the store fails mid-run', () => {
  let s: Scenario;
  let emulator: Emulator;
  /** Called with every request the emulator answers. */
  let onRequest: (request: RecordedRequest) => void = () => undefined;

  beforeAll(async () => {
    s = await Scenario.start();
    // Jobs that take a while: the function is still following the first kill when Redis dies.
    emulator = await startEmulator({ jobDurationMs: 300, onRequest: (r) => onRequest(r) });
  });
  afterAll(async () => {
    await emulator?.close();
    await s?.close();
  });
  beforeEach(() => emulator.reset());

  const kills = () => emulator.requests.filter((r) => r.operation === 'hangUpKillAllClients');

  /**
   * One warm container, Redis healthy: an alarm on the shop instance acts; Redis is SIGKILLed the
   * moment its kill-all is answered; then an alarm on the proxy instance is decided.
   */
  async function redisDiesAfterFirstKill(guard: GuardPolicy): Promise<Invocation> {
    const own = (await startRedisServer())!;
    let killed: Promise<void> | null = null;
    onRequest = (r) => {
      if (r.operation === 'hangUpKillAllClients' && killed === null) killed = own.kill();
    };
    try {
      // The function follows the first kill's job (at least one 1 s wait before polling) before it
      // takes the second alarm: by then the SIGKILLed server is long gone.
      const policy = { ...policyWith(guard), jobs: { waitSeconds: 3 } };
      const env = { ...s.env({ GUARD_REDIS_URL: own.url }, policy), DCS_ENDPOINT: emulator.url };
      const r = await invokeBundle('alarm', [instanceAlarm(1), instanceAlarm(2, INSTANCES.proxy)], { env });
      expect(killed).not.toBeNull();
      return r;
    } finally {
      onRequest = () => undefined;
      await own.kill();
    }
  }

  test('fail closed (default): failed "guard store unavailable", no kill-all, a clear audit line', async () => {
    const r = await redisDiesAfterFirstKill({});
    expect(decisions(r)).toEqual(['executed', 'failed']);
    expect(r.audit[1]).toMatchObject({
      target: { instanceId: INSTANCES.proxy },
      reason: expect.stringMatching(/guard store is unavailable.*no kill/i),
      error: { code: 'GuardStoreUnavailable', message: 'guard store unavailable' },
      guard: { failOpen: false, message: 'guard store unavailable' },
    });
    expect(kills().map((k) => k.path)).toEqual([expect.stringContaining(INSTANCES.shop)]);
    // The line says why (a cleaned cause code), but nothing about the store's address or the client's internals.
    expect(['ECONNREFUSED', 'connection_closed', 'timeout']).toContain(r.audit[1]!.guard.cause);
    expect(JSON.stringify(r.audit[1])).not.toMatch(/127\.0\.0\.1|ioredis|redis:\/\//);
  });

  test('policy guard.failOpen true: executed, and the record says it acted without the guard', async () => {
    const r = await redisDiesAfterFirstKill({ failOpen: true });
    expect(decisions(r)).toEqual(['executed', 'executed']);
    expect(r.audit[0]!.guard).toBeUndefined();
    expect(r.audit[1]).toMatchObject({ target: { instanceId: INSTANCES.proxy }, guard: { failOpen: true, message: 'guard store unavailable' } });
    expect(kills()).toHaveLength(2);
  });
});

describeWithRedis('guard end to end on a native Redis Cluster (redis+cluster://, 3 nodes)', () => {
  let s: Scenario;
  let cluster: RedisClusterHandle;

  beforeAll(async () => {
    s = await Scenario.start();
    cluster = (await startRedisCluster({ password: 'e2e:cluster@pass' }))!;
  });
  afterAll(async () => {
    await s?.close();
    await cluster?.stop();
  });

  test('the same alarm 50 times at once from 5 warm containers (10 concurrent each): exactly one kill-all, 49 skipped', async () => {
    const runs = await Promise.all(
      Array.from({ length: 5 }, () =>
        s.invoke('alarm', Array.from({ length: 10 }, () => instanceAlarm(1)), {
          concurrency: 10,
          env: { GUARD_REDIS_URL: cluster.url, GUARD_POLICY: JSON.stringify(POLICY) },
        }),
      ),
    );
    const audit = runs.flatMap((r) => r.audit);
    expect(audit).toHaveLength(50);
    expect(s.killRequests()).toHaveLength(1);
    const byDecision = count(audit.map((r) => r.decision));
    expect(byDecision.executed).toBe(1);
    expect((byDecision.skipped_duplicate ?? 0) + (byDecision.skipped_cooldown ?? 0)).toBe(49);
    expect(runs.map((r) => r.stdout + r.stderr).join('')).not.toContain('e2e:cluster@pass');
  });
});
