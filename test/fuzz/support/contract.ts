/**
 * The reference (docs/reference.md: handlers, audit record) as checks on what a handler
 * returned and printed. Each check returns problems as strings instead of
 * failing at once, so a batch of thousands of cases reports which cases broke
 * which rule, with their index (reproducible from the printed seed).
 */
import { DECISION_KINDS } from '../../../lib/domain/types';

/**
 * Decisions taken BEFORE anything could reach DCS (input refused, nothing to
 * do, not allowed): an event that ends in one of these has no business
 * causing a DCS request.
 */
export const NO_DCS_DECISIONS: ReadonlySet<string> = new Set(['rejected', 'skipped_no_rule', 'skipped_recovered', 'skipped_not_allowed', 'subscription_confirmed']);

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const APIG_STATUSES = new Set([200, 400, 401, 403, 405, 413, 415, 500, 503]);

type Rec = Record<string, any>;

const isObject = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isIso = (v: unknown): boolean => typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
const nullableString = (v: unknown): boolean => v === null || typeof v === 'string';

/** The handler's notion of an APIG event (contract: "for APIG events ... {statusCode, ...}"). */
export function isApigEvent(event: unknown): boolean {
  if (!isObject(event)) return false;
  const own = (k: string) => Object.prototype.hasOwnProperty.call(event, k);
  return own('httpMethod') || own('requestContext') || (own('body') && own('headers'));
}

/** Problems with one audit record (docs/reference.md, "Audit record"). */
export function auditRecordProblems(r: unknown, trigger: 'alarm' | 'timer'): string[] {
  if (!isObject(r)) return ['record is not an object'];
  const p: string[] = [];
  if (r.type !== 'audit') p.push(`type ${JSON.stringify(r.type)}`);
  if (r.trigger !== trigger) p.push(`trigger ${JSON.stringify(r.trigger)}`);
  // docs/reference.md "Decisions": the domain's list.
  if (!(DECISION_KINDS as readonly string[]).includes(r.decision)) p.push(`decision ${JSON.stringify(r.decision)}`);
  if (typeof r.reason !== 'string' || r.reason.trim() === '') p.push('reason is not a non-empty string');
  if (!isIso(r.time)) p.push(`time ${JSON.stringify(r.time)} is not ISO 8601`);
  if (typeof r.durationMs !== 'number' || !(r.durationMs >= 0)) p.push(`durationMs ${JSON.stringify(r.durationMs)}`);
  if (!nullableString(r.requestId)) p.push('requestId is neither a string nor null');
  if ('target' in r) p.push(...targetProblems(r.target));
  if (r.decision === 'rejected' && 'target' in r) p.push('a rejected input has a target');
  if ('error' in r) p.push(...errorProblems(r.error));
  if ('source' in r && !isObject(r.source)) p.push('source is not an object');
  return p;
}

function targetProblems(t: unknown): string[] {
  if (!isObject(t)) return ['target is not an object'];
  const p: string[] = [];
  if (typeof t.projectId !== 'string' || t.projectId === '') p.push('target.projectId');
  if (typeof t.instanceId !== 'string' || !UUID.test(t.instanceId)) p.push(`target.instanceId ${JSON.stringify(t.instanceId)}`);
  if (typeof t.killAllNodes !== 'boolean') p.push('target.killAllNodes');
  if (t.killAllNodes === true && t.nodeId !== null) p.push('target.nodeId must be null for all nodes');
  if (t.killAllNodes === false && (typeof t.nodeId !== 'string' || t.nodeId === '')) p.push('target.nodeId missing for one node');
  return p;
}

function errorProblems(e: unknown): string[] {
  if (!isObject(e)) return ['error is not an object'];
  const p: string[] = [];
  if (typeof e.code !== 'string' || e.code === '') p.push('error.code');
  if (typeof e.message !== 'string') p.push('error.message');
  if (e.httpStatus !== null && typeof e.httpStatus !== 'number') p.push('error.httpStatus');
  if (!nullableString(e.requestId)) p.push('error.requestId');
  return p;
}

/**
 * The records a handler returned, after checking the response has the
 * contract's shape for its event; problems go to `problems`.
 */
export function recordsOf(event: unknown, value: unknown, trigger: 'alarm' | 'timer', problems: string[]): Rec[] {
  if (trigger === 'alarm' && isApigEvent(event)) return apigRecords(value, problems);
  if (!isObject(value) || Object.keys(value).join() !== 'results' || !Array.isArray(value.results)) {
    problems.push(`response is not {results: [...]}: ${JSON.stringify(value)?.slice(0, 200)}`);
    return [];
  }
  return value.results as Rec[];
}

function apigRecords(value: unknown, problems: string[]): Rec[] {
  if (!isObject(value)) {
    problems.push('APIG response is not an object');
    return [];
  }
  const keys = Object.keys(value).sort().join();
  if (keys !== 'body,headers,isBase64Encoded,statusCode') problems.push(`APIG response keys ${keys}`);
  if (!Number.isInteger(value.statusCode) || !APIG_STATUSES.has(value.statusCode)) problems.push(`statusCode ${value.statusCode}`);
  if (value.isBase64Encoded !== false) problems.push('isBase64Encoded is not false');
  if (!isObject(value.headers) || value.headers['content-type'] !== 'application/json') problems.push('headers lack content-type application/json');
  let body: unknown;
  try {
    body = typeof value.body === 'string' ? JSON.parse(value.body) : undefined;
  } catch {
    body = undefined;
  }
  if (!isObject(body) || !Array.isArray(body.results)) {
    problems.push('body is not a JSON object with results');
    return [];
  }
  const records = body.results as Rec[];
  const clientError = value.statusCode >= 400 && value.statusCode < 500;
  if (clientError && (typeof body.error !== 'string' || body.error === '')) problems.push('a 4xx body has no error reason');
  if (records.some((r) => r?.decision === 'rejected') && value.statusCode < 400) problems.push(`rejected input answered ${value.statusCode}`);
  return records;
}
