/**
 * Request and response models of the seven DCS v2 calls we use, with the
 * official SDK names. Requests are camelCase like the generated SDK's;
 * responses are wire-true: sdk-core returns the parsed JSON as is (snake_case)
 * plus `httpStatusCode`.
 *
 * Each response is checked at the boundary (`parse*`): a malformed answer
 * becomes a typed DcsError right here, not a crash three modules later.
 */
import { isRecord } from '../domain/json';
import { DcsError } from './errors';
import { isValidId } from './ids';

/** Added by sdk-core to every parsed response. */
export interface SdkResponseMeta {
  httpStatusCode?: number;
}

// --- kill-all ---

export interface HangUpKillAllClientsRequestBody {
  /** Node whose sessions are killed; mandatory unless kill_all_nodes is true. */
  node_id?: string;
  /** true: kill the sessions of every node of the instance. */
  kill_all_nodes?: boolean;
}

export interface HangUpKillAllClientsRequest {
  instanceId: string;
  body: HangUpKillAllClientsRequestBody;
}

export interface HangUpKillAllClientsResponse extends SdkResponseMeta {
  job_id: string;
}

// --- jobs ---

export type DcsJobStatus = 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL';
export const DCS_JOB_STATUSES: readonly DcsJobStatus[] = ['INIT', 'RUNNING', 'SUCCESS', 'FAIL'];

export interface ShowJobInfoRequest {
  jobId: string;
}

export interface ShowJobInfoResponse extends SdkResponseMeta {
  job_id: string;
  job_type?: string;
  status: DcsJobStatus;
  /** Epoch milliseconds, as a string. */
  begin_time?: string;
  end_time?: string;
  fail_reason?: string | null;
}

// --- instance ---

export interface ShowInstanceRequest {
  instanceId: string;
}

export interface ShowInstanceResponse extends SdkResponseMeta {
  instance_id: string;
  name: string;
  /** "Redis" or "Memcached". */
  engine: string;
  engine_version: string;
  /** CREATING, CREATEFAILED, RUNNING, ERROR, RESTARTING, FROZEN, EXTENDING, RESTORING, FLUSHING. */
  status: string;
  /** single, ha, ha_rw_split, proxy, cluster. */
  cache_mode: string;
  [field: string]: unknown;
}

// --- logical nodes ---

export interface ShowNodesInformationRequest {
  instanceId: string;
}

export interface NodeDimension {
  name: string;
  value: string;
}

export interface NodeInfo {
  node_id: string;
  logical_node_id: string;
  name: string;
  /** Creating, Active, Inactive, Deleting, AddSharding. */
  status: string;
  /** redis-server or redis-proxy. */
  node_role: string;
  /** master, slave or proxy. */
  node_type: string;
  node_ip: string;
  node_port: string | number;
  group_id: string;
  group_name: string;
  dimensions: NodeDimension[];
  [field: string]: unknown;
}

export interface ShowNodesInformationResponse extends SdkResponseMeta {
  instance_id: string;
  total: number;
  nodes: NodeInfo[];
}

// --- sessions ---

export interface ScanClientsRequestBody {
  node_id: string;
  clean_cache?: boolean;
}

export interface ScanClientsRequest {
  instanceId: string;
  body: ScanClientsRequestBody;
}

export interface ScanClientsResponse extends SdkResponseMeta {
  job_id: string;
}

/** Fields listClients may sort by (ClientInfo numeric fields DCS documents as sortable, and addr). */
export type ListClientsSortField = 'id' | 'addr' | 'age' | 'idle' | 'db';

export interface ListClientsRequest {
  instanceId: string;
  nodeId: string;
  offset?: number;
  /** 1..1000, DCS default 10. */
  limit?: number;
  /** Only the session with this "ip:port". */
  addr?: string;
  sort?: ListClientsSortField;
  order?: 'asc' | 'desc';
}

/**
 * One session as DCS lists it (CLIENT LIST fields). Only `addr` is relied on;
 * the rest may be missing or typed loosely (numbers arrive as numbers or numeric strings).
 * Every string here except the ids was chosen by the client (name) or describes it (cmd, user):
 * treat them as untrusted text.
 */
export interface ClientInfo {
  id?: string | number;
  /** "ip:port" of the client ("[ipv6]:port" for IPv6). */
  addr: string;
  fd?: string | number;
  /** Set by the client (CLIENT SETNAME); may be empty. */
  name?: string;
  /** Last command run, lower case. */
  cmd?: string;
  /** Seconds since the connection was opened. */
  age?: number | string;
  /** Seconds since the last command. */
  idle?: number | string;
  db?: number | string;
  /** CLIENT LIST flags: N normal, S replica, M master, P pub/sub, x MULTI, ... */
  flags?: string;
  sub?: number | string;
  psub?: number | string;
  multi?: number | string;
  qbuf?: number | string;
  qbuf_free?: number | string;
  obl?: number | string;
  oll?: number | string;
  omem?: number | string;
  events?: string;
  network?: string;
  peer?: string;
  user?: string;
  [field: string]: unknown;
}

export interface ListClientsResponse extends SdkResponseMeta {
  /** When the scan this list comes from was taken (as DCS sends it). */
  time?: string | number;
  /** Sessions in the scan, all pages together. */
  count: number;
  clients: ClientInfo[];
}

export interface HangUpClientsRequestBody {
  node_id: string;
  /** "ip:port" of each session to close, as listClients shows them. */
  client_addrs: string[];
}

export interface HangUpClientsRequest {
  instanceId: string;
  body: HangUpClientsRequestBody;
}

/** 204, no body: DCS does not say which of the addresses were still connected. */
export type HangUpClientsResponse = SdkResponseMeta;

// --- Boundary checks ---

type Json = Record<string, unknown>;

/** A 2xx whose body we cannot use: for kill-all it may well have been applied, hence outcome_unknown. */
function malformed(operation: string, problem: string): DcsError {
  return new DcsError({
    kind: 'outcome_unknown',
    code: 'malformed_response',
    message: `${operation} answered with an unusable body: ${problem}`,
  });
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

type FieldChecks = Readonly<Record<string, (v: unknown) => boolean>>;

/** Each response shape's checks are built once, at load (a parse runs on every call). */
function requireFields(operation: string, body: unknown, checks: FieldChecks): Json {
  if (!isRecord(body)) throw malformed(operation, 'not a JSON object');
  for (const field in checks) {
    if (!checks[field]!(body[field])) throw malformed(operation, `field "${field}" missing or of the wrong type`);
  }
  return body;
}

/** job_id goes into a URL later (showJobInfo): it must pass the id check too. */
const isJobId = (v: unknown): boolean => isValidId('job', v);

export function parseJobCreated(operation: string, body: unknown): { job_id: string } & SdkResponseMeta {
  return requireFields(operation, body, JOB_CREATED) as { job_id: string };
}

const JOB_CREATED: FieldChecks = { job_id: isJobId };

export function parseShowJobInfo(body: unknown): ShowJobInfoResponse {
  return requireFields('showJobInfo', body, JOB_INFO) as unknown as ShowJobInfoResponse;
}

const JOB_INFO: FieldChecks = { job_id: isString, status: (v) => DCS_JOB_STATUSES.includes(v as DcsJobStatus) };

export function parseShowInstance(body: unknown): ShowInstanceResponse {
  return requireFields('showInstance', body, INSTANCE) as ShowInstanceResponse;
}

const INSTANCE: FieldChecks = { instance_id: isString, name: isString, engine: isString, engine_version: isString, status: isString, cache_mode: isString };

const isNode = (v: unknown): boolean =>
  isRecord(v) &&
  isString(v.node_id) &&
  (v.dimensions === undefined ||
    (Array.isArray(v.dimensions) && v.dimensions.every((d) => isRecord(d) && isString(d.name) && isString(d.value))));

export function parseShowNodesInformation(body: unknown): ShowNodesInformationResponse {
  const checked = requireFields('showNodesInformation', body, {
    instance_id: isString,
    total: isCount,
    nodes: (v) => Array.isArray(v) && v.every(isNode),
  }) as unknown as ShowNodesInformationResponse;
  // Callers match alarms against dimensions[]: give them an empty list rather than undefined.
  for (const node of checked.nodes) node.dimensions ??= [];
  return checked;
}

/** Each entry must carry an addr: a session without one could neither be chosen nor killed. */
export function parseListClients(body: unknown): ListClientsResponse {
  return requireFields('listClients', body, {
    count: isCount,
    clients: (v) => Array.isArray(v) && v.every((c) => isRecord(c) && isString(c.addr)),
  }) as unknown as ListClientsResponse;
}

/**
 * hangUpClients answers 204 with no body; sdk-core then returns an empty string or an object
 * holding only httpStatusCode. Anything else is still a success (the kill was accepted).
 */
export function parseHangUpClients(body: unknown): HangUpClientsResponse {
  return isRecord(body) && typeof body.httpStatusCode === 'number' ? { httpStatusCode: body.httpStatusCode } : {};
}
