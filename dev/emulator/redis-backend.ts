/**
 * Real sessions for emulated nodes: each node is a real redis-server (one the emulator spawns,
 * or one at a given host:port), so a kill-all drops real client connections.
 *
 * The emulator keeps ONE admin connection per node, named dsg-emulator-admin. It reads
 * CLIENT LIST (leaving itself out, as DCS hides its own connections), sends CLIENT KILL TYPE
 * normal SKIPME yes for kill-all, which spares it, replicas and pub/sub subscribers, as DCS's
 * kill-all does, and CLIENT KILL ADDR per address for hangUpClients (never its own).
 */
import Redis from 'ioredis';
import { parseHostPort, type ValidSeed } from './seed';
import { spawnRedisServer, type RedisProcess } from './redis-process';
import type { ClientSession, NodeAddress, PartialSessionBackend } from './sessions';
import { supportsSessionManagement } from './state';

export const ADMIN_CONNECTION_NAME = 'dsg-emulator-admin';
const CONNECT_TIMEOUT_MS = 3000;

/** "spawn": the emulator starts a redis-server; "host:port": one that runs already (never stopped by us). */
export type RedisNodeSetting = 'spawn' | string;

/** What the emulator was asked for: every session-capable node, or these nodes. */
export type RedisNodesOption = boolean | { nodes?: Record<string, RedisNodeSetting> };

export interface RealNode {
  nodeId: string;
  host: string;
  port: number;
  /** The redis-server's pid when the emulator spawned it, else null. */
  pid: number | null;
}

export class RedisBackendError extends Error {
  override readonly name = 'RedisBackendError';
  constructor(
    readonly code: 'REDIS_NODES_INVALID' | 'REDIS_NODE_UNREACHABLE' | 'REDIS_NODE_UNKNOWN' | 'REDIS_SERVER_MISSING' | 'REDIS_SERVER_START_FAILED',
    message: string,
  ) {
    super(message);
  }
}

interface BackedNode {
  nodeId: string;
  host: string;
  port: number;
  admin: Redis;
  process: RedisProcess | null;
}

export class RedisSessionBackend implements PartialSessionBackend {
  private closed: Promise<void> | null = null;

  private constructor(private readonly nodes: ReadonlyMap<string, BackedNode>) {}

  /**
   * Starts (or connects to) one redis-server per node, in parallel. If any fails, the ones
   * already started are stopped again and the error says which node failed.
   */
  static async start(settings: Readonly<Record<string, RedisNodeSetting>>, options: { command?: string } = {}): Promise<RedisSessionBackend> {
    const entries = Object.entries(settings);
    const outcomes = await Promise.allSettled(entries.map(([nodeId, setting]) => backNode(nodeId, setting, options.command)));
    const nodes = new Map<string, BackedNode>();
    for (const o of outcomes) if (o.status === 'fulfilled') nodes.set(o.value.nodeId, o.value);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) {
      await new RedisSessionBackend(nodes).close();
      throw failed.reason;
    }
    return new RedisSessionBackend(nodes);
  }

  owns(nodeId: string): boolean {
    return this.nodes.has(nodeId);
  }

  /** Where clients connect to reach a node; null for a node without a redis-server. */
  nodeAddress(nodeId: string): { host: string; port: number } | null {
    const node = this.nodes.get(nodeId);
    return node ? { host: node.host, port: node.port } : null;
  }

  realNodes(): RealNode[] {
    return [...this.nodes.values()].map((n) => ({ nodeId: n.nodeId, host: n.host, port: n.port, pid: n.process?.pid ?? null }));
  }

  /** CLIENT LIST of the node, without the emulator's own control connections. */
  async listSessions(node: NodeAddress): Promise<ClientSession[]> {
    const { sessions } = await this.clientList(node);
    return sessions;
  }

  /**
   * CLIENT KILL ADDR for each address, in one pipeline. An address that is gone answers an
   * error ("No such client"), which is fine: DCS answers success for those too. The admin
   * connection is not visible to callers, so its address is never killed.
   */
  async killSessionsByAddr(node: NodeAddress, addrs: readonly string[]): Promise<number> {
    const { admin } = this.backed(node);
    const { adminAddrs } = await this.clientList(node);
    const targets = addrs.filter((a) => !adminAddrs.has(a));
    if (targets.length === 0) return 0;
    const pipeline = admin.pipeline();
    for (const addr of targets) pipeline.call('CLIENT', 'KILL', 'ADDR', addr);
    const replies = (await pipeline.exec()) ?? [];
    return replies.filter(([error]) => !error).length;
  }

  /** One pipeline, one connection: the id is the id of the connection that lists. */
  private async clientList(node: NodeAddress): Promise<{ sessions: ClientSession[]; adminAddrs: Set<string> }> {
    const { admin } = this.backed(node);
    const replies = await admin.pipeline().client('ID').client('LIST').exec();
    const [idReply, listReply] = replies ?? [];
    if (!idReply || !listReply || idReply[0] || listReply[0]) throw idReply?.[0] ?? listReply?.[0] ?? new Error('no reply to CLIENT LIST');
    const adminId = String(idReply[1]);
    const all = parseClientList(String(listReply[1]));
    const isControl = (s: ClientSession) => s.id === adminId || s.name === ADMIN_CONNECTION_NAME;
    return { sessions: all.filter((s) => !isControl(s)), adminAddrs: new Set(all.filter(isControl).map((s) => s.addr)) };
  }

  /** CLIENT KILL TYPE normal SKIPME yes: normal clients only, the admin connection spared. */
  async killNormalSessions(node: NodeAddress): Promise<number> {
    const { admin } = this.backed(node);
    return Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'));
  }

  /** Closes the admin connections and stops the servers the emulator spawned. Idempotent. */
  close(): Promise<void> {
    this.closed ??= Promise.all([...this.nodes.values()].map(releaseNode)).then(() => undefined);
    return this.closed;
  }

  private backed(node: NodeAddress): BackedNode {
    const backed = this.nodes.get(node.nodeId);
    if (!backed) throw new RedisBackendError('REDIS_NODE_UNKNOWN', `node ${node.nodeId} has no redis-server`);
    return backed;
  }
}

async function backNode(nodeId: string, setting: RedisNodeSetting, command: string | undefined): Promise<BackedNode> {
  const given = setting === 'spawn' ? null : parseHostPort(setting);
  if (setting !== 'spawn' && !given) throw new RedisBackendError('REDIS_NODES_INVALID', `node ${nodeId}: "${setting}" is neither "spawn" nor host:port`);
  let process: RedisProcess | null = null;
  try {
    process = given ? null : await spawnRedisServer(command);
  } catch (e) {
    const code = (e as { code?: string }).code === 'REDIS_SERVER_MISSING' ? 'REDIS_SERVER_MISSING' : 'REDIS_SERVER_START_FAILED';
    throw new RedisBackendError(code, `node ${nodeId}: ${(e as Error).message}`);
  }
  const host = given?.host ?? process?.host ?? '127.0.0.1';
  const port = given?.port ?? process?.port ?? 0;
  const admin = adminConnection(host, port);
  try {
    await admin.connect();
  } catch (e) {
    admin.disconnect();
    await process?.stop();
    throw new RedisBackendError('REDIS_NODE_UNREACHABLE', `node ${nodeId}: cannot connect to redis at ${host}:${port}: ${(e as Error).message}`);
  }
  return { nodeId, host, port, admin, process };
}

function adminConnection(host: string, port: number): Redis {
  const admin = new Redis({
    host,
    port,
    lazyConnect: true,
    connectionName: ADMIN_CONNECTION_NAME,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // RESP2 and no CLIENT SETINFO: plain replies, and any Redis version will do.
    protocol: 2,
    disableClientInfo: true,
    maxRetriesPerRequest: 1,
  });
  // Failures surface through the failing command (a job ends FAIL); without a listener ioredis would print them.
  admin.on('error', () => undefined);
  return admin;
}

async function releaseNode(node: BackedNode): Promise<void> {
  node.admin.disconnect();
  await node.process?.stop();
}

/**
 * CLIENT LIST: one client per line, space-separated key=value fields. Client names cannot
 * contain spaces, so splitting on spaces is exact.
 */
export function parseClientList(text: string): ClientSession[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const fields = new Map<string, string>();
      for (const token of line.split(' ')) {
        const eq = token.indexOf('=');
        if (eq > 0) fields.set(token.slice(0, eq), token.slice(eq + 1));
      }
      const num = (key: string) => Number(fields.get(key) ?? 0) || 0;
      return {
        id: fields.get('id') ?? '',
        addr: fields.get('addr') ?? '',
        name: fields.get('name') ?? '',
        age: num('age'),
        idle: num('idle'),
        db: num('db'),
        flags: fields.get('flags') ?? '',
        cmd: fields.get('cmd') ?? '',
      };
    });
}

/**
 * Which nodes get a real redis-server, from the seed's per-node `redis` settings and the
 * emulator option: `true` adds every node of a session-capable instance (Redis 4.0+),
 * `{nodes}` adds those nodes, `false` turns real nodes off (seed settings included).
 */
export function redisNodeSettings(seed: ValidSeed, option: RedisNodesOption | undefined): Record<string, RedisNodeSetting> {
  if (option === false) return {};
  const settings: Record<string, RedisNodeSetting> = {};
  const known = new Set<string>();
  for (const project of seed.projects) {
    for (const instance of project.instances) {
      for (const node of instance.nodes) {
        known.add(node.node_id);
        if (node.redis !== undefined) settings[node.node_id] = node.redis;
        else if (option === true && supportsSessionManagement(instance)) settings[node.node_id] = 'spawn';
      }
    }
  }
  if (typeof option === 'object') {
    for (const [nodeId, setting] of Object.entries(option.nodes ?? {})) {
      if (!known.has(nodeId)) throw new RedisBackendError('REDIS_NODES_INVALID', `redisNodes: ${nodeId} is no node of the seed`);
      if (setting !== 'spawn' && !parseHostPort(setting)) throw new RedisBackendError('REDIS_NODES_INVALID', `redisNodes: node ${nodeId}: "${setting}" is neither "spawn" nor host:port`);
      settings[nodeId] = setting;
    }
  }
  return settings;
}
