/**
 * The history stream against real redis-servers: written by the history sink through the
 * guard's Redis store (same prefix, same hash slot, capped by count and age, bounded by the
 * store timeout), read back by `dcs-session-guard history` (filters, JSON lines, --follow).
 */
import { main } from '../../bin/dcs-session-guard';
import type { Io } from '../../bin/cli/io';
import type { Layout } from '../../dev/runner/layout';
import { auditLineSink, DecisionSinks, type SinkProblem } from '../../lib/audit';
import type { AuditRecord, DecisionKind } from '../../lib/domain/types';
import type { GuardStore } from '../../lib/guard';
import { historyStreamKey, redisKey } from '../../lib/guard';
import { guardKeys } from '../../lib/guard/keys';
import { redisStore, uniquePrefix } from '../guard/harness';
import { entry, policyOf, record, sinksOf, unbounded } from '../notify/sink-fixtures';
import { DEMO } from '../emulator/support';
import { startRedisCluster, type RedisClusterHandle } from '../support/redis-cluster';
import { describeWithRedis, startRedisServer, type RedisServerHandle } from '../support/redis-server';

const OTHER = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

function historySink(store: GuardStore, history: Record<string, unknown> = {}) {
  return sinksOf(policyOf({ history }), {}, { guard: () => store }).byName('history');
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), env, cwd: process.cwd(), layout: {} as Layout };
  const code = await main(['history', ...args], io);
  return { code, out, err };
}

describeWithRedis('decision history in Redis', () => {
  let server: RedisServerHandle;
  let prefix: string;
  let store: GuardStore;
  beforeAll(async () => {
    server = (await startRedisServer())!;
  });
  afterAll(async () => server?.stop());
  beforeEach(() => {
    prefix = uniquePrefix();
    store = redisStore(server.url, { prefix });
  });
  afterEach(() => store.close());

  const key = () => historyStreamKey(prefix);
  const write = async (over: Partial<AuditRecord>, sink = historySink(store)) => sink.write(entry(record(over)), unbounded);
  /** As the function hands a decision on: through the port, which keeps rejected ones from every later sink. */
  const publish = async (over: Partial<AuditRecord>) => {
    const problems: SinkProblem[] = [];
    const sinks = new DecisionSinks(auditLineSink(() => undefined), [historySink(store)], (p) => problems.push(p));
    sinks.publish(entry(record(over)), unbounded);
    await sinks.drain(unbounded);
    expect(problems).toEqual([]);
  };
  const env = () => ({ GUARD_REDIS_URL: server.url, GUARD_REDIS_PREFIX: prefix });

  it('appends every decision (rejected ones excepted) beside the guard keys, with the guard prefix and hash tag', async () => {
    await publish({ decision: 'executed' });
    await publish({ decision: 'skipped_cooldown' });
    await publish({ decision: 'rejected' });
    expect(key()).toBe(`${prefix}{guard}:history`);
    expect(key().startsWith(`${prefix}{guard}:`)).toBe(true);
    const names = guardKeys(record().target!, 'smn:m-1');
    for (const name of Object.values(names)) expect(redisKey(prefix, name!)).toMatch(/^[^{]*\{guard\}:/);
    expect(server.cli('XLEN', key())).toBe('2');
    const last = server.cli('XREVRANGE', key(), '+', '-', 'COUNT', '1').split('\n');
    expect(last.slice(1, 5)).toEqual(['decision', 'skipped_cooldown', 'instance', DEMO.shop]);
    expect(JSON.parse(last[6]!)).toEqual(record({ decision: 'skipped_cooldown' }));
    expect(Number(server.cli('PTTL', key()))).toBeGreaterThan(29 * 86_400_000);
  });

  it('capped by count (MAXLEN ~) and by age (older entries deleted on append)', async () => {
    const sink = historySink(store, { maxEntries: 100 });
    for (let i = 0; i < 350; i++) await sink.write(entry(record({ reason: `r${i}` })), unbounded);
    const length = Number(server.cli('XLEN', key()));
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(350);

    const aged = uniquePrefix();
    const agedKey = historyStreamKey(aged);
    const old = Date.now() - 31 * 86_400_000;
    for (let i = 0; i < 5; i++) server.cli('XADD', agedKey, `${old + i}-0`, 'decision', 'executed', 'instance', '', 'record', '{}');
    const agedStore = redisStore(server.url, { prefix: aged });
    await historySink(agedStore, { maxAgeDays: 30 }).write(entry(record()), unbounded);
    await agedStore.close();
    expect(server.cli('XLEN', agedKey)).toBe('1');
  });

  it('concurrent decisions of a container share script calls (one in flight, the rest batched), every record kept, in order', async () => {
    const sink = historySink(store);
    await write({ reason: 'first' }, sink); // connects, loads the script
    server.cli('CONFIG', 'RESETSTAT');
    const reasons = Array.from({ length: 120 }, (_, i) => `r${i}`);
    await Promise.all(reasons.map((reason) => historySink(store).write(entry(record({ reason })), unbounded)));
    const calls = Number(/cmdstat_evalsha:calls=(\d+)/.exec(server.cli('INFO', 'commandstats'))?.[1] ?? 0);
    // One call for the first record, then batches of at most MAX_BATCH (50): 1 + 50 + 50 + 19.
    expect(calls).toBe(4);
    const stored = server.cli('XRANGE', key(), '-', '+').split('\n').filter((l) => l.startsWith('{'));
    expect(stored.map((l) => JSON.parse(l).reason)).toEqual(['first', ...reasons]);
  });

  it('a failed batch fails each of its records, and the next batch is tried on its own', async () => {
    server.cli('SET', key(), 'not a stream'); // XADD answers WRONGTYPE
    const failures = await Promise.all(['a', 'b', 'c'].map((reason) => Promise.resolve(historySink(store).write(entry(record({ reason })), unbounded)).then(() => null, (e: Error) => e.message)));
    expect(failures).toEqual(['historyAppend failed (WRONGTYPE)', 'historyAppend failed (WRONGTYPE)', 'historyAppend failed (WRONGTYPE)']);
    server.cli('DEL', key());
    await write({ reason: 'after' });
    expect(server.cli('XLEN', key())).toBe('1');
  });

  it('the write is bounded by the store timeout; a paused Redis fails the sink with a sanitized cause', async () => {
    const paused = (await startRedisServer({ password: 'history-secret-password-1' }))!;
    const slow = redisStore(paused.url, { prefix, timeoutMs: 200 });
    try {
      await historySink(slow).write(entry(record()), unbounded); // connects
      paused.pause();
      const started = Date.now();
      const error = await Promise.resolve(historySink(slow).write(entry(record()), unbounded)).then(() => null, (e: Error) => e);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error?.message).toBe('historyAppend failed (timeout)');
      expect(JSON.stringify(error)).not.toContain('history-secret-password-1');
    } finally {
      paused.resume();
      await slow.close();
      await paused.stop();
    }
  });

  it('history.enabled: false, or the memory guard store: nothing written', async () => {
    await write({}, historySink(store, { enabled: false }));
    expect(server.cli('EXISTS', key())).toBe('0');
  });

  it('the history command: a table by default, filters by time, instance and decision, JSON lines', async () => {
    const decisions: Array<[DecisionKind, string]> = [['executed', DEMO.shop], ['skipped_cooldown', DEMO.shop], ['failed', OTHER], ['executed', OTHER], ['skipped_rate_limit', DEMO.shop]];
    for (const [decision, instanceId] of decisions) await write({ decision, reason: `${decision} on ${instanceId}`, target: { projectId: DEMO.projectId, instanceId, nodeId: null, killAllNodes: true } });

    const table = await cli([], env());
    expect(table.code).toBe(0);
    expect(table.out[0]).toMatch(/^TIME +DECISION +INSTANCE \/ NODE +RULE +REASON$/);
    expect(table.out.slice(1).map((l) => l.split(/ +/)[1])).toEqual(decisions.map(([d]) => d));
    expect(table.out[1]).toContain(`${DEMO.shop} (all)`);

    const filtered = await cli(['--instance', OTHER, '--decision', 'executed,failed', '--json'], env());
    expect(filtered.out.map((l) => JSON.parse(l).decision)).toEqual(['failed', 'executed']);
    expect(filtered.out.every((l) => JSON.parse(l).target.instanceId === OTHER)).toBe(true);

    const newest = await cli(['--limit', '2', '--json'], env());
    expect(newest.out.map((l) => JSON.parse(l).decision)).toEqual(['executed', 'skipped_rate_limit']);

    expect((await cli(['--since', '1h', '--json'], env())).out).toHaveLength(5);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await cli(['--since', future], env())).out).toEqual(['No decisions recorded that match.']);
  });

  it('pages through a long stream for a rare filter', async () => {
    for (let i = 0; i < 600; i++) await write({ decision: i % 250 === 0 ? 'failed' : 'executed' });
    const failed = await cli(['--decision', 'failed', '--json', '--limit', '10'], env());
    expect(failed.out).toHaveLength(3);
  });

  it('--follow prints new decisions as they are made, until Ctrl-C', async () => {
    await write({ decision: 'executed', reason: 'before' });
    const out: string[] = [];
    const io: Io = { out: (t) => void out.push(t), err: () => undefined, env: env(), cwd: process.cwd(), layout: {} as Layout };
    const running = main(['history', '--follow', '--json', '--decision', 'executed,failed'], io);
    const until = async (n: number) => {
      for (let i = 0; i < 200 && out.length < n; i++) await new Promise((r) => setTimeout(r, 25));
    };
    await until(1);
    await write({ decision: 'skipped_cooldown', reason: 'filtered out' });
    await write({ decision: 'failed', reason: 'after' });
    await until(2);
    process.emit('SIGINT');
    expect(await running).toBe(0);
    expect(out.map((l) => JSON.parse(l).reason)).toEqual(['before', 'after']);
  });

  it('bad options are usage errors; an unreachable Redis is exit 3 without the password', async () => {
    expect((await cli(['--decision', 'killed'], env())).code).toBe(2);
    expect((await cli(['--since', 'yesterday'], env())).code).toBe(2);
    expect((await cli([], {})).err.join('\n')).toContain('pass --redis-url or set GUARD_REDIS_URL');
    const down = await cli(['--redis-url', 'redis://:pw-not-to-print-123@127.0.0.1:1'], {});
    expect(down.code).toBe(3);
    expect(down.err.join('\n')).toContain('cannot connect to redis://:***@127.0.0.1:1');
    expect(down.err.join('\n')).not.toContain('pw-not-to-print-123');
  });
});

describeWithRedis('decision history on a native Redis Cluster (3 nodes, redis+cluster://)', () => {
  let cluster: RedisClusterHandle;
  beforeAll(async () => {
    cluster = (await startRedisCluster({ password: 'history:cluster@pw' }))!;
  });
  afterAll(async () => cluster?.stop());

  it("the stream lives in the guard keys' hash slot, and the history command reads it through the cluster", async () => {
    const prefix = uniquePrefix();
    const store = redisStore(cluster.url, { prefix });
    const target = record().target!;
    await store.check({ target, dedupKey: 'smn:x', dryRun: false, now: Date.now(), settings: { cooldownSeconds: 60, maxKillsPerHour: 20, maxKillsPerHourPerInstance: 6, dedupTtlSeconds: 60, failOpen: false } });
    await historySink(store).write(entry(record({ decision: 'executed' })), unbounded);
    await store.close();
    const slot = await cluster.slotOf(historyStreamKey(prefix));
    expect(slot).toBe(await cluster.slotOf(redisKey(prefix, guardKeys(target, 'smn:x').cooldowns)));
    // Read through a node that does not hold the slot: the command must follow the cluster, not get MOVED.
    const owner = await cluster.ownerOf(slot);
    const other = cluster.nodes.find((n) => n !== owner)!;
    const url = cluster.url.replace(String(cluster.nodes[0]!.port), String(other.port));
    const listed = await cli(['--json'], { GUARD_REDIS_URL: url, GUARD_REDIS_PREFIX: prefix });
    expect(listed.code).toBe(0);
    expect(listed.out.map((l) => JSON.parse(l).decision)).toEqual(['executed']);
    expect(listed.err.join('\n')).not.toContain('history:cluster@pw');
  });
});
