/**
 * The decision history: a capped Redis stream beside the guard's keys
 * (`<prefix>{guard}:history`, the same hash tag, hence the same hash slot in a
 * Proxy or Redis Cluster). One entry per audit record:
 *
 *   <ms>-<seq>  decision <kind>  instance <id or "">  record <the audit record as JSON>
 *
 * Capped by count (XADD MAXLEN ~ maxEntries) and by age: each append deletes
 * at most 100 entries older than maxAgeDays (XRANGE + XDEL, which Redis 5.0
 * has; XTRIM MINID needs 6.2), and the key expires when nothing was appended
 * for maxAgeDays. Redis 4.0 has no streams: the append fails with
 * `unknown_command` and the decision stands.
 */
import type { AuditRecord } from '../domain/types';
import type { SlotScript } from '../guard/redis-store';
import type { HistorySettings } from '../policy';

/** The stream's name after the guard prefix and hash tag. */
export const HISTORY_KEY_NAME = 'history';
const AGE_TRIM_BATCH = 100;
const DAY_MS = 86_400_000;

export const APPEND_SCRIPT: SlotScript = {
  name: 'historyAppend',
  numberOfKeys: 1,
  lua: `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'decision', ARGV[4], 'instance', ARGV[5], 'record', ARGV[6])
local expired = redis.call('XRANGE', KEYS[1], '-', ARGV[2], 'COUNT', ${AGE_TRIM_BATCH})
for i = 1, #expired do redis.call('XDEL', KEYS[1], expired[i][1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return id`,
};

/** The script's arguments for one record; `nowMs` decides what is too old. */
export function appendArgs(record: AuditRecord, settings: HistorySettings, nowMs: number): string[] {
  const maxAgeMs = settings.maxAgeDays * DAY_MS;
  return [
    String(settings.maxEntries),
    // An end id without a sequence covers every entry of that millisecond: all older than the cap.
    String(Math.max(0, nowMs - maxAgeMs - 1)),
    String(maxAgeMs),
    record.decision,
    record.target?.instanceId ?? '',
    JSON.stringify(record),
  ];
}

/** One entry read back: its stream id (time of the append) and the record. */
export interface HistoryEntry {
  id: string;
  /** ms since epoch, from the id. */
  at: number;
  record: AuditRecord;
}

/** An XRANGE/XREAD entry ([id, [field, value, ...]]) as a HistoryEntry; null when it is not one of ours. */
export function parseEntry(raw: [string, string[]]): HistoryEntry | null {
  const [id, fields] = raw;
  const at = Number(id.split('-')[0]);
  const index = fields.indexOf('record');
  if (!Number.isFinite(at) || index < 0 || index % 2 !== 0) return null;
  try {
    const record = JSON.parse(fields[index + 1] ?? '') as AuditRecord;
    return record && typeof record === 'object' && typeof record.decision === 'string' ? { id, at, record } : null;
  } catch {
    return null;
  }
}
