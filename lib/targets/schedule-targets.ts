import type { Target } from '../domain/types';

/** A schedule's target as the policy writes it. */
export interface ScheduleTargetSpec {
  instance: string;
  nodes: 'all' | string[];
}

/** One all-nodes target, or one target per listed node. */
export function targetsForSchedule(specs: readonly ScheduleTargetSpec[], projectId: string): Target[] {
  return specs.flatMap((spec): Target[] =>
    spec.nodes === 'all'
      ? [{ projectId, instanceId: spec.instance, nodeId: null, killAllNodes: true }]
      : spec.nodes.map((nodeId) => ({ projectId, instanceId: spec.instance, nodeId, killAllNodes: false })),
  );
}
