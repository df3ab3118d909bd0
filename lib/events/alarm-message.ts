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
import * as z from 'zod/mini';
import { err, ok, type AlarmStatus, type Rejection, type Result } from '../domain/types';
import { dcsDimensions, parseDimensionString, type Dimension, type NodeDimensionName } from './dimensions';
import { canonicalInstanceId, REGION } from '../domain/ids';
import { ALARM_ID, isUuid } from './ids';
import { reject, within, zodRejection } from './rejection';
import { parseJson } from './safe-json';
import { hasOwn, isRecord, matching, onFirstUse, printable, text } from './shape';

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

// ---- schemas: only the fields a decision (or the audit) uses ----

// Every schema here is built on first use (onFirstUse), not when the bundle loads.
const alarmId = onFirstUse(() => matching(ALARM_ID, 'an alarm id (letters, digits, _ and -)'));
const alarmName = onFirstUse(() => printable(256));
const region = onFirstUse(() => matching(REGION, 'a region id such as cn-north-4'));
/** A value we can use or ignore: anything unusable becomes null rather than a rejection. */
const tolerant = <T extends z.ZodMiniType>(schema: T) => z.catch(z.nullish(schema), null);

/** Epoch milliseconds; anything else → null (time informs the audit, never a decision). */
const epochMs = onFirstUse(() => tolerant(z.int().check(z.nonnegative())));

const ClassicAlarm = onFirstUse(() => z.object({
  alarm_id: z.nullish(alarmId()),
  alarm_name: z.nullish(alarmName()),
  alarm_status: z.enum(['alarm', 'ok', 'insufficient_data']),
  time: epochMs(),
  namespace: z.nullish(matching(/^[A-Za-z0-9_.]{1,64}$/, 'a namespace code such as SYS.DCS')),
  metric_name: z.nullish(matching(/^[A-Za-z0-9_.-]{1,128}$/, 'a metric name such as connections_usage')),
  dimension: z.nullish(text(2048)),
  template_variable: z.nullish(
    z.object({
      ResourceId: z.nullish(text(256)),
      RegionId: tolerant(region()),
      Link: tolerant(text(2048)),
      AlarmRecordID: z.nullish(alarmId()),
    }),
  ),
}));

const TemplatedAlarm = onFirstUse(() => z.object({
  data: z.object({
    IsAlarm: z.union([z.boolean(), z.pipe(z.enum(['true', 'false']), z.transform((s) => s === 'true'))]),
    ResourceId: z.nullish(text(256)),
    AlarmRuleName: z.nullish(alarmName()),
    AlarmId: z.nullish(alarmId()),
    AlarmRecordID: z.nullish(alarmId()),
    RegionId: tolerant(region()),
    AlarmTime: tolerant(text(64)),
  }),
}));

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

/** The `region` query parameter of a console link, when it is a region id. */
function regionOfLink(link: string | null | undefined): string | null {
  if (!link) return null;
  try {
    const candidate = new URL(link).searchParams.get('region');
    return candidate !== null && REGION.test(candidate) ? candidate : null;
  } catch {
    return null;
  }
}

const badField = (field: string, what: string): Rejection => reject(400, 'invalid_alarm', `${field}: ${what}`);

// ---- the two formats ----

function readClassic(body: unknown): Result<AlarmSignal, Rejection> {
  const parsed = ClassicAlarm().safeParse(body);
  if (!parsed.success) return err(zodRejection(parsed.error, 'invalid_alarm', 'message'));
  const a = parsed.data;
  const dimensions = parseDimensionString(a.dimension ?? '');
  if (!dimensions.ok) return err(badField('message.dimension', dimensions.error));
  const dcs = dcsDimensions(dimensions.value);
  if (!dcs.ok) return err(badField('message.dimension', dcs.error));

  // The template's ResourceId stands in for a missing dimension only for DCS alarms:
  // elsewhere it names some other service's resource.
  let instanceId = dcs.value.instanceId;
  const resourceId = a.template_variable?.ResourceId;
  const dcsOrUnknown = a.namespace == null || a.namespace === DCS_NAMESPACE;
  if (instanceId === null && resourceId && dcsOrUnknown) {
    if (!isUuid(resourceId)) return err(badField('message.template_variable.ResourceId', 'is not a DCS instance id (UUID)'));
    instanceId = canonicalInstanceId(resourceId);
  }
  return ok({
    format: 'classic',
    alarmId: a.alarm_id ?? null,
    alarmName: a.alarm_name ?? null,
    status: a.alarm_status,
    namespace: a.namespace ?? null,
    metric: a.metric_name ?? null,
    instanceId,
    node: dcs.value.node,
    dimensions: dimensions.value,
    time: a.time ?? null,
    region: a.template_variable?.RegionId ?? regionOfLink(a.template_variable?.Link),
    recordId: a.template_variable?.AlarmRecordID ?? null,
  });
}

function readTemplated(body: unknown): Result<AlarmSignal, Rejection> {
  const parsed = TemplatedAlarm().safeParse(body);
  if (!parsed.success) return err(zodRejection(parsed.error, 'invalid_alarm', 'message'));
  const d = parsed.data.data;
  // The templated body has no namespace code: a ResourceId that is not a UUID is some
  // other service's resource (or a composite id), never a DCS instance to act on.
  const instanceId = d.ResourceId && isUuid(d.ResourceId) ? canonicalInstanceId(d.ResourceId) : null;
  return ok({
    format: 'templated',
    alarmId: d.AlarmId ?? d.AlarmRecordID ?? null,
    alarmName: d.AlarmRuleName ?? null,
    status: d.IsAlarm ? 'alarm' : 'ok',
    namespace: null,
    metric: null,
    instanceId,
    node: null,
    dimensions: [],
    time: parseAlarmTime(d.AlarmTime),
    region: d.RegionId ?? null,
    recordId: d.AlarmRecordID ?? null,
  });
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
  const alarm = format.value === 'classic' ? readClassic(json.value) : readTemplated(json.value);
  if (!alarm.ok) return alarm;
  return ok({ kind: 'alarm', alarm: alarm.value });
}
