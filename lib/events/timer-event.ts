/**
 * The FunctionGraph timer trigger event, reduced to the schedule to run.
 *
 * `user_event` is a free string configured on the trigger:
 * - JSON `{"schedule": "<name>"}` (or a JSON string `"<name>"`),
 * - or the bare schedule name,
 * - or empty/absent: the schedule named like the trigger (`trigger_name`).
 * `version` varies across platform releases and is never checked.
 */
import { err, ok, type Rejection, type Result } from '../domain/types';
import { SCHEDULE_NAME } from './ids';
import { FieldReader, type TextRule } from './fields';
import { reject } from './rejection';
import { parseJson } from './safe-json';

export interface TimerRequest {
  schedule: string;
  triggerName: string | null;
  time: string | null;
}

/** The platform limits user_event to 2 KB; a little slack, then 413. */
const MAX_USER_EVENT_BYTES = 4096;

const SCHEDULE: TextRule = { pattern: SCHEDULE_NAME, what: 'a schedule name (1-64 of A-Z a-z 0-9 _ . -)' };
const TRIGGER_NAME: TextRule = { max: 256 };
const TIME: TextRule = { max: 64 };

/** A schedule name: the value itself (`path` names it), or field `schedule` of an object. */
function scheduleIn(value: unknown, path: string, inObject: boolean): Result<string, Rejection> {
  const r = new FieldReader();
  const name = inObject ? r.text(r.top(value, path), 'schedule', path, { ...SCHEDULE, required: true }) : r.textValue(value, path, SCHEDULE);
  return r.result(name ?? '', 'invalid_schedule');
}

/** The schedule named inside a non-empty user_event. */
function scheduleFromUserEvent(text: string): Result<string, Rejection> {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('"')) return scheduleIn(trimmed, 'user_event', false);
  const json = parseJson(trimmed, { maxBytes: MAX_USER_EVENT_BYTES, maxDepth: 4 });
  if (!json.ok) return err({ ...json.error, reason: `user_event: ${json.error.reason}` });
  return scheduleIn(json.value, 'user_event', typeof json.value !== 'string');
}

export function readTimerEvent(event: unknown): Result<TimerRequest, Rejection> {
  const r = new FieldReader();
  const o = r.top(event, '');
  const triggerType = r.text(o, 'trigger_type', '');
  if (triggerType !== null && triggerType.toUpperCase() !== 'TIMER') r.fail('', 'trigger_type', 'must be "TIMER"');
  const triggerName = r.text(o, 'trigger_name', '', TRIGGER_NAME);
  const time = r.text(o, 'time', '', TIME);
  const userEvent = r.text(o, 'user_event', '');
  const shape = r.result(null, 'invalid_timer_event');
  if (!shape.ok) return shape;
  if (userEvent !== null && Buffer.byteLength(userEvent, 'utf8') > MAX_USER_EVENT_BYTES) {
    return err(reject(413, 'too_large', `user_event: is larger than ${MAX_USER_EVENT_BYTES} bytes`));
  }

  let schedule: Result<string, Rejection>;
  if (userEvent !== null && userEvent.trim() !== '') {
    schedule = scheduleFromUserEvent(userEvent);
  } else if (triggerName !== null) {
    schedule = scheduleIn(triggerName, 'trigger_name', false);
  } else {
    schedule = err(reject(400, 'missing_schedule', 'user_event: is empty and there is no trigger_name to name the schedule'));
  }
  if (!schedule.ok) return schedule;
  return ok({ schedule: schedule.value, triggerName, time });
}
