/**
 * The deploy plan: what is there (read through FunctionGraph), compared with
 * the desired state, field by field. `deploy --plan` prints it and stops;
 * `deploy` applies it (apply.ts). Reading changes nothing.
 */
import { isRecord } from '../domain/json';
import type { DesiredFunction, DesiredTrigger } from './desired';
import { isOwned, MANAGED_TRIGGER_TYPES, triggerKey, userData } from './desired';
import type { FunctionConfig, FunctionConfigBody, FunctionGraphApi, Trigger } from './fg-client';

/** --arm: GUARD_DRY_RUN=false; --disarm: true; keep: what is deployed, true for a new function. */
export type ArmMode = 'arm' | 'disarm' | 'keep';

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

export interface FunctionPlan {
  desired: DesiredFunction;
  /** What is there; null: the function does not exist. */
  existing: FunctionConfig | null;
  /** A function of that name exists but deploy did not create it: nothing is done to it. */
  notOwned: boolean;
  /** The configuration deploy would write (user_data with the resolved GUARD_DRY_RUN). */
  config: FunctionConfigBody;
  configChanges: FieldChange[];
  codeChanged: boolean;
  triggersToCreate: DesiredTrigger[];
  triggersToDelete: Trigger[];
  /** GUARD_DRY_RUN once applied. */
  dryRun: boolean;
}

export interface DeployPlan {
  functions: FunctionPlan[];
}

/** Reads both functions and their triggers, and compares them with the desired state. */
export async function makePlan(api: FunctionGraphApi, desired: DesiredFunction[], arm: ArmMode): Promise<DeployPlan> {
  const functions: FunctionPlan[] = [];
  for (const fn of desired) {
    const existing = await api.showFunctionConfig(fn.urn);
    const notOwned = existing !== null && !isOwned(existing.description);
    const triggers = existing !== null && !notOwned ? await api.listFunctionTriggers(fn.urn) : [];
    functions.push(planFunction(fn, existing, notOwned, triggers, arm));
  }
  return { functions };
}

function planFunction(fn: DesiredFunction, existing: FunctionConfig | null, notOwned: boolean, triggers: Trigger[], arm: ArmMode): FunctionPlan {
  const dryRun = arm === 'arm' ? false : arm === 'disarm' ? true : deployedDryRun(existing);
  const config: FunctionConfigBody = { ...fn.config, user_data: userData(fn.environment, dryRun) };
  if (existing === null || notOwned) {
    return { desired: fn, existing, notOwned, config, configChanges: [], codeChanged: existing === null, triggersToCreate: existing === null ? fn.triggers : [], triggersToDelete: [], dryRun };
  }
  const actualKeys = new Map(triggers.filter(managed).map((t) => [triggerKey(t.trigger_type_code, t.trigger_status, t.event_data), t]));
  const wanted = new Set(fn.triggers.map((t) => t.key));
  return {
    desired: fn,
    existing,
    notOwned,
    config,
    configChanges: configDiff(existing, config),
    codeChanged: existing.digest?.toLowerCase() !== fn.code.sha512,
    triggersToCreate: fn.triggers.filter((t) => !actualKeys.has(t.key)),
    triggersToDelete: [...actualKeys].filter(([key]) => !wanted.has(key)).map(([, t]) => t),
    dryRun,
  };
}

const managed = (t: Trigger): boolean => MANAGED_TRIGGER_TYPES.includes(t.trigger_type_code);

/** The deployed GUARD_DRY_RUN; anything but an explicit "false" counts as dry run (safe by default). */
function deployedDryRun(existing: FunctionConfig | null): boolean {
  return readEnv(existing?.user_data).GUARD_DRY_RUN?.trim().toLowerCase() !== 'false';
}

function readEnv(userDataText: string | undefined): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(userDataText ?? '{}');
    return isRecord(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

const SCALAR_FIELDS = ['runtime', 'handler', 'memory_size', 'timeout', 'xrole', 'app_xrole', 'description'] as const;

/** Field by field; environment variables one by one, values of secret-bearing ones masked. */
export function configDiff(existing: FunctionConfig, config: FunctionConfigBody): FieldChange[] {
  const changes: FieldChange[] = [];
  const show = (v: unknown): string => (v === undefined || v === null || v === '' ? '(unset)' : String(v));
  for (const field of SCALAR_FIELDS) {
    if (show(existing[field]) !== show(config[field])) changes.push({ field, from: show(existing[field]), to: show(config[field]) });
  }
  const vpc = (v: { vpc_id?: string | undefined; subnet_id?: string | undefined } | null | undefined) => (v?.vpc_id ? `${v.vpc_id}/${v.subnet_id ?? ''}` : '(none)');
  if (vpc(existing.func_vpc) !== vpc(config.func_vpc)) changes.push({ field: 'func_vpc', from: vpc(existing.func_vpc), to: vpc(config.func_vpc) });
  const before = readEnv(existing.user_data);
  const after = readEnv(config.user_data);
  for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (before[name] !== after[name]) changes.push({ field: `environment.${name}`, from: maskValue(name, before[name]), to: maskValue(name, after[name]) });
  }
  return changes;
}

/** A Redis URL may carry a password: shown without it. */
function maskValue(name: string, value: string | undefined): string {
  if (value === undefined) return '(unset)';
  if (name === 'GUARD_REDIS_URL') return value.replace(/\/\/([^@/]*)@/, '//***@');
  return JSON.stringify(value);
}

export const hasWork = (p: FunctionPlan): boolean =>
  !p.notOwned && (p.existing === null || p.codeChanged || p.configChanges.length > 0 || p.triggersToCreate.length > 0 || p.triggersToDelete.length > 0);

/** The plan as lines for a person; the first line says plainly whether the functions will kill. */
export function formatPlan(plan: DeployPlan, policyDryRun: boolean): string[] {
  const lines: string[] = [killLine(plan, policyDryRun)];
  for (const p of plan.functions) {
    const fn = p.desired;
    if (p.notOwned) {
      lines.push(`! ${fn.name}: exists but was not created by dcs-session-guard deploy (no "${'managed by'}" mark in its description): left alone; rename it in the deploy file or delete it yourself`);
      continue;
    }
    if (p.existing === null) {
      lines.push(`+ create function ${fn.name} (${fn.config.runtime}, ${fn.config.memory_size} MB, ${fn.config.timeout} s, code sha512 ${fn.code.sha512.slice(0, 12)}, ${fn.code.zip.length} bytes)`);
    } else if (!hasWork(p)) {
      lines.push(`= ${fn.name}: up to date`);
      continue;
    } else {
      lines.push(`~ update function ${fn.name}`);
      lines.push(p.codeChanged ? `    code: changed (sha512 ${short(p.existing.digest)} -> ${fn.code.sha512.slice(0, 12)}), upload ${fn.code.zip.length} bytes` : '    code: unchanged (same hash), not uploaded');
      for (const c of p.configChanges) lines.push(`    ${c.field}: ${c.from} -> ${c.to}`);
    }
    for (const t of p.triggersToDelete) lines.push(`    - delete trigger ${describeTrigger(t)}`);
    for (const t of p.triggersToCreate) lines.push(`    + create trigger ${t.label}${t.body.trigger_status === 'DISABLED' ? ' (disabled)' : ''}`);
  }
  if (!plan.functions.some(hasWork)) lines.push('Nothing to do: the account matches the deploy file.');
  return lines;
}

function killLine(plan: DeployPlan, policyDryRun: boolean): string {
  const armed = plan.functions.filter((p) => !p.notOwned && !p.dryRun);
  if (armed.length === 0) return 'Safety: the deployed functions will NOT kill (GUARD_DRY_RUN=true): they decide and audit only. Arm with: deploy --arm';
  if (policyDryRun) return 'Safety: GUARD_DRY_RUN=false, but the policy says dryRun: true: the deployed functions will NOT kill until the policy allows it';
  return `Safety: the deployed functions WILL KILL client sessions (GUARD_DRY_RUN=false) when the policy matches: ${armed.map((p) => p.desired.name).join(', ')}`;
}

const short = (digest: string | undefined): string => (digest ? digest.slice(0, 12) : 'unknown');

export function describeTrigger(t: Trigger): string {
  const e = t.event_data ?? {};
  if (t.trigger_type_code === 'TIMER') return `TIMER ${String(e.name)} (${String(e.schedule_type)} ${String(e.schedule)})`;
  if (t.trigger_type_code === 'SMN') return `SMN ${String(e.topic_urn)}`;
  return `${t.trigger_type_code} ${t.trigger_id}`;
}
