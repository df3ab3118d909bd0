/**
 * Which nodes an instance-wide snapshot inspects, within its node limit.
 *
 * Clients connect where they hold sessions: on proxy and read/write-split instances that is
 * the proxies (the redis-servers behind them see only proxy connections), so when an instance
 * has proxies, only proxies are inspected. Otherwise masters come first, then replicas (which
 * may serve read clients). Nodes that are not Active cannot be scanned and are left out.
 */
import type { NodeInfo } from '../dcs/models';

export interface NodeChoice {
  nodeIds: string[];
  /** More eligible nodes than the limit allowed. */
  truncated: boolean;
}

const isProxy = (n: NodeInfo): boolean => n.node_type === 'proxy' || n.node_role === 'redis-proxy';
const rank = (n: NodeInfo): number => (n.node_type === 'master' ? 0 : 1);

export function chooseSnapshotNodes(nodes: readonly NodeInfo[], maxNodes: number): NodeChoice {
  const active = nodes.filter((n) => n.status === 'Active');
  const proxies = active.filter(isProxy);
  const candidates = proxies.length > 0 ? proxies : active.filter((n) => !isProxy(n)).sort((a, b) => rank(a) - rank(b));
  const limit = Math.max(0, Math.floor(maxNodes));
  return { nodeIds: candidates.slice(0, limit).map((n) => n.node_id), truncated: candidates.length > limit };
}
