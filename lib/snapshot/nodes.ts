/** Which nodes an instance-wide snapshot inspects, within its node limit: the nodes that hold sessions (lib/sessions/nodes.ts). */
import type { NodeInfo } from '../dcs/models';
import { sessionNodes } from '../sessions/nodes';

export interface NodeChoice {
  nodeIds: string[];
  /** More eligible nodes than the limit allowed. */
  truncated: boolean;
}

export function chooseSnapshotNodes(nodes: readonly NodeInfo[], maxNodes: number): NodeChoice {
  const candidates = sessionNodes(nodes);
  const limit = Math.max(0, Math.floor(maxNodes));
  return { nodeIds: candidates.slice(0, limit).map((n) => n.node_id), truncated: candidates.length > limit };
}
