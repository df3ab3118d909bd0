/**
 * Where the SMN and Cloud Eye calls of the sinks go, and with which project
 * and credentials: the same credentials as the DCS calls (the agency's, else
 * the environment's), one endpoint per service.
 *
 *   SMN        SMN_ENDPOINT, else https://smn.<region>.myhuaweicloud.com with the
 *              region of the topic URN; the project id is the URN's (project ids
 *              are per region).
 *   Cloud Eye  CES_ENDPOINT, else https://ces.<DCS_REGION>.myhuaweicloud.com;
 *              the project id is HUAWEICLOUD_SDK_PROJECT_ID.
 *
 * Endpoint overrides follow DCS_ENDPOINT's rule: an origin, https (http only on loopback).
 */
import { isValidId } from '../dcs/ids';
import { resolveCredentials, type Env } from '../dcs/credentials';
import { validateEndpoint } from '../dcs/config';
import type { CoreEndpointConfig } from '../dcs/sdk-core';
import { REGION } from '../domain/ids';
import { err, ok, type Result } from '../domain/types';
import type { Context } from '../fg/types';
import { SMN_TOPIC_URN } from '../policy/vocabulary';

export interface ServiceTarget {
  endpoint: string | null;
  region: string | null;
  projectId: string | null;
  /** The settings a user would fix, named in the error. */
  settings: { endpoint: string; region: string; projectId: string };
}

/** One endpoint config for a service, or one sentence saying what is missing (never a value). */
export function resolveServiceConfig(
  service: string,
  target: ServiceTarget,
  env: Env,
  context: Context | undefined,
  timeoutMs: number,
): Result<CoreEndpointConfig, string> {
  const problems: string[] = [];
  const credentials = resolveCredentials(env, context);
  if (!credentials.ok) problems.push(`missing ${credentials.error.join(', ')}`);
  let endpoint: string | null = null;
  if (target.endpoint) {
    const checked = validateEndpoint(target.endpoint, target.settings.endpoint);
    if (checked.ok) endpoint = checked.value;
    else problems.push(checked.error);
  } else if (target.region && REGION.test(target.region)) {
    endpoint = `https://${service}.${target.region}.myhuaweicloud.com`;
  } else {
    problems.push(`missing ${target.settings.endpoint} or ${target.settings.region}`);
  }
  if (!target.projectId || !isValidId('project', target.projectId)) problems.push(`missing or invalid ${target.settings.projectId}`);
  if (!credentials.ok || endpoint === null || problems.length > 0 || !target.projectId) {
    return err(`${service.toUpperCase()} client configuration incomplete: ${problems.join('; ')}`);
  }
  return ok({ endpoint, projectId: target.projectId, credentials: credentials.value, timeoutMs });
}

/** The SMN endpoint config for publishing to `topicUrn` (region and project from the URN). */
export function resolveSmnConfig(env: Env, context: Context | undefined, topicUrn: string, timeoutMs: number): Result<CoreEndpointConfig, string> {
  const urn = SMN_TOPIC_URN.exec(topicUrn);
  return resolveServiceConfig(
    'smn',
    {
      endpoint: env.SMN_ENDPOINT?.trim() || null,
      region: urn?.[1] ?? null,
      projectId: urn?.[2] ?? null,
      settings: { endpoint: 'SMN_ENDPOINT', region: 'the topic URN\'s region', projectId: 'project id in notify.smnTopicUrn' },
    },
    env,
    context,
    timeoutMs,
  );
}

/** The Cloud Eye endpoint config (region from DCS_REGION unless CES_ENDPOINT is set). */
export function resolveCesConfig(env: Env, context: Context | undefined, timeoutMs: number): Result<CoreEndpointConfig, string> {
  return resolveServiceConfig(
    'ces',
    {
      endpoint: env.CES_ENDPOINT?.trim() || null,
      region: env.DCS_REGION?.trim() || null,
      projectId: env.HUAWEICLOUD_SDK_PROJECT_ID?.trim() || null,
      settings: { endpoint: 'CES_ENDPOINT', region: 'DCS_REGION', projectId: 'HUAWEICLOUD_SDK_PROJECT_ID' },
    },
    env,
    context,
    timeoutMs,
  );
}
