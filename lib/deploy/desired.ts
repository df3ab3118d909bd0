/**
 * The desired state: what the two functions and their triggers should look
 * like, derived from the deploy file, the policy and the built code. Pure: no
 * call to FunctionGraph (plan.ts compares it with what is there).
 */
import type { Policy } from '../policy';
import type { DeployFile } from './deploy-file';
import { configProblem } from './errors';
import type { CodeBody, FunctionConfigBody, TriggerBody } from './fg-client';
import { functionUrn, userDataProblem, type TriggerStatus } from './fg-rules';
import type { CodePackage } from './package';

/** The two functions of the product. */
export type FunctionKind = 'alarm' | 'cron';
export const FUNCTION_KINDS: readonly FunctionKind[] = ['alarm', 'cron'];

/** In every description deploy writes: how `undeploy` and the next `deploy` know a function is theirs. */
export const OWNER_MARK = '[managed by dcs-session-guard deploy]';

const DESCRIPTIONS: Record<FunctionKind, string> = {
  alarm: 'Kills DCS client sessions on Cloud Eye connection alarms, guarded and audited.',
  cron: 'Timer-triggered DCS session cleanup, guarded and audited.',
};

export interface DesiredTrigger {
  /** Identity: two triggers with the same key are the same trigger (a changed field is a new key). */
  key: string;
  /** For people, e.g. "TIMER nightly (Cron 0 0 3 * * *)". */
  label: string;
  body: TriggerBody;
}

export interface DesiredFunction {
  kind: FunctionKind;
  name: string;
  /** The :latest URN the calls use. */
  urn: string;
  /** Everything but GUARD_DRY_RUN, which depends on what is deployed (plan.ts). */
  environment: Record<string, string>;
  config: Omit<FunctionConfigBody, 'user_data'>;
  code: CodePackage;
  triggers: DesiredTrigger[];
}

export const isOwned = (description: string | undefined): boolean => (description ?? '').includes(OWNER_MARK);

export function desiredFunctions(file: DeployFile, policy: Policy, code: Record<FunctionKind, CodePackage>): DesiredFunction[] {
  return FUNCTION_KINDS.map((kind) => {
    const name = file.functions[kind].name;
    const environment = environmentOf(file, kind);
    return {
      kind,
      name,
      urn: functionUrn(file.region, file.projectId, file.package, name),
      environment,
      config: {
        runtime: file.runtime,
        handler: 'index.handler',
        memory_size: file.memoryMB,
        timeout: file.timeoutSeconds,
        xrole: file.agency,
        app_xrole: file.agency,
        description: `${DESCRIPTIONS[kind]} ${OWNER_MARK}`,
        ...(file.vpc ? { func_vpc: { vpc_id: file.vpc.vpcId, subnet_id: file.vpc.subnetId } } : {}),
      },
      code: code[kind],
      triggers: kind === 'alarm' ? alarmTriggers(file) : timerTriggers(file, policy),
    };
  });
}

/** The function's environment variables as FunctionGraph keeps them: a JSON string, keys sorted. */
export function userData(environment: Record<string, string>, dryRun: boolean): string {
  const all: Record<string, string> = { ...environment, GUARD_DRY_RUN: String(dryRun) };
  const text = JSON.stringify(Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b))));
  const problem = userDataProblem(text);
  if (problem) throw configProblem('environment', problem, 'shorten or drop variables in the deploy file');
  return text;
}

export function codeBody(fn: DesiredFunction): CodeBody {
  return { code_type: 'zip', code_filename: `${fn.kind}.zip`, func_code: { file: fn.code.zip.toString('base64') } };
}

function environmentOf(file: DeployFile, kind: FunctionKind): Record<string, string> {
  const env: Record<string, string> = { ...file.environment, HUAWEICLOUD_SDK_PROJECT_ID: file.projectId, DCS_REGION: file.region };
  // The alarm function accepts messages from the topic its trigger listens to, unless told otherwise.
  if (kind === 'alarm' && file.triggers.smn && env.SMN_TOPIC_URNS === undefined) env.SMN_TOPIC_URNS = file.triggers.smn.topicUrn;
  return env;
}

function trigger(type: TriggerBody['trigger_type_code'], status: TriggerStatus, eventData: Record<string, unknown>, label: string): DesiredTrigger {
  return { key: triggerKey(type, status, eventData), label, body: { trigger_type_code: type, trigger_status: status, event_type_code: 'MessageCreated', event_data: eventData } };
}

function alarmTriggers(file: DeployFile): DesiredTrigger[] {
  const out: DesiredTrigger[] = [];
  const { smn, apig } = file.triggers;
  if (smn) out.push(trigger('SMN', smn.status, { topic_urn: smn.topicUrn }, `SMN ${smn.topicUrn}`));
  if (apig) {
    const eventData = {
      name: apig.name,
      type: 1,
      path: apig.path,
      protocol: apig.protocol,
      req_method: 'POST',
      group_id: apig.groupId,
      env_name: apig.envName,
      env_id: apig.envId,
      match_mode: 'NORMAL',
      // SMN cannot sign for APIG: the function verifies SMN's own signature.
      auth: 'NONE',
      backend_type: 'FUNCTION',
      // SMN waits 5 s for an answer.
      func_info: { timeout: 5000, invocation_type: 'sync' },
    };
    out.push(trigger('APIG', apig.status, eventData, `APIG POST ${apig.path} (group ${apig.groupId})`));
  }
  return out;
}

function timerTriggers(file: DeployFile, policy: Policy): DesiredTrigger[] {
  return Object.keys(policy.schedules)
    .sort()
    .map((name) => {
      const t = file.triggers.timers[name]!;
      const [scheduleType, schedule] = t.cron !== undefined ? (['Cron', t.cron] as const) : (['Rate', t.rate!] as const);
      const eventData = { name, schedule_type: scheduleType, schedule, user_event: JSON.stringify({ schedule: name }) };
      return trigger('TIMER', t.status, eventData, `TIMER ${name} (${scheduleType} ${schedule})`);
    });
}

/**
 * A trigger's identity from the fields deploy sets: the same function applied
 * to what ListFunctionTriggers answers and to what deploy would send, so an
 * unchanged trigger compares equal and a changed one (a new schedule) does not.
 */
export function triggerKey(type: string, status: string | undefined, eventData: Record<string, unknown> | null | undefined): string {
  const e = eventData ?? {};
  const pick = (...names: string[]) => names.map((n) => JSON.stringify(e[n] ?? null)).join(' ');
  switch (type) {
    case 'TIMER':
      return `TIMER ${pick('name', 'schedule_type', 'schedule', 'user_event')} ${status ?? ''}`;
    case 'SMN':
      return `SMN ${pick('topic_urn')} ${status ?? ''}`;
    case 'APIG':
      return `APIG ${pick('group_id', 'path', 'name', 'env_id', 'protocol', 'auth')} ${status ?? ''}`;
    default:
      return `${type} ${JSON.stringify(e)}`;
  }
}

/** The trigger types deploy manages; others on its functions (added by hand) are left alone. */
export const MANAGED_TRIGGER_TYPES: readonly string[] = ['TIMER', 'SMN', 'APIG'];
