/**
 * The registered actions, by kind. A policy rule or schedule selects one; the
 * executor runs it. A new action is one module and one line here.
 */
import type { ActionSpec } from '../policy/schema';
import type { Action } from './action';
import { killAll } from './kill-all';
import { killMatching } from './kill-matching';

/** What a plan asks to do: an action kind and its settings from the policy (lib/policy/schema.ts). */
export type { ActionSpec };

export type ActionRegistry = { readonly [K in ActionSpec['kind']]: Action<Extract<ActionSpec, { kind: K }>> };

export const ACTIONS: ActionRegistry = {
  'kill-all': killAll,
  'kill-matching': killMatching,
};

/** The action a spec selects. */
export function actionFor<S extends ActionSpec>(registry: ActionRegistry, spec: S): Action<S> {
  return registry[spec.kind] as unknown as Action<S>;
}

export * from './action';
export { killAll, killAllRequest, scopeText, type KillAllSpec } from './kill-all';
export { killMatching, MAX_LISTED_SESSIONS, type KillMatchingSpec, type NodeRecord, type KilledSession } from './kill-matching';
