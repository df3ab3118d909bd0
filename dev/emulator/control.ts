/**
 * The emulator's control API, for tests and tools running in another process:
 *
 *   GET    /__emulator/requests            recorded DCS requests (X-Security-Token redacted)
 *   DELETE /__emulator/requests            forget them
 *   GET    /__emulator/faults              active fault rules
 *   POST   /__emulator/faults              add one (body: a FaultSpec) -> 201 {id}
 *   DELETE /__emulator/faults              remove all
 *   DELETE /__emulator/faults/{id}         remove one
 *   POST   /__emulator/reset               state back to the seed, no requests, no faults
 *   GET    /__emulator/state               projects, instances, nodes, sessions, jobs (no SKs)
 *   POST   /__emulator/instances/{id}/status  body {status}: e.g. make an instance RESTARTING
 *
 * Unauthenticated by design, hence answered to loopback clients only, and kept apart from the
 * DCS routes: nothing under /__emulator is recorded, faulted or signature-checked.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultSpecError, type FaultController, type FaultSpec } from './faults';
import { readBody } from '../http';
import { isLoopback, parseJson, sendJson } from './http';
import { INSTANCE_STATUSES } from './seed';
import type { EmulatorState } from './state';
import type { RecordedRequest } from './server';

export const CONTROL_PREFIX = '/__emulator/';
const MAX_CONTROL_BODY = 64 * 1024;

export interface ControlContext {
  state: EmulatorState;
  faults: FaultController;
  requests: RecordedRequest[];
  reset: () => void;
}

type Reply = { status: number; body: unknown };

export async function handleControl(req: IncomingMessage, res: ServerResponse, ctx: ControlContext): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) {
    sendJson(res, 403, { error: 'the control API answers loopback clients only' });
    return;
  }
  const read = await readBody(req, MAX_CONTROL_BODY);
  if (!read.ok) {
    sendJson(res, 413, { error: 'body too large' });
    return;
  }
  const parsed = parseJson(read.raw);
  if (!parsed.ok) {
    sendJson(res, 400, { error: 'body is not valid JSON' });
    return;
  }
  const path = (req.url ?? '').split('?')[0] ?? '';
  const reply = await route(req.method ?? 'GET', path.slice(CONTROL_PREFIX.length).split('/'), parsed.value, ctx);
  sendJson(res, reply.status, reply.body);
}

async function route(method: string, parts: string[], body: unknown, ctx: ControlContext): Promise<Reply> {
  const [head, id, tail] = parts;
  switch (`${method} ${head}${id !== undefined ? '/:id' : ''}${tail !== undefined ? `/${tail}` : ''}`) {
    case 'GET requests':
      return { status: 200, body: { requests: ctx.requests.map(redact) } };
    case 'DELETE requests':
      ctx.requests.length = 0;
      return { status: 204, body: null };
    case 'GET faults':
      return { status: 200, body: { faults: ctx.faults.list() } };
    case 'POST faults':
      return addFault(ctx.faults, body);
    case 'DELETE faults':
      ctx.faults.clear();
      return { status: 204, body: null };
    case 'DELETE faults/:id':
      return ctx.faults.remove(Number(id)) ? { status: 204, body: null } : { status: 404, body: { error: `no fault ${id}` } };
    case 'POST reset':
      ctx.reset();
      return { status: 204, body: null };
    case 'GET state':
      return { status: 200, body: await ctx.state.snapshot() };
    case 'POST instances/:id/status':
      return setStatus(ctx.state, id ?? '', body);
    default:
      return { status: 404, body: { error: `no control route ${method} ${CONTROL_PREFIX}${parts.join('/')}` } };
  }
}

function addFault(faults: FaultController, body: unknown): Reply {
  try {
    return { status: 201, body: { id: faults.add(body as FaultSpec) } };
  } catch (e) {
    if (e instanceof FaultSpecError) return { status: 400, body: { error: e.message } };
    throw e;
  }
}

function setStatus(state: EmulatorState, instanceId: string, body: unknown): Reply {
  const status = (body as { status?: unknown } | null)?.status;
  if (!INSTANCE_STATUSES.includes(status as never)) return { status: 400, body: { error: `status must be one of ${INSTANCE_STATUSES.join(', ')}` } };
  return state.setInstanceStatus(instanceId, status as (typeof INSTANCE_STATUSES)[number])
    ? { status: 204, body: null }
    : { status: 404, body: { error: `no instance ${instanceId}` } };
}

/** A temporary credential's token is a secret even in a dev tool's output. */
function redact(r: RecordedRequest): RecordedRequest {
  if (r.headers['x-security-token'] === undefined) return r;
  return { ...r, headers: { ...r.headers, 'x-security-token': '[redacted]' } };
}
