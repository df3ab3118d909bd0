/**
 * The guard's behaviour table (sequences.ts) against both stores, then random sequences
 * run on both: the memory store must give the same decisions as Redis — a single
 * redis-server, and a native Redis Cluster of three (redis+cluster://).
 */
import fc from 'fast-check';
import { createGuardStore } from '../../lib/guard';
import type { GuardStore } from '../../lib/guard/types';
import { startRedisCluster } from '../support/redis-cluster';
import { describeWithRedis, startRedisServer } from '../support/redis-server';
import { expectedOf, redisStore, runSequence } from './harness';
import { SEQUENCES, type CheckStep, type Sequence, type Step, type TargetName } from './sequences';

describe('memory store: the behaviour table', () => {
  it.each(SEQUENCES.map((s) => [s.name, s] as const))('%s', async (_name, sequence) => {
    const store = createGuardStore({});
    expect(store.kind).toBe('memory');
    const results = await runSequence(store, sequence);
    expect(results.map(({ step, got }) => ({ step, got }))).toEqual(expectedOf(sequence));
  });
});

/** A running Redis the parity suite talks to: its guard URL and how to stop it. */
interface RedisUnderTest {
  url: string;
  stop(): Promise<void>;
}

function describeParity(name: string, start: () => Promise<RedisUnderTest | null>): void {
  describeWithRedis(`${name}: the behaviour table, and the same decisions as memory`, () => {
    let redis: RedisUnderTest;
    const stores: GuardStore[] = [];
    const openRedis = () => {
      const store = redisStore(redis.url);
      stores.push(store);
      return store;
    };

    beforeAll(async () => {
      redis = (await start())!;
    });
    afterAll(async () => {
      await Promise.all(stores.map((s) => s.close()));
      await redis?.stop();
    });

    it.each(SEQUENCES.map((s) => [s.name, s] as const))('%s', async (_name, sequence) => {
      const store = openRedis();
      expect(store.kind).toBe('redis');
      const results = await runSequence(store, sequence);
      expect(results.map(({ step, got }) => ({ step, got }))).toEqual(expectedOf(sequence));
    });

    it('memory store gives the same decisions as Redis on the same sequences (random sequences)', async () => {
      await fc.assert(
        fc.asyncProperty(randomSequence(), async (sequence) => {
          const [memory, redis] = await Promise.all([
            runSequence(createGuardStore({}), sequence, false),
            runSequence(openRedis(), sequence, false),
          ]);
          expect(memory).toEqual(redis);
        }),
        { numRuns: 60 },
      );
    });
  });
}

describeParity('redis store (one redis-server)', () => startRedisServer());
describeParity('redis store on a native Redis Cluster (3 nodes)', () => startRedisCluster({ password: 'cluster:p@ss' }));

/** Checks on a few overlapping targets, times moving forward by steps that cross every boundary. */
function randomSequence(): fc.Arbitrary<Sequence> {
  const target = fc.constantFrom<TargetName>('A/*', 'A/n1', 'A/n2', 'B/*', 'B/n1');
  const advance = fc.constantFrom(0, 1, 999, 10_000, 30_000, 60_000, 61_000, 600_000, 3_600_000);
  const check = fc.record({
    kind: fc.constant('check' as const),
    target,
    advance,
    dedup: fc.constantFrom(undefined, 'm1', 'm2', 'm3'),
    dryRun: fc.boolean(),
    cooldownSeconds: fc.constantFrom(0, 1, 30, 60, 600),
    maxKillsPerHour: fc.integer({ min: 0, max: 6 }),
    maxKillsPerHourPerInstance: fc.integer({ min: 1, max: 4 }),
  });
  const settle = fc.record({
    kind: fc.constant('settle' as const),
    pick: fc.nat(),
    outcome: fc.constantFrom('not_sent' as const, 'outcome_unknown' as const, 'executed' as const),
  });
  return fc.array(fc.oneof({ arbitrary: check, weight: 4 }, { arbitrary: settle, weight: 1 }), { minLength: 1, maxLength: 30 }).map((raw) => {
    let at = 0;
    const steps: Step[] = [];
    const proceedable: number[] = [];
    for (const r of raw) {
      if (r.kind === 'settle') {
        // settle only real checks; the runner skips the ones that got no lease
        const real = proceedable.filter((i) => !(steps[i] as CheckStep).dryRun);
        const index = real[r.pick % Math.max(real.length, 1)];
        if (index !== undefined) steps.push({ settle: index, outcome: r.outcome });
        continue;
      }
      at += r.advance;
      const { cooldownSeconds, maxKillsPerHour, maxKillsPerHourPerInstance } = r;
      proceedable.push(steps.length);
      steps.push({
        check: r.target,
        at,
        dryRun: r.dryRun,
        settings: { cooldownSeconds, maxKillsPerHour, maxKillsPerHourPerInstance },
        expect: 'proceed', // unused: this property compares the stores with each other
        ...(r.dedup ? { dedup: r.dedup } : {}),
      });
    }
    return { name: 'random', steps };
  });
}
