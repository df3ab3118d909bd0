/**
 * Where decisions go, in order, the moment each is made.
 *
 * The first sink is the audit line on stdout, written synchronously (on Linux a
 * write to a pipe or file returns once the line is in it): once a decision
 * exists, the platform stopping the function cannot lose its line. Later sinks
 * (notifications, a history stream, metrics) run in the background, each one
 * in decision order, bounded by the invocation's budget; their failures are
 * logged and never change a decision, delay the next one or repeat an action.
 */
import type { AuditRecord } from '../domain/types';
import type { Budget } from '../domain/budget';
import { writeStdoutLine } from '../log/stdout';

/** One audited decision: the record (secrets masked) and its JSON line. */
export interface AuditEntry {
  record: AuditRecord;
  line: string;
}

export interface DecisionSink {
  /** Short name for log lines ("stdout", "smn", "webhook:0", ...). */
  readonly name: string;
  /** Takes one decision. Later sinks may return a promise; it is bounded by `budget` and may fail. */
  write(entry: AuditEntry, budget: Budget): void | Promise<void>;
  /** At the end of the invocation: send what is batched (e.g. metrics). Bounded by `budget`. */
  flush?(budget: Budget): Promise<void>;
}

/** Writes one audit line; stdout in production, an array in tests. */
export type LineWriter = (line: string) => void;

/** The audit line sink: first, synchronous, always there. */
export function auditLineSink(write: LineWriter = writeStdoutLine): DecisionSink {
  return { name: 'stdout', write: ({ line }) => write(line) };
}

export interface SinkProblem {
  sink: string;
  /** 'failed' (it threw or rejected) or 'late' (still running at the deadline). */
  problem: 'failed' | 'late';
  message: string;
}

/** The later sinks a decision goes to: chosen by the policy, once per invocation, on the first decision that reaches them. */
export type LaterSinks = () => readonly DecisionSink[];

/**
 * Whether a decision goes beyond the audit line. A rejected one (input refused before any
 * policy applied: garbage, bad signatures) never does, so whoever can reach the endpoint
 * cannot page the on-call, fill the history or make a cold start load the policy.
 */
export const reachesLaterSinks = (record: AuditRecord): boolean => record.decision !== 'rejected';

/**
 * The ordered sinks of one invocation. `publish` never throws and never waits
 * for a later sink; `drain` waits for them until the deadline and no longer.
 * An invocation whose decisions reached no later sink pays nothing for them.
 */
export class DecisionSinks {
  private readonly later: LaterSinks;
  /** Per later sink that took a decision, the promise of its last write: each sink sees the decisions in order. */
  private readonly tails = new Map<DecisionSink, Promise<void>>();

  constructor(
    private readonly first: DecisionSink,
    later: readonly DecisionSink[] | LaterSinks,
    private readonly report: (problem: SinkProblem) => void,
  ) {
    this.later = typeof later === 'function' ? later : () => later;
  }

  publish(entry: AuditEntry, budget: Budget): void {
    try {
      void this.first.write(entry, budget);
    } catch {
      // Nothing to tell it to: the audit line is the log.
    }
    if (!reachesLaterSinks(entry.record)) return;
    for (const sink of this.later()) {
      const tail = this.tails.get(sink) ?? Promise.resolve();
      this.tails.set(sink, tail.then(() => sink.write(entry, budget)).catch((e: unknown) => this.fail(sink, e)));
    }
  }

  /** Lets every later sink finish (and flush) until the budget's deadline; reports the ones still running. */
  async drain(budget: Budget): Promise<void> {
    if (this.tails.size === 0) return;
    const finished = new Set<DecisionSink>();
    const work = [...this.tails].map(([sink, tail]) =>
      tail
        .then(() => sink.flush?.(budget))
        .catch((e: unknown) => this.fail(sink, e))
        .then(() => {
          finished.add(sink);
        }),
    );
    await untilDeadline(Promise.all(work), budget);
    for (const sink of this.tails.keys()) {
      if (!finished.has(sink)) this.report({ sink: sink.name, problem: 'late', message: 'still running at the invocation deadline; abandoned' });
    }
  }

  private fail(sink: DecisionSink, e: unknown): void {
    this.report({ sink: sink.name, problem: 'failed', message: e instanceof Error ? e.message : String(e) });
  }
}

function untilDeadline(work: Promise<unknown>, budget: Budget): Promise<void> {
  if (!Number.isFinite(budget.deadline)) return work.then(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, budget.remaining());
  });
  return Promise.race([work.then(() => undefined), deadline]).finally(() => clearTimeout(timer));
}
