/**
 * Closing chosen sessions: hangUpClients in bounded batches (one request never carries more
 * than `batchSize` addresses), in the order given (the idlest first), one batch at a time.
 *
 * The first batch that does not go through stops the rest: a refusal will not get better on
 * the next batch, and after an unknown outcome piling on more requests only makes the
 * record harder to read. What happened to each address is reported by evidence:
 * closed (the batch was accepted), not sent (nothing of its batch left), or unknown.
 */
import type { DcsClient } from '../dcs/client';
import { DcsError, isDcsError } from '../dcs/errors';

export type SessionKiller = Pick<DcsClient, 'hangUpClients'>;

/** Addresses per hangUpClients request unless told otherwise: small bodies, and a stop loses little. */
export const DEFAULT_KILL_BATCH_SIZE = 100;

export interface KillOptions {
  deadline: number;
  batchSize?: number;
  /** Called after each accepted batch (bench breakdown, progress). */
  onBatch?: (addrs: readonly string[]) => void;
}

export interface KillReport {
  /** Addresses in accepted batches. */
  killed: number;
  /** Requests accepted. */
  batches: number;
  /** Addresses whose batch failed with an unknown outcome (it may have been applied). */
  unknown: number;
  /** Addresses certainly not closed by us: never sent (after a stop), proven not sent, or refused. */
  notApplied: number;
  /** Why the batches stopped early; null when every batch went through. */
  stoppedBy: DcsError | null;
}

export async function killInBatches(dcs: SessionKiller, instanceId: string, nodeId: string, addrs: readonly string[], opts: KillOptions): Promise<KillReport> {
  const size = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_KILL_BATCH_SIZE));
  const report: KillReport = { killed: 0, batches: 0, unknown: 0, notApplied: 0, stoppedBy: null };
  for (let start = 0; start < addrs.length; start += size) {
    const batch = addrs.slice(start, start + size);
    try {
      await dcs.hangUpClients({ instanceId, body: { node_id: nodeId, client_addrs: batch } }, { deadlineEpochMs: opts.deadline });
      report.killed += batch.length;
      report.batches += 1;
      opts.onBatch?.(batch);
    } catch (e) {
      const error = isDcsError(e) ? e : new DcsError({ kind: 'outcome_unknown', code: 'InternalError', message: 'unexpected error while sending hangUpClients' });
      const maybeApplied = error.kind === 'outcome_unknown' || error.kind === 'server';
      report.unknown += maybeApplied ? batch.length : 0;
      report.notApplied += (maybeApplied ? 0 : batch.length) + (addrs.length - start - batch.length);
      report.stoppedBy = error;
      break;
    }
  }
  return report;
}
