/**
 * The FunctionGraph API emulator: a real HTTP server on loopback, beside the
 * DCS emulator, for the `deploy`/`undeploy` commands and their tests.
 *
 * One request goes through, in order:
 *   read body (size cap) -> match route -> verify signature and project
 *   (the same SDK-HMAC-SHA256 rules as the DCS emulator: dev/emulator/signature.ts;
 *   a URN's colons are escaped as %3A in the canonical URI) -> RECORD
 *   -> faults -> unknown route 404 -> auth 401/403 -> bad JSON 400 -> handler.
 * Handlers enforce the documented field rules and limits (bodies.ts) and answer
 * the documented error shapes: `{error_code: "FSS.xxxx", error_msg}` with an
 * X-Request-Id header.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { MAX_ZIP_BYTES, parseFunctionUrn, TRIGGER_ID, type TriggerStatus } from '../../lib/deploy/fg-rules';
import { closeServer, listen, readBody } from '../http';
import { applyFaultPlan, FaultController } from '../emulator/faults';
import { isLoopback, newRequestId, parseJson, sendJson } from '../emulator/http';
import { checkProjectScope, DEFAULT_MAX_SKEW_MS, parseQuery, verify, type AuthFailure, type Credential, type QueryParams } from '../emulator/signature';
import { CreateFunctionBody, CreateTriggerBody, describeIssue, EVENT_DATA, UpdateCodeBody, UpdateConfigBody } from './bodies';
import { FgState, type FunctionRecord } from './state';

/** A 50 MB zip is ~67 MB of base64. */
export const DEFAULT_MAX_BODY_BYTES = 70 * 1024 * 1024;
export const CONTROL_PREFIX = '/__fg/';

export interface FgEmulatorOptions {
  /** The credentials the emulator accepts (each scoped to its project). */
  credentials: Credential[];
  region?: string;
  port?: number;
  now?: () => number;
  maxBodyBytes?: number;
  /** The largest zip accepted (default: the documented 50 MB). */
  maxZipBytes?: number;
}

export interface FgRecordedRequest {
  method: string;
  path: string;
  query: QueryParams;
  operation: string;
  /** Parsed JSON; a code upload's base64 is replaced by its length. */
  body: unknown;
  status: number | null;
  authOk: boolean;
  requestId: string;
}

export interface FgEmulator {
  url: string;
  region: string;
  state: FgState;
  requests: FgRecordedRequest[];
  faults: FaultController;
  reset(): void;
  close(): Promise<void>;
}

interface FgError {
  status: number;
  code: string;
  message: string;
}

const E = (status: number, code: string, message: string): FgError => ({ status, code, message });
export const FgErrors = {
  routeNotFound: () => E(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment.'),
  bodyTooLarge: () => E(413, 'FSS.0413', 'Request entity too large.'),
  invalidJson: () => E(400, 'FSS.0400', 'The request body is not valid JSON.'),
  invalid: (detail: string) => E(400, 'FSS.0400', `Invalid parameter: ${detail}`),
  zipTooLarge: (detail: string) => E(413, 'FSS.0413', detail),
  functionNotFound: () => E(404, 'FSS.1051', 'Not found the function.'),
  conflict: (detail: string) => E(409, 'FSS.0409', detail),
  /** What the service has been seen to answer for a trigger that does not exist. */
  triggerNotFound: () => E(500, 'FSS.0500', 'Internal server error: trigger not found.'),
};

type Answer = { status: number; body: unknown };
interface Route {
  operation: string;
  method: string;
  pattern: RegExp;
  hasBody: boolean;
  handle(ctx: RouteContext): Answer | FgError;
}
interface RouteContext {
  state: FgState;
  projectId: string;
  params: string[];
  body: unknown;
  maxZipBytes: number;
}

const BASE = '^/v2/([^/]+)/fgs';
const SEG = '([^/]+)';

const ROUTES: Route[] = [
  { operation: 'createFunction', method: 'POST', pattern: new RegExp(`${BASE}/functions$`), hasBody: true, handle: createFunction },
  { operation: 'listFunctions', method: 'GET', pattern: new RegExp(`${BASE}/functions$`), hasBody: false, handle: ({ state, projectId }) => ({ status: 200, body: { functions: state.list(projectId).map(view), next_marker: 0, count: state.list(projectId).length } }) },
  { operation: 'showFunctionConfig', method: 'GET', pattern: new RegExp(`${BASE}/functions/${SEG}/config$`), hasBody: false, handle: (c) => withFunction(c, (f) => ({ status: 200, body: view(f) })) },
  { operation: 'updateFunctionConfig', method: 'PUT', pattern: new RegExp(`${BASE}/functions/${SEG}/config$`), hasBody: true, handle: updateConfig },
  { operation: 'updateFunctionCode', method: 'PUT', pattern: new RegExp(`${BASE}/functions/${SEG}/code$`), hasBody: true, handle: updateCode },
  { operation: 'deleteFunction', method: 'DELETE', pattern: new RegExp(`${BASE}/functions/${SEG}$`), hasBody: false, handle: (c) => withFunction(c, (f) => (c.state.delete(f), { status: 204, body: null })) },
  { operation: 'createFunctionTrigger', method: 'POST', pattern: new RegExp(`${BASE}/triggers/${SEG}$`), hasBody: true, handle: createTrigger },
  { operation: 'listFunctionTriggers', method: 'GET', pattern: new RegExp(`${BASE}/triggers/${SEG}$`), hasBody: false, handle: (c) => withFunction(c, (f) => ({ status: 200, body: c.state.triggers(f) })) },
  { operation: 'deleteFunctionTrigger', method: 'DELETE', pattern: new RegExp(`${BASE}/triggers/${SEG}/${SEG}/${SEG}$`), hasBody: false, handle: deleteTrigger },
];

export async function startFgEmulator(options: FgEmulatorOptions): Promise<FgEmulator> {
  const region = options.region ?? 'cn-north-4';
  const now = options.now ?? Date.now;
  const state = new FgState(region, now);
  const faults = new FaultController((status) => (status === 429 ? 'FSS.0429' : `FSS.0${status}`));
  const requests: FgRecordedRequest[] = [];
  const credentials = new Map(options.credentials.map((c) => [c.ak, c]));
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const reset = (): void => {
    state.reset();
    faults.clear();
    requests.length = 0;
  };

  const server = createServer((req, res) => {
    const requestId = newRequestId();
    res.setHeader('X-Request-Id', requestId);
    const url = req.url ?? '/';
    const work = url.startsWith(CONTROL_PREFIX) ? control(req, res, { state, faults, requests, reset }) : handle(req, res, requestId);
    work.catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error_code: 'FSS.0500', error_msg: 'Emulator internal error.' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const [path = '/', rawQuery = ''] = url.split('?', 2);
    const route = ROUTES.find((r) => r.method === method && r.pattern.test(path));
    const read = await readBody(req, maxBody);
    const raw = read.ok ? read.raw : Buffer.alloc(0);
    const auth = authenticate(method, url, req.headers, raw, path);
    const json = parseJson(raw);
    const record: FgRecordedRequest = { method, path, query: parseQuery(rawQuery), operation: route?.operation ?? 'unknown', body: json.ok ? summarise(json.value) : null, status: null, authOk: auth === null, requestId };
    requests.push(record);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      sendJson(res, status, body, headers);
    };
    const fail = (e: FgError): void => answer(e.status, { error_code: e.code, error_msg: e.message });

    if (!read.ok) return fail(FgErrors.bodyTooLarge());
    if (await applyFaultPlan(faults.planFor({ operation: record.operation, method, path }), req.socket, answer, (ms) => new Promise((r) => setTimeout(r, ms)))) return;
    if (!route) return fail(FgErrors.routeNotFound());
    if (auth) return answer(auth.status, { error_code: auth.errorCode, error_msg: auth.errorMsg });
    if (route.hasBody && (!json.ok || json.value === null)) return fail(FgErrors.invalidJson());
    const m = route.pattern.exec(path)!;
    const params = m.slice(2).map((p) => safeDecode(p));
    const result = route.handle({ state, projectId: m[1]!, params, body: json.ok ? json.value : null, maxZipBytes: options.maxZipBytes ?? MAX_ZIP_BYTES });
    if ('code' in result) return fail(result);
    answer(result.status, result.body);
  }

  function authenticate(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer, path: string): AuthFailure | null {
    const verified = verify({ method, url, headers, body }, { lookup: (ak) => credentials.get(ak), now, maxSkewMs: DEFAULT_MAX_SKEW_MS });
    if (!verified.ok) return verified.error;
    const headerProject = headers['x-project-id'];
    return checkProjectScope(verified.value, typeof headerProject === 'string' ? headerProject : undefined, /^\/v2\/([^/]+)\//.exec(path)?.[1]);
  }

  const port = await listen(server, options.port ?? 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, region, state, requests, faults, reset, close: () => closeServer(server) };
}

// --- Handlers ---

/** The function a URN in the path names, in the caller's project; versionless or :latest only. */
function functionOf(ctx: RouteContext): FunctionRecord | FgError {
  const urn = parseFunctionUrn(ctx.params[0] ?? '');
  if (!urn || (urn.qualifier !== null && urn.qualifier !== 'latest')) return FgErrors.invalid('function_urn is malformed or names a version this emulator does not keep');
  if (urn.projectId !== ctx.projectId) return FgErrors.functionNotFound();
  return ctx.state.find(ctx.projectId, urn.package, urn.name) ?? FgErrors.functionNotFound();
}

function withFunction(ctx: RouteContext, then: (f: FunctionRecord) => Answer | FgError): Answer | FgError {
  const found = functionOf(ctx);
  return 'code' in found ? found : then(found);
}

function createFunction(ctx: RouteContext): Answer | FgError {
  const parsed = CreateFunctionBody.safeParse(ctx.body);
  if (!parsed.success) return invalid(parsed.error);
  const body = parsed.data as Record<string, unknown>;
  const code = codeOf(body);
  if (code.length > ctx.maxZipBytes) return zipTooLarge(ctx);
  const created = ctx.state.create(ctx.projectId, body, code);
  return 'conflict' in created ? FgErrors.conflict(created.conflict) : { status: 200, body: view(created) };
}

function updateConfig(ctx: RouteContext): Answer | FgError {
  return withFunction(ctx, (f) => {
    const parsed = UpdateConfigBody.safeParse(ctx.body);
    return parsed.success ? { status: 200, body: view(ctx.state.updateConfig(f, parsed.data as Record<string, unknown>)) } : invalid(parsed.error);
  });
}

function updateCode(ctx: RouteContext): Answer | FgError {
  return withFunction(ctx, (f) => {
    const parsed = UpdateCodeBody.safeParse(ctx.body);
    if (!parsed.success) return invalid(parsed.error);
    const code = codeOf(parsed.data as Record<string, unknown>);
    if (code.length > ctx.maxZipBytes) return zipTooLarge(ctx);
    const updated = ctx.state.updateCode(f, parsed.data as Record<string, unknown>, code);
    return { status: 200, body: { func_urn: updated.func_urn, func_name: updated.func_name, code_size: updated.code_size, digest: updated.digest, last_modified: updated.last_modified } };
  });
}

function createTrigger(ctx: RouteContext): Answer | FgError {
  return withFunction(ctx, (f) => {
    const parsed = CreateTriggerBody.safeParse(ctx.body);
    if (!parsed.success) return invalid(parsed.error);
    const { trigger_type_code: type, trigger_status: status, event_type_code: eventType, event_data: eventData } = parsed.data;
    const event = EVENT_DATA[type].safeParse(eventData);
    if (!event.success) return FgErrors.invalid(`event_data.${describeIssue(event.error)}`);
    const added = ctx.state.addTrigger(f, type, (status ?? 'ACTIVE') as TriggerStatus, eventType ?? 'MessageCreated', event.data as Record<string, unknown>);
    return 'conflict' in added ? FgErrors.conflict(added.conflict) : { status: 201, body: added };
  });
}

function deleteTrigger(ctx: RouteContext): Answer | FgError {
  return withFunction(ctx, (f) => {
    const [, type = '', id = ''] = ctx.params;
    if (!TRIGGER_ID.test(id)) return FgErrors.invalid('trigger_id is malformed');
    return ctx.state.deleteTrigger(f, type, id) ? { status: 204, body: null } : FgErrors.triggerNotFound();
  });
}

const invalid = (error: import('zod').ZodError): FgError => FgErrors.invalid(describeIssue(error));
const zipTooLarge = (ctx: RouteContext): FgError => FgErrors.zipTooLarge(`The code package exceeds ${ctx.maxZipBytes} bytes.`);

const codeOf = (body: Record<string, unknown>): Buffer => Buffer.from(((body.func_code as { file?: string } | undefined)?.file ?? ''), 'base64');

/** A function as ShowFunctionConfig answers it (project_id is ours, not the API's). */
function view(f: FunctionRecord): Record<string, unknown> {
  const { project_id: _project, ...rest } = f;
  return rest;
}

/** Recorded bodies stay small: a code upload's base64 is replaced by its length. */
function summarise(body: unknown): unknown {
  const file = (body as { func_code?: { file?: unknown } } | null)?.func_code?.file;
  if (typeof file !== 'string') return body;
  return { ...(body as object), func_code: { file: `<${file.length} base64 characters>` } };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// --- Control API (loopback only, never recorded, faulted or signature-checked) ---

interface ControlContext {
  state: FgState;
  faults: FaultController;
  requests: FgRecordedRequest[];
  reset: () => void;
}

async function control(req: IncomingMessage, res: ServerResponse, ctx: ControlContext): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) return sendJson(res, 403, { error: 'the control API answers loopback clients only' });
  const read = await readBody(req, 64 * 1024);
  const body = read.ok ? parseJson(read.raw) : { ok: false as const };
  const what = `${req.method} ${(req.url ?? '').slice(CONTROL_PREFIX.length).split('?')[0]}`;
  switch (what) {
    case 'GET state':
      return sendJson(res, 200, ctx.state.snapshot());
    case 'GET requests':
      return sendJson(res, 200, { requests: ctx.requests });
    case 'POST faults':
      try {
        return sendJson(res, 201, { id: ctx.faults.add((body.ok ? body.value : null) as never) });
      } catch (e) {
        return sendJson(res, 400, { error: (e as Error).message });
      }
    case 'DELETE faults':
      ctx.faults.clear();
      return sendJson(res, 204, null);
    case 'POST reset':
      ctx.reset();
      return sendJson(res, 204, null);
    default:
      return sendJson(res, 404, { error: `no control route ${what}` });
  }
}
