/**
 * Loads @huaweicloud/huaweicloud-sdk-core on first use, silenced, and builds
 * service clients on it with every sdk-core trap handled
 * (docs/reference.md, "sdk-core"). Both our DCS client (lib/dcs) and the
 * official FunctionGraph SDK client used by `deploy` (lib/deploy) are built
 * here, so the traps are handled once:
 *
 * - cold start: core costs 130-230 ms to load (axios, log4js, lodash, moment).
 *   It is `require`d inside a function (through sdk-core-modules.ts), never
 *   imported at the top. The function bundles build that module as a file of
 *   its own, dist/<fn>/sdk.js (esbuild.config.mjs), so core is read, parsed
 *   and evaluated only when the first DCS call is made.
 * - logging: on any failed request core logs at ERROR the whole axios config,
 *   Authorization and X-Security-Token headers included; DEBUG=DEBUG dumps
 *   every request. We switch core's log4js logger off right after loading
 *   (nothing of core reaches stdout/stderr), AND give every built client
 *   silent loggers, so even if something reconfigures log4js later, the
 *   request/error dumps (the lines that carry headers) stay silent.
 * - uuid: core requires it without declaring it; it is in our dependencies.
 * - timeout: explicit (axios' default is none).
 * - redirects: maxRedirects 0 (a POST answered 302 would be re-sent as an
 *   unsigned GET and "succeed").
 * - exactly one endpoint: with two, core re-sends on timeout/reset/504.
 *   Retries are the caller's.
 * - project id always set explicitly (else a literal %7Bproject_id%7D, or an
 *   IAM call when built with a region: we never use withRegion).
 * - ~/.huaweicloud/application_id: core writes it to build its default
 *   User-Agent, unless a customUserAgent string is given: we always give one.
 * - path parameters are not encoded by core: callers validate every id
 *   before it becomes part of a URL.
 * - TLS: core passes `disableSslVerification: true` to its HTTP client but the
 *   client ignores it (checked in 3.1.211): certificates are verified.
 */
import { configError } from '../dcs/errors';
import { onFirstUse } from '../runtime/lazy';

import type { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';

type CoreModules = typeof import('./sdk-core-modules');

export interface Core {
  ClientBuilder: CoreModules['ClientBuilder'];
  BasicCredentials: CoreModules['BasicCredentials'];
}

/** What a hardened client signs with. Values are read at build time only. */
export interface SigningKeys {
  accessKey(): string;
  secretKey(): string;
  securityToken(): string | null;
}

export interface HardenedSettings {
  /** Exactly one endpoint, an origin without path. */
  endpoint: string;
  projectId: string;
  credentials: SigningKeys;
  /** Per HTTP attempt, unless a request overrides it. */
  timeoutMs: number;
  /** Giving one also keeps core from writing ~/.huaweicloud/application_id. */
  userAgent: string;
  /** Bounds a response body (default 8 MiB). */
  maxResponseBytes?: number;
}

/** Bounds a response body: our answers are small; a runaway one must not exhaust memory. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

const silentLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => 'error',
  setName: () => undefined,
};

/** core, loaded on first use (cold start; in a function bundle dist/<fn>/sdk.js) and silenced before any client exists. */
export const loadCore = /* @__PURE__ */ onFirstUse((): Core => {
  try {
    const { ClientBuilder, BasicCredentials, Logger4jInstance } = require('./sdk-core-modules') as CoreModules;
    // Core configured log4js at load time (coloured stdout, level debug): turn its category off.
    Logger4jInstance.level = 'off';
    return { ClientBuilder, BasicCredentials };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : 'unknown error';
    throw configError('sdk_core_unavailable', `cannot load @huaweicloud/huaweicloud-sdk-core: ${reason}`);
  }
});

/** The axios settings every request of a hardened client starts from. */
export function axiosDefaults(settings: HardenedSettings): Record<string, unknown> {
  return { timeout: settings.timeoutMs, maxRedirects: 0, maxContentLength: settings.maxResponseBytes ?? MAX_RESPONSE_BYTES };
}

/**
 * Builds a client from a core ClientBuilder (ours, or an official service
 * SDK's `XxxClient.newBuilder()`): one endpoint, explicit project id, a
 * custom User-Agent, a timeout, no redirects, silent loggers.
 */
export function buildHardened<T>(builder: ClientBuilder<T>, settings: HardenedSettings): T {
  const { BasicCredentials } = loadCore();
  const credentials = new BasicCredentials()
    .withAk(settings.credentials.accessKey())
    .withSk(settings.credentials.secretKey())
    .withProjectId(settings.projectId);
  const token = settings.credentials.securityToken();
  if (token !== null) credentials.withSecurityToken(token);
  const built = builder
    .withCredential(credentials)
    .withEndpoint([settings.endpoint])
    .withOptions({ customUserAgent: settings.userAgent, axiosRequestConfig: axiosDefaults(settings) })
    .build();
  muteInstanceLoggers(built);
  return built;
}

/**
 * Replaces core's per-instance loggers (private fields, hence the defensive
 * casts). A generated service client holds its HcClient as `hcClient`.
 */
function muteInstanceLoggers(client: unknown): void {
  const service = client as { hcClient?: unknown };
  const hc = (service.hcClient ?? client) as { logger?: unknown; httpClient?: { _logger?: unknown } };
  if (hc.logger !== undefined) hc.logger = silentLogger;
  if (hc.httpClient && hc.httpClient._logger !== undefined) hc.httpClient._logger = silentLogger;
}
