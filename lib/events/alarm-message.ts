/**
 * The Cloud Eye alarm inside an SMN `message` (a JSON string), in the two
 * body formats of reference/events.md:
 *
 * - classic: `{"message_type":"alarm","alarm_id":...,"alarm_status":...,"namespace":"SYS.DCS","dimension":"..."}`
 * - templated: `{"version":"v1","data":{"IsAlarm":true,"ResourceId":...,"AlarmRuleName":...}}`
 *
 * Lenient on fields nobody decides on (they are ignored), strict on the ones
 * a decision uses: a malformed one is a 400 Rejection naming the field.
 * A message that is not a Cloud Eye alarm at all (plain text, another
 * service's JSON) is `not_alarm`, so the caller can skip it calmly.
 * Localized display strings (Namespace, MetricName in the templated body...)
 * are never read.
 */
import { err, ok, type AlarmStatus, type Rejection, type Result } from '../domain/types';
import { dcsDimensions, parseDimensionString, type Dimension, type NodeDimensionName } from './dimensions';
import { canonicalInstanceId, REGION } from '../domain/ids';
import { ALARM_ID, isUuid } from './ids';
import { reject, within } from './rejection';
import { parseJson } from './safe-json';
import { hasOwn, isRecord } from '../domain/json';
import { FieldReader, usableEpochMs, usableText, type TextRule } from './fields';

export interface AlarmSignal {
  format: 'classic' | 'templated';
  /** classic alarm_id; templated AlarmId, else AlarmRecordID. */
  alarmId: string | null;
  /** alarm_name / AlarmRuleName. */
  alarmName: string | null;
  status: AlarmStatus;
  /** classic namespace code, e.g. "SYS.DCS"; templated: null (only localized names exist there). */
  namespace: string | null;
  /** classic metric_name; templated: null. */
  metric: string | null;
  /** The DCS instance (UUID), or null when the alarm names none. */
  instanceId: string | null;
  /** Set for node-level alarms. */
  node: { dimension: NodeDimensionName; value: string } | null;
  dimensions: Dimension[];
  /** Epoch ms of the alarm, when known. */
  time: number | null;
  region: string | null;
  /** AlarmRecordID, when present. */
  recordId: string | null;
}

export type ParsedMessage = { kind: 'alarm'; alarm: AlarmSignal } | { kind: 'not_alarm'; reason: string };

const DCS_NAMESPACE = 'SYS.DCS';

// ---- the fields a decision (or the audit) uses, and what each must be ----

const ALARM_STATUSES = ['alarm', 'ok', 'insufficient_data'] as const;
const ALARM_ID_RULE: TextRule = { pattern: ALARM_ID, what: 'an alarm id (letters, digits, _ and -)' };
const ALARM_NAME: TextRule = { max: 256, printable: true };
const NAMESPACE: TextRule = { pattern: /^[A-Za-z0-9_.]{1,64}$/, what: 'a namespace code such as SYS.DCS' };
const METRIC: TextRule = { pattern: /^[A-Za-z0-9_.-]{1,128}$/, what: 'a metric name such as connections_usage' };
const DIMENSION: TextRule = { max: 2048 };
const RESOURCE_ID: TextRule = { max: 256 };

// ---- helpers ----

const TEMPLATED_MARKERS = ['IsAlarm', 'AlarmRecordID', 'AlarmRuleName', 'AlarmId'];

type Format = AlarmSignal['format'];

/** Which alarm format the JSON is, or why it is not a Cloud Eye alarm. */
function detectFormat(body: unknown): Result<Format, string> {
  if (!isRecord(body)) return err('message JSON is not an object');
  if (hasOwn(body, 'message_type') && body.message_type !== 'alarm') {
    return err(`message_type is ${JSON.stringify(String(body.message_type)).slice(0, 40)}, not "alarm"`);
  }
  if (body.message_type === 'alarm' || hasOwn(body, 'alarm_status')) return ok('classic');
  const data = body.data;
  if (isRecord(data) && TEMPLATED_MARKERS.some((k) => hasOwn(data, k))) return ok('templated');
  return err('message is JSON but not a Cloud Eye alarm');
}

/** "2025/06/02 22:56:15 GMT+08:00" → epoch ms, or null. */
export function parseAlarmTime(text: string | null | undefined): number | null {
  const m = /^(\d{4})\/(\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2}):(\d{2}) GMT([+-])(\d{1,2}):?(\d{2})$/.exec(text ?? '');
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, , oh, om] = m.map(Number);
  const sign = m[7] === '-' ? -1 : 1;
  const local = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  const offsetMs = (oh! * 60 + om!) * 60_000 * sign;
  const result = local - offsetMs;
  return Number.isFinite(result) ? result : null;
}

/** The `region` query parameter of a console link, when it is a region id (a region id has nothing to percent-decode). */
function regionOfLink(link: string | null): string | null {
  const query = link === null ? undefined : /^[^?#]*\?([^#]*)/.exec(link)?.[1];
  const candidate = query === undefined ? undefined : /(?:^|&)region=([^&]*)/.exec(query)?.[1];
  return candidate !== undefined && REGION.test(candidate) ? candidate : null;
}

const badField = (field: string, what: string): Rejection => reject(400, 'invalid_alarm', `${field}: ${what}`);

// ---- the two formats ----

function readClassic(body: Record<string, unknown>): Result<AlarmSignal, Rejection> {
  const r = new FieldReader();
  const base = 'message';
  const alarmId = r.text(body, 'alarm_id', base, ALARM_ID_RULE);
  const alarmName = r.text(body, 'alarm_name', base, ALARM_NAME);
  const status = r.oneOf(body, 'alarm_status', base, ALARM_STATUSES);
  const namespace = r.text(body, 'namespace', base, NAMESPACE);
  const metric = r.text(body, 'metric_name', base, METRIC);
  const dimension = r.text(body, 'dimension', base, DIMENSION);
  const vars = r.object(body, 'template_variable', base);
  const varsBase = 'message.template_variable';
  const resourceId = r.text(vars, 'ResourceId', varsBase, RESOURCE_ID);
  const recordId = r.text(vars, 'AlarmRecordID', varsBase, ALARM_ID_RULE);
  const read = r.result(null, 'invalid_alarm');
  if (!read.ok) return read;

  const dimensions = parseDimensionString(dimension ?? '');
  if (!dimensions.ok) return err(badField('message.dimension', dimensions.error));
  const dcs = dcsDimensions(dimensions.value);
  if (!dcs.ok) return err(badField('message.dimension', dcs.error));

  // The template's ResourceId stands in for a missing dimension only for DCS alarms:
  // elsewhere it names some other service's resource.
  let instanceId = dcs.value.instanceId;
  const dcsOrUnknown = namespace === null || namespace === DCS_NAMESPACE;
  if (instanceId === null && resourceId && dcsOrUnknown) {
    if (!isUuid(resourceId)) return err(badField('message.template_variable.ResourceId', 'is not a DCS instance id (UUID)'));
    instanceId = canonicalInstanceId(resourceId);
  }
  return ok({
    format: 'classic',
    alarmId,
    alarmName,
    status,
    namespace,
    metric,
    instanceId,
    node: dcs.value.node,
    dimensions: dimensions.value,
    // Time and region inform the audit, never a decision: anything unusable is null.
    time: usableEpochMs(body.time),
    region: usableText(vars?.RegionId, 64, REGION) ?? regionOfLink(usableText(vars?.Link, 2048)),
    recordId,
  });
}

function readTemplated(body: Record<string, unknown>): Result<AlarmSignal, Rejection> {
  const r = new FieldReader();
  const base = 'message.data';
  const d = r.object(body, 'data', 'message', true);
  const isAlarm = isAlarmFlag(r, d, base);
  const resourceId = r.text(d, 'ResourceId', base, RESOURCE_ID);
  const alarmName = r.text(d, 'AlarmRuleName', base, ALARM_NAME);
  const alarmId = r.text(d, 'AlarmId', base, ALARM_ID_RULE);
  const recordId = r.text(d, 'AlarmRecordID', base, ALARM_ID_RULE);
  const read = r.result(null, 'invalid_alarm');
  if (!read.ok) return read;
  // The templated body has no namespace code: a ResourceId that is not a UUID is some
  // other service's resource (or a composite id), never a DCS instance to act on.
  const instanceId = resourceId && isUuid(resourceId) ? canonicalInstanceId(resourceId) : null;
  return ok({
    format: 'templated',
    alarmId: alarmId ?? recordId,
    alarmName,
    status: isAlarm ? 'alarm' : 'ok',
    namespace: null,
    metric: null,
    instanceId,
    node: null,
    dimensions: [],
    time: parseAlarmTime(usableText(d?.AlarmTime, 64)),
    region: usableText(d?.RegionId, 64, REGION),
    recordId,
  });
}

/** IsAlarm: required, true or false (a boolean, or the string "true" / "false"). */
function isAlarmFlag(r: FieldReader, d: Record<string, unknown> | null, base: string): boolean {
  const value = d?.IsAlarm;
  if (value === 'true' || value === 'false') return value === 'true';
  if (typeof value === 'boolean') return value;
  if (d) r.fail(base, 'IsAlarm', 'is required and must be true or false');
  return false;
}

/** Parses the SMN `message` string: a Cloud Eye alarm, `not_alarm`, or a 400 naming the bad field. */
export function parseAlarmMessage(message: string): Result<ParsedMessage, Rejection> {
  const json = parseJson(message);
  if (!json.ok) {
    // Plain text is a legitimate SMN message (just not ours); hostile JSON is not.
    if (json.error.code === 'invalid_json') return ok({ kind: 'not_alarm', reason: 'message is not JSON' });
    return err(within('message', json.error));
  }
  const format = detectFormat(json.value);
  if (!format.ok) return ok({ kind: 'not_alarm', reason: format.error });
  // detectFormat accepts JSON objects only.
  const body = json.value as Record<string, unknown>;
  const alarm = format.value === 'classic' ? readClassic(body) : readTemplated(body);
  if (!alarm.ok) return alarm;
  return ok({ kind: 'alarm', alarm: alarm.value });
}
