/**
 * Everything `deploy`/`undeploy` need before the first call: the deploy file,
 * the policy it packages (loaded by the functions' own loader), the code
 * zips, the desired state, and a FunctionGraph client with the deployer's
 * credentials. Any problem is an error value; nothing is sent.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { resolveCredentials, type Env } from '../dcs/credentials';
import { err, ok, type Result } from '../domain/types';
import { loadPolicy, PolicyError, type LoadedPolicy } from '../policy';
import { DEPLOY_FILE_LABEL, parseDeployFile, type DeployFile } from './deploy-file';
import { desiredFunctions, FUNCTION_KINDS, type DesiredFunction, type FunctionKind } from './desired';
import { configProblem, DeployError } from './errors';
import { DEFAULT_FG_TIMEOUT_MS, fgEndpoint, FunctionGraphApi } from './fg-client';
import { packageFunction, type CodePackage } from './package';

export interface DeployInput {
  file: DeployFile;
  source: string;
  policy: LoadedPolicy;
  desired: DesiredFunction[];
}

export interface LoadOptions {
  /** dist/<fn>/ for each function. */
  distDir: (fn: FunctionKind) => string;
  readFile?: (file: string) => string;
}

export function loadDeployInput(file: string, options: LoadOptions): Result<DeployInput, PolicyError | DeployError> {
  const read = options.readFile ?? ((f: string) => readFileSync(f, 'utf8'));
  let text: string;
  try {
    text = read(file);
  } catch {
    return err(new PolicyError('policy_unreadable', file, [{ path: [], line: null, column: null, message: 'Cannot read the file' }], DEPLOY_FILE_LABEL));
  }
  const first = parseDeployFile(text, file, null);
  if (!first.ok) return first;
  const policyPath = path.resolve(path.dirname(file), first.value.policy);
  // The functions' own loader: the packaged policy is exactly what they will read.
  const policy = loadPolicy({ env: { GUARD_POLICY: policyPath }, defaultPath: policyPath });
  if (!policy.ok) return policy;
  const checked = parseDeployFile(text, file, Object.keys(policy.value.policy.schedules));
  if (!checked.ok) return checked;
  try {
    const policyText = read(policyPath);
    const code = Object.fromEntries(FUNCTION_KINDS.map((fn) => [fn, packageFunction(options.distDir(fn), policyText)])) as Record<FunctionKind, CodePackage>;
    return ok({ file: checked.value, source: file, policy: policy.value, desired: desiredFunctions(checked.value, policy.value.policy, code) });
  } catch (error) {
    if (error instanceof DeployError) return err(error);
    throw error;
  }
}

/**
 * The deployer's client: HUAWEICLOUD_SDK_AK/SK(/SECURITY_TOKEN) or CLOUD_SDK_AK/SK from `env`;
 * `endpointOverride` (the CLI's FG_ENDPOINT) replaces the region's endpoint.
 */
export function functionGraphFor(file: DeployFile, env: Env, endpointOverride?: string): Result<FunctionGraphApi, DeployError> {
  const credentials = resolveCredentials(env);
  if (!credentials.ok) return err(configProblem('credentials', `missing ${credentials.error.join(', ')}`, 'export HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK of a user allowed to manage FunctionGraph'));
  try {
    const endpoint = fgEndpoint(file.region, endpointOverride);
    return ok(new FunctionGraphApi({ endpoint, projectId: file.projectId, credentials: credentials.value, timeoutMs: DEFAULT_FG_TIMEOUT_MS }));
  } catch (error) {
    if (error instanceof DeployError) return err(error);
    throw error;
  }
}
