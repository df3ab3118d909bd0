/** The snapshot's pure parts: client IPs, the aggregation, and which nodes an instance-wide snapshot reads. */
import fc from 'fast-check';
import type { NodeInfo } from '../../lib/dcs/models';
import { chooseSnapshotNodes, clientIp, summarizeSessions } from '../../lib/snapshot';

describe('clientIp', () => {
  test.each([
    ['10.0.0.1:5000', '10.0.0.1'],
    ['[::1]:6379', '::1'],
    ['[fe80::1%eth0]:1', 'fe80::1%eth0'],
    ['/tmp/redis.sock:0', '/tmp/redis.sock'],
    ['10.0.0.1', '10.0.0.1'],
    ['', 'unknown'],
    ['  ', 'unknown'],
  ])('%j -> %j', (addr, ip) => expect(clientIp(addr)).toBe(ip));
});

describe('summarizeSessions', () => {
  test('counts by IP, most first, ties by IP; oldest age and longest idle; numeric strings accepted', () => {
    const summary = summarizeSessions([
      { id: '1', addr: '10.0.0.2:1', age: 10, idle: 1 },
      { id: '2', addr: '10.0.0.1:2', age: '300', idle: '7' },
      { id: '3', addr: '10.0.0.2:3', age: 5, idle: 0 },
      { id: '4', addr: '10.0.0.3:4' },
      { id: '5', addr: '10.0.0.1:5', age: 'x', idle: -1 },
    ]);
    expect(summary).toEqual({
      topClients: [
        { ip: '10.0.0.1', count: 2 },
        { ip: '10.0.0.2', count: 2 },
        { ip: '10.0.0.3', count: 1 },
      ],
      oldestAgeSeconds: 300,
      longestIdleSeconds: 7,
    });
  });

  test('no sessions: empty top list and null extremes', () => {
    expect(summarizeSessions([])).toEqual({ topClients: [], oldestAgeSeconds: null, longestIdleSeconds: null });
  });

  test('the top list is bounded (default 20)', () => {
    const clients = Array.from({ length: 30 }, (_, i) => ({ id: String(i), addr: `10.0.1.${i}:1` }));
    expect(summarizeSessions(clients).topClients).toHaveLength(20);
    expect(summarizeSessions(clients, 3).topClients).toHaveLength(3);
  });

  test('property: unbounded, the counts add up to the sessions and the extremes bound every value', () => {
    const client = fc.record({
      addr: fc.constantFrom('10.0.0.1:1', '10.0.0.2:2', '[::1]:3', '10.0.0.1:4', ''),
      age: fc.nat(100_000),
      idle: fc.nat(100_000),
    });
    fc.assert(
      fc.property(fc.array(client, { maxLength: 50 }), (raw) => {
        const clients = raw.map((c, i) => ({ id: String(i), ...c }));
        const s = summarizeSessions(clients, 1000);
        expect(s.topClients.reduce((sum, c) => sum + c.count, 0)).toBe(clients.length);
        for (const c of clients) {
          expect(s.oldestAgeSeconds).toBeGreaterThanOrEqual(c.age);
          expect(s.longestIdleSeconds).toBeGreaterThanOrEqual(c.idle);
        }
        for (let i = 1; i < s.topClients.length; i++) expect(s.topClients[i - 1]!.count).toBeGreaterThanOrEqual(s.topClients[i]!.count);
      }),
    );
  });
});

describe('chooseSnapshotNodes', () => {
  const node = (node_id: string, node_type: string, status = 'Active'): NodeInfo => ({
    node_id,
    logical_node_id: node_id,
    name: node_id,
    status,
    node_role: node_type === 'proxy' ? 'redis-proxy' : 'redis-server',
    node_type,
    node_ip: '10.0.0.1',
    node_port: '6379',
    group_id: '',
    group_name: '',
    dimensions: [],
  });

  test('proxy instances: the proxies only (clients connect there)', () => {
    const nodes = [node('m', 'master'), node('p1', 'proxy'), node('s', 'slave'), node('p2', 'proxy')];
    expect(chooseSnapshotNodes(nodes, 10)).toEqual({ nodeIds: ['p1', 'p2'], truncated: false });
  });

  test('otherwise masters first, then replicas, in API order; the limit truncates', () => {
    const nodes = [node('m1', 'master'), node('s1', 'slave'), node('m2', 'master'), node('s2', 'slave')];
    expect(chooseSnapshotNodes(nodes, 10)).toEqual({ nodeIds: ['m1', 'm2', 's1', 's2'], truncated: false });
    expect(chooseSnapshotNodes(nodes, 3)).toEqual({ nodeIds: ['m1', 'm2', 's1'], truncated: true });
  });

  test('nodes that are not Active are left out', () => {
    expect(chooseSnapshotNodes([node('m1', 'master', 'Inactive'), node('s1', 'slave')], 5)).toEqual({ nodeIds: ['s1'], truncated: false });
  });
});
