/**
 * What the alarm handler receives, classified and validated:
 *
 * 1. a FunctionGraph SMN trigger event (`record[].smn`, one or more records):
 *    platform-delivered, unsigned, accepted as authentic (only the platform
 *    can invoke the function through its trigger);
 * 2. a FunctionGraph APIG trigger event whose body is an SMN HTTP(S) message
 *    (method, content type, encoding and size checked here; the signature is
 *    checked by lib/auth);
 * 3. an SMN HTTP(S) message object itself (a direct invocation).
 *
 * Each failure is a Rejection whose reason names the field.
 */
import { err, ok, type Rejection, type Result } from '../domain/types';
import type { SmnHttpMessage } from '../fg/types';
import { checkContentType, decodeApigBody } from './http-body';
import { reject } from './rejection';
import { parseJson, resolveLimits, type JsonLimits } from './safe-json';
import { hasOwn, isRecord } from '../domain/json';
import { FieldReader } from './fields';
import { canonicalMessageType, readSmnFields, readSmnHttpMessage, type SmnDelivery } from './smn-message';

export { toDelivery, type SmnDelivery } from './smn-message';

export type AlarmEventForm =
  | { form: 'smn-trigger'; records: SmnDelivery[] }
  | { form: 'apig'; message: SmnHttpMessage; headers: Record<string, string> }
  | { form: 'smn-http'; message: SmnHttpMessage };

const MAX_TRIGGER_RECORDS = 100;

const hasAny = (o: Record<string, unknown>, keys: readonly string[]): boolean => keys.some((k) => hasOwn(o, k));

// ---- form 1: SMN trigger ----

function readTrigger(event: Record<string, unknown>): Result<AlarmEventForm, Rejection> {
  const list = event.record;
  const bad = (what: string) => err(reject(400, 'invalid_smn_trigger', `record: ${what}`));
  if (!Array.isArray(list)) return bad('must be a list of records');
  if (list.length < 1) return bad('must hold at least one record');
  if (list.length > MAX_TRIGGER_RECORDS) return bad(`must hold at most ${MAX_TRIGGER_RECORDS} records`);
  const r = new FieldReader();
  const records = list.map((item: unknown, i) => triggerRecord(r, item, `record[${i}]`));
  return r.result({ form: 'smn-trigger', records }, 'invalid_smn_trigger');
}

/** One record of a trigger event: `event_source` "smn" (when given) and its `smn` message. */
function triggerRecord(r: FieldReader, item: unknown, path: string): SmnDelivery {
  const record = r.top(item, path);
  const source = r.text(record, 'event_source', path);
  if (source !== null && source.toLowerCase() !== 'smn') r.fail(path, 'event_source', 'must be "smn"');
  const smnPath = `${path}.smn`;
  const smn = readSmnFields(r, r.object(record, 'smn', path, true), smnPath, false);
  return {
    // The trigger only delivers notifications, spelled "notification".
    messageType: canonicalMessageType(smn.type ?? 'Notification'),
    messageId: smn.messageId,
    topicUrn: smn.topicUrn,
    subject: smn.subject,
    timestamp: smn.timestamp,
    message: smn.message ?? '',
    via: 'smn-trigger',
  };
}

// ---- form 2: APIG ----

/** Header names lower-cased; non-string values (multi-value arrays, null) dropped. */
function normalizeHeaders(headers: Record<string, unknown> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[name.toLowerCase()] = value;
  }
  return out;
}

/** SMN repeats type, id and topic in X-SMN-* headers: a disagreement means the body was swapped. */
function checkSmnHeaders(headers: Record<string, string>, msg: SmnHttpMessage): Result<void, Rejection> {
  const pairs: Array<[string, string | undefined, boolean]> = [
    ['x-smn-message-type', msg.type, true],
    ['x-smn-message-id', msg.message_id, false],
    ['x-smn-topic-urn', msg.topic_urn, false],
  ];
  for (const [header, bodyValue, caseInsensitive] of pairs) {
    const headerValue = headers[header];
    if (headerValue === undefined || bodyValue === undefined) continue;
    const same = caseInsensitive ? headerValue.toLowerCase() === bodyValue.toLowerCase() : headerValue === bodyValue;
    if (!same) return err(reject(400, 'header_mismatch', `headers.${header}: does not match the body`));
  }
  return ok(undefined);
}

function readApig(event: Record<string, unknown>, limits: Required<JsonLimits>): Result<AlarmEventForm, Rejection> {
  const r = new FieldReader();
  const httpMethod = r.text(event, 'httpMethod', '', { max: 16 });
  const rawHeaders = r.object(event, 'headers', '');
  const body = r.text(event, 'body', '');
  const isBase64Encoded = r.flag(event, 'isBase64Encoded', '');
  const shape = r.result(null, 'invalid_apig_event');
  if (!shape.ok) return shape;
  if (httpMethod !== null && httpMethod.toUpperCase() !== 'POST') {
    return err(reject(405, 'method_not_allowed', `httpMethod: ${JSON.stringify(httpMethod)} is not POST`));
  }
  const headers = normalizeHeaders(rawHeaders);
  const contentType = checkContentType(headers['content-type']);
  if (!contentType.ok) return contentType;
  const text = decodeApigBody(body, isBase64Encoded, limits.maxBytes);
  if (!text.ok) return text;
  const json = parseJson(text.value, limits);
  if (!json.ok) return err({ ...json.error, reason: `body: ${json.error.reason}` });
  const message = readSmnHttpMessage(json.value, 'body');
  if (!message.ok) return message;
  const consistent = checkSmnHeaders(headers, message.value);
  if (!consistent.ok) return consistent;
  return ok({ form: 'apig', message: message.value, headers });
}

// ---- form 3: bare SMN HTTP message ----

function readBareSmn(event: unknown): Result<AlarmEventForm, Rejection> {
  const message = readSmnHttpMessage(event);
  return message.ok ? ok({ form: 'smn-http', message: message.value }) : message;
}

// ---- classification ----

const APIG_MARKERS = ['httpMethod', 'requestContext', 'isBase64Encoded', 'body'];
const SMN_HTTP_MARKERS = ['type', 'signature', 'topic_urn', 'message_id'];

/**
 * Whether the event is an APIG event: its answer must then be APIG-shaped, even
 * when its content is garbage. The one test, shared by the classification below
 * and the handler's answer (a lone `body` without `headers` is not one).
 */
export function isApigEvent(event: unknown): boolean {
  if (!isRecord(event)) return false;
  return hasOwn(event, 'httpMethod') || hasOwn(event, 'requestContext') || (hasOwn(event, 'body') && hasOwn(event, 'headers'));
}

/** Classifies and validates the alarm handler's event. */
export function readAlarmEvent(event: unknown, limits?: JsonLimits): Result<AlarmEventForm, Rejection> {
  if (!isRecord(event)) return err(reject(400, 'invalid_event', 'event: must be a JSON object'));
  if (hasAny(event, ['record'])) {
    // Trigger events are trusted unsigned, so only an unmistakable one is read as such:
    // `record` beside an APIG or SMN HTTP field means the event was not built by the SMN trigger.
    if (hasAny(event, [...APIG_MARKERS, ...SMN_HTTP_MARKERS])) {
      return err(reject(400, 'ambiguous_event', 'event: has a trigger `record` beside APIG or SMN message fields; refusing to guess'));
    }
    return readTrigger(event);
  }
  if (isApigEvent(event)) return readApig(event, resolveLimits(limits));
  if (hasAny(event, SMN_HTTP_MARKERS)) return readBareSmn(event);
  return err(
    reject(400, 'unknown_event', 'event: neither an SMN trigger event (record), an APIG event (httpMethod, body) nor an SMN message (type)'),
  );
}
