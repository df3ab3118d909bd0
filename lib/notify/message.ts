/**
 * What a person reads about a decision: a one-line subject and a few labelled
 * lines (what, where, why, job, sessions), link-free, built from the audit
 * record alone. The SMN message carries the record as JSON below the lines;
 * chat robots get the lines only (their messages are small).
 */
import type { AuditRecord, Target } from '../domain/types';

/** SMN: subject at most 512 bytes, no line breaks; message below 256 KB (reference: SMN PublishMessage). */
export const MAX_SUBJECT_BYTES = 512;
export const MAX_MESSAGE_BYTES = 256 * 1024 - 1;
const PRODUCT = 'dcs-session-guard';
const TRUNCATED = '\n… (truncated)';

export interface Notice {
  subject: string;
  /** Labelled lines, no JSON. */
  lines: Array<[label: string, text: string]>;
}

/** The person-readable view of one audit record. */
export function noticeOf(record: AuditRecord): Notice {
  const lines: Notice['lines'] = [['What', whatText(record)]];
  if (record.target) lines.push(['Where', whereText(record.target)]);
  lines.push(['Why', whyText(record)]);
  const job = jobText(record);
  if (job) lines.push(['Job', job]);
  const sessions = sessionsText(record);
  if (sessions) lines.push(['Sessions', sessions]);
  if (record.error) lines.push(['Error', `${record.error.code}: ${record.error.message}${record.error.httpStatus ? ` (HTTP ${record.error.httpStatus})` : ''}`]);
  lines.push(['When', `${record.time} (${record.trigger}${record.requestId ? `, request ${record.requestId}` : ''}, ${record.durationMs} ms)`]);
  return { subject: subjectOf(record), lines };
}

/** Subject, plain text lines, then the audit record as JSON: the SMN message. */
export function smnMessage(record: AuditRecord): { subject: string; message: string } {
  const notice = noticeOf(record);
  const text = plainText(notice);
  const pretty = `${text}\n\nAudit record:\n${JSON.stringify(record, null, 2)}`;
  if (utf8Length(pretty) <= MAX_MESSAGE_BYTES) return { subject: notice.subject, message: pretty };
  const compact = `${text}\n\nAudit record:\n${JSON.stringify(record)}`;
  return { subject: notice.subject, message: truncateBytes(compact, MAX_MESSAGE_BYTES, TRUNCATED) };
}

export function plainText(notice: Notice): string {
  const width = Math.max(...notice.lines.map(([label]) => label.length)) + 1;
  return [notice.subject, '', ...notice.lines.map(([label, text]) => `${`${label}:`.padEnd(width)} ${text}`)].join('\n');
}

/** Markdown for chat robots: a bold title and one bullet per line. */
export function markdownText(notice: Notice): string {
  return [`**${notice.subject}**`, '', ...notice.lines.map(([label, text]) => `- **${label}:** ${text}`)].join('\n');
}

function subjectOf(record: AuditRecord): string {
  const where = record.target ? ` on ${record.target.instanceId}${record.target.killAllNodes ? '' : ` node ${record.target.nodeId}`}` : '';
  const subject = `[${PRODUCT}] ${record.decision}${where}`.replace(/[\r\n]+/g, ' ');
  return truncateBytes(subject, MAX_SUBJECT_BYTES, '…');
}

function whatText(record: AuditRecord): string {
  const action = actionOf(record);
  return `${record.decision}${action ? ` (${action})` : ''}: ${record.reason}`;
}

function whereText(target: Target): string {
  const scope = target.killAllNodes ? 'all nodes' : `node ${target.nodeId}`;
  return `instance ${target.instanceId}, ${scope} (project ${target.projectId})`;
}

function whyText(record: AuditRecord): string {
  const parts: string[] = [];
  if (record.rule) parts.push(`rule "${record.rule}"`);
  const source = record.source as Record<string, unknown> | undefined;
  if (source && typeof source.alarmName === 'string') {
    const details = [source.metric, source.alarmStatus].filter((v): v is string => typeof v === 'string');
    parts.push(`alarm "${source.alarmName}"${details.length > 0 ? ` (${details.join(', ')})` : ''}`);
  } else if (source && typeof source.schedule === 'string') {
    parts.push(`schedule "${source.schedule}"`);
  }
  if (record.dryRun) parts.push('dry run');
  return parts.length > 0 ? parts.join(', ') : `${record.trigger} event`;
}

function jobText(record: AuditRecord): string | null {
  if (!record.jobId && !record.job) return null;
  const failure = record.job?.failReason ? `: ${record.job.failReason}` : '';
  return `${record.jobId ?? 'unknown id'} ${record.job?.status ?? ''}${failure}`.trim();
}

/** The session figures the record carries: the snapshot before the kill, and what a precise action killed. */
function sessionsText(record: AuditRecord): string | null {
  const parts: string[] = [];
  const snapshot = record.sessions as { sessionCount?: unknown; nodes?: unknown; topClients?: unknown; truncated?: unknown } | undefined;
  if (snapshot && typeof snapshot.sessionCount === 'number') {
    const nodes = typeof snapshot.nodes === 'number' ? ` on ${snapshot.nodes} node${snapshot.nodes === 1 ? '' : 's'}` : '';
    parts.push(`${snapshot.sessionCount}${snapshot.truncated ? '+' : ''} connected before${nodes}`);
    const top = Array.isArray(snapshot.topClients) ? snapshot.topClients.slice(0, 3) : [];
    const clients = top
      .filter((c): c is { ip: string; count: number } => typeof c?.ip === 'string' && typeof c?.count === 'number')
      .map((c) => `${c.ip} (${c.count})`);
    if (clients.length > 0) parts.push(`top clients ${clients.join(', ')}`);
  }
  const killed = killedCount(record);
  if (killed !== null) parts.push(`${killed} ${record.decision === 'dry_run' ? 'would be killed' : 'killed'}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

function actionOf(record: AuditRecord): string | null {
  const action = (record as { action?: { kind?: unknown } }).action;
  return typeof action?.kind === 'string' ? action.kind : null;
}

/** Sessions a precise action killed (or would kill), summed over its nodes. */
function killedCount(record: AuditRecord): number | null {
  const nodes = (record as { action?: { nodes?: unknown } }).action?.nodes;
  if (!Array.isArray(nodes)) return null;
  let total = 0;
  for (const node of nodes) if (typeof node?.killed === 'number') total += node.killed;
  return total;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts `text` to at most `max` UTF-8 bytes (never inside a character), ending with `marker` when cut. */
export function truncateBytes(text: string, max: number, marker: string): string {
  if (utf8Length(text) <= max) return text;
  const room = max - utf8Length(marker);
  let cut = Buffer.from(text, 'utf8').subarray(0, Math.max(0, room)).toString('utf8');
  // A cut inside a multi-byte character decodes to U+FFFD: drop it.
  cut = cut.replace(/\uFFFD$/, '');
  while (utf8Length(cut) > room) cut = cut.slice(0, -1);
  return `${cut}${marker}`;
}
