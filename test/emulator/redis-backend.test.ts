/**
 * Emulated nodes backed by real redis-server processes: real ioredis clients connect to a node,
 * the DCS calls (through the real lib/dcs client, signed) list them and kill them, and the
 * servers never outlive the emulator.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join, resolve } from 'node:path';
import demoSeed from '../../dev/emulator/seeds/demo.json';
import { ADMIN_CONNECTION_NAME, parseClientList, RedisBackendError, RedisSessionBackend } from '../../dev/emulator/redis-backend';
import { parseSeed, SeedError, type Seed } from '../../dev/emulator/seed';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { waitForJob } from '../../lib/dcs/jobs';
import { connectClients, DEMO, demoDcsClient, disconnectAll, scanAndList, type RealClient } from '../e2e/real-clients';
import { describeWithRedis, startRedisServer } from '../support/redis-server';

const BUNDLE = resolve(__dirname, '..', '..', 'dist', 'dev', 'emulator.js');

function redisCli(port: number, ...args: string[]): string {
  const out = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`redis-cli: ${out.stderr}`);
  return out.stdout;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (polling, no timing assertion) until none of the pids runs; false if they still do after 10 s. */
async function allGone(pids: number[]): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (!pids.some(isRunning)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** A seed with one Redis 6.0 instance: two masters on spawned servers, a simulated replica, and a Memcached instance. */
function smallSeed(extra: { masterB?: string } = {}) {
  const instanceId = '11111111-2222-4333-8444-555555555555';
  type SeedNodeInput = Seed['projects'][number]['instances'][number]['nodes'][number];
  const node = (nodeId: string, name: string, more: Partial<SeedNodeInput>): SeedNodeInput => ({
    node_id: nodeId,
    logical_node_id: name,
    name,
    node_role: 'redis-server',
    node_type: 'master',
    node_ip: '10.0.0.1',
    node_port: '6379',
    dimensions: [{ name: 'dcs_instance_id', value: instanceId }],
    ...more,
  });
  return {
    instanceId,
    nodeA: 'a'.repeat(32),
    nodeB: 'b'.repeat(32),
    nodeC: 'c'.repeat(32),
    seed: {
      projects: [
        {
          project_id: DEMO.projectId,
          credentials: [{ ak: DEMO.ak, sk: DEMO.sk }],
          instances: [
            {
              instance_id: instanceId,
              name: 'small',
              engine: 'Redis',
              engine_version: '6.0',
              status: 'RUNNING',
              cache_mode: 'cluster',
              nodes: [
                node('a'.repeat(32), 'node-a', { redis: 'spawn' }),
                node('b'.repeat(32), 'node-b', { redis: extra.masterB ?? 'spawn' }),
                node('c'.repeat(32), 'node-c', { node_type: 'slave', sessions: [{ id: '1', addr: '10.9.9.9:1000', flags: 'N' }] }),
              ],
            },
          ],
        },
      ],
    } satisfies Seed,
  };
}

describe('parseClientList', () => {
  test('reads the fields DCS returns, names with "=" and empty names included', () => {
    const text =
      'id=7 addr=127.0.0.1:50542 laddr=127.0.0.1:6380 fd=8 name=app=1 age=12 idle=3 flags=N db=2 sub=0 psub=0 cmd=client|list user=default\n' +
      'id=9 addr=[::1]:40000 fd=9 name= age=0 idle=0 flags=S db=0 cmd=replconf\n';
    expect(parseClientList(text)).toEqual([
      { id: '7', addr: '127.0.0.1:50542', name: 'app=1', age: 12, idle: 3, db: 2, flags: 'N', cmd: 'client|list' },
      { id: '9', addr: '[::1]:40000', name: '', age: 0, idle: 0, db: 0, flags: 'S', cmd: 'replconf' },
    ]);
    expect(parseClientList('')).toEqual([]);
  });
});

describe('seed and option validation (nothing started)', () => {
  test('the seed rejects a bad redis setting, a Memcached node, and seeded sessions on a real node', () => {
    const { seed } = smallSeed({ masterB: 'localhost:99999' });
    expect(() => parseSeed(seed)).toThrow(/nodes\.1\.redis: redis must be "spawn" or "host:port"/);

    const withSessions = smallSeed().seed;
    (withSessions.projects[0]!.instances[0]!.nodes[0] as Record<string, unknown>).sessions = [{ id: '1', addr: '10.0.0.9:1' }];
    expect(() => parseSeed(withSessions)).toThrow(/real sessions: remove its seeded "sessions"/);

    const memcached = structuredClone(demoSeed) as any;
    memcached.projects[0].instances[2].nodes[0].redis = 'spawn';
    const error = (() => {
      try {
        parseSeed(memcached);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).message).toMatch(/Redis 4\.0\+ instances only/);
  });

  test('redisNodes naming an unknown node, or a bad address, is refused before anything starts', async () => {
    await expect(startEmulator({ redisNodes: { nodes: { ['f'.repeat(32)]: 'spawn' } } })).rejects.toMatchObject({ code: 'REDIS_NODES_INVALID' });
    await expect(startEmulator({ redisNodes: { nodes: { [DEMO.shard0Master]: 'nowhere' } } })).rejects.toMatchObject({ code: 'REDIS_NODES_INVALID' });
  });

  test('a missing redis-server binary is a typed error', async () => {
    const error = await RedisSessionBackend.start({ x: 'spawn' }, { command: 'no-such-redis-server-binary' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisBackendError);
    expect(error).toMatchObject({ code: 'REDIS_SERVER_MISSING' });
  });
});

describeWithRedis('demo seed with two real nodes (redisNodes option)', () => {
  let emulator: Emulator;
  let onA: RealClient[] = [];
  let onB: RealClient[] = [];
  const dcs = () => demoDcsClient(emulator);

  beforeAll(async () => {
    emulator = await startEmulator({ jobDurationMs: 50, redisNodes: { nodes: { [DEMO.shard0Master]: 'spawn', [DEMO.shard1Master]: 'spawn' } } });
  });
  afterAll(() => emulator.close());
  beforeEach(async () => {
    onA = await connectClients(emulator.nodeAddress(DEMO.shard0Master), 4, 'app-a');
    onB = await connectClients(emulator.nodeAddress(DEMO.shard1Master), 3, 'app-b');
  });
  afterEach(() => disconnectAll(onA, onB));

  test('only the named nodes have an address; they are real servers on loopback', () => {
    const a = emulator.nodeAddress(DEMO.shard0Master);
    expect(a).toEqual({ host: '127.0.0.1', port: expect.any(Number) });
    expect(a?.port).not.toBe(6379);
    expect(emulator.nodeAddress(DEMO.shard0Slave)).toBeNull();
    expect(emulator.realNodes().map((n) => n.nodeId).sort()).toEqual([DEMO.shard0Master, DEMO.shard1Master].sort());
    expect(redisCli(a!.port, 'PING').trim()).toBe('PONG');
  });

  test('listClients after a scan shows the connected clients (addr, name, cmd, db), not the admin connection', async () => {
    await onA[0]!.redis.select(3);
    const list = await scanAndList(dcs(), DEMO.shop, DEMO.shard0Master);
    expect(list.count).toBe(onA.length);
    const byAddr = new Map(list.clients.map((c) => [c.addr, c]));
    for (const c of onA) expect(byAddr.get(c.addr)).toMatchObject({ name: c.name });
    expect(byAddr.get(onA[0]!.addr)).toMatchObject({ db: 3, cmd: 'select' });
    expect(byAddr.get(onA[1]!.addr)).toMatchObject({ db: 0, cmd: 'ping', age: expect.any(Number), idle: expect.any(Number) });
    expect(list.clients.map((c) => c.name)).not.toContain(ADMIN_CONNECTION_NAME);
  });

  test('listClients pages with offset/limit, and answers from the last scan until the next one', async () => {
    const all = await scanAndList(dcs(), DEMO.shop, DEMO.shard0Master);
    const page = await dcs().listClients({ instanceId: DEMO.shop, nodeId: DEMO.shard0Master, offset: 1, limit: 2 });
    expect(page.count).toBe(4);
    expect(page.clients).toEqual(all.clients.slice(1, 3));

    const late = await connectClients(emulator.nodeAddress(DEMO.shard0Master), 1, 'late');
    expect((await dcs().listClients({ instanceId: DEMO.shop, nodeId: DEMO.shard0Master, limit: 1000 })).count).toBe(4);
    expect((await scanAndList(dcs(), DEMO.shop, DEMO.shard0Master)).count).toBe(5);
    disconnectAll(late);
  });

  test('kill-all on a node closes its clients when the job ends, without anyone polling; other nodes untouched; admin survives', async () => {
    const port = emulator.nodeAddress(DEMO.shard0Master)!.port;
    const adminBefore = parseClientList(redisCli(port, 'CLIENT', 'LIST')).find((s) => s.name === ADMIN_CONNECTION_NAME);
    expect(adminBefore).toBeDefined();

    await dcs().hangUpKillAllClients({ instanceId: DEMO.shop, body: { node_id: DEMO.shard0Master } });
    await Promise.all(onA.map((c) => c.closed)); // nobody asked for the job: its timer did the kill
    expect(onA.every((c) => c.isClosed())).toBe(true);

    for (const c of onB) expect(await c.redis.ping()).toBe('PONG');
    const adminAfter = parseClientList(redisCli(port, 'CLIENT', 'LIST')).find((s) => s.name === ADMIN_CONNECTION_NAME);
    expect(adminAfter?.id).toBe(adminBefore!.id);
    expect((await scanAndList(dcs(), DEMO.shop, DEMO.shard0Master)).count).toBe(0);
  });

  test('the kill job reads SUCCESS only once the connections are gone', async () => {
    const kill = await dcs().hangUpKillAllClients({ instanceId: DEMO.shop, body: { node_id: DEMO.shard1Master } });
    const job = await waitForJob(dcs(), kill.job_id, Date.now() + 10_000, { initialDelayMs: 5, maxDelayMs: 20 });
    expect(job.status).toBe('SUCCESS');
    const port = emulator.nodeAddress(DEMO.shard1Master)!.port;
    const names = parseClientList(redisCli(port, 'CLIENT', 'LIST')).map((s) => s.name);
    expect(names.filter((n) => n.startsWith('app-b'))).toEqual([]);
    await Promise.all(onB.map((c) => c.closed));
  });

  test('kill_all_nodes drops the clients of every real node and the simulated normal sessions', async () => {
    const kill = await dcs().hangUpKillAllClients({ instanceId: DEMO.shop, body: { kill_all_nodes: true } });
    await Promise.all([...onA, ...onB].map((c) => c.closed));
    expect((await waitForJob(dcs(), kill.job_id, Date.now() + 10_000, { initialDelayMs: 5 })).status).toBe('SUCCESS');
    const slave = emulator.state.node(DEMO.projectId, DEMO.shop, DEMO.shard0Slave)!;
    const left = await emulator.state.sessions.listSessions(emulator.state.address(DEMO.shop, slave));
    expect(left.filter((s) => s.flags === 'N')).toEqual([]);
  });

  test('reset() restores simulated sessions and keeps the real servers', async () => {
    emulator.reset();
    const slave = emulator.state.node(DEMO.projectId, DEMO.shop, DEMO.shard0Slave)!;
    expect((await emulator.state.sessions.listSessions(emulator.state.address(DEMO.shop, slave))).length).toBeGreaterThan(0);
    expect(await onA[0]!.redis.ping()).toBe('PONG');
  });
});

describeWithRedis('seed settings: spawned and given servers', () => {
  test('a given host:port is used and left running on close(); spawned servers stop with the emulator', async () => {
    const given = await startRedisServer();
    if (!given) throw new Error('unreachable: describeWithRedis checked redis-server');
    try {
      const small = smallSeed({ masterB: `127.0.0.1:${given.port}` });
      const emulator = await startEmulator({ seed: small.seed, jobDurationMs: 20 });
      expect(emulator.nodeAddress(small.nodeB)).toEqual({ host: '127.0.0.1', port: given.port });
      expect(emulator.nodeAddress(small.nodeC)).toBeNull();
      const real = emulator.realNodes();
      expect(real.find((n) => n.nodeId === small.nodeB)?.pid).toBeNull();
      const spawnedPid = real.find((n) => n.nodeId === small.nodeA)?.pid;
      expect(spawnedPid).toEqual(expect.any(Number));

      const clients = await connectClients(emulator.nodeAddress(small.nodeB), 2, 'given');
      await demoDcsClient(emulator).hangUpKillAllClients({ instanceId: small.instanceId, body: { node_id: small.nodeB } });
      await Promise.all(clients.map((c) => c.closed));

      await emulator.close();
      expect(await allGone([spawnedPid!])).toBe(true);
      expect(given.cli('PING')).toBe('PONG');
      expect(given.cli('CLIENT', 'LIST')).not.toContain(ADMIN_CONNECTION_NAME);
    } finally {
      await given.stop();
    }
  });

  test('an unreachable host:port fails the start with the node named, and leaves no server behind', async () => {
    const small = smallSeed({ masterB: '127.0.0.1:1' });
    const before = childRedisServers();
    const error = await startEmulator({ seed: small.seed }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'REDIS_NODE_UNREACHABLE' });
    expect((error as Error).message).toContain(small.nodeB);
    // node-a's server had started: it was stopped again.
    expect(childRedisServers().filter((pid) => !before.includes(pid))).toEqual([]);
  });
});

/** redis-server processes this test process started and that still run. */
function childRedisServers(): number[] {
  const out = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'redis-server'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').filter(Boolean).map(Number);
}

describeWithRedis('CLI --redis-nodes: no orphans', () => {
  const seedFile = join(mkdtempSync(join(os.tmpdir(), 'dsg-seed-')), 'seed.json');
  beforeAll(() => writeFileSync(seedFile, JSON.stringify(smallSeed().seed)));

  async function startCli(): Promise<{ child: ReturnType<typeof spawn>; pids: number[]; exited: Promise<number | null> }> {
    const child = spawn(process.execPath, [BUNDLE, '--port', '0', '--redis-nodes', '--seed', seedFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    let out = '';
    await new Promise<void>((done, fail) => {
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Ctrl-C to stop.')) done();
      });
      void exited.then(() => fail(new Error(`emulator exited early: ${out}`)));
    });
    const pids = [...out.matchAll(/redis:\/\/127\.0\.0\.1:\d+ {2}\(pid (\d+)\)/g)].map((m) => Number(m[1]));
    return { child, pids, exited };
  }

  test('SIGTERM: the emulator stops its servers and exits 0', async () => {
    const { child, pids, exited } = await startCli();
    expect(pids).toHaveLength(3); // the flag backs every node of a Redis 4.0+ instance, node-c too
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await allGone(pids)).toBe(true);
  });

  test('SIGKILL of the emulator: the reaper kills its servers', async () => {
    const { child, pids, exited } = await startCli();
    expect(pids.every(isRunning)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(await allGone(pids)).toBe(true);
  });
});
