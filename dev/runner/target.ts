/**
 * Which DCS API the local runner's functions talk to, and the environment they get.
 *
 * - The embedded emulator (default): demo credentials, the demo policy, acts for real (on the emulator).
 * - A real DCS API, when DCS_REGION or DCS_ENDPOINT and credentials are in the environment:
 *   dry run (GUARD_DRY_RUN=true) unless the user passes --live.
 *
 * Either way the local gateway accepts the unsigned, old sample messages: SMN_ALLOW_UNSIGNED=true
 * and SMN_MAX_AGE_SECONDS=0 are set for the local runner only, never for a deployment.
 */
import { err, ok, type Result } from '../../lib/domain/types';

export type Env = Readonly<Record<string, string | undefined>>;

export type RunnerTarget =
  | { kind: 'emulator' }
  | { kind: 'cloud'; endpoint: string; projectId: string; live: boolean };

export interface TargetError {
  code: 'missing_cloud_settings';
  message: string;
}

/** Demo values of the emulator's seed (dev/emulator/seeds/demo.json): not secrets. */
export const DEMO = {
  projectId: '0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3',
  ak: 'DEMOACCESSKEYID00001',
  sk: 'DEMO-SECRET-KEY-not-a-real-secret-00001',
  region: 'cn-north-4',
  instanceId: '5e2b1c9a-7f3d-4d2e-9b8a-1c2d3e4f5a6b',
  /** The node the sample node alarm names (its dimension 3f1e2d3c...), by node_id. */
  alarmedNodeId: 'eb4debb56ba8d632dae03afc167a8f9b',
} as const;

/** Settings the local gateway needs, and that a deployment must never copy. */
export const LOCAL_GATEWAY_ENV = { SMN_ALLOW_UNSIGNED: 'true', SMN_MAX_AGE_SECONDS: '0' } as const;

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

/** Emulator unless DCS_REGION / DCS_ENDPOINT say otherwise; then credentials and project are required. */
export function chooseTarget(env: Env, live: boolean): Result<RunnerTarget, TargetError> {
  if (!set(env.DCS_REGION) && !set(env.DCS_ENDPOINT)) return ok({ kind: 'emulator' });
  const why = set(env.DCS_ENDPOINT) ? 'DCS_ENDPOINT' : 'DCS_REGION';
  const missing: string[] = [];
  const hasKeys = (set(env.HUAWEICLOUD_SDK_AK) && set(env.HUAWEICLOUD_SDK_SK)) || (set(env.CLOUD_SDK_AK) && set(env.CLOUD_SDK_SK));
  if (!hasKeys) missing.push('HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or CLOUD_SDK_AK and CLOUD_SDK_SK)');
  if (!set(env.HUAWEICLOUD_SDK_PROJECT_ID)) missing.push('HUAWEICLOUD_SDK_PROJECT_ID');
  if (missing.length > 0) {
    return err({
      code: 'missing_cloud_settings',
      message: `${why} is set, so the runner would use a real DCS API, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing. Set ${missing.length > 1 ? 'them' : 'it'}, or unset DCS_REGION and DCS_ENDPOINT to use the embedded emulator.`,
    });
  }
  const endpoint = set(env.DCS_ENDPOINT) ? env.DCS_ENDPOINT.trim() : `https://dcs.${env.DCS_REGION!.trim()}.myhuaweicloud.com`;
  return ok({ kind: 'cloud', endpoint, projectId: env.HUAWEICLOUD_SDK_PROJECT_ID!.trim(), live });
}

/** Variables a child process needs to run at all, passed through from the user's shell. */
const PROCESS_BASICS = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR', 'SYSTEMROOT'];

function basics(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PROCESS_BASICS) {
    const value = env[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function definedOnly(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The functions' environment (their FunctionGraph environment variables).
 * Emulator: only the demo settings, so nothing of the user's cloud setup leaks into a demo.
 * Cloud: the user's environment, with the dry run forced unless live.
 */
export function functionEnv(
  target: RunnerTarget,
  userEnv: Env,
  opts: { emulatorUrl: string | null; policyPath: string | null; guardRedisUrl?: string | null },
): Record<string, string> {
  const runnerSettings: Record<string, string> = opts.policyPath === null ? {} : { GUARD_POLICY: opts.policyPath };
  // The runner's own redis-server: one guard store for both functions (guard-store.ts).
  if (opts.guardRedisUrl) runnerSettings.GUARD_REDIS_URL = opts.guardRedisUrl;
  if (target.kind === 'emulator') {
    return {
      ...basics(userEnv),
      HUAWEICLOUD_SDK_AK: DEMO.ak,
      HUAWEICLOUD_SDK_SK: DEMO.sk,
      HUAWEICLOUD_SDK_PROJECT_ID: DEMO.projectId,
      DCS_ENDPOINT: opts.emulatorUrl ?? '',
      ...runnerSettings,
      ...LOCAL_GATEWAY_ENV,
    };
  }
  return {
    ...definedOnly(userEnv),
    ...runnerSettings,
    ...(target.live ? {} : { GUARD_DRY_RUN: 'true' }),
    ...LOCAL_GATEWAY_ENV,
  };
}
