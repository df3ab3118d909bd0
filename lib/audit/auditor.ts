import type { AuditRecord, DecisionKind, Trigger } from '../domain/types';
import { containsAny, redact } from './redact';
import type { AuditEntry } from './sinks';

/** What a decision contributes; the auditor fills in the envelope fields. */
export type DecisionDraft = Omit<AuditRecord, 'type' | 'time' | 'requestId' | 'trigger' | 'durationMs'> & {
  decision: DecisionKind;
  reason: string;
};

export interface AuditorOptions {
  trigger: Trigger;
  requestId: string | null;
  /** Hands each record on the moment it exists (DecisionSinks.publish: the audit line first). */
  publish: (entry: AuditEntry) => void;
  /** Secret values that must never appear in a line, whatever a bug puts in a record. */
  secrets?: readonly string[];
  now?: () => number;
}

/**
 * Makes exactly one audit record per decision, publishes it at once, and keeps
 * the records for the handler's return value. Each decision's duration runs
 * from `begin()`.
 */
export class Auditor {
  readonly records: AuditRecord[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: AuditorOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts timing one decision; call the returned function once with its outcome. */
  begin(): (draft: DecisionDraft) => AuditRecord {
    const startedAt = this.now();
    let written = false;
    return (draft) => {
      if (written) throw new Error('a decision is audited once');
      written = true;
      return this.write(draft, startedAt);
    };
  }

  /** Audits a decision that took no measurable work (e.g. rejected input). */
  record(draft: DecisionDraft): AuditRecord {
    return this.begin()(draft);
  }

  private write(draft: DecisionDraft, startedAt: number): AuditRecord {
    const finishedAt = this.now();
    let record = ordered({
      type: 'audit',
      time: new Date(finishedAt).toISOString(),
      requestId: this.opts.requestId,
      trigger: this.opts.trigger,
      ...draft,
      durationMs: Math.max(0, finishedAt - startedAt),
    });
    let line = JSON.stringify(record);
    // The net is rarely needed: copy and mask only when a secret is actually in the line.
    const secrets = this.opts.secrets ?? [];
    if (containsAny(line, secrets)) {
      record = redact(record, secrets);
      line = JSON.stringify(record);
    }
    this.records.push(record);
    this.opts.publish({ record, line });
    return record;
  }
}

/** Every field of an audit record, in the order lines print them (docs/reference.md lists them in this order): audit lines read alike. */
export const AUDIT_FIELDS = [
  'type', 'time', 'requestId', 'trigger', 'decision', 'reason', 'target', 'source', 'jobId', 'job', 'error', 'durationMs',
  'rule', 'action', 'dryRun', 'dryRunCause', 'request', 'guard', 'sessions',
] as const satisfies readonly (keyof AuditRecord)[];
/** Compiles only while AUDIT_FIELDS lists every field of AuditRecord. */
type Unlisted = Exclude<keyof AuditRecord, (typeof AUDIT_FIELDS)[number]>;
const FIELD_ORDER: [Unlisted] extends [never] ? readonly (keyof AuditRecord)[] : Unlisted = AUDIT_FIELDS;

function ordered(record: AuditRecord): AuditRecord {
  // FIELD_ORDER lists every field (checked at compile time above): one pass, nothing left over.
  const out: Record<string, unknown> = {};
  for (const key of FIELD_ORDER) if (record[key] !== undefined) out[key] = record[key];
  return out as unknown as AuditRecord;
}
