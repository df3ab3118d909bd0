/**
 * The precision action end to end: real redis-server nodes behind the emulator, real client
 * connections (named, idle, busy, protected), and the BUILT alarm and cron bundles in their own
 * processes. Only the chosen connections are closed; the others still answer PING.
 *
 * "Idle" is real: idle clients stop talking, busy ones PING every 100 ms, and the rule selects
 * sessions idle for at least IDLE_S seconds, so every assertion is about who was idle, never
 * about how fast the machine is.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { fixture, invokeBundle } from '../support/bundle';
import { describeWithRedis } from '../support/redis-server';
import { ACTING_POLICY, DEMO as DEMO_CREDENTIALS, FIXTURE_NODE, INSTANCES, PROJECT } from '../support/scenario';
import { connectClients, DEMO, disconnectAll, type RealClient } from './real-clients';

const NODE = FIXTURE_NODE.nodeId;
const OTHER = DEMO.shard1Master;
const IDLE_S = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithRedis('precision cleanup end to end (built bundles, real connections)', () => {
  let emulator: Emulator;
  let onListed: (() => void) | null = null;
  let idle: RealClient[] = [];
  let busy: RealClient[] = [];
  let monitor: RealClient[] = [];
  let other: RealClient[] = [];
  let pinger: NodeJS.Timeout | null = null;

  const action = (over: Record<string, unknown> = {}) => ({
    kind: 'kill-matching',
    select: { idleSecondsAtLeast: IDLE_S },
    protect: { names: ['monitor-*'] },
    ...over,
  });
  const policy = (act: Record<string, unknown>) => ({
    ...ACTING_POLICY,
    alarms: [{ name: 'idle-leak', match: { metrics: ['connections_usage', 'connected_clients'] }, scope: 'auto', action: act }],
    schedules: { 'idle-sweep': { action: act, targets: [{ instance: INSTANCES.shop, nodes: [NODE] }] } },
    jobs: { waitSeconds: 3, pollIntervalMs: 100 },
  });
  const env = (act: Record<string, unknown>, extra: Record<string, string> = {}) => ({
    HUAWEICLOUD_SDK_AK: DEMO_CREDENTIALS.ak,
    HUAWEICLOUD_SDK_SK: DEMO_CREDENTIALS.sk,
    HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
    DCS_ENDPOINT: emulator.url,
    GUARD_POLICY: JSON.stringify(policy(act)),
    ...extra,
  });
  const nodeAlarm = () => invokeBundle('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env(action()) });
  const stillUp = async (clients: RealClient[]) => {
    for (const c of clients) expect(await c.redis.ping()).toBe('PONG');
  };
  const ops = () => emulator.requests.map((r) => r.operation);
  const closedAddrs = () => emulator.requests.filter((r) => r.operation === 'hangUpClients').flatMap((r) => (r.body as { client_addrs: string[] }).client_addrs);

  beforeAll(async () => {
    emulator = await startEmulator({
      jobDurationMs: 30,
      listPageSize: 3, // every node's listing takes more than one page
      redisNodes: { nodes: { [NODE]: 'spawn', [OTHER]: 'spawn' } },
      onRequest: (r) => {
        if (r.operation === 'listClients' && onListed) onListed();
      },
    });
  });
  afterAll(() => emulator.close());

  beforeEach(async () => {
    emulator.reset();
    onListed = null;
    const address = emulator.nodeAddress(NODE);
    idle = await connectClients(address, 4, 'leak');
    monitor = await connectClients(address, 1, 'monitor');
    other = await connectClients(emulator.nodeAddress(OTHER), 2, 'other');
    busy = await connectClients(address, 3, 'app');
    pinger = setInterval(() => busy.forEach((c) => void c.redis.ping().catch(() => undefined)), 100);
    await sleep((IDLE_S + 0.6) * 1000);
  });
  afterEach(() => {
    if (pinger) clearInterval(pinger);
    disconnectAll(idle, busy, monitor, other);
  });

  test('node alarm: the idle sessions are closed; busy, protected and other-node clients keep running', async () => {
    const run = await nodeAlarm();
    const [record] = run.audit;
    expect(record).toMatchObject({
      decision: 'executed',
      rule: 'idle-leak',
      target: { nodeId: NODE, killAllNodes: false },
      action: { kind: 'kill-matching', nodes: [{ nodeId: NODE, scanned: 8, selected: 4, protected: 1, killed: 4, truncated: false }], more: 0 },
    });
    await Promise.all(idle.map((c) => c.closed));
    await stillUp([...busy, ...monitor, ...other]);
    const recorded = (record!.action.killed as Array<{ addr: string; name: string }>).map((k) => [k.addr, k.name]).sort();
    expect(recorded).toEqual(idle.map((c) => [c.addr, c.name]).sort());
    expect(ops().filter((o) => o === 'listClients').length).toBeGreaterThan(1);
    expect(ops()).not.toContain('hangUpKillAllClients');
  });

  test('dry run: nobody is closed, and the record lists exactly the sessions the real run then closes', async () => {
    const dry = await invokeBundle('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env(action(), { GUARD_DRY_RUN: 'true' }) });
    expect(dry.audit[0]).toMatchObject({ decision: 'dry_run', dryRunCause: 'GUARD_DRY_RUN' });
    expect(ops()).not.toContain('hangUpClients');
    await stillUp([...idle, ...busy, ...monitor]);
    const wouldClose = (dry.audit[0]!.action.killed as Array<{ addr: string }>).map((k) => k.addr).sort();
    // stillUp's PING made the idle clients busy again: let them become idle before the real run.
    await sleep(IDLE_S * 1000 + 100);

    emulator.requests.length = 0;
    const real = await nodeAlarm();
    expect(real.audit[0]!.decision).toBe('executed');
    expect(closedAddrs().sort()).toEqual(wouldClose);
    await Promise.all(idle.map((c) => c.closed));
  });

  test('the cap keeps the rest: the idlest go first', async () => {
    // leak-0 has been idle longest; make two of them fresh again: they become the least idle.
    await idle[2]!.redis.ping();
    await idle[3]!.redis.ping();
    await sleep(IDLE_S * 1000 + 100);
    const run = await invokeBundle('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env(action({ maxSessionsPerNode: 2 })) });
    expect(run.audit[0]).toMatchObject({ decision: 'executed', action: { nodes: [{ selected: 4, killed: 2, truncated: true }] } });
    await Promise.all([idle[0]!.closed, idle[1]!.closed]);
    await stillUp([idle[2]!, idle[3]!, ...busy, ...monitor]);
  });

  test('whenNoneMatch skip: skipped_no_match, nothing closed; kill-all: one rule escalates and every client goes', async () => {
    const none = action({ select: { idleSecondsAtLeast: 3600 } });
    const skipped = await invokeBundle('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env(none) });
    expect(skipped.audit[0]).toMatchObject({ decision: 'skipped_no_match', action: { nodes: [{ scanned: 8, selected: 0, killed: 0 }] } });
    await stillUp([...idle, ...busy, ...monitor]);

    const escalating = await invokeBundle('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env({ ...none, whenNoneMatch: 'kill-all' }) });
    expect(escalating.audit[0]).toMatchObject({ decision: 'executed', action: { kind: 'kill-matching', escalated: 'kill-all' }, job: { status: 'SUCCESS' } });
    await Promise.all([...idle, ...busy, ...monitor].map((c) => c.closed));
    await stillUp(other);
  });

  test('a precision schedule through the cron bundle', async () => {
    const tick = { ...fixture('timer.nightly.json'), user_event: JSON.stringify({ schedule: 'idle-sweep' }) };
    const run = await invokeBundle('cron', [tick], { env: env(action()) });
    expect(run.audit[0]).toMatchObject({ decision: 'executed', rule: 'schedule:idle-sweep', action: { nodes: [{ nodeId: NODE, killed: 4 }] } });
    await Promise.all(idle.map((c) => c.closed));
    await stillUp([...busy, ...monitor]);
  });

  test('a scan job that FAILs: failed, nothing closed', async () => {
    emulator.faults.add({ operation: 'scanClients', jobFail: 'node busy' });
    const run = await nodeAlarm();
    expect(run.audit[0]).toMatchObject({ decision: 'failed', action: { nodes: [{ nodeId: NODE, error: expect.stringContaining('node busy') }] } });
    expect(ops()).not.toContain('hangUpClients');
    await stillUp([...idle, ...busy]);
  });

  test('a scan that never finishes: abandoned before the deadline, the invocation answers in time, nothing closed', async () => {
    emulator.faults.add({ operation: 'scanClients', jobHang: true });
    // 8 s is far more than the cold start and the preflight need: the node is started, its scan never ends.
    const run = await invokeBundle('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env(action()), context: { remainingMs: 8000, stopAfterMs: 8000 } });
    expect(run.results[0]?.ok).toBe(true);
    expect(run.audit[0]).toMatchObject({ decision: 'failed', error: { code: 'scan_unfinished' } });
    expect(ops()).not.toContain('hangUpClients');
    await stillUp(idle);
  });

  test('a node that disappears between listing and kill: DCS refuses, nothing closed, recorded as failed', async () => {
    onListed = () => {
      emulator.state.node(PROJECT, INSTANCES.shop, NODE)!.status = 'Inactive';
    };
    const run = await nodeAlarm();
    expect(run.audit[0]).toMatchObject({ decision: 'failed', error: { code: 'DCS.4957' }, action: { nodes: [{ killed: 0 }] } });
    await stillUp(idle);
  });

  test('sessions gone before the kill are fine: DCS answers success and the record says what was asked', async () => {
    onListed = () => {
      onListed = null;
      disconnectAll([idle[0]!]);
    };
    const run = await nodeAlarm();
    expect(run.audit[0]).toMatchObject({ decision: 'executed', action: { nodes: [{ killed: 4 }] } });
    await Promise.all(idle.slice(1).map((c) => c.closed));
    await stillUp(busy);
  });
});
