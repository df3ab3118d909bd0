/**
 * Which nodes of an instance hold client sessions (the logical-nodes listing tells them apart).
 *
 * On Proxy Cluster and read/write-splitting instances clients connect to the proxies: the
 * redis-servers behind them see only proxy connections, so only proxies hold sessions.
 * Otherwise every Redis node does, masters first, then replicas (which may serve reads).
 * Nodes that are not Active cannot be scanned and are left out.
 */
import type { NodeInfo } from '../dcs/models';

export const isProxy = (n: Pick<NodeInfo, 'node_type' | 'node_role'>): boolean => n.node_type === 'proxy' || n.node_role === 'redis-proxy';
const rank = (n: NodeInfo): number => (n.node_type === 'master' ? 0 : 1);

/** The Active nodes that hold client sessions, masters before replicas. */
export function sessionNodes(nodes: readonly NodeInfo[]): NodeInfo[] {
  const active = nodes.filter((n) => n.status === 'Active');
  const proxies = active.filter(isProxy);
  return proxies.length > 0 ? proxies : active.filter((n) => !isProxy(n)).sort((a, b) => rank(a) - rank(b));
}

/**
 * Whether a node named by a target holds client sessions: not a redis-server behind proxies
 * (its "clients" are the proxies themselves).
 */
export function holdsSessions(node: NodeInfo, all: readonly NodeInfo[]): boolean {
  return isProxy(node) || !all.some(isProxy);
}
