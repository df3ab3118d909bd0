/**
 * How what a function prints is shown to a person. Functions print JSON lines: audit records
 * ({"type":"audit"}) and operational logs ({"type":"log"}); anything else is shown as it is.
 */

export type AuditLine = Record<string, unknown> & { type: 'audit'; decision: string; reason: string };
export type LogLine = Record<string, unknown> & { type: 'log'; level?: string; message?: string };

export type OutputLine = { kind: 'audit'; record: AuditLine } | { kind: 'log'; record: LogLine } | { kind: 'text'; text: string };

export function parseOutputLine(text: string): OutputLine {
  if (text.startsWith('{')) {
    try {
      const value = JSON.parse(text) as Record<string, unknown>;
      if (value && value.type === 'audit' && typeof value.decision === 'string') return { kind: 'audit', record: value as AuditLine };
      if (value && value.type === 'log') return { kind: 'log', record: value as LogLine };
    } catch {
      // not JSON after all: shown as text
    }
  }
  return { kind: 'text', text };
}

interface TargetLike {
  instanceId?: unknown;
  nodeId?: unknown;
  killAllNodes?: unknown;
}

/** "5e2b…a6b node eb4d…f9b", "5e2b…a6b (all nodes)", or "-" when the input was rejected before a target existed. */
export function describeTarget(target: unknown): string {
  if (typeof target !== 'object' || target === null) return '-';
  const t = target as TargetLike;
  const instance = typeof t.instanceId === 'string' ? t.instanceId : '?';
  if (t.killAllNodes === true || t.nodeId === null || t.nodeId === undefined) return `${instance} (all nodes)`;
  return `${instance} node ${String(t.nodeId)}`;
}

/** The job part of an audit line, e.g. "job 7f3e... SUCCESS". */
function describeJob(record: Record<string, unknown>): string {
  const job = record.job as { status?: unknown; failReason?: unknown } | undefined;
  if (!job && typeof record.jobId !== 'string') return '';
  const parts = ['job'];
  if (typeof record.jobId === 'string') parts.push(record.jobId);
  if (job && typeof job.status === 'string') parts.push(job.status);
  if (job && typeof job.failReason === 'string') parts.push(`(${job.failReason})`);
  return parts.join(' ');
}

/**
 * The error part of an audit line, with the guard store's failure cause when there is one:
 * "error GuardStoreUnavailable, guard store: ECONNREFUSED" (the cause is what an operator acts on).
 */
export function describeProblem(record: Record<string, unknown>): string {
  const parts: string[] = [];
  const error = record.error as { code?: unknown; httpStatus?: unknown } | undefined;
  if (error && typeof error.code === 'string') parts.push(`error ${error.code}${typeof error.httpStatus === 'number' ? ` (HTTP ${error.httpStatus})` : ''}`);
  const guard = record.guard as { cause?: unknown; failOpen?: unknown } | undefined;
  if (guard && typeof guard.cause === 'string') {
    parts.push(guard.failOpen === true ? `guard store unavailable (${guard.cause}): acted without the guard (failOpen)` : `guard store: ${guard.cause}`);
  }
  return parts.join(', ');
}

/** One line per audit record: decision, target, reason, then job and error details. */
export function formatAudit(record: AuditLine): string {
  const extras = [describeJob(record), describeProblem(record)];
  if (typeof record.durationMs === 'number') extras.push(`${record.durationMs} ms`);
  const tail = extras.filter((e) => e !== '').join(', ');
  return `AUDIT ${record.decision.padEnd(19)} ${describeTarget(record.target)}: ${record.reason}${tail ? ` [${tail}]` : ''}`;
}

const LOG_ENVELOPE = new Set(['type', 'time', 'level', 'message', 'requestId']);

/** "WARN  message {extra fields}". */
export function formatLog(record: LogLine): string {
  const extra = Object.fromEntries(Object.entries(record).filter(([key]) => !LOG_ENVELOPE.has(key)));
  const detail = Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : '';
  return `${String(record.level ?? 'LOG').padEnd(5)} ${String(record.message ?? '')}${detail}`;
}

export function formatOutputLine(line: OutputLine): string {
  switch (line.kind) {
    case 'audit':
      return formatAudit(line.record);
    case 'log':
      return formatLog(line.record);
    case 'text':
      return line.text;
  }
}
