/**
 * The whole loop on real connections: real ioredis clients are connected to the emulator's
 * shop-cache nodes (real redis-servers); the BUILT alarm bundle, in its own process, handles the
 * fixture alarm against the emulator; the clients see their connections closed, and the audit
 * record's session snapshot counts the clients that were connected.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { fixture, invokeBundle } from '../support/bundle';
import { ACTING_POLICY, DEMO as DEMO_CREDENTIALS, FIXTURE_NODE, INSTANCES, PROJECT } from '../support/scenario';
import { describeWithRedis } from '../support/redis-server';
import { connectClients, DEMO, disconnectAll, type RealClient } from './real-clients';

const SHOP_NODES = [DEMO.shard0Master, DEMO.shard0Slave, DEMO.shard1Master, 'e5995bd15460412c02ce39c863e29f9c', '6ec7f1c5ebc6329a10bcb1b352bbc14a', '0e11fbc550fdfe306fb9af766d40c1c9'];

describeWithRedis('real sessions end to end (built alarm bundle)', () => {
  let emulator: Emulator;
  let alarmed: RealClient[] = [];
  let other: RealClient[] = [];

  /** The env a deployed function would have, pointed at this emulator. */
  const env = (extra: Record<string, string> = {}) => ({
    HUAWEICLOUD_SDK_AK: DEMO_CREDENTIALS.ak,
    HUAWEICLOUD_SDK_SK: DEMO_CREDENTIALS.sk,
    HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
    DCS_ENDPOINT: emulator.url,
    GUARD_POLICY: JSON.stringify({ ...ACTING_POLICY, audit: { snapshotSessions: true, snapshotBudgetMs: 2000 } }),
    ...extra,
  });
  const sessionsOf = (record: Record<string, any> | undefined) => record?.sessions;

  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 50, redisNodes: { nodes: Object.fromEntries(SHOP_NODES.map((id) => [id, 'spawn'])) } });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    emulator.reset();
    alarmed = await connectClients(emulator.nodeAddress(FIXTURE_NODE.nodeId), 6, 'e2e-alarmed');
    other = await connectClients(emulator.nodeAddress(DEMO.shard1Master), 4, 'e2e-other');
  });
  afterEach(() => disconnectAll(alarmed, other));

  test('the fixture is about the node whose clients we connected', () => {
    expect(FIXTURE_NODE.nodeId).toBe(DEMO.shard0Master);
    expect(INSTANCES.shop).toBe(DEMO.shop);
  });

  test('node alarm: that node’s clients are dropped, the other node’s are not; the snapshot counts them', async () => {
    const run = await invokeBundle('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env() });
    expect(run.audit).toHaveLength(1);
    const [record] = run.audit;
    expect(record).toMatchObject({ decision: 'executed', target: { nodeId: FIXTURE_NODE.nodeId, killAllNodes: false }, job: { status: 'SUCCESS' } });

    await Promise.all(alarmed.map((c) => c.closed));
    expect(alarmed.every((c) => c.isClosed())).toBe(true);
    for (const c of other) expect(await c.redis.ping()).toBe('PONG');

    expect(sessionsOf(record)).toMatchObject({ status: 'ok', nodes: 1, sessionCount: 6, topClients: [{ ip: '127.0.0.1', count: 6 }], truncated: false });
    // The snapshot (scan, list) came before the kill.
    const ops = emulator.requests.map((r) => r.operation);
    expect(ops.lastIndexOf('listClients')).toBeLessThan(ops.indexOf('hangUpKillAllClients'));
  });

  test('instance alarm: every node’s clients are dropped; the snapshot counts all of them', async () => {
    const run = await invokeBundle('alarm', [fixture('smn-trigger.instance-alarm.json')], { env: env() });
    const [record] = run.audit;
    expect(record).toMatchObject({ decision: 'executed', target: { instanceId: DEMO.shop, killAllNodes: true }, job: { status: 'SUCCESS' } });
    await Promise.all([...alarmed, ...other].map((c) => c.closed));
    expect(sessionsOf(record)).toMatchObject({ status: 'ok', nodes: 6, sessionCount: 10, topClients: [{ ip: '127.0.0.1', count: 10 }] });
  });

  test('dry run: nobody is dropped, and the snapshot says who would have been', async () => {
    const run = await invokeBundle('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env({ GUARD_DRY_RUN: 'true' }) });
    const [record] = run.audit;
    expect(record).toMatchObject({ decision: 'dry_run' });
    expect(emulator.requests.some((r) => r.operation === 'hangUpKillAllClients')).toBe(false);
    for (const c of [...alarmed, ...other]) expect(await c.redis.ping()).toBe('PONG');
    expect(sessionsOf(record)).toMatchObject({ status: 'ok', nodes: 1, sessionCount: 6 });
  });

  test('a failing snapshot does not stop the kill, and the record says it failed', async () => {
    emulator.faults.add({ operation: 'scanClients', status: 403, errorCode: 'DCS.4030' });
    const run = await invokeBundle('alarm', [fixture('smn-trigger.node-alarm.json')], { env: env() });
    const [record] = run.audit;
    expect(record).toMatchObject({ decision: 'executed', job: { status: 'SUCCESS' } });
    await Promise.all(alarmed.map((c) => c.closed));
    expect(sessionsOf(record)).toMatchObject({ status: 'failed', nodes: 0, error: expect.stringContaining('DCS.4030') });
  });
});
