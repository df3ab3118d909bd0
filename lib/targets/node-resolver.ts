import type { CallOptions, DcsClient } from '../dcs';

/** Cloud Eye dimensions that name one node of an instance. */
export type NodeDimension = 'dcs_cluster_redis_node' | 'dcs_cluster_proxy_node' | 'dcs_cluster_proxy2_node';

type NodeLister = Pick<DcsClient, 'showNodesInformation'>;

interface CacheEntry {
  expiresAt: number;
  /** "dimension=value" → node_id */
  byDimension: Map<string, string>;
}

const DEFAULT_TTL_MS = 60_000;
const MAX_INSTANCES = 256;

/**
 * Maps a Cloud Eye node dimension value to the node_id the kill-all API takes.
 * They differ: the listing's `dimensions[]` links them. Cached per warm
 * container with a short TTL, so an alarm storm costs one listing, while a
 * re-sharded instance is seen again within a minute.
 */
export class NodeResolver {
  private readonly cache = new Map<string, CacheEntry>();
  /** Listings under way: concurrent misses (a storm on a cold container) share one. */
  private readonly listing = new Map<string, Promise<CacheEntry>>();

  constructor(
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(dcs: NodeLister, instanceId: string, dimension: NodeDimension, value: string, options?: CallOptions): Promise<string | null> {
    const key = `${dimension}=${value}`;
    const cached = this.fresh(instanceId);
    if (cached?.byDimension.has(key)) return cached.byDimension.get(key) ?? null;
    // A miss on a fresh entry may be a node added since: list again before giving up.
    const entry = await this.load(dcs, instanceId, options);
    return entry.byDimension.get(key) ?? null;
  }

  private fresh(instanceId: string): CacheEntry | undefined {
    const entry = this.cache.get(instanceId);
    return entry && entry.expiresAt > this.now() ? entry : undefined;
  }

  private load(dcs: NodeLister, instanceId: string, options?: CallOptions): Promise<CacheEntry> {
    const pending = this.listing.get(instanceId);
    if (pending) return pending;
    const loading = this.list(dcs, instanceId, options).finally(() => this.listing.delete(instanceId));
    this.listing.set(instanceId, loading);
    return loading;
  }

  private async list(dcs: NodeLister, instanceId: string, options?: CallOptions): Promise<CacheEntry> {
    const listing = await dcs.showNodesInformation({ instanceId }, options);
    const byDimension = new Map<string, string>();
    for (const node of listing.nodes ?? []) {
      for (const d of node.dimensions ?? []) byDimension.set(`${d.name}=${d.value}`, node.node_id);
    }
    const entry = { expiresAt: this.now() + this.ttlMs, byDimension };
    if (this.cache.size >= MAX_INSTANCES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(instanceId, entry);
    return entry;
  }
}
