import type { CallOptions, DcsClient } from '../dcs';
import type { Target } from '../domain/types';
import type { AlarmSignal } from '../events';
import type { AlarmRule } from '../policy';
import type { NodeResolver } from './node-resolver';

/** Either the targets to act on, or why there are none. */
export type TargetPlan =
  | { ok: true; targets: Target[] }
  | { ok: false; decision: 'skipped_no_rule' | 'skipped_precondition'; reason: string };

export interface AlarmTargetInput {
  alarm: AlarmSignal & { instanceId: string };
  rule: AlarmRule;
  projectId: string;
  dcs: Pick<DcsClient, 'showNodesInformation'>;
  nodes: NodeResolver;
  /** The invocation's deadline, for the node listing. */
  callOptions?: CallOptions;
}

/**
 * Turns an alarm into kill targets, following the rule's scope:
 * auto — the alarmed node, or all nodes for an instance alarm;
 * node — node alarms only; instance — always all nodes.
 */
export async function targetsForAlarm(input: AlarmTargetInput): Promise<TargetPlan> {
  const { alarm, rule, projectId } = input;
  const allNodes: Target = { projectId, instanceId: alarm.instanceId, nodeId: null, killAllNodes: true };

  if (rule.scope === 'instance') return { ok: true, targets: [allNodes] };
  if (alarm.format === 'templated') {
    // Templated messages never name a node: a node alarm would look like an instance alarm.
    return {
      ok: false,
      decision: 'skipped_precondition',
      reason: `Rule "${rule.name}" has scope ${rule.scope}, but a templated alarm cannot tell a node from its instance; use scope: instance to act on all nodes.`,
    };
  }
  if (!alarm.node) {
    if (rule.scope === 'node') {
      return { ok: false, decision: 'skipped_no_rule', reason: `Rule "${rule.name}" acts on node alarms only; this alarm names the whole instance.` };
    }
    return { ok: true, targets: [allNodes] };
  }

  const nodeId = await input.nodes.resolve(input.dcs, alarm.instanceId, alarm.node.dimension, alarm.node.value, input.callOptions);
  if (!nodeId) {
    return {
      ok: false,
      decision: 'skipped_precondition',
      reason: `No node of instance ${alarm.instanceId} carries ${alarm.node.dimension}=${alarm.node.value}.`,
    };
  }
  return { ok: true, targets: [{ projectId, instanceId: alarm.instanceId, nodeId, killAllNodes: false }] };
}
