/**
 * Loads @huaweicloud/huaweicloud-sdk-core on first use, silenced, and builds
 * one HcClient per DcsClient with every sdk-core trap handled
 * (reference/sdk-core.md):
 *
 * - cold start: core costs 130-230 ms to load (axios, log4js, lodash, moment).
 *   It is `require`d inside a function, never imported at the top, so an
 *   esbuild bundle evaluates it only when the first DCS call is made; an
 *   invocation that decides "skip" never pays for it.
 * - logging: on any failed request core logs at ERROR the whole axios config,
 *   Authorization and X-Security-Token headers included; DEBUG=DEBUG dumps
 *   every request. We switch core's log4js logger off right after loading
 *   (nothing of core reaches stdout/stderr), AND give our HcClient silent
 *   loggers once built, so even if something reconfigures log4js later, the
 *   request/error dumps (the lines that carry headers) stay silent.
 * - uuid: core requires it without declaring it; it is in our dependencies.
 * - timeout: explicit (axios' default is none); per attempt, see client.ts.
 * - redirects: maxRedirects 0 (a POST answered 302 would be re-sent as an
 *   unsigned GET and "succeed").
 * - exactly one endpoint: with two, core re-sends on timeout/reset/504, i.e.
 *   a timed-out kill-all would be sent twice. Retries are ours (retry.ts).
 * - project id always set explicitly (else a literal %7Bproject_id%7D, or an
 *   IAM call when built with a region: we never use withRegion).
 * - ~/.huaweicloud/application_id: core writes it to build its default
 *   User-Agent, unless a customUserAgent string is given: we always give one,
 *   so nothing is written to disk.
 * - TLS: core passes `disableSslVerification: true` to its HTTP client but the
 *   client ignores it (checked in 3.1.211): certificates are verified.
 */
import type { DcsClientConfig } from './config';
import { configError } from './errors';

/** The slice of sdk-core's HcClient.sendRequest options we use (the d.ts omits axiosRequestConfig). */
export interface CoreRequest {
  method: 'GET' | 'POST';
  url: string;
  contentType: string;
  pathParams: Record<string, string>;
  queryParams: Record<string, string | number>;
  headers: Record<string, string>;
  data?: Record<string, unknown>;
  axiosRequestConfig: { timeout: number; maxRedirects: number };
}

export interface CoreTransport {
  sendRequest(options: CoreRequest): Promise<unknown>;
}

type ClientBuilderModule = typeof import('@huaweicloud/huaweicloud-sdk-core/ClientBuilder');
type BasicCredentialsModule = typeof import('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials');

interface Core {
  ClientBuilder: ClientBuilderModule['ClientBuilder'];
  BasicCredentials: BasicCredentialsModule['BasicCredentials'];
}

let core: Core | null = null;

const silentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => 'error',
  setName: () => undefined,
};

function loadCore(): Core {
  if (core !== null) return core;
  try {
    // Lazy on purpose (cold start): see the header comment. Static strings, so esbuild still bundles them.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { ClientBuilder } = require('@huaweicloud/huaweicloud-sdk-core/ClientBuilder') as ClientBuilderModule;
    const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials') as BasicCredentialsModule;
    const { Logger4jInstance } = require('@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger') as {
      Logger4jInstance: { level: string };
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    // Core configured log4js at load time (coloured stdout, level debug): turn its category off.
    Logger4jInstance.level = 'off';
    core = { ClientBuilder, BasicCredentials };
    return core;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unknown error';
    throw configError('sdk_core_unavailable', `cannot load @huaweicloud/huaweicloud-sdk-core: ${reason}`);
  }
}

/** Replaces core's per-instance loggers (private fields, hence the defensive casts). */
function muteInstanceLoggers(hcClient: unknown): void {
  const hc = hcClient as { logger?: unknown; httpClient?: { _logger?: unknown } };
  if (hc.logger !== undefined) hc.logger = silentLogger;
  if (hc.httpClient && hc.httpClient._logger !== undefined) hc.httpClient._logger = silentLogger;
}

/** One HcClient, signing with the config's credentials for its single endpoint. */
export function buildCoreTransport(config: DcsClientConfig, userAgent: string): CoreTransport {
  const { ClientBuilder, BasicCredentials } = loadCore();
  const credentials = new BasicCredentials()
    .withAk(config.credentials.accessKey())
    .withSk(config.credentials.secretKey())
    .withProjectId(config.projectId);
  const token = config.credentials.securityToken();
  if (token !== null) credentials.withSecurityToken(token);

  const hcClient = new ClientBuilder((hc) => hc)
    .withCredential(credentials)
    .withEndpoint([config.endpoint])
    .withOptions({ customUserAgent: userAgent, axiosRequestConfig: { timeout: config.timeoutMs, maxRedirects: 0 } })
    .build();
  muteInstanceLoggers(hcClient);
  return hcClient as unknown as CoreTransport;
}
