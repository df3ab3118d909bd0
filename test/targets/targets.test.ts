import type { ShowInstanceResponse, ShowNodesInformationResponse } from '../../lib/dcs';
import type { AlarmSignal } from '../../lib/events';
import type { AlarmRule } from '../../lib/policy';
import { checkInstance, NodeResolver, targetsForAlarm, targetsForSchedule } from '../../lib/targets';

const INSTANCE = '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b';
const PROJECT = '0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3';

/** A node listing that counts how often it is asked (pure logic: no HTTP involved). */
function listing(nodes: Array<{ node_id: string; dim: string }>) {
  let calls = 0;
  const dcs = {
    calls: () => calls,
    showNodesInformation: async (): Promise<ShowNodesInformationResponse> => {
      calls++;
      return {
        instance_id: INSTANCE,
        total: nodes.length,
        nodes: nodes.map((n) => ({ node_id: n.node_id, dimensions: [{ name: 'dcs_cluster_redis_node', value: n.dim }] })),
      } as unknown as ShowNodesInformationResponse;
    },
  };
  return dcs;
}

const alarm = (over: Partial<AlarmSignal>): AlarmSignal & { instanceId: string } =>
  ({ format: 'classic', alarmId: 'a', alarmName: 'n', status: 'alarm', namespace: 'SYS.DCS', metric: 'connected_clients', instanceId: INSTANCE, node: null, dimensions: [], time: 1, region: null, recordId: null, ...over }) as AlarmSignal & { instanceId: string };
const rule = (scope: AlarmRule['scope']): AlarmRule => ({ name: 'r', match: {}, scope }) as AlarmRule;
const NODE = { dimension: 'dcs_cluster_redis_node' as const, value: 'dimvalue01' };

describe('NodeResolver', () => {
  test('maps a dimension value to the node_id and caches the listing', async () => {
    let now = 0;
    const dcs = listing([{ node_id: 'nodeid0001', dim: 'dimvalue01' }]);
    const resolver = new NodeResolver(60_000, () => now);
    expect(await resolver.resolve(dcs, INSTANCE, 'dcs_cluster_redis_node', 'dimvalue01')).toBe('nodeid0001');
    expect(await resolver.resolve(dcs, INSTANCE, 'dcs_cluster_redis_node', 'dimvalue01')).toBe('nodeid0001');
    expect(dcs.calls()).toBe(1);
    now = 61_000; // expired: listed again
    await resolver.resolve(dcs, INSTANCE, 'dcs_cluster_redis_node', 'dimvalue01');
    expect(dcs.calls()).toBe(2);
  });

  test('concurrent misses share one listing (an alarm storm on a cold container lists once)', async () => {
    const dcs = listing([{ node_id: 'nodeid0001', dim: 'dimvalue01' }]);
    const resolver = new NodeResolver();
    const answers = await Promise.all(Array.from({ length: 5 }, () => resolver.resolve(dcs, INSTANCE, 'dcs_cluster_redis_node', 'dimvalue01')));
    expect(answers).toEqual(Array(5).fill('nodeid0001'));
    expect(dcs.calls()).toBe(1);
  });

  test('a failed listing fails every caller that shared it, and the next miss lists again', async () => {
    let calls = 0;
    const failing = { showNodesInformation: async (): Promise<ShowNodesInformationResponse> => Promise.reject(new Error(`listing ${++calls} failed`)) };
    const resolver = new NodeResolver();
    const shared = Array.from({ length: 3 }, () => resolver.resolve(failing, INSTANCE, 'dcs_cluster_redis_node', 'dimvalue01'));
    for (const p of shared) await expect(p).rejects.toThrow('listing 1 failed');
    await expect(resolver.resolve(failing, INSTANCE, 'dcs_cluster_redis_node', 'dimvalue01')).rejects.toThrow('listing 2 failed');
  });

  test('a miss lists again (a node may have been added) and then answers null', async () => {
    const dcs = listing([{ node_id: 'nodeid0001', dim: 'dimvalue01' }]);
    const resolver = new NodeResolver();
    await resolver.resolve(dcs, INSTANCE, 'dcs_cluster_redis_node', 'dimvalue01');
    expect(await resolver.resolve(dcs, INSTANCE, 'dcs_cluster_redis_node', 'unknown0001')).toBeNull();
    expect(dcs.calls()).toBe(2);
  });
});

describe('targetsForAlarm', () => {
  const nodes = () => new NodeResolver();
  const dcs = listing([{ node_id: 'nodeid0001', dim: 'dimvalue01' }]);

  test.each([
    ['auto', null, { ok: true, targets: [{ projectId: PROJECT, instanceId: INSTANCE, nodeId: null, killAllNodes: true }] }],
    ['auto', NODE, { ok: true, targets: [{ projectId: PROJECT, instanceId: INSTANCE, nodeId: 'nodeid0001', killAllNodes: false }] }],
    ['instance', NODE, { ok: true, targets: [{ projectId: PROJECT, instanceId: INSTANCE, nodeId: null, killAllNodes: true }] }],
    ['node', null, { ok: false, decision: 'skipped_no_rule' }],
    ['node', NODE, { ok: true, targets: [{ projectId: PROJECT, instanceId: INSTANCE, nodeId: 'nodeid0001', killAllNodes: false }] }],
  ] as const)('scope %s, node %p', async (scope, node, expected) => {
    const plan = await targetsForAlarm({ alarm: alarm({ node }), rule: rule(scope), projectId: PROJECT, dcs, nodes: nodes() });
    expect(plan).toMatchObject(expected);
  });

  test('a templated alarm acts on all nodes only under scope instance', async () => {
    const templated = alarm({ format: 'templated', metric: null, namespace: null });
    expect(await targetsForAlarm({ alarm: templated, rule: rule('auto'), projectId: PROJECT, dcs, nodes: nodes() })).toMatchObject({ ok: false, decision: 'skipped_precondition' });
    expect(await targetsForAlarm({ alarm: templated, rule: rule('instance'), projectId: PROJECT, dcs, nodes: nodes() })).toMatchObject({ ok: true });
  });
});

describe('checkInstance', () => {
  const instance = (over: Partial<ShowInstanceResponse>) => ({ instance_id: INSTANCE, name: 'x', engine: 'Redis', engine_version: '6.0', status: 'RUNNING', cache_mode: 'ha', ...over }) as ShowInstanceResponse;
  test.each([
    [{}, true],
    [{ engine_version: '4.0' }, true],
    [{ engine_version: '3.0' }, false],
    [{ engine_version: '' }, false],
    [{ engine: 'Memcached' }, false],
    [{ status: 'RESTARTING' }, false],
  ])('%p → %p', (over, expected) => {
    expect(checkInstance(instance(over)).ok).toBe(expected);
  });
});

test('targetsForSchedule: all nodes, or one target per listed node', () => {
  expect(targetsForSchedule([{ instance: INSTANCE, nodes: 'all' }, { instance: INSTANCE, nodes: ['n1node0001', 'n2node0002'] }], PROJECT)).toEqual([
    { projectId: PROJECT, instanceId: INSTANCE, nodeId: null, killAllNodes: true },
    { projectId: PROJECT, instanceId: INSTANCE, nodeId: 'n1node0001', killAllNodes: false },
    { projectId: PROJECT, instanceId: INSTANCE, nodeId: 'n2node0002', killAllNodes: false },
  ]);
});
