/**
 * The shape of a decision sink, as the executor's sink port calls it: one
 * `write` per audited decision (after its stdout line), an optional `flush` at
 * the end of the invocation, both bounded by the invocation's budget. A
 * rejection is logged by the port as one `type: log` line; its message must be
 * safe to print (the sinks here build theirs from fixed words, status codes
 * and a webhook's origin only).
 */
import type { AuditRecord } from '../domain/types';

export interface SinkBudget {
  /** Epoch ms; Infinity when nothing bounds the invocation. */
  readonly deadline: number;
}

export interface SinkEntry {
  record: AuditRecord;
}

export interface PolicySink {
  readonly name: string;
  write(entry: SinkEntry, budget: SinkBudget): Promise<void>;
  flush?(budget: SinkBudget): Promise<void>;
}

/** A sink's failure, with a message that is safe to log. */
export class SinkError extends Error {
  override readonly name = 'SinkError';
}
