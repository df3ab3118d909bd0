/**
 * A typed DCS v2 client with the official SDK method names, built on
 * sdk-core's ClientBuilder + HcClient.sendRequest (see sdk-core.ts for the
 * traps handled there).
 *
 * Every method validates its input before anything is built (a malformed id
 * never becomes a request), sends with the retry policy its idempotency
 * allows (retry.ts), checks the response shape (models.ts), and fails only
 * with a DcsError.
 */
import { isRecord } from '../domain/json';
import type { DcsClientConfig } from './config';
import { validateEndpoint } from './config';
import { configError, DcsError, invalidRequest, mapSdkError } from './errors';
import { isClientAddr } from './client-addr';
import { assertInstanceId, assertJobId, assertNodeId, isValidId } from './ids';
import {
  parseHangUpClients,
  parseJobCreated,
  parseListClients,
  parseShowInstance,
  parseShowJobInfo,
  parseShowNodesInformation,
  type HangUpClientsRequest,
  type HangUpClientsRequestBody,
  type HangUpClientsResponse,
  type HangUpKillAllClientsRequest,
  type HangUpKillAllClientsRequestBody,
  type HangUpKillAllClientsResponse,
  type ListClientsRequest,
  type ListClientsResponse,
  type ScanClientsRequest,
  type ScanClientsRequestBody,
  type ScanClientsResponse,
  type ShowInstanceRequest,
  type ShowInstanceResponse,
  type ShowJobInfoRequest,
  type ShowJobInfoResponse,
  type ShowNodesInformationRequest,
  type ShowNodesInformationResponse,
} from './models';
import {
  NON_IDEMPOTENT_RETRY_POLICY,
  READ_RETRY_POLICY,
  realRetryDeps,
  withRetry,
  type RetryDeps,
  type RetryPolicy,
} from './retry';
import { buildCoreTransport, type CoreTransport } from './sdk-core';

export const DEFAULT_USER_AGENT = 'dcs-session-guard';
/** Below this budget an attempt is not started: a kill-all sent with a 5 ms timeout would only produce an unknown outcome. */
export const MIN_ATTEMPT_MS = 200;

export interface DcsClientOptions {
  /** Overrides of the read policy (all GETs). */
  readRetry?: Partial<RetryPolicy>;
  /** Overrides of the kill policy (kill-all and hangUpClients); retryOn is fixed (not_sent, throttled) and cannot be widened here. */
  killAllRetry?: Partial<Omit<RetryPolicy, 'retryOn'>>;
  /** Clock, sleep and random source (tests inject them). */
  retryDeps?: Partial<RetryDeps>;
  /** Appended to sdk-core's UA prefix; giving one also keeps core from writing ~/.huaweicloud/application_id. */
  userAgent?: string;
  /** Called before each retry (e.g. to log it). Gets the error's safe view only. */
  onRetry?: (info: { operation: string; attempt: number; delayMs: number; error: DcsError }) => void;
}

export interface CallOptions {
  /**
   * Epoch ms. No attempt starts after it, retries stop before it, and each
   * attempt's HTTP timeout is capped to the time left. Typically the
   * function's remaining time.
   */
  deadlineEpochMs?: number;
}

type Method = 'GET' | 'POST';

/** One API call, described before anything is sent. */
interface Call<T> {
  operation: string;
  method: Method;
  url: string;
  pathParams: Record<string, string>;
  queryParams?: Record<string, string | number>;
  body?: Record<string, unknown>;
  /** Decides the retry policy and whether a pooled connection may be used (retry.ts, sdk-core.ts). */
  idempotent: boolean;
  parse: (raw: unknown) => T;
}

const URLS = {
  killAll: '/v2/{project_id}/instances/{instance_id}/clients/kill-all',
  job: '/v2/{project_id}/jobs/{job_id}',
  instance: '/v2/{project_id}/instances/{instance_id}',
  nodes: '/v2/{project_id}/instances/{instance_id}/logical-nodes',
  clients: '/v2/{project_id}/instances/{instance_id}/clients',
  kill: '/v2/{project_id}/instances/{instance_id}/clients/kill',
} as const;

/** Addresses per hangUpClients request at most: callers send bigger sets in batches (lib/sessions/kill.ts). */
export const MAX_ADDRS_PER_KILL = 1000;

export class DcsClient {
  readonly #config: DcsClientConfig;
  readonly #readPolicy: RetryPolicy;
  readonly #killAllPolicy: RetryPolicy;
  readonly #deps: RetryDeps;
  readonly #userAgent: string;
  readonly #onRetry: DcsClientOptions['onRetry'];
  /** Built on the first call and reused while the function instance stays warm. */
  #transport: CoreTransport | null = null;

  constructor(config: DcsClientConfig, options: DcsClientOptions = {}) {
    assertUsableConfig(config);
    this.#config = config;
    this.#readPolicy = { ...READ_RETRY_POLICY, ...options.readRetry };
    this.#killAllPolicy = { ...NON_IDEMPOTENT_RETRY_POLICY, ...options.killAllRetry, retryOn: NON_IDEMPOTENT_RETRY_POLICY.retryOn };
    this.#deps = { ...realRetryDeps, ...options.retryDeps };
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    this.#onRetry = options.onRetry;
  }

  get projectId(): string {
    return this.#config.projectId;
  }

  get endpoint(): string {
    return this.#config.endpoint;
  }

  /** POST .../clients/kill-all. NOT idempotent: retried only when DCS certainly did not act. */
  async hangUpKillAllClients(request: HangUpKillAllClientsRequest, options?: CallOptions): Promise<HangUpKillAllClientsResponse> {
    const operation = 'hangUpKillAllClients';
    return this.#send(
      {
        operation,
        method: 'POST',
        url: URLS.killAll,
        pathParams: { instance_id: assertInstanceId(request?.instanceId) },
        body: killAllBody(request?.body),
        idempotent: false,
        parse: (raw) => parseJobCreated(operation, raw),
      },
      options,
    );
  }

  /** GET /v2/{project_id}/jobs/{job_id} */
  async showJobInfo(request: ShowJobInfoRequest, options?: CallOptions): Promise<ShowJobInfoResponse> {
    return this.#send(
      { operation: 'showJobInfo', method: 'GET', url: URLS.job, pathParams: { job_id: assertJobId(request?.jobId) }, idempotent: true, parse: parseShowJobInfo },
      options,
    );
  }

  /** GET /v2/{project_id}/instances/{instance_id} */
  async showInstance(request: ShowInstanceRequest, options?: CallOptions): Promise<ShowInstanceResponse> {
    return this.#send(
      { operation: 'showInstance', method: 'GET', url: URLS.instance, pathParams: { instance_id: assertInstanceId(request?.instanceId) }, idempotent: true, parse: parseShowInstance },
      options,
    );
  }

  /** GET /v2/{project_id}/instances/{instance_id}/logical-nodes */
  async showNodesInformation(request: ShowNodesInformationRequest, options?: CallOptions): Promise<ShowNodesInformationResponse> {
    return this.#send(
      { operation: 'showNodesInformation', method: 'GET', url: URLS.nodes, pathParams: { instance_id: assertInstanceId(request?.instanceId) }, idempotent: true, parse: parseShowNodesInformation },
      options,
    );
  }

  /**
   * POST /v2/{project_id}/instances/{instance_id}/clients: starts a scan job.
   * A scan only refreshes DCS's session snapshot, so repeating it is harmless: idempotent.
   */
  async scanClients(request: ScanClientsRequest, options?: CallOptions): Promise<ScanClientsResponse> {
    const operation = 'scanClients';
    return this.#send(
      {
        operation,
        method: 'POST',
        url: URLS.clients,
        pathParams: { instance_id: assertInstanceId(request?.instanceId) },
        body: scanBody(request?.body),
        idempotent: true,
        parse: (raw) => parseJobCreated(operation, raw),
      },
      options,
    );
  }

  /** GET /v2/{project_id}/instances/{instance_id}/clients?node_id=&offset=&limit=&addr=&sort=&order= */
  async listClients(request: ListClientsRequest, options?: CallOptions): Promise<ListClientsResponse> {
    return this.#sendForInstance(request, { operation: 'listClients', method: 'GET', url: URLS.clients, queryParams: listQuery(request), idempotent: true, parse: parseListClients }, options);
  }

  /**
   * POST /v2/{project_id}/instances/{instance_id}/clients/kill: closes the given sessions, 204.
   * NOT idempotent: an address closed once may belong to a new connection by the time a
   * re-send arrives, so it is retried only when DCS certainly did not act (like kill-all).
   */
  async hangUpClients(request: HangUpClientsRequest, options?: CallOptions): Promise<HangUpClientsResponse> {
    return this.#sendForInstance(request, { operation: 'hangUpClients', method: 'POST', url: URLS.kill, body: hangUpBody(request?.body), idempotent: false, parse: parseHangUpClients }, options);
  }

  /** A call on one instance: its id is checked and becomes the {instance_id} path parameter. */
  #sendForInstance<T>(request: { instanceId: string } | undefined, call: Omit<Call<T>, 'pathParams'>, options: CallOptions | undefined): Promise<T> {
    return this.#send({ ...call, pathParams: { instance_id: assertInstanceId(request?.instanceId) } }, options);
  }

  /** Attempts the call under its retry policy; every failure leaves as a DcsError. */
  #send<T>(call: Call<T>, options: CallOptions = {}): Promise<T> {
    const deadline = options.deadlineEpochMs;
    const policy = call.idempotent ? this.#readPolicy : this.#killAllPolicy;
    // No async wrappers of our own around the attempt (withRetry awaits it and catches what it throws).
    return withRetry(
      () => this.#sendOnce(call, this.#attemptTimeout(call.operation, deadline)).then(call.parse),
      policy,
      this.#deps,
      {
        ...(deadline !== undefined ? { deadlineEpochMs: deadline } : {}),
        onRetry: (error, attempt, delayMs) => this.#onRetry?.({ operation: call.operation, attempt, delayMs, error }),
      },
    );
  }

  /** Every failure of the attempt leaves as a DcsError (a promise reaction: no async frame of ours resumes on success). */
  #sendOnce(call: Call<unknown>, timeoutMs: number): Promise<unknown> {
    const mapped = (error: unknown) => Promise.reject(mapSdkError(error, call.operation, this.#config.credentials.secretValues()));
    try {
      return this.#getTransport()
        .send({
          method: call.method,
          url: call.url,
          pathParams: call.pathParams,
          queryParams: call.queryParams ?? {},
          ...(call.body !== undefined ? { body: call.body } : {}),
          timeoutMs,
          freshConnection: !call.idempotent,
        })
        .then(undefined, mapped);
    } catch (error) {
      return mapped(error);
    }
  }

  #getTransport(): CoreTransport {
    this.#transport ??= buildCoreTransport(this.#config, this.#userAgent);
    return this.#transport;
  }

  #attemptTimeout(operation: string, deadline: number | undefined): number {
    if (deadline === undefined) return this.#config.timeoutMs;
    const left = deadline - this.#deps.now();
    if (left < MIN_ATTEMPT_MS) {
      throw new DcsError({ kind: 'not_sent', code: 'deadline_exceeded', message: `${operation} not sent: only ${Math.max(0, left)} ms left before the deadline` });
    }
    return Math.min(this.#config.timeoutMs, left);
  }

  /** Nothing of the config or transport (credentials included) in logs of the client object. */
  toJSON(): Record<string, string> {
    return { endpoint: this.endpoint, projectId: this.projectId };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `DcsClient(${this.endpoint}, project ${this.projectId})`;
  }
}

export function createDcsClient(config: DcsClientConfig, options?: DcsClientOptions): DcsClient {
  return new DcsClient(config, options);
}

// --- Input checks (before anything is built) ---

/** A hand-built config gets the same endpoint/project checks resolveDcsConfig applies. */
function assertUsableConfig(config: DcsClientConfig): void {
  const endpoint = validateEndpoint(config?.endpoint ?? '', 'endpoint');
  if (!endpoint.ok) throw configError('config_invalid', endpoint.error);
  if (!isValidId('project', config.projectId)) throw configError('config_invalid', 'projectId must be 32 hexadecimal characters');
  if (!Number.isInteger(config.timeoutMs) || config.timeoutMs < 1) throw configError('config_invalid', 'timeoutMs must be a positive integer');
}

/** Exactly one target: a node, or every node. An ambiguous kill-all is refused, never guessed. */
function killAllBody(body: HangUpKillAllClientsRequestBody | undefined): Record<string, unknown> {
  if (!isRecord(body)) throw invalidRequest('invalid_body', 'body must be an object with node_id or kill_all_nodes');
  const { node_id: nodeId, kill_all_nodes: allNodes } = body;
  if (allNodes !== undefined && typeof allNodes !== 'boolean') throw invalidRequest('invalid_body', 'body.kill_all_nodes must be a boolean');
  if (allNodes === true) {
    if (nodeId !== undefined) throw invalidRequest('invalid_body', 'body.node_id must not be set when kill_all_nodes is true');
    return { kill_all_nodes: true };
  }
  const node = assertNodeId(nodeId, 'body.node_id');
  return allNodes === false ? { node_id: node, kill_all_nodes: false } : { node_id: node };
}

function scanBody(body: ScanClientsRequestBody | undefined): Record<string, unknown> {
  if (!isRecord(body)) throw invalidRequest('invalid_body', 'body must be an object with node_id');
  const node = assertNodeId(body.node_id, 'body.node_id');
  if (body.clean_cache !== undefined && typeof body.clean_cache !== 'boolean') throw invalidRequest('invalid_body', 'body.clean_cache must be a boolean');
  return body.clean_cache === undefined ? { node_id: node } : { node_id: node, clean_cache: body.clean_cache };
}

/** One node, 1..MAX_ADDRS_PER_KILL distinct "ip:port" addresses; a bad one refuses the whole request. */
function hangUpBody(body: HangUpClientsRequestBody | undefined): Record<string, unknown> {
  if (!isRecord(body)) throw invalidRequest('invalid_body', 'body must be an object with node_id and client_addrs');
  const node = assertNodeId(body.node_id, 'body.node_id');
  const addrs: unknown = body.client_addrs;
  if (!Array.isArray(addrs) || addrs.length < 1 || addrs.length > MAX_ADDRS_PER_KILL) {
    throw invalidRequest('invalid_body', `body.client_addrs must be a list of 1 to ${MAX_ADDRS_PER_KILL} addresses`);
  }
  const bad = addrs.findIndex((a) => !isClientAddr(a));
  // The value is not echoed: it came from a listing, i.e. from outside.
  if (bad >= 0) throw invalidRequest('invalid_client_addr', `body.client_addrs[${bad}] is not an "ip:port" client address`);
  if (new Set(addrs).size !== addrs.length) throw invalidRequest('invalid_body', 'body.client_addrs lists an address twice');
  return { node_id: node, client_addrs: [...(addrs as string[])] };
}

const SORT_FIELDS: ReadonlySet<string> = new Set(['id', 'addr', 'age', 'idle', 'db']);

function listQuery(request: ListClientsRequest): Record<string, string | number> {
  const query: Record<string, string | number> = { node_id: assertNodeId(request?.nodeId) };
  const { offset, limit, addr, sort, order } = request;
  if (addr !== undefined) {
    if (!isClientAddr(addr)) throw invalidRequest('invalid_client_addr', 'addr must be an "ip:port" client address');
    query.addr = addr;
  }
  if (sort !== undefined) {
    if (!SORT_FIELDS.has(sort)) throw invalidRequest('invalid_sort', `sort must be one of ${[...SORT_FIELDS].join(', ')}`);
    query.sort = sort;
  }
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') throw invalidRequest('invalid_order', 'order must be asc or desc');
    query.order = order;
  }
  if (offset !== undefined) {
    if (!Number.isInteger(offset) || offset < 0) throw invalidRequest('invalid_offset', 'offset must be a non-negative integer');
    query.offset = offset;
  }
  if (limit !== undefined) {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw invalidRequest('invalid_limit', 'limit must be an integer from 1 to 1000');
    query.limit = limit;
  }
  return query;
}
