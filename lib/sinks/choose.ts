/**
 * Which later sinks an invocation's decisions go to: the ones the policy turns
 * on, chosen on the invocation's first decision that reaches them (never a
 * rejected one: lib/audit/sinks.ts) and kept for its others. A decision that no
 * sink wants (the common skip) costs no policy lookup, promise or timer beyond
 * the audit line, and loads no sink code.
 */
import type { DecisionSink, LaterSinks } from '../audit';
import type { Policy } from '../policy';

export interface SinkChoice {
  /** The policy, once a decision needs it; null when it cannot be loaded. */
  policy: () => Policy | null;
  /** Whether the guard store is configured as Redis: the history lives there. */
  redisGuard: boolean;
  /** Builds the sinks (lib/sinks/build.ts policySinks) for the policy read; called only when one is on. */
  build: (policy: Policy) => readonly DecisionSink[];
}

export function chooseSinks(choice: SinkChoice): LaterSinks {
  let chosen: readonly DecisionSink[] | undefined;
  return () => (chosen ??= enabledSinks(choice));
}

function enabledSinks(choice: SinkChoice): readonly DecisionSink[] {
  const policy = choice.policy();
  if (!policy) return [];
  const enabled: Record<string, boolean> = {
    history: policy.history.enabled && choice.redisGuard,
    smn: policy.notify.smnTopicUrn !== undefined,
    webhooks: policy.notify.webhooks.length > 0,
    metrics: policy.metrics.enabled,
  };
  if (!Object.values(enabled).includes(true)) return [];
  return choice.build(policy).filter((sink) => enabled[sink.name]);
}
