import { Auditor, auditLineSink, DecisionSinks, type LineWriter } from '../audit';
import type { DcsClient } from '../dcs';
import { invocationBudget, type Budget } from '../domain/budget';
import type { AuditRecord, Source, Trigger } from '../domain/types';
import { fromContext } from '../fg/context';
import type { ApigResponse, Context } from '../fg/types';
import { Logger } from '../log/logger';
import type { Container } from '../runtime/container';
import { configFailure, httpStatus, type Answer, type Decision } from './decision';
import type { Executor } from './executor';
import { acting } from '../runtime/acting';
import { isPlan, type Step } from './plan';

export type HandlerResult = ApigResponse | { results: AuditRecord[] };

export interface InvocationOptions {
  trigger: Trigger;
  apig: boolean;
  /** Where audit lines go; stdout by default (tests capture them). */
  writeLine?: LineWriter;
  now?: () => number;
}

/**
 * One handler call: its budget, its decisions (each audited and handed to the
 * sinks the moment it is made) and the answer they add up to.
 */
export class Invocation {
  readonly log: Logger;
  readonly now: () => number;
  readonly budget: Budget;
  private readonly auditor: Auditor;
  private readonly sinks: DecisionSinks;
  private readonly answers: Answer[] = [];
  /** Times the decision being made: from the previous decision (or the start) to this one. */
  private finishDecision: ReturnType<Auditor['begin']>;
  private executor: Executor | undefined;

  constructor(
    readonly container: Container,
    readonly context: Context | undefined,
    readonly opts: InvocationOptions,
  ) {
    this.now = opts.now ?? Date.now;
    const startedAt = this.now();
    this.budget = invocationBudget({ startedAt, remainingMs: fromContext(context, (c) => c.getRemainingTimeInMilliSeconds?.()), apig: opts.apig, now: this.now });
    const requestId = fromContext(context, (c) => c.getRequestID?.()) ?? null;
    const secrets = container.secrets(context);
    this.log = new Logger({ requestId }, secrets);
    this.sinks = new DecisionSinks(auditLineSink(opts.writeLine), container.decisionSinks(context, this.now), (p) =>
      this.log.warn(`Decision sink "${p.sink}" ${p.problem}: ${p.message}`, { sink: p.sink }),
    );
    this.auditor = new Auditor({ trigger: opts.trigger, requestId, secrets, now: this.now, publish: (entry) => this.sinks.publish(entry, this.budget) });
    this.finishDecision = this.auditor.begin();
  }

  /** One step of a story: a plan is executed, a decision taken as is; either way audited at once. */
  async take(step: Step): Promise<AuditRecord> {
    return this.record(isPlan(step) ? await this.executorOf().run(step) : step);
  }

  /** Audits a decision now (stdout first, then the other sinks) and lets it weigh on the answer. */
  record(decision: Decision): AuditRecord {
    this.answers.push(decision.answer);
    const record = this.finishDecision(decision.draft);
    this.finishDecision = this.auditor.begin();
    return record;
  }

  /** The DCS client a story reads with (node listings); a setting that is wrong becomes the decision. */
  dcs(source: Source): { ok: true; value: DcsClient } | { ok: false; error: Decision } {
    const dcs = this.container.dcs(this.context);
    return dcs.ok ? dcs : { ok: false, error: configFailure('DcsConfigInvalid', dcs.error.message, source) };
  }

  /** Lets the later sinks finish within the budget, then answers. */
  async finish(): Promise<HandlerResult> {
    await this.sinks.drain(this.budget);
    return this.respond();
  }

  private respond(): HandlerResult {
    const results = this.auditor.records;
    if (!this.opts.apig) return { results };
    const status = httpStatus(this.answers);
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(status >= 400 && status < 500 ? { error: results[0]?.reason ?? 'rejected', results } : { results }),
      isBase64Encoded: false,
    };
  }

  private executorOf(): Executor {
    this.executor ??= new (acting().Executor)({
      dcs: () => {
        const dcs = this.container.dcs(this.context);
        return dcs.ok ? dcs : { ok: false, error: { code: 'DcsConfigInvalid', message: dcs.error.message } };
      },
      guard: (storeTimeoutMs) => {
        const guard = this.container.guard(storeTimeoutMs);
        return guard.ok ? guard : { ok: false, error: { code: 'GuardConfigInvalid', message: guard.error.message } };
      },
      budget: this.budget,
      now: this.now,
      log: this.log,
    });
    return this.executor;
  }
}
