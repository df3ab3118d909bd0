/**
 * The product's vocabulary. Every module speaks these types; the audit record
 * (docs/reference.md, "Audit record") is built from them.
 */

/** What was decided for one target (or for one rejected input). */
export type DecisionKind =
  | 'executed'
  | 'dry_run'
  | 'skipped_duplicate'
  | 'skipped_cooldown'
  | 'skipped_rate_limit'
  | 'skipped_not_allowed'
  | 'skipped_no_rule'
  | 'skipped_recovered'
  | 'skipped_precondition'
  /** A precision action (kill-matching) found no session to kill and the policy says skip. */
  | 'skipped_no_match'
  | 'rejected'
  | 'failed'
  /** Extension: a signed SMN SubscriptionConfirmation was confirmed (no DCS call). */
  | 'subscription_confirmed';

export const DECISION_KINDS: readonly DecisionKind[] = [
  'executed',
  'dry_run',
  'skipped_duplicate',
  'skipped_cooldown',
  'skipped_rate_limit',
  'skipped_not_allowed',
  'skipped_no_rule',
  'skipped_recovered',
  'skipped_precondition',
  'skipped_no_match',
  'rejected',
  'failed',
  'subscription_confirmed',
];

export type Trigger = 'alarm' | 'timer' | 'manual';

/** What a kill-all acts on: one node, or every node of an instance. */
export interface Target {
  projectId: string;
  instanceId: string;
  /** null when killAllNodes is true. */
  nodeId: string | null;
  killAllNodes: boolean;
}

/** The alarm that led to a decision. */
export interface AlarmSource {
  alarmId: string | null;
  alarmName: string | null;
  alarmStatus: AlarmStatus | null;
  metric: string | null;
  smnMessageId: string | null;
  topicUrn: string | null;
}

/** The timer that led to a decision. */
export interface ScheduleSource {
  schedule: string | null;
  triggerName: string | null;
}

export type Source = AlarmSource | ScheduleSource;

export type AlarmStatus = 'alarm' | 'ok' | 'insufficient_data';

/** Status of a DCS job as last seen; PENDING = still INIT/RUNNING when we stopped following it. */
export type JobStatus = 'INIT' | 'RUNNING' | 'SUCCESS' | 'FAIL' | 'PENDING';

export interface JobView {
  status: JobStatus;
  failReason: string | null;
  /** Why the job's status could not be read (the kill itself was accepted): e.g. 403 on showJobInfo. */
  error?: ErrorInfo;
}

/**
 * Why a decision is a dry run. Every source that can force one, in the order
 * they are checked; a rule or schedule can add a dry run, never lift one.
 */
export type DryRunCause = 'GUARD_DRY_RUN' | 'policy' | 'rule' | 'schedule';

/**
 * What an action did or would do, as the audit record's `action` field shows
 * it: `{kind}` for kill-all; a precision action adds its per-node counts.
 */
export interface ActionDetails {
  kind: string;
  [detail: string]: unknown;
}

/** An API or infrastructure failure, safe to print (never holds a secret). */
export interface ErrorInfo {
  code: string;
  message: string;
  httpStatus: number | null;
  requestId: string | null;
}

/** One audit line (docs/reference.md, "Audit record"). */
export interface AuditRecord {
  type: 'audit';
  time: string;
  requestId: string | null;
  trigger: Trigger;
  decision: DecisionKind;
  reason: string;
  target?: Target;
  source?: Source;
  jobId?: string;
  job?: JobView;
  error?: ErrorInfo;
  durationMs: number;
  /** What the action did (or, in a dry run, would do). */
  action?: ActionDetails;
  dryRun?: boolean;
  /** Which source made this a dry run. */
  dryRunCause?: DryRunCause;
  /** For dry runs: the exact request that would have been sent. */
  request?: { method: string; path: string; body: object };
  /** Guard details: when a cooldown ends, which limit tripped, whether the store failed open. */
  guard?: Record<string, unknown>;
  /** Session snapshot taken before a kill (issue 8). */
  sessions?: Record<string, unknown>;
  /** Name of the policy rule that matched. */
  rule?: string;
}

/**
 * A refusal of input: malformed, unauthenticated, too large... It maps to an
 * HTTP status for APIG and to a `rejected` audit record, and never to a DCS call.
 */
export interface Rejection {
  /** 400 malformed, 401 unauthenticated, 403 forbidden, 405 wrong HTTP method, 413 too large, 415 bad media type. */
  status: 400 | 401 | 403 | 405 | 413 | 415;
  /** Stable machine code, e.g. "invalid_json", "bad_signature", "topic_not_allowed". */
  code: string;
  /** One sentence naming the offending field. */
  reason: string;
}

/** A rejection as the audit record's `error` field shows it. */
export const rejectionInfo = (r: Rejection): ErrorInfo => ({ code: r.code, message: r.reason, httpStatus: r.status, requestId: null });

/** A tiny Result type: errors are values, not thrown strings. */
export type Result<T, E> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
