/**
 * The guard on a native Redis Cluster (redis+cluster://): three real redis-server processes
 * joined by `redis-cli --cluster create`, ioredis' Cluster client in the store. What only a
 * cluster can show: the guard's slot moved to another node in the middle of a run (ASK,
 * TRYAGAIN, MOVED followed) with every decision still made exactly once; a migration that
 * outlasts the store deadline fails closed and writes nothing; the wrong URL form for the
 * server answers unavailable with a cause that says so. (The behaviour table and the random
 * parity run against this cluster in behaviour.test.ts.)
 */
import Redis from 'ioredis';
import { createGuardStore, historyStreamKey, RedisGuardStore } from '../../lib/guard';
import type { GuardStore, GuardVerdict } from '../../lib/guard/types';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster';
import { describeWithRedis, startRedisServer } from '../support/redis-server';
import { concurrentClaimTests, kinds, request } from './concurrent-claims';
import { redisStore, uniquePrefix } from './harness';
import { BASE_SETTINGS, T0, targetOf, type TargetName } from './sequences';

const PASSWORD = 'cluster:S3cret@guard';
jest.setTimeout(120_000);

describeWithRedis('redis store on a native Redis Cluster (3 nodes, redis+cluster://)', () => {
  let cluster: RedisClusterHandle;
  const stores: GuardStore[] = [];
  const open = (prefix: string, opts: { timeoutMs?: number; url?: string } = {}) => {
    const store = redisStore(opts.url ?? cluster.url, { prefix, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
    stores.push(store);
    return store;
  };
  /** The slot every guard key lives in, and the node that serves it now. */
  const guardSlot = async (prefix: string) => {
    const slot = await cluster.slotOf(`${prefix}{guard}:kills:global`);
    return { slot, owner: await cluster.ownerOf(slot) };
  };

  beforeAll(async () => {
    cluster = (await startRedisCluster({ password: PASSWORD }))!;
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await cluster?.stop();
  });

  it('the store says it is on a cluster; every key, the history stream too, is in one slot, and the slots are spread over 3 nodes', async () => {
    const prefix = uniquePrefix();
    const store = open(prefix);
    expect(store).toBeInstanceOf(RedisGuardStore);
    expect((store as RedisGuardStore).mode).toBe('redis-cluster');
    const keys = [...(store as RedisGuardStore).keysOf(targetOf('A/n1'), 'msg-1'), historyStreamKey(prefix)];
    const slots = new Set(await Promise.all(keys.map((k) => cluster.slotOf(k))));
    expect(slots.size).toBe(1);
    const owners = await Promise.all([0, 8000, 16383].map((slot) => cluster.ownerOf(slot)));
    expect(new Set(owners.map((n) => n.id)).size).toBe(3); // a real cluster: the guard's slot is on one of three
  });

  concurrentClaimTests((prefix) => open(prefix));

  it("the guard's slot migrated to another node mid-run: every decision made exactly once, state carried over", async () => {
    await cluster.flush(); // only this test's keys move (every prefix shares the slot of {guard})
    const prefix = uniquePrefix();
    // 4 warm containers, each checking every target at every step of the migration, each with a
    // notification of its own: per target exactly one may ever proceed, whatever node answers.
    // The decisions wait out the migration (TRYAGAIN), however long this machine takes for it.
    const containers = Array.from({ length: 4 }, () => open(prefix, { timeoutMs: 60_000 }));
    const targets: TargetName[] = ['A/n1', 'A/n2', 'A/n3', 'A/n4', 'B/*', 'C/*', 'D/n1', 'D/n2'];
    const settings = { ...BASE_SETTINGS, cooldownSeconds: 3600, maxKillsPerHour: 1000, maxKillsPerHourPerInstance: 1000 };
    const decided: Array<{ target: TargetName; step: string; verdict: GuardVerdict }> = [];
    let at = 0;
    const wave = (step: string, only: TargetName[] = targets) =>
      Promise.all(
        containers.flatMap((store, c) =>
          only.map(async (target) => {
            const verdict = await store.check(request({ target: targetOf(target), dedupKey: `${step}-${c}-${target}`, now: T0 + at++, settings }));
            decided.push({ target, step, verdict });
          }),
        ),
      );

    await wave('before', targets.slice(0, 4)); // half the targets claimed before: their keys move with the slot
    const { slot, owner } = await guardSlot(prefix);
    const destination = cluster.nodes.find((n) => n !== owner)!;
    const inFlight: Array<Promise<unknown>> = [];
    const steps: string[] = [];
    // A wave at every step, not awaited: the migration goes on while the decisions are in flight.
    await cluster.migrateSlot(slot, destination, async (step) => {
      steps.push(step);
      inFlight.push(wave(step));
    });
    await Promise.all(inFlight);
    await wave('after');

    expect(steps.filter((s) => s.startsWith('migrated ')).length).toBeGreaterThanOrEqual(7); // real keys moved, one by one
    expect((await cluster.ownerOf(slot)).id).toBe(destination.id);
    expect(Number(await owner.admin.cluster('COUNTKEYSINSLOT', slot))).toBe(0);
    expect(decided.filter((d) => d.verdict.kind === 'unavailable')).toEqual([]); // every decision completed
    for (const target of targets) {
      const mine = decided.filter((d) => d.target === target);
      expect({ target, ...kinds(mine.map((d) => d.verdict)) }).toEqual({ target, proceed: 1, cooldown: mine.length - 1 });
    }
    // The breakers counted each kill once, on the node that now holds the slot.
    const globalKills = `${prefix}{guard}:kills:global`;
    expect(await destination.admin.zcard(globalKills)).toBe(targets.length);
  });

  it('a migration that outlasts the store deadline: the decision fails closed and writes nothing; it proceeds once the slot has moved', async () => {
    await cluster.flush();
    const prefix = uniquePrefix();
    const store = open(prefix);
    const quick = open(prefix, { timeoutMs: 300 });
    expect((await store.check(request({ target: targetOf('Z/*'), dedupKey: 'first' }))).kind).toBe('proceed'); // keys to migrate
    const { slot, owner } = await guardSlot(prefix);
    const destination = cluster.nodes.find((n) => n !== owner)!;
    const held: GuardVerdict[] = [];
    await cluster.migrateSlot(slot, destination, async (step) => {
      // Half-way: the keys are split between the two nodes, every decision is answered TRYAGAIN.
      if (step.startsWith('migrated ') && held.length === 0) held.push(await quick.check(request({ dedupKey: 'during' })));
    });
    expect(held).toEqual([{ kind: 'unavailable', message: 'guard store unavailable', failOpen: false, cause: expect.stringMatching(/^(timeout|TRYAGAIN)$/) }]);
    // Nothing of it was written: the same notification now proceeds (it is no duplicate), on the new node.
    expect((await store.check(request({ dedupKey: 'during', now: T0 + 1 }))).kind).toBe('proceed');
    expect((await cluster.ownerOf(slot)).id).toBe(destination.id);
  });

  it('the node holding the slot stops answering: unavailable "timeout" within the deadline, fail closed', async () => {
    const prefix = uniquePrefix();
    const store = open(prefix, { timeoutMs: 1_000 });
    expect((await store.check(request({ dryRun: true }))).kind).toBe('proceed'); // connected, slot map known
    const { owner } = await guardSlot(prefix);
    owner.server.pause();
    try {
      expect(await store.check(request())).toMatchObject({ kind: 'unavailable', failOpen: false, cause: 'timeout' });
    } finally {
      owner.server.resume();
    }
  });

  it('the wrong URL form for the server: a plain redis:// to a node without the slot is MOVED, redis+cluster:// to a single server is not_a_cluster', async () => {
    const prefix = uniquePrefix();
    const { owner } = await guardSlot(prefix);
    const other = cluster.nodes.find((n) => n !== owner)!;
    const plain = open(prefix, { url: `redis://:${encodeURIComponent(PASSWORD)}@127.0.0.1:${other.port}` });
    expect(await plain.check(request())).toMatchObject({ kind: 'unavailable', cause: 'MOVED' });

    const single = (await startRedisServer())!;
    try {
      const wrong = open(prefix, { url: single.url.replace('redis://', 'redis+cluster://') });
      expect(await wrong.check(request())).toMatchObject({ kind: 'unavailable', cause: 'not_a_cluster' });
    } finally {
      await single.stop();
    }
  });

  it('a wrong password on the cluster is auth_failed, and nothing holds the password', async () => {
    const wrongPassword = 'Wr0ng-cluster-pass';
    const store = open(uniquePrefix(), { url: cluster.url.replace(encodeURIComponent(PASSWORD), wrongPassword) });
    const verdict = await store.check(request());
    expect(verdict).toMatchObject({ kind: 'unavailable', cause: 'auth_failed' });
    expect(JSON.stringify(verdict)).not.toContain(wrongPassword);
  });

  it('a store opened by URL alone connects through any node and reads what another wrote', async () => {
    const prefix = uniquePrefix();
    const viaLast = createGuardStore({ redisUrl: cluster.url.replace(String(cluster.nodes[0]!.port), String(cluster.nodes[2]!.port)), keyPrefix: prefix });
    stores.push(viaLast);
    const claim = await open(prefix).check(request({ target: targetOf('Q/*') }));
    expect(claim.kind).toBe('proceed');
    expect(await viaLast.check(request({ target: targetOf('Q/n1'), dedupKey: 'other', now: T0 + 1 }))).toMatchObject({ kind: 'cooldown', scope: 'instance' });
    const inspector = new Redis.Cluster([{ host: '127.0.0.1', port: cluster.nodes[1]!.port }], { redisOptions: { password: PASSWORD } });
    try {
      expect(await inspector.zcard(`${prefix}{guard}:kills:global`)).toBe(1);
    } finally {
      inspector.disconnect();
    }
  });
});
