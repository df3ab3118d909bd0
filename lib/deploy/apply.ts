/**
 * Applying a plan, step by step, each step one FunctionGraph call reported as
 * it completes. The first failure stops the run: what was done stays done, and
 * the next `deploy` reads the state again and does the rest (every step is
 * planned from what is there, never from what the last run meant to do).
 *
 * Per function: create it (code and configuration in one call) or upload the
 * code (only when its hash differs) and write the configuration (only when a
 * field differs); then delete stale triggers before creating new ones — a
 * timer cannot be updated, and its name must be free before it is recreated.
 */
import { codeBody, isOwned } from './desired';
import type { DesiredFunction } from './desired';
import { DeployError } from './errors';
import type { FunctionGraphApi } from './fg-client';
import { versionlessUrn } from './fg-rules';
import { describeTrigger, hasWork, type DeployPlan } from './plan';

export interface ApplyResult {
  /** One line per completed step. */
  done: string[];
  /** The failure that stopped the run, if any. */
  error: DeployError | null;
}

export async function applyPlan(api: FunctionGraphApi, plan: DeployPlan, report: (line: string) => void): Promise<ApplyResult> {
  const done: string[] = [];
  const step = async (line: string, call: () => Promise<unknown>): Promise<void> => {
    await call();
    done.push(line);
    report(line);
  };
  try {
    for (const p of plan.functions.filter(hasWork)) {
      const fn = p.desired;
      if (p.existing === null) {
        await step(`created function ${fn.name}`, () => api.createFunction({ func_name: fn.name, package: packageOf(fn), ...p.config, ...codeBody(fn) }));
      } else {
        if (p.codeChanged) await step(`uploaded code of ${fn.name} (${fn.code.zip.length} bytes)`, () => api.updateFunctionCode(fn.urn, codeBody(fn)));
        if (p.configChanges.length > 0) await step(`updated configuration of ${fn.name} (${p.configChanges.map((c) => c.field).join(', ')})`, () => api.updateFunctionConfig(fn.urn, p.config));
      }
      for (const t of p.triggersToDelete) {
        await step(`deleted trigger ${describeTrigger(t)} of ${fn.name}`, () => deleteTrigger(api, fn.urn, t.trigger_type_code, t.trigger_id));
      }
      for (const t of p.triggersToCreate) await step(`created trigger ${t.label} on ${fn.name}`, () => api.createFunctionTrigger(fn.urn, t.body));
    }
    return { done, error: null };
  } catch (error) {
    if (error instanceof DeployError) return { done, error };
    throw error;
  }
}

/**
 * A missing trigger has been seen to answer 500 FSS.0500: when a delete
 * fails, the triggers are listed again, and a trigger that is gone counts as
 * deleted.
 */
async function deleteTrigger(api: FunctionGraphApi, urn: string, type: string, id: string): Promise<void> {
  try {
    await api.deleteFunctionTrigger(urn, type, id);
  } catch (error) {
    if (!(error instanceof DeployError) || error.kind === 'unauthorized') throw error;
    const still = await api.listFunctionTriggers(urn);
    if (still.some((t) => t.trigger_id === id)) throw error;
  }
}

const packageOf = (fn: DesiredFunction): string => fn.urn.split(':')[5]!;

export interface UndeployStep {
  name: string;
  urn: string;
  action: 'delete' | 'absent' | 'not_owned';
}

/** What undeploy would do: delete each function deploy created (its triggers go with it), nothing else. */
export async function planUndeploy(api: FunctionGraphApi, desired: DesiredFunction[]): Promise<UndeployStep[]> {
  const steps: UndeployStep[] = [];
  for (const fn of desired) {
    const existing = await api.showFunctionConfig(fn.urn);
    const action = existing === null ? 'absent' : isOwned(existing.description) ? 'delete' : 'not_owned';
    steps.push({ name: fn.name, urn: versionlessUrn(fn.urn), action });
  }
  return steps;
}

export function formatUndeploy(steps: UndeployStep[]): string[] {
  return steps.map((s) =>
    s.action === 'delete'
      ? `- delete function ${s.name} and its triggers`
      : s.action === 'absent'
        ? `= ${s.name}: not there`
        : `! ${s.name}: exists but was not created by dcs-session-guard deploy: left alone`,
  );
}

export async function applyUndeploy(api: FunctionGraphApi, steps: UndeployStep[], report: (line: string) => void): Promise<ApplyResult> {
  const done: string[] = [];
  try {
    for (const s of steps.filter((x) => x.action === 'delete')) {
      await api.deleteFunction(s.urn);
      done.push(`deleted function ${s.name} and its triggers`);
      report(done[done.length - 1]!);
    }
    return { done, error: null };
  } catch (error) {
    if (error instanceof DeployError) return { done, error };
    throw error;
  }
}
