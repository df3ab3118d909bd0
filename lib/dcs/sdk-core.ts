/**
 * The transport of our service clients (DCS, and SMN / Cloud Eye for the
 * notification and metric sinks): one hardened HcClient per client
 * (lib/sdk-core/hardened.ts handles every sdk-core trap: lazy load, silenced
 * logging, timeout, no redirects, one endpoint, explicit project id, no disk
 * write), plus what a destructive API needs: a fresh connection for a
 * non-idempotent request, and each attempt's socket watched for the evidence
 * of what left (send-evidence.ts).
 */
import type { DcsClientConfig } from './config';
import { axiosDefaults, buildHardened, loadCore } from '../sdk-core/hardened';
import { SendEvidence, TransportFailure, watchedAgent } from './send-evidence';
import { onFirstUse } from '../runtime/lazy';

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

type Agents = Record<'fresh' | 'pooled', { http: import('node:http').Agent; https: import('node:https').Agent }>;
/** Agents without keep-alive, for fresh connections; keep-alive ones (Node's global agents) for the rest. */
const getAgents = /* @__PURE__ */ onFirstUse((): Agents => {
  const http = require('node:http') as typeof import('node:http');
  const https = require('node:https') as typeof import('node:https');
  return {
    fresh: { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) },
    pooled: { http: http.globalAgent, https: https.globalAgent },
  };
});

/** What signing and sending to one service needs: the DCS client's config is one. */
export type CoreEndpointConfig = Pick<DcsClientConfig, 'endpoint' | 'projectId' | 'credentials' | 'timeoutMs'>;

/** One HcClient, signing with the config's credentials for its single endpoint. */
export function buildCoreTransport(config: CoreEndpointConfig, userAgent: string): CoreTransport {
  const { ClientBuilder } = loadCore();
  const settings = { endpoint: config.endpoint, projectId: config.projectId, credentials: config.credentials, timeoutMs: config.timeoutMs, userAgent };
  const hcClient = buildHardened(new ClientBuilder((hc) => hc), settings) as unknown as HcClientLike;
  const defaults = axiosDefaults(settings);
  const { fresh, pooled } = getAgents();
  // One endpoint, so one protocol: only the agent that will carry the request is watched.
  const secure = new URL(config.endpoint).protocol === 'https:';

  return {
    send: (request) => {
      // Each attempt gets its own view of the agent: its socket tells whether anything left.
      const evidence = new SendEvidence();
      const pair = request.freshConnection ? fresh : pooled;
      const axiosRequestConfig: Record<string, unknown> = { ...defaults, timeout: request.timeoutMs };
      if (secure) {
        axiosRequestConfig.httpAgent = pair.http;
        axiosRequestConfig.httpsAgent = watchedAgent(pair.https, evidence);
      } else {
        axiosRequestConfig.httpAgent = watchedAgent(pair.http, evidence);
        axiosRequestConfig.httpsAgent = pair.https;
      }
      // Fresh objects per attempt: core mutates the options it is given.
      const options: CoreRequestOptions = {
        method: request.method,
        url: request.url,
        contentType: 'application/json',
        pathParams: { ...request.pathParams },
        queryParams: { ...request.queryParams },
        headers: {},
        axiosRequestConfig,
      };
      if (request.body !== undefined) options.data = Array.isArray(request.body) ? [...request.body] : { ...request.body };
      // A promise reaction, not an async frame: nothing of ours resumes when the answer comes.
      const failed = (error: unknown): never => {
        throw new TransportFailure(error, evidence);
      };
      try {
        return hcClient.sendRequest(options).then(undefined, failed);
      } catch (error) {
        return Promise.reject(new TransportFailure(error, evidence));
      }
    },
  };
}
