/**
 * Shared by the real-session tests: real ioredis clients connected to an emulated node's
 * redis-server, and a real lib/dcs client pointed at the emulator with the demo credentials.
 */
import Redis from 'ioredis';
import type { Emulator } from '../../dev/emulator/server';
import { createDcsClient, type DcsClient } from '../../lib/dcs/client';
import { DcsCredentials } from '../../lib/dcs/credentials';
import { waitForJob } from '../../lib/dcs/jobs';
import type { ClientInfo } from '../../lib/dcs/models';

export const DEMO = {
  projectId: '0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3',
  ak: 'DEMOACCESSKEYID00001',
  sk: 'DEMO-SECRET-KEY-not-a-real-secret-00001',
  /** shop-cache (Redis 6.0 cluster) and three of its nodes. */
  shop: '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b',
  shard0Master: 'eb4debb56ba8d632dae03afc167a8f9b',
  shard0Slave: 'b7f3ac64b5d1a3d88396f433b1adadc1',
  shard1Master: '8d8268e8bb6a2c979be8751466c42051',
} as const;

export interface RealClient {
  redis: Redis;
  name: string;
  /** ip:port as the server sees it (CLIENT LIST addr). */
  addr: string;
  /** Resolves when the server closed the connection (no reconnect: the client stays closed). */
  closed: Promise<void>;
  isClosed(): boolean;
}

/** `count` connected clients named `${prefix}-0..`, each having run PING (so CLIENT LIST cmd is ping). */
export async function connectClients(address: { host: string; port: number } | null, count: number, prefix: string): Promise<RealClient[]> {
  if (!address) throw new Error('the node has no redis-server');
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const name = `${prefix}-${i}`;
      const redis = new Redis({ ...address, connectionName: name, lazyConnect: true, retryStrategy: () => null, protocol: 2, disableClientInfo: true, maxRetriesPerRequest: 0 });
      redis.on('error', () => undefined);
      let closed = false;
      const closedPromise = new Promise<void>((resolve) => redis.once('close', () => resolve()));
      void closedPromise.then(() => (closed = true));
      await redis.connect();
      await redis.ping();
      return { redis, name, addr: `127.0.0.1:${redis.stream.localPort}`, closed: closedPromise, isClosed: () => closed };
    }),
  );
}

export function disconnectAll(...groups: RealClient[][]): void {
  for (const c of groups.flat()) c.redis.disconnect();
}

export function demoDcsClient(emulator: Pick<Emulator, 'url'>): DcsClient {
  return createDcsClient({ endpoint: emulator.url, projectId: DEMO.projectId, region: null, credentials: new DcsCredentials(DEMO.ak, DEMO.sk, null, 'HUAWEICLOUD_SDK'), timeoutMs: 3000 });
}

/** Scans a node, waits for the scan job, then lists every session (one page of up to 1000). */
export async function scanAndList(dcs: DcsClient, instanceId: string, nodeId: string): Promise<{ count: number; clients: ClientInfo[] }> {
  const scan = await dcs.scanClients({ instanceId, body: { node_id: nodeId } });
  const job = await waitForJob(dcs, scan.job_id, Date.now() + 10_000, { initialDelayMs: 20, maxDelayMs: 100 });
  if (job.status !== 'SUCCESS') throw new Error(`scan job ended ${job.status}`);
  return dcs.listClients({ instanceId, nodeId, limit: 1000 });
}
