/**
 * Everything the DCS client needs, resolved once from the environment (and
 * the FunctionGraph context for credentials). Every problem is collected and
 * reported in ONE error, so a misconfigured function tells the operator all
 * that is wrong on its first run. Values are never echoed back.
 */
import { REGION } from '../domain/ids';
import { readIntegerSetting } from '../domain/settings';
import { err, ok, type Result } from '../domain/types';
import type { Context } from '../fg/types';
import { isLoopbackHost } from '../net/ip';
import { configError, DcsError } from './errors';
import { isValidId } from './ids';
import { credentialsOf, readAgencyKeys, type DcsCredentials, type Env } from './credentials';

export interface DcsClientConfig {
  /** Exactly one endpoint, an origin without path: https://dcs.<region>.myhuaweicloud.com. */
  endpoint: string;
  projectId: string;
  /** null when DCS_ENDPOINT was given without DCS_REGION. */
  region: string | null;
  credentials: DcsCredentials;
  /** Per HTTP attempt. */
  timeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 120_000;

const regionEndpoint = (region: string): string => `https://dcs.${region}.myhuaweicloud.com`;

/**
 * An endpoint must be a bare http(s) origin. Plain http is allowed for
 * loopback only (the local emulator): elsewhere it would put the security
 * token on the wire in clear text.
 */
export function validateEndpoint(raw: string, variable = 'DCS_ENDPOINT'): Result<string, string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return err(`${variable} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return err(`${variable} must use https`);
  if (url.username || url.password) return err(`${variable} must not contain user info`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    return err(`${variable} must be an origin only (scheme://host[:port]), without path or query`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return err(`${variable} must use https (http is accepted for loopback only)`);
  return ok(url.origin);
}

function resolveTimeout(raw: string | undefined): Result<number, string> {
  return readIntegerSetting('DCS_TIMEOUT_MS', raw, { min: 1, max: MAX_TIMEOUT_MS, fallback: DEFAULT_TIMEOUT_MS, unit: 'milliseconds' });
}

interface Problems {
  missing: string[];
  invalid: string[];
}

function resolveEndpoint(env: Env, problems: Problems): { endpoint: string; region: string | null } | null {
  const region = env.DCS_REGION?.trim() || null;
  const explicit = env.DCS_ENDPOINT?.trim() || null;
  if (region !== null && !REGION.test(region)) {
    problems.invalid.push('DCS_REGION is not a region name like cn-north-4');
    return null;
  }
  if (explicit !== null) {
    const checked = validateEndpoint(explicit);
    if (!checked.ok) problems.invalid.push(checked.error);
    return checked.ok ? { endpoint: checked.value, region } : null;
  }
  if (region !== null) return { endpoint: regionEndpoint(region), region };
  problems.missing.push('DCS_REGION or DCS_ENDPOINT');
  return null;
}

function resolveProjectId(env: Env, problems: Problems): string | null {
  const projectId = env.HUAWEICLOUD_SDK_PROJECT_ID?.trim() || null;
  if (projectId === null) problems.missing.push('HUAWEICLOUD_SDK_PROJECT_ID');
  else if (!isValidId('project', projectId)) problems.invalid.push('HUAWEICLOUD_SDK_PROJECT_ID must be 32 hexadecimal characters');
  return projectId !== null && isValidId('project', projectId) ? projectId : null;
}

function describe(problems: Problems): string {
  const parts: string[] = [];
  if (problems.missing.length > 0) parts.push(`missing ${problems.missing.join(', ')}`);
  if (problems.invalid.length > 0) parts.push(`invalid: ${problems.invalid.join('; ')}`);
  return `DCS client configuration incomplete: ${parts.join('; ')}`;
}

export function resolveDcsConfig(env: Env, context?: Context): Result<DcsClientConfig, DcsError> {
  return configOf(readInputs(env, context));
}

/** Every outside value a DCS config is made of: these settings, then the agency's AK, SK and token. */
const CONFIG_VARIABLES = [
  'DCS_REGION',
  'DCS_ENDPOINT',
  'HUAWEICLOUD_SDK_PROJECT_ID',
  'DCS_TIMEOUT_MS',
  'HUAWEICLOUD_SDK_AK',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  'CLOUD_SDK_AK',
  'CLOUD_SDK_SK',
] as const;
const AGENCY = CONFIG_VARIABLES.length;

type Inputs = Array<string | undefined>;

function readInputs(env: Env, context: Context | undefined): Inputs {
  const inputs: Inputs = CONFIG_VARIABLES.map((name) => env[name]);
  const agency = readAgencyKeys(context);
  inputs.push(agency.accessKey, agency.secretKey, agency.securityToken);
  return inputs;
}

/** The config from the inputs alone: it can read nothing the cache below does not compare. */
function configOf(inputs: Inputs): Result<DcsClientConfig, DcsError> {
  const env: Env = {};
  CONFIG_VARIABLES.forEach((name, i) => (env[name] = inputs[i]));
  const [accessKey, secretKey, securityToken] = inputs.slice(AGENCY);
  const problems: Problems = { missing: [], invalid: [] };
  const credentials = credentialsOf(env, { accessKey, secretKey, securityToken });
  if (!credentials.ok) problems.missing.push(...credentials.error);
  const projectId = resolveProjectId(env, problems);
  const location = resolveEndpoint(env, problems);
  const timeout = resolveTimeout(env.DCS_TIMEOUT_MS);
  if (!timeout.ok) problems.invalid.push(timeout.error);

  if (!credentials.ok || projectId === null || location === null || !timeout.ok) {
    const code = problems.missing.length > 0 ? 'config_missing' : 'config_invalid';
    return err(configError(code, describe(problems)));
  }
  return ok({ ...location, projectId, credentials: credentials.value, timeoutMs: timeout.value });
}

/**
 * resolveDcsConfig for a warm container: resolved again only when one of its inputs
 * changed. Rotated agency credentials are inputs, so they always give a new config.
 */
export class DcsConfigCache {
  #inputs: Inputs | null = null;
  #config: Result<DcsClientConfig, DcsError> | null = null;

  resolve(env: Env, context?: Context): Result<DcsClientConfig, DcsError> {
    const inputs = readInputs(env, context);
    if (this.#config === null || !sameInputs(inputs, this.#inputs)) {
      this.#config = configOf(inputs);
      this.#inputs = inputs;
    }
    return this.#config;
  }
}

function sameInputs(a: Inputs, b: Inputs | null): boolean {
  if (b === null || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
