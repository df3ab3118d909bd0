/**
 * The FunctionGraph timer trigger event, reduced to the schedule to run.
 *
 * `user_event` is a free string configured on the trigger:
 * - JSON `{"schedule": "<name>"}` (or a JSON string `"<name>"`),
 * - or the bare schedule name,
 * - or empty/absent: the schedule named like the trigger (`trigger_name`).
 * `version` varies across platform releases and is never checked.
 */
import * as z from 'zod/mini';
import { err, ok, type Rejection, type Result } from '../domain/types';
import { SCHEDULE_NAME } from './ids';
import { reject, zodRejection } from './rejection';
import { parseJson } from './safe-json';
import { matching, onFirstUse, optional, text } from './shape';

export interface TimerRequest {
  schedule: string;
  triggerName: string | null;
  time: string | null;
}

/** The platform limits user_event to 2 KB; a little slack, then 413. */
const MAX_USER_EVENT_BYTES = 4096;

// Every schema here is built on first use (onFirstUse), not when the bundle loads.
const scheduleName = onFirstUse(() => matching(SCHEDULE_NAME, 'a schedule name (1-64 of A-Z a-z 0-9 _ . -)'));

const TimerShape = onFirstUse(() => z.object({
  trigger_type: optional(z.string().check(z.refine((t) => t.toUpperCase() === 'TIMER', { error: 'must be "TIMER"' }))),
  trigger_name: optional(text(256)),
  time: optional(text(64)),
  user_event: optional(z.string({ error: 'must be a string' })),
}));
/** {"schedule": name} → name. */
const ScheduleInObject = onFirstUse(() => z.pipe(z.object({ schedule: scheduleName() }), z.transform((o) => o.schedule)));

/** The schedule named inside a non-empty user_event. */
function scheduleFromUserEvent(text: string): Result<string, Rejection> {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('"')) {
    const bare = scheduleName().safeParse(trimmed);
    return bare.success ? ok(bare.data) : err(zodRejection(bare.error, 'invalid_schedule', 'user_event'));
  }
  const json = parseJson(trimmed, { maxBytes: MAX_USER_EVENT_BYTES, maxDepth: 4 });
  if (!json.ok) return err({ ...json.error, reason: `user_event: ${json.error.reason}` });
  const schema = typeof json.value === 'string' ? scheduleName() : ScheduleInObject();
  const parsed = schema.safeParse(json.value);
  return parsed.success ? ok(parsed.data) : err(zodRejection(parsed.error, 'invalid_schedule', 'user_event'));
}

export function readTimerEvent(event: unknown): Result<TimerRequest, Rejection> {
  const parsed = TimerShape().safeParse(event);
  if (!parsed.success) return err(zodRejection(parsed.error, 'invalid_timer_event'));
  const { trigger_name: triggerName, time, user_event: userEvent } = parsed.data;
  if (userEvent != null && Buffer.byteLength(userEvent, 'utf8') > MAX_USER_EVENT_BYTES) {
    return err(reject(413, 'too_large', `user_event: is larger than ${MAX_USER_EVENT_BYTES} bytes`));
  }

  let schedule: Result<string, Rejection>;
  if (userEvent != null && userEvent.trim() !== '') {
    schedule = scheduleFromUserEvent(userEvent);
  } else if (triggerName != null) {
    const byTrigger = scheduleName().safeParse(triggerName);
    schedule = byTrigger.success ? ok(byTrigger.data) : err(zodRejection(byTrigger.error, 'invalid_schedule', 'trigger_name'));
  } else {
    schedule = err(reject(400, 'missing_schedule', 'user_event: is empty and there is no trigger_name to name the schedule'));
  }
  if (!schedule.ok) return schedule;
  return ok({ schedule: schedule.value, triggerName: triggerName ?? null, time: time ?? null });
}
