import { DcsError, isDcsError, waitForJob, type DcsClient, type HangUpKillAllClientsRequestBody } from '../dcs';
import type { JobView, Target } from '../domain/types';

/** The request a kill sends, shown verbatim in dry-run audit records. */
export interface KillRequest {
  method: 'POST';
  path: string;
  body: HangUpKillAllClientsRequestBody;
}

/**
 * How a kill ended, and what it means for the guard:
 * not_sent — nothing happened, the target may be tried again;
 * outcome_unknown — it may have happened, keep the cooldown.
 */
export type KillOutcome =
  | { kind: 'executed'; jobId: string; job: JobView }
  | { kind: 'failed'; error: DcsError; effect: 'not_sent' | 'outcome_unknown' };

export function killRequest(target: Target): KillRequest {
  return {
    method: 'POST',
    path: `/v2/${target.projectId}/instances/${target.instanceId}/clients/kill-all`,
    body: target.killAllNodes ? { kill_all_nodes: true } : { node_id: target.nodeId ?? '', kill_all_nodes: false },
  };
}

/** Sends kill-all once (the client never re-sends it after a timeout), then follows the job until the deadline. */
export async function killSessions(
  dcs: Pick<DcsClient, 'hangUpKillAllClients' | 'showJobInfo'>,
  target: Target,
  jobDeadline: number,
  firstPollMs?: number,
): Promise<KillOutcome> {
  let jobId: string;
  try {
    const response = await dcs.hangUpKillAllClients({ instanceId: target.instanceId, body: killRequest(target).body });
    jobId = response.job_id;
  } catch (e) {
    // The client only throws DcsError; anything else is a bug, and a bug after sending means "unknown".
    const error = isDcsError(e) ? e : new DcsError({ kind: 'outcome_unknown', code: 'InternalError', message: 'unexpected error while sending kill-all' });
    return { kind: 'failed', error, effect: effectOf(error) };
  }
  const job = await waitForJob(dcs, jobId, jobDeadline, firstPollMs === undefined ? {} : { initialDelayMs: firstPollMs });
  return { kind: 'executed', jobId, job: { status: job.status, failReason: job.failReason } };
}

/** A 5xx on a kill may hide a job that was created: only answers that prove nothing happened release the target. */
function effectOf(error: DcsError): 'not_sent' | 'outcome_unknown' {
  return error.kind === 'outcome_unknown' || error.kind === 'server' ? 'outcome_unknown' : 'not_sent';
}
