/**
 * The invocation's one deadline. It is fixed when the invocation starts (the
 * function's remaining time less a margin to audit and answer, and SMN's 5 s
 * for a webhook) and handed to everything that can take time: every DCS call,
 * every wait, every sink. Nothing computes a deadline of its own.
 */
export class Budget {
  constructor(
    /** Epoch ms; Infinity when nothing bounds the invocation (a local call without a context). */
    readonly deadline: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.deadline - this.now());
  }

  /** True when at least `ms` are left. */
  allows(ms: number): boolean {
    return this.remaining() >= ms;
  }

  /** A deadline for one step: `ms` from now, never past the invocation's. */
  within(ms: number): number {
    return Math.min(this.deadline, this.now() + ms);
  }

  /** For DCS calls: `{deadlineEpochMs}`, or nothing when unbounded. */
  callOptions(): { deadlineEpochMs?: number } {
    return Number.isFinite(this.deadline) ? { deadlineEpochMs: this.deadline } : {};
  }
}

/**
 * The end of the budget kept for the decision's sinks (notifications, history,
 * metrics): following a kill job, which only refines the record, stops this
 * much earlier, so the on-call still hears about a kill made late in the budget.
 */
export const REPORT_RESERVE_MS = 1_000;

/** SMN waits 5 s for an HTTP answer: a webhook invocation is done well before. */
export const APIG_BUDGET_MS = 4_000;
/** Time kept back from FunctionGraph's timeout to audit and answer. */
export const SAFETY_MARGIN_MS = 1_500;

/**
 * The deadline of an invocation that started at `startedAt`: FunctionGraph's
 * remaining time (read once, at the start) less the margin, and 4 s for APIG.
 */
export function invocationBudget(opts: { startedAt: number; remainingMs: number | undefined; apig: boolean; now: () => number }): Budget {
  const limits = [Number.POSITIVE_INFINITY];
  if (typeof opts.remainingMs === 'number' && Number.isFinite(opts.remainingMs)) {
    // A very short timeout still gets most of its time: the margin never eats more than a quarter.
    const margin = Math.min(SAFETY_MARGIN_MS, Math.max(0, opts.remainingMs) / 4);
    limits.push(opts.startedAt + opts.remainingMs - margin);
  }
  if (opts.apig) limits.push(opts.startedAt + APIG_BUDGET_MS);
  return new Budget(Math.max(opts.startedAt, Math.min(...limits)), opts.now);
}
