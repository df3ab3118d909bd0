/**
 * The two calls of the decision sinks, served beside the DCS routes (same signature
 * checks, faults and recording, see server.ts):
 *
 *   publishMessage    POST /v2/{project_id}/notifications/topics/{topic_urn}/publish   (SMN)
 *   createMetricData  POST /V1.0/{project_id}/metric-data                             (Cloud Eye)
 *
 * Validation follows the published limits (subject <= 512 bytes without line breaks,
 * message below 256 KB; 1 to 10,000 metric items with a custom namespace, at most 4
 * dimensions, ttl and collect_time in range). What they receive is in the recorded
 * requests (GET /__emulator/requests, operation publishMessage / createMetricData).
 */
import { randomUUID } from 'node:crypto';
import type { RouteRequest, RouteResponse } from './routes';

const SUBJECT_MAX_BYTES = 512;
const MESSAGE_MAX_BYTES = 256 * 1024;
const MAX_ITEMS = 10_000;
const MAX_TTL_SECONDS = 604_800;
const PAST_MS = 3 * 86_400_000;
const FUTURE_MS = 10 * 60_000;
const NAMESPACE = /^(?=.{3,32}$)[A-Za-z][A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const DIMENSION = /^[A-Za-z0-9_-]{1,64}$/;

const smnError = (status: number, code: string, message: string): RouteResponse => ({ status, body: { request_id: randomUUID().replace(/-/g, ''), error_code: code, error_msg: message } });
const cesError = (status: number, code: string, message: string): RouteResponse => ({ status, body: { error: { error_code: code, error_msg: message } } });

export async function publishMessage(req: RouteRequest): Promise<RouteResponse> {
  const urn = /^urn:smn:[a-z0-9-]+:([0-9a-fA-F]{32}):[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.exec(decodeURIComponent(req.params['topic_urn'] ?? ''));
  if (!urn) return smnError(400, 'SMN.00010004', 'Invalid topic_urn.');
  if (urn[1] !== req.projectId) return smnError(404, 'SMN.00010008', 'The topic does not exist in this project.');
  const body = req.body as Record<string, unknown> | null;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return smnError(400, 'SMN.00010001', 'The body must be a JSON object.');
  const { subject, message } = body;
  if (typeof message !== 'string' || message === '' || Buffer.byteLength(message) >= MESSAGE_MAX_BYTES) {
    return smnError(400, 'SMN.00010013', 'message is mandatory and must be below 256 KB.');
  }
  if (subject !== undefined && (typeof subject !== 'string' || Buffer.byteLength(subject) > SUBJECT_MAX_BYTES || /[\r\n]/.test(subject))) {
    return smnError(400, 'SMN.00010012', 'subject must be at most 512 bytes without line breaks.');
  }
  return { status: 200, body: { request_id: randomUUID().replace(/-/g, ''), message_id: randomUUID().replace(/-/g, '') } };
}

export async function createMetricData(req: RouteRequest): Promise<RouteResponse> {
  const items = req.body;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) return cesError(400, 'ces.0014', `The body must be an array of 1 to ${MAX_ITEMS} items.`);
  const now = req.state.now();
  for (const [i, item] of items.entries()) {
    const problem = metricItemProblem(item, now);
    if (problem) return cesError(400, 'ces.0014', `Item ${i}: ${problem}.`);
  }
  return { status: 201, body: undefined };
}

function metricItemProblem(item: unknown, now: number): string | null {
  if (item === null || typeof item !== 'object') return 'not an object';
  const { metric, ttl, collect_time: time, value, type } = item as Record<string, unknown>;
  const m = (metric ?? {}) as Record<string, unknown>;
  if (typeof m.namespace !== 'string' || !NAMESPACE.test(m.namespace) || /^(SYS|AGT|SRE)\./i.test(m.namespace)) return 'metric.namespace is not a custom namespace';
  if (typeof m.metric_name !== 'string' || !NAME.test(m.metric_name)) return 'metric.metric_name is invalid';
  const dims = m.dimensions;
  if (!Array.isArray(dims) || dims.length === 0 || dims.length > 4) return 'metric.dimensions must hold 1 to 4 dimensions';
  for (const d of dims as Array<Record<string, unknown>>) {
    if (typeof d?.name !== 'string' || !DIMENSION.test(d.name) || typeof d.value !== 'string' || !DIMENSION.test(d.value)) return 'a dimension name or value is invalid';
  }
  if (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > MAX_TTL_SECONDS) return 'ttl must be 1 to 604800';
  if (!Number.isInteger(time) || (time as number) < now - PAST_MS || (time as number) > now + FUTURE_MS) return 'collect_time is out of range';
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'value must be a number';
  if (type !== undefined && type !== 'int' && type !== 'float') return 'type must be int or float';
  return null;
}
