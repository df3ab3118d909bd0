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
import * as z from 'zod/mini';
import { err, ok, type Rejection, type Result } from '../domain/types';
import type { SmnHttpMessage } from '../fg/types';
import { checkContentType, decodeApigBody } from './http-body';
import { reject, zodRejection } from './rejection';
import { parseJson, resolveLimits, type JsonLimits } from './safe-json';
import { hasOwn, isRecord, onFirstUse, optional, text } from './shape';
import {
  canonicalMessageType,
  messageIdSchema,
  messageTypeSchema,
  readSmnHttpMessage,
  topicUrnSchema,
  type SmnDelivery,
} from './smn-message';

export { toDelivery, type SmnDelivery } from './smn-message';

export type AlarmEventForm =
  | { form: 'smn-trigger'; records: SmnDelivery[] }
  | { form: 'apig'; message: SmnHttpMessage; headers: Record<string, string> }
  | { form: 'smn-http'; message: SmnHttpMessage };

const MAX_TRIGGER_RECORDS = 100;

const hasAny = (o: Record<string, unknown>, keys: readonly string[]): boolean => keys.some((k) => hasOwn(o, k));

// ---- form 1: SMN trigger ----

// Every schema here is built on first use (onFirstUse), not when the bundle loads.
const TriggerRecord = onFirstUse(() => z.object({
  event_source: optional(z.string().check(z.refine((s) => s.toLowerCase() === 'smn', { error: 'must be "smn"' }))),
  smn: z.object({
    type: optional(messageTypeSchema()),
    message_id: optional(messageIdSchema()),
    topic_urn: optional(topicUrnSchema()),
    subject: optional(text(1024)),
    timestamp: optional(text(64)),
    message: z.string({ error: 'is required and must be a string' }),
  }),
}));
const TriggerEvent = onFirstUse(() => z.object({
  // z.lazy: the record schema (most of this one's cost) is built only once there is a record to read.
  record: z.array(z.lazy(TriggerRecord)).check(
    z.minLength(1, { error: 'must hold at least one record' }),
    z.maxLength(MAX_TRIGGER_RECORDS, { error: `must hold at most ${MAX_TRIGGER_RECORDS} records` }),
  ),
}));

function readTrigger(event: unknown): Result<AlarmEventForm, Rejection> {
  const parsed = TriggerEvent().safeParse(event);
  if (!parsed.success) return err(zodRejection(parsed.error, 'invalid_smn_trigger'));
  const records = parsed.data.record.map(({ smn }): SmnDelivery => ({
    // The trigger only delivers notifications, spelled "notification".
    messageType: canonicalMessageType(smn.type ?? 'Notification'),
    messageId: smn.message_id ?? null,
    topicUrn: smn.topic_urn ?? null,
    subject: smn.subject ?? null,
    timestamp: smn.timestamp ?? null,
    message: smn.message,
    via: 'smn-trigger',
  }));
  return ok({ form: 'smn-trigger', records });
}

// ---- form 2: APIG ----

const ApigShape = onFirstUse(() => z.object({
  httpMethod: optional(text(16)),
  headers: optional(z.record(z.string(), z.unknown())),
  body: z.nullish(z.string({ error: 'must be a string' })),
  isBase64Encoded: optional(z.boolean()),
}));

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

function readApig(event: unknown, limits: Required<JsonLimits>): Result<AlarmEventForm, Rejection> {
  const parsed = ApigShape().safeParse(event);
  if (!parsed.success) return err(zodRejection(parsed.error, 'invalid_apig_event'));
  const { httpMethod, body, isBase64Encoded } = parsed.data;
  if (httpMethod != null && httpMethod.toUpperCase() !== 'POST') {
    return err(reject(405, 'method_not_allowed', `httpMethod: ${JSON.stringify(httpMethod)} is not POST`));
  }
  const headers = normalizeHeaders(parsed.data.headers);
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
