/**
 * One invocation's decisions as Cloud Eye metric data: per decision kind and
 * instance, how many (metric name = the decision, dimension instance_id; "none"
 * for a decision without a target). Users alarm on them: "skipped_rate_limit
 * > 0" (breaker open), "executed, sum over 1 h > N" (kills per hour).
 */
import type { AuditRecord } from '../domain/types';
import type { MetricDataItem } from './ces-client';

/** How long Cloud Eye keeps the raw points: 7 days, the API's maximum (alarms and weekly views need them). */
export const METRIC_TTL_SECONDS = 604_800;
export const NO_INSTANCE = 'none';

export function metricData(records: readonly AuditRecord[], namespace: string, nowMs: number): MetricDataItem[] {
  const counts = new Map<string, { decision: string; instance: string; count: number }>();
  for (const record of records) {
    const instance = record.target?.instanceId ?? NO_INSTANCE;
    const key = `${record.decision}\u0000${instance}`;
    const entry = counts.get(key) ?? { decision: record.decision, instance, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }
  return [...counts.values()].map(({ decision, instance, count }) => ({
    metric: { namespace, metric_name: decision, dimensions: [{ name: 'instance_id', value: instance }] },
    ttl: METRIC_TTL_SECONDS,
    collect_time: nowMs,
    value: count,
    unit: 'count',
    type: 'int',
  }));
}
