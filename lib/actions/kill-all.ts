/** kill-all: every client session of one node, or of every node of an instance (hangUpKillAllClients). */
import type { HangUpKillAllClientsRequestBody } from '../dcs';
import type { Target } from '../domain/types';
import { failedSend, followJob, type Action, type ActionRequest } from './action';

export interface KillAllSpec {
  kind: 'kill-all';
}

export function killAllRequest(target: Target): ActionRequest & { body: HangUpKillAllClientsRequestBody } {
  return {
    method: 'POST',
    path: `/v2/${target.projectId}/instances/${target.instanceId}/clients/kill-all`,
    body: target.killAllNodes ? { kill_all_nodes: true } : { node_id: target.nodeId ?? '', kill_all_nodes: false },
  };
}

export function scopeText(target: Target): string {
  return target.killAllNodes ? `all nodes of instance ${target.instanceId}` : `node ${target.nodeId} of instance ${target.instanceId}`;
}

const details = { kind: 'kill-all' } as const;

export const killAll: Action<KillAllSpec> = {
  kind: 'kill-all',

  describe: (target) => `kill the client sessions of ${scopeText(target)}`,

  async run(target, _spec, ctx) {
    const request = killAllRequest(target);
    if (ctx.dryRun) {
      return { outcome: 'done', details, request, reason: `Dry run: would kill the client sessions of ${scopeText(target)}.` };
    }
    let jobId: string;
    try {
      // Sent once: the client re-sends it only on evidence that no byte of it left (lib/dcs/retry.ts).
      jobId = (await ctx.dcs.hangUpKillAllClients({ instanceId: target.instanceId, body: request.body }, ctx.budget.callOptions())).job_id;
    } catch (e) {
      return failedSend(e, details);
    }
    const job = await followJob(ctx.dcs, jobId, ctx);
    const seen = job.error ? `its status could not be read: ${job.error.message}` : `job ${job.status}`;
    return { outcome: 'done', details, jobId, job, reason: `Killed the client sessions of ${scopeText(target)} (${seen}).` };
  },
};
