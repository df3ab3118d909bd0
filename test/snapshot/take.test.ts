/**
 * takeSessionSnapshot against the DCS emulator whose shop-cache nodes are real redis-servers,
 * through the real (signing) lib/dcs client: counts match the connected clients, failures and
 * slow answers give failed/partial snapshots, and it never throws.
 */
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import type { Target } from '../../lib/domain/types';
import { takeSessionSnapshot, type SnapshotOptions } from '../../lib/snapshot';
import { connectClients, DEMO, demoDcsClient, disconnectAll, type RealClient } from '../e2e/real-clients';
import { describeWithRedis } from '../support/redis-server';

const SHOP_NODES = [DEMO.shard0Master, DEMO.shard0Slave, DEMO.shard1Master, 'e5995bd15460412c02ce39c863e29f9c', '6ec7f1c5ebc6329a10bcb1b352bbc14a', '0e11fbc550fdfe306fb9af766d40c1c9'];
const nodeTarget = (nodeId: string): Target => ({ projectId: DEMO.projectId, instanceId: DEMO.shop, nodeId, killAllNodes: false });
const instanceTarget: Target = { projectId: DEMO.projectId, instanceId: DEMO.shop, nodeId: null, killAllNodes: true };
const OPTIONS: SnapshotOptions = { maxNodes: 16, budgetMs: 5000, scanPollMs: 10 };

describeWithRedis('takeSessionSnapshot with real redis nodes', () => {
  let emulator: Emulator;
  let onA: RealClient[] = [];
  let onB: RealClient[] = [];
  const snapshot = (target: Target, opts: Partial<SnapshotOptions> = {}) => takeSessionSnapshot(demoDcsClient(emulator), target, { ...OPTIONS, ...opts });
  const listCalls = () => emulator.requests.filter((r) => r.operation === 'listClients');

  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 20, redisNodes: { nodes: Object.fromEntries(SHOP_NODES.map((id) => [id, 'spawn'])) } });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    emulator.reset();
    onA = await connectClients(emulator.nodeAddress(DEMO.shard0Master), 5, 'snap-a');
    onB = await connectClients(emulator.nodeAddress(DEMO.shard1Master), 3, 'snap-b');
  });
  afterEach(() => disconnectAll(onA, onB));

  test('a node target: its sessions counted, by client IP, with age and idle', async () => {
    const s = await snapshot(nodeTarget(DEMO.shard0Master));
    expect(s).toMatchObject({ status: 'ok', nodes: 1, sessionCount: 5, topClients: [{ ip: '127.0.0.1', count: 5 }], truncated: false });
    expect(s.oldestAgeSeconds).toEqual(expect.any(Number));
    expect(s.longestIdleSeconds).toEqual(expect.any(Number));
    expect(s.error).toBeUndefined();
    expect(emulator.requests.map((r) => r.operation)).toEqual(expect.arrayContaining(['scanClients', 'showJobInfo', 'listClients']));
    expect(emulator.requests.findIndex((r) => r.operation === 'scanClients')).toBeLessThan(emulator.requests.findIndex((r) => r.operation === 'listClients'));
  });

  test('pages through listClients with offset/limit; maxPages bounds it and says truncated', async () => {
    const all = await snapshot(nodeTarget(DEMO.shard0Master), { pageSize: 2 });
    expect(all).toMatchObject({ status: 'ok', sessionCount: 5, truncated: false, topClients: [{ ip: '127.0.0.1', count: 5 }] });
    expect(listCalls().map((r) => [r.query['offset'], r.query['limit']])).toEqual([
      ['0', '2'],
      ['2', '2'],
      ['4', '2'],
    ]);
    emulator.requests.length = 0;
    const bounded = await snapshot(nodeTarget(DEMO.shard0Master), { pageSize: 2, maxPages: 1 });
    expect(bounded).toMatchObject({ status: 'ok', sessionCount: 5, truncated: true, topClients: [{ ip: '127.0.0.1', count: 2 }] });
  });

  test('an instance target reads the masters first, in parallel, up to maxNodes', async () => {
    const s = await snapshot(instanceTarget);
    expect(s).toMatchObject({ status: 'ok', nodes: 6, sessionCount: 8, topClients: [{ ip: '127.0.0.1', count: 8 }], truncated: false });
    const two = await snapshot(instanceTarget, { maxNodes: 2 });
    expect(two).toMatchObject({ status: 'ok', nodes: 2, sessionCount: 8, truncated: true });
  });

  test('listClients failing: failed for a node, partial for the instance, with the error code; never throws', async () => {
    emulator.faults.add({ operation: 'listClients', status: 403, errorCode: 'DCS.4030', errorMsg: 'no permission' });
    const s = await snapshot(nodeTarget(DEMO.shard0Master));
    expect(s).toMatchObject({ status: 'failed', nodes: 0, sessionCount: 0, topClients: [] });
    expect(s.error).toContain(`node ${DEMO.shard0Master}`);
    expect(s.error).toContain('DCS.4030');
    emulator.faults.clear();

    emulator.faults.add({ operation: 'listClients', status: 400, errorCode: 'DCS.4000', times: 1 });
    const p = await snapshot(instanceTarget);
    expect(p.status).toBe('partial');
    expect(p.nodes).toBe(5);
    expect(p.error).toMatch(/DCS\.4000/);
  });

  test('a slow node: the snapshot returns at its budget as partial, with what the others gave', async () => {
    emulator.faults.add({ operation: 'listClients', latencyMs: 20_000, times: 1 });
    const s = await snapshot(instanceTarget, { budgetMs: 1500 });
    expect(s.status).toBe('partial');
    expect(s.nodes).toBe(5);
    expect(s.error).toMatch(/no answer within the 1500 ms budget/);
  });

  test('everything hanging: failed with a budget message, not a throw', async () => {
    emulator.faults.add({ operation: 'scanClients', hang: true });
    const s = await snapshot(nodeTarget(DEMO.shard0Master), { budgetMs: 800 });
    expect(s).toMatchObject({ status: 'failed', nodes: 0 });
    expect(s.error).toMatch(/budget|deadline/);
  });

  test('a failed scan job, a failed node listing, bad options and a bad target are failed snapshots', async () => {
    const slave = emulator.state.node(DEMO.projectId, DEMO.shop, DEMO.shard0Slave)!;
    slave.status = 'Inactive';
    const scanFailed = await snapshot(nodeTarget(DEMO.shard0Slave));
    expect(scanFailed).toMatchObject({ status: 'failed' });
    expect(scanFailed.error).toMatch(/scan of node \S+ failed: node .* is Inactive/);

    emulator.faults.add({ operation: 'showNodesInformation', status: 404, errorCode: 'DCS.4010' });
    const noNodes = await snapshot(instanceTarget);
    expect(noNodes).toMatchObject({ status: 'failed', nodes: 0 });
    expect(noNodes.error).toMatch(/showNodesInformation failed: DCS\.4010/);

    expect(await snapshot(instanceTarget, { budgetMs: 0 })).toMatchObject({ status: 'failed', error: expect.stringMatching(/budgetMs/) });
    expect(await snapshot(instanceTarget, { maxNodes: 0 })).toMatchObject({ status: 'failed', error: expect.stringMatching(/maxNodes/) });
    const badTarget = await snapshot({ ...nodeTarget('not-a-node'), instanceId: 'x' });
    expect(badTarget.status).toBe('failed');
    expect(badTarget.error).toMatch(/instance/i);
  });
});
