/**
 * A throwaway native Redis Cluster for tests: `size` redis-server processes started with
 * --cluster-enabled on free loopback ports (never the system Redis on 6379), joined by
 * `redis-cli --cluster create` with no replicas, so the 16384 slots are split between them.
 *
 * migrateSlot() moves one slot to another node the way `redis-cli --cluster reshard` does
 * (CLUSTER SETSLOT IMPORTING / MIGRATING, MIGRATE key by key, SETSLOT NODE), with a hook
 * between the steps, so a test can make decisions at every point of a live migration.
 */
import Redis from 'ioredis';
import { startRedisServer, type RedisServerHandle } from './redis-server';

export interface ClusterNode {
  server: RedisServerHandle;
  port: number;
  /** The node id (CLUSTER MYID). */
  id: string;
  /** An admin connection to this node alone (no cluster routing). */
  admin: Redis;
}

export interface RedisClusterHandle {
  /** redis+cluster://[:password@]127.0.0.1:<port of the first node> */
  url: string;
  nodes: ClusterNode[];
  password: string | null;
  /** CLUSTER KEYSLOT. */
  slotOf(key: string): Promise<number>;
  /** The node that serves `slot`, as the first node sees it. */
  ownerOf(slot: number): Promise<ClusterNode>;
  /**
   * Moves `slot` to `to`, one key per MIGRATE, and awaits `between(step)` after each step:
   * 'importing', 'migrating', 'migrated <key>' per key, 'node on target', 'node on source', 'done'.
   */
  migrateSlot(slot: number, to: ClusterNode, between?: (step: string) => Promise<void>): Promise<void>;
  /** FLUSHALL on every node. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

const CLUSTER_ARGS = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000'];

/** null only when redis-server is missing outside CI (startRedisServer printed why). */
export async function startRedisCluster(options: { size?: number; password?: string } = {}): Promise<RedisClusterHandle | null> {
  const size = options.size ?? 3;
  const password = options.password ?? null;
  const args = password ? [...CLUSTER_ARGS, '--masterauth', password] : CLUSTER_ARGS;
  const servers: RedisServerHandle[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const server = await startRedisServer({ args, ...(password ? { password } : {}) });
      if (!server) return null;
      servers.push(server);
    }
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    servers[0]!.cli('--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes');
    const nodes = servers.map((server) => ({
      server,
      port: server.port,
      id: server.cli('CLUSTER', 'MYID'),
      admin: new Redis({ host: '127.0.0.1', port: server.port, ...(password ? { password } : {}), lazyConnect: true }),
    }));
    await untilEveryNode(nodes, size);
    return handle(nodes, password);
  } catch (e) {
    await Promise.all(servers.map((s) => s.stop()));
    throw e;
  }
}

function handle(nodes: ClusterNode[], password: string | null): RedisClusterHandle {
  const first = nodes[0]!;
  const auth = password ? `:${encodeURIComponent(password)}@` : '';
  const ownerOf = async (slot: number) => {
    const ranges = (await first.admin.cluster('SLOTS')) as unknown as Array<[number, number, [string, number, string]]>;
    const range = ranges.find(([from, to]) => from <= slot && slot <= to);
    const owner = nodes.find((n) => n.id === range?.[2][2]);
    if (!owner) throw new Error(`no node serves slot ${slot}`);
    return owner;
  };
  return {
    url: `redis+cluster://${auth}127.0.0.1:${first.port}`,
    nodes,
    password,
    slotOf: async (key) => Number(await first.admin.cluster('KEYSLOT', key)),
    ownerOf,
    migrateSlot: async (slot, to, between = async () => undefined) => {
      const from = await ownerOf(slot);
      if (from === to) throw new Error(`slot ${slot} is already on that node`);
      await to.admin.cluster('SETSLOT', slot, 'IMPORTING', from.id);
      await between('importing');
      await from.admin.cluster('SETSLOT', slot, 'MIGRATING', to.id);
      await between('migrating');
      for (;;) {
        const [key] = (await from.admin.cluster('GETKEYSINSLOT', slot, 1)) as string[];
        if (key === undefined) break;
        const authArgs = password ? ['AUTH', password] : [];
        await from.admin.call('MIGRATE', '127.0.0.1', String(to.port), '', '0', '5000', ...authArgs, 'KEYS', key);
        await between(`migrated ${key}`);
      }
      // The target first (it owns the slot from now on), then the source (it stops redirecting
      // with ASK and answers MOVED), then the others; gossip would tell them too, later.
      await to.admin.cluster('SETSLOT', slot, 'NODE', to.id);
      await between('node on target');
      await from.admin.cluster('SETSLOT', slot, 'NODE', to.id);
      await between('node on source');
      for (const other of nodes.filter((n) => n !== from && n !== to)) await other.admin.cluster('SETSLOT', slot, 'NODE', to.id);
      await between('done');
    },
    flush: async () => {
      await Promise.all(nodes.map((n) => n.admin.flushall()));
    },
    stop: async () => {
      nodes.forEach((n) => n.admin.disconnect());
      await Promise.all(nodes.map((n) => n.server.stop()));
    },
  };
}

/** Until every node knows all the others, the state is ok and all agree on the slot map. */
async function untilEveryNode(nodes: ClusterNode[], size: number): Promise<void> {
  for (;;) {
    const views = await Promise.all(
      nodes.map(async (n) => ({ info: String(await n.admin.cluster('INFO')), slots: JSON.stringify(sortedSlots(await n.admin.cluster('SLOTS'))) })),
    );
    const settled = views.every((v) => v.info.includes('cluster_state:ok') && v.info.includes(`cluster_known_nodes:${size}`));
    if (settled && new Set(views.map((v) => v.slots)).size === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function sortedSlots(slots: unknown): Array<[number, number, string]> {
  return (slots as Array<[number, number, [string, number, string]]>).map(([a, b, [, , id]]) => [a, b, id] as [number, number, string]).sort((x, y) => x[0] - y[0]);
}
