/**
 * Loads @huaweicloud/huaweicloud-sdk-core on first use, silenced, and builds
 * one HcClient per service client (DCS, and SMN / Cloud Eye for the
 * notification and metric sinks) with every sdk-core trap handled
 * (reference/sdk-core.md):
 *
 * - cold start: core costs 130-230 ms to load (axios, log4js, lodash, moment).
 *   It is `require`d inside a function (through sdk-core-modules.ts), never
 *   imported at the top. The function bundles build that module as a file of
 *   its own, dist/<fn>/sdk.js (esbuild.config.mjs), so core is read, parsed
 *   and evaluated only when the first DCS call is made; an invocation that
 *   decides "skip" or "rejected" never pays for it (test/bench guards this).
 * - logging: on any failed request core logs at ERROR the whole axios config,
 *   Authorization and X-Security-Token headers included; DEBUG=DEBUG dumps
 *   every request. We switch core's log4js logger off right after loading
 *   (nothing of core reaches stdout/stderr), AND give our HcClient silent
 *   loggers once built, so even if something reconfigures log4js later, the
 *   request/error dumps (the lines that carry headers) stay silent. Loading
 *   core prints nothing by itself (3.1.211: no console calls; log4js is only
 *   configured); under DEBUG=DEBUG its constructors log "initialized" lines,
 *   which the level switch, made before any client is built, keeps quiet.
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
import { SendEvidence, TransportFailure, watchedAgent } from './send-evidence';

/** One HTTP attempt, as the client describes it (no axios in sight). */
export interface TransportRequest {
  method: 'GET' | 'POST';
  /** Template with {project_id} and the path parameters, e.g. /v2/{project_id}/jobs/{job_id}. */
  url: string;
  pathParams: Record<string, string>;
  queryParams: Record<string, string | number>;
  /** An object (DCS, SMN) or an array (Cloud Eye metric data). */
  body?: Record<string, unknown> | unknown[];
  timeoutMs: number;
  /**
   * Open a new connection instead of reusing a pooled keep-alive one. A pooled
   * socket may have been closed by the server while the function instance was
   * frozen; a request written on it dies with ECONNRESET, which for a kill-all
   * means "outcome unknown" and no retry. Kill-all pays one extra handshake
   * to avoid that; reads reuse connections (they may be retried).
   */
  freshConnection: boolean;
}

export interface CoreTransport {
  /** Rejects with a TransportFailure: core's error and the socket's evidence of what left (send-evidence.ts). */
  send(request: TransportRequest): Promise<unknown>;
}

/** The HcClient.sendRequest options we pass (its d.ts omits axiosRequestConfig). */
interface CoreRequestOptions {
  method: string;
  url: string;
  contentType: string;
  pathParams: Record<string, string>;
  queryParams: Record<string, string | number>;
  headers: Record<string, string>;
  data?: Record<string, unknown> | unknown[];
  axiosRequestConfig: Record<string, unknown>;
}

interface HcClientLike {
  sendRequest(options: CoreRequestOptions): Promise<unknown>;
}

/** Bounds a response body: DCS answers are small; a runaway one must not exhaust the function's memory. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

type CoreModules = typeof import('./sdk-core-modules');

interface Core {
  ClientBuilder: CoreModules['ClientBuilder'];
  BasicCredentials: CoreModules['BasicCredentials'];
  /** Agents without keep-alive, for fresh connections; keep-alive ones (Node's global agents) for the rest. */
  agents: Record<'fresh' | 'pooled', { http: import('node:http').Agent; https: import('node:https').Agent }>;
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
    // Lazy on purpose (cold start): see the header comment. In a function bundle this is dist/<fn>/sdk.js.
    const { ClientBuilder, BasicCredentials, Logger4jInstance } = require('./sdk-core-modules') as CoreModules;
    const http = require('node:http') as typeof import('node:http');
    const https = require('node:https') as typeof import('node:https');
    // Core configured log4js at load time (coloured stdout, level debug): turn its category off.
    Logger4jInstance.level = 'off';
    const agents = {
      fresh: { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) },
      pooled: { http: http.globalAgent, https: https.globalAgent },
    };
    core = { ClientBuilder, BasicCredentials, agents };
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

/** What signing and sending to one service needs: the DCS client's config is one. */
export type CoreEndpointConfig = Pick<DcsClientConfig, 'endpoint' | 'projectId' | 'credentials' | 'timeoutMs'>;

/** One HcClient, signing with the config's credentials for its single endpoint. */
export function buildCoreTransport(config: CoreEndpointConfig, userAgent: string): CoreTransport {
  const { ClientBuilder, BasicCredentials, agents } = loadCore();
  const credentials = new BasicCredentials()
    .withAk(config.credentials.accessKey())
    .withSk(config.credentials.secretKey())
    .withProjectId(config.projectId);
  const token = config.credentials.securityToken();
  if (token !== null) credentials.withSecurityToken(token);

  const axiosDefaults = { timeout: config.timeoutMs, maxRedirects: 0, maxContentLength: MAX_RESPONSE_BYTES };
  const built = new ClientBuilder((hc) => hc)
    .withCredential(credentials)
    .withEndpoint([config.endpoint])
    .withOptions({ customUserAgent: userAgent, axiosRequestConfig: axiosDefaults })
    .build();
  muteInstanceLoggers(built);
  const hcClient = built as unknown as HcClientLike;

  return {
    send: async (request) => {
      // Each attempt gets its own view of the agents: its socket tells whether anything left.
      const evidence = new SendEvidence();
      const pair = request.freshConnection ? agents.fresh : agents.pooled;
      try {
        // Fresh objects per attempt: core mutates the options it is given.
        return await hcClient.sendRequest({
          method: request.method,
          url: request.url,
          contentType: 'application/json',
          pathParams: { ...request.pathParams },
          queryParams: { ...request.queryParams },
          headers: {},
          ...(request.body !== undefined ? { data: Array.isArray(request.body) ? [...request.body] : { ...request.body } } : {}),
          axiosRequestConfig: {
            ...axiosDefaults,
            timeout: request.timeoutMs,
            httpAgent: watchedAgent(pair.http, evidence),
            httpsAgent: watchedAgent(pair.https, evidence),
          },
        });
      } catch (error) {
        throw new TransportFailure(error, evidence);
      }
    },
  };
}
