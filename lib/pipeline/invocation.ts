import { Auditor, type AuditSink, type DecisionDraft } from '../audit';
import type { AuditRecord, Rejection, Source, Trigger } from '../domain/types';
import { fromContext } from '../fg/context';
import type { ApigResponse, Context } from '../fg/types';
import { Logger } from '../log/logger';
import type { Container } from '../runtime/container';
import { rejected, type Outcome } from './act';

/** SMN waits 5 s for an HTTP answer: a webhook call must be done well before. */
const APIG_BUDGET_MS = 4_000;
/** Time kept back from FunctionGraph's timeout to audit and answer. */
const SAFETY_MARGIN_MS = 1_500;

export interface InvocationOptions {
  trigger: Trigger;
  apig: boolean;
  sink?: AuditSink;
  now?: () => number;
}

/**
 * One handler call: its audit trail, its time budget, and the HTTP status the
 * decisions add up to.
 */
export class Invocation {
  readonly auditor: Auditor;
  readonly log: Logger;
  readonly startedAt: number;
  readonly now: () => number;
  private status = 200;

  constructor(
    readonly container: Container,
    readonly context: Context | undefined,
    readonly opts: InvocationOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    const requestId = fromContext(context, (c) => c.getRequestID?.()) ?? null;
    const secrets = container.secrets(context);
    this.auditor = new Auditor({ trigger: opts.trigger, requestId, secrets, now: this.now, ...(opts.sink ? { sink: opts.sink } : {}) });
    this.log = new Logger({ requestId }, secrets);
  }

  /** Until when a kill job may be followed: the policy's wait, the function's remaining time, SMN's 5 s. */
  jobDeadline(waitSeconds: number): number {
    const now = this.now();
    const limits = [now + waitSeconds * 1000];
    const remaining = fromContext(this.context, (c) => c.getRemainingTimeInMilliSeconds?.());
    if (typeof remaining === 'number' && Number.isFinite(remaining)) limits.push(now + remaining - SAFETY_MARGIN_MS);
    if (this.opts.apig) limits.push(this.startedAt + APIG_BUDGET_MS);
    return Math.max(now, Math.min(...limits));
  }

  /** Audits one decision (timed from `begin`), and lets it weigh on the HTTP status. */
  settle(begin: (draft: DecisionDraft) => AuditRecord, outcome: Outcome): AuditRecord {
    if (outcome.redeliveryHelps) this.escalate(503);
    return begin(outcome.draft);
  }

  /** Audits input refused before any decision could be made. */
  reject(rejection: Rejection, source?: Source): AuditRecord {
    return this.auditor.record(rejected(this, rejection, source).draft);
  }

  /** A failure no redelivery can fix but that must not look like success (e.g. an invalid policy). */
  escalate(status: number): void {
    this.status = Math.max(this.status, status);
  }

  respond(): ApigResponse | { results: AuditRecord[] } {
    const results = this.auditor.records;
    if (!this.opts.apig) return { results };
    return {
      statusCode: this.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(this.status >= 400 && this.status < 500 ? { error: results[0]?.reason ?? 'rejected', results } : { results }),
      isBase64Encoded: false,
    };
  }
}
