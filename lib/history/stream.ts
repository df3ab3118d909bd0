/**
 * The decision history: a capped Redis stream beside the guard's keys
 * (`<prefix>{guard}:history`, the same hash tag, hence the same hash slot in a
 * Proxy or Redis Cluster). One entry per audit record:
 *
 *   <ms>-<seq>  decision <kind>  instance <id or "">  record <the audit record as JSON>
 *
 * One script call appends one or more records (append.ts batches the records of
 * concurrent decisions of a container). Capped by count (XADD MAXLEN ~ maxEntries,
 * on every entry) and by age: each call deletes up to 100 entries older than
 * maxAgeDays (XRANGE + XDEL, which Redis 5.0 has; XTRIM MINID needs 6.2), at
 * least twice what it adds (MAX_BATCH), and the key expires when nothing was
 * appended for maxAgeDays. Redis 4.0 has no streams: the append fails with
 * `unknown_command` and the decision stands.
 */
import type { AuditRecord } from '../domain/types';
import type { SlotScript } from '../guard/redis-store';
import type { HistorySettings } from '../policy';

/** The stream's name after the guard prefix and hash tag. */
export const HISTORY_KEY_NAME = 'history';
const AGE_TRIM_BATCH = 100;
/** Records per script call at most: half the age trim's batch, so trimming always outpaces appending. */
export const MAX_BATCH = AGE_TRIM_BATCH / 2;
const DAY_MS = 86_400_000;

/** ARGV: 1 maxEntries, 2 the newest id too old to keep, 3 the key's TTL (ms), then per record: decision, instance, record. Returns the last id. */
export const APPEND_SCRIPT: SlotScript = {
  name: 'historyAppend',
  numberOfKeys: 1,
  lua: `
local id
for i = 4, #ARGV, 3 do
  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'decision', ARGV[i], 'instance', ARGV[i + 1], 'record', ARGV[i + 2])
end
local expired = redis.call('XRANGE', KEYS[1], '-', ARGV[2], 'COUNT', ${AGE_TRIM_BATCH})
for i = 1, #expired do redis.call('XDEL', KEYS[1], expired[i][1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return id`,
};

/** The script's leading arguments (the caps); `nowMs` decides what is too old. */
export function capArgs(settings: HistorySettings, nowMs: number): string[] {
  const maxAgeMs = settings.maxAgeDays * DAY_MS;
  return [
    String(settings.maxEntries),
    // An end id without a sequence covers every entry of that millisecond: all older than the cap.
    String(Math.max(0, nowMs - maxAgeMs - 1)),
    String(maxAgeMs),
  ];
}

/** The script's arguments for one record (after capArgs); `line` is the record's JSON (its audit line, already serialized). */
export function entryArgs(record: AuditRecord, line: string): string[] {
  return [record.decision, record.target?.instanceId ?? '', line];
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
