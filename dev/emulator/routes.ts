/**
 * The seven DCS calls the project uses, and the SMN / Cloud Eye calls of the decision sinks
 * (notify-routes.ts), as route patterns and handlers over EmulatorState.
 * Handlers get an authenticated, parsed request and return a status and a JSON body; they
 * never touch the socket (server.ts owns HTTP, auth and faults).
 */
import { err, ok, type Result } from '../../lib/domain/types';
import { isClientAddr } from '../../lib/dcs/client-addr';
import { DcsErrors, type ApiError } from './errors';
import { createMetricData, publishMessage } from './notify-routes';
import type { JobFault } from './faults';
import type { QueryParams } from './signature';
import { supportsSessionManagement, type EmulatorState, type Instance } from './state';

/** Official SDK method names, used in recorded requests and fault rules. */
export const OPERATIONS = [
  'hangUpKillAllClients', 'showJobInfo', 'showInstance', 'showNodesInformation', 'scanClients', 'listClients', 'hangUpClients',
  'publishMessage', 'createMetricData',
] as const;
export type Operation = (typeof OPERATIONS)[number];

interface Route {
  operation: Operation;
  method: 'GET' | 'POST';
  /** The API version segment before {project_id}: v2 (DCS, SMN) or V1.0 (Cloud Eye). */
  version?: 'v2' | 'V1.0';
  /** Path segments after /<version>/{project_id}/; ':name' captures one segment. */
  pattern: string[];
  /** Body size cap when larger than the server's default (SMN messages up to 256 KB, Cloud Eye requests up to 512 KB). */
  maxBodyBytes?: number;
  /** Whether a JSON body is read (GET bodies are ignored, as the gateway does). */
  hasBody: boolean;
  handle: (req: RouteRequest) => Promise<RouteResponse>;
}

export interface RouteRequest {
  state: EmulatorState;
  projectId: string;
  params: Record<string, string>;
  query: QueryParams;
  body: unknown;
  /** For calls that create a job: the jobFail / jobHang fault consumed by this request, if any. */
  takeJobFault: () => JobFault | null;
}

export interface RouteResponse {
  status: number;
  body: unknown;
}

export interface MatchedRoute {
  route: Route;
  projectId: string;
  params: Record<string, string>;
}

const MAX_LIST_LIMIT = 1000;
const DEFAULT_LIST_LIMIT = 10;
/** Addresses one hangUpClients request may carry (the emulator's bound; DCS documents none). */
const MAX_KILL_ADDRS = 1000;

const ROUTES: Route[] = [
  { operation: 'hangUpKillAllClients', method: 'POST', pattern: ['instances', ':instance_id', 'clients', 'kill-all'], hasBody: true, handle: killAll },
  { operation: 'showJobInfo', method: 'GET', pattern: ['jobs', ':job_id'], hasBody: false, handle: showJob },
  { operation: 'showInstance', method: 'GET', pattern: ['instances', ':instance_id'], hasBody: false, handle: showInstance },
  { operation: 'showNodesInformation', method: 'GET', pattern: ['instances', ':instance_id', 'logical-nodes'], hasBody: false, handle: showNodes },
  { operation: 'scanClients', method: 'POST', pattern: ['instances', ':instance_id', 'clients'], hasBody: true, handle: scanClients },
  { operation: 'listClients', method: 'GET', pattern: ['instances', ':instance_id', 'clients'], hasBody: false, handle: listClients },
  { operation: 'publishMessage', method: 'POST', pattern: ['notifications', 'topics', ':topic_urn', 'publish'], hasBody: true, maxBodyBytes: 300 * 1024, handle: publishMessage },
  { operation: 'createMetricData', method: 'POST', version: 'V1.0', pattern: ['metric-data'], hasBody: true, maxBodyBytes: 520 * 1024, handle: createMetricData },
  { operation: 'hangUpClients', method: 'POST', pattern: ['instances', ':instance_id', 'clients', 'kill'], hasBody: true, handle: hangUpClients },
];

const VERSIONS: ReadonlySet<string> = new Set(['v2', 'V1.0']);

/** Finds the route of a raw path; path segments are compared undecoded, as ids never need escaping. */
export function matchRoute(method: string, rawPath: string): MatchedRoute | null {
  const segments = rawPath.split('/');
  if (segments[0] !== '' || !VERSIONS.has(segments[1] ?? '') || segments[2] === undefined || segments[2] === '') return null;
  const projectId = segments[2];
  const rest = segments.slice(3);
  for (const route of ROUTES) {
    if (route.method !== method.toUpperCase() || (route.version ?? 'v2') !== segments[1] || route.pattern.length !== rest.length) continue;
    const params: Record<string, string> = {};
    const ok = route.pattern.every((p, i) => {
      const seg = rest[i] ?? '';
      if (p.startsWith(':')) {
        params[p.slice(1)] = seg;
        return seg !== '';
      }
      return p === seg;
    });
    if (ok) return { route, projectId, params };
  }
  return null;
}

/** The {project_id} segment of a /v2 (or /V1.0) path, for the project-scope check of unmatched paths too. */
export function projectIdOfPath(rawPath: string): string | undefined {
  const segments = rawPath.split('/');
  return VERSIONS.has(segments[1] ?? '') && segments[2] ? segments[2] : undefined;
}

const fail = (e: ApiError): RouteResponse => ({ status: e.status, body: { error_code: e.error_code, error_msg: e.error_msg } });
const okJson = (body: unknown): RouteResponse => ({ status: 200, body });

/** A value a handler needs, or the error answer to send instead. */
type Check<T> = Result<T, RouteResponse>;

function findInstance(req: RouteRequest): Check<Instance> {
  const instance = req.state.instance(req.projectId, req.params['instance_id'] ?? '');
  return instance ? ok(instance) : err(fail(DcsErrors.instanceNotFound()));
}

/** An instance on which session operations may run now. */
function sessionCapableInstance(req: RouteRequest): Check<Instance> {
  const found = findInstance(req);
  if (!found.ok) return found;
  if (!supportsSessionManagement(found.value)) return err(fail(DcsErrors.engineNotSupported()));
  if (found.value.status !== 'RUNNING') return err(fail(DcsErrors.notRunning()));
  return found;
}

function bodyObject(body: unknown): Check<Record<string, unknown>> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return err(fail(DcsErrors.invalidParameter('the body must be a JSON object')));
  return ok(body as Record<string, unknown>);
}

function existingNode(req: RouteRequest, instanceId: string, nodeId: unknown): Check<string> {
  if (nodeId === undefined || nodeId === '') return err(fail(DcsErrors.invalidParameter('node_id is mandatory')));
  if (typeof nodeId !== 'string') return err(fail(DcsErrors.invalidParameter('node_id must be a string')));
  return req.state.node(req.projectId, instanceId, nodeId) ? ok(nodeId) : err(fail(DcsErrors.nodeNotFound()));
}

/** Which nodes a kill-all body names: all of them, or the one node_id (mandatory then). */
function killTargets(req: RouteRequest, instanceId: string, body: Record<string, unknown>): Check<string[]> {
  const { node_id: nodeId, kill_all_nodes: killAllNodes } = body;
  if (killAllNodes !== undefined && typeof killAllNodes !== 'boolean') return err(fail(DcsErrors.invalidParameter('kill_all_nodes must be a boolean')));
  if (killAllNodes === true) return ok(req.state.nodes(req.projectId, instanceId).map((n) => n.node_id));
  if (nodeId === undefined || nodeId === '') return err(fail(DcsErrors.invalidParameter('node_id is mandatory when kill_all_nodes is false')));
  const node = existingNode(req, instanceId, nodeId);
  return node.ok ? ok([node.value]) : node;
}

async function killAll(req: RouteRequest): Promise<RouteResponse> {
  const instance = sessionCapableInstance(req);
  if (!instance.ok) return instance.error;
  const body = bodyObject(req.body);
  if (!body.ok) return body.error;
  const targets = killTargets(req, instance.value.instance_id, body.value);
  if (!targets.ok) return targets.error;
  const job = req.state.createJob({
    jobType: 'killAllClients',
    projectId: req.projectId,
    instanceId: instance.value.instance_id,
    nodeIds: targets.value,
    plannedFault: req.takeJobFault(),
  });
  return okJson({ job_id: job.jobId });
}

async function showJob(req: RouteRequest): Promise<RouteResponse> {
  const job = req.state.job(req.projectId, req.params['job_id'] ?? '');
  return job ? okJson(req.state.jobView(job)) : fail(DcsErrors.jobNotFound());
}

async function showInstance(req: RouteRequest): Promise<RouteResponse> {
  const instance = findInstance(req);
  return instance.ok ? okJson({ ...instance.value }) : instance.error;
}

async function showNodes(req: RouteRequest): Promise<RouteResponse> {
  const instance = findInstance(req);
  if (!instance.ok) return instance.error;
  const nodes = req.state.nodes(req.projectId, instance.value.instance_id);
  return okJson({ instance_id: instance.value.instance_id, total: nodes.length, nodes });
}

/** A session call whose body names one node: the instance, the body and the node, checked. */
function sessionNodeCall(req: RouteRequest): Check<{ instanceId: string; body: Record<string, unknown>; nodeId: string }> {
  const instance = sessionCapableInstance(req);
  if (!instance.ok) return instance;
  const body = bodyObject(req.body);
  if (!body.ok) return body;
  const node = existingNode(req, instance.value.instance_id, body.value['node_id']);
  if (!node.ok) return node;
  return ok({ instanceId: instance.value.instance_id, body: body.value, nodeId: node.value });
}

async function scanClients(req: RouteRequest): Promise<RouteResponse> {
  const call = sessionNodeCall(req);
  if (!call.ok) return call.error;
  const { instanceId, nodeId } = call.value;
  const job = req.state.createJob({ jobType: 'scanClients', projectId: req.projectId, instanceId, nodeIds: [nodeId], plannedFault: req.takeJobFault() });
  return okJson({ job_id: job.jobId });
}

async function listClients(req: RouteRequest): Promise<RouteResponse> {
  const instance = sessionCapableInstance(req);
  if (!instance.ok) return instance.error;
  const node = existingNode(req, instance.value.instance_id, single(req.query['node_id']));
  if (!node.ok) return node.error;
  const offset = intParam(req.query['offset'], 0);
  const limit = intParam(req.query['limit'], DEFAULT_LIST_LIMIT);
  if (offset === null) return fail(DcsErrors.invalidParameter('offset must be an integer >= 0'));
  if (limit === null || limit < 1 || limit > MAX_LIST_LIMIT) return fail(DcsErrors.invalidParameter(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`));
  // As documented: the list answers from the node's last scan, and fails without one.
  const scan = req.state.scan(node.value);
  if (!scan) return fail(DcsErrors.scanFirst());
  // A small listPageSize (emulator option) answers fewer than asked, as a server with its own page bound would.
  const page = scan.sessions.slice(offset, offset + Math.min(limit, req.state.listPageSize));
  return okJson({ time: new Date(scan.scannedAt).toISOString(), count: scan.sessions.length, clients: page });
}

/** Closes the listed addresses on the node, synchronously; addresses already gone are fine (204 all the same). */
async function hangUpClients(req: RouteRequest): Promise<RouteResponse> {
  const call = sessionNodeCall(req);
  if (!call.ok) return call.error;
  const { instanceId, body, nodeId } = call.value;
  const addrs = body['client_addrs'];
  if (!Array.isArray(addrs) || addrs.length === 0 || addrs.length > MAX_KILL_ADDRS) {
    return fail(DcsErrors.invalidParameter(`client_addrs must be a list of 1 to ${MAX_KILL_ADDRS} addresses`));
  }
  if (!addrs.every(isClientAddr)) return fail(DcsErrors.invalidParameter('every client_addrs entry must be "ip:port"'));
  const record = req.state.node(req.projectId, instanceId, nodeId)!;
  if (record.status !== 'Active') return fail(DcsErrors.notRunning());
  await req.state.sessions.killSessionsByAddr(req.state.address(instanceId, record), addrs);
  return { status: 204, body: null };
}

function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : value?.[0];
}

/** A non-negative decimal integer parameter; its default when absent; null when malformed. */
function intParam(value: string | readonly string[] | undefined, fallback: number): number | null {
  const v = single(value);
  if (v === undefined) return fallback;
  return /^\d{1,9}$/.test(v) ? Number(v) : null;
}
