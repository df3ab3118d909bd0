/**
 * doctor's DCS part: reads only. The endpoint, the credentials and the
 * project are proven by one read of an instance that cannot exist (a 404
 * means every one of them was accepted); every instance the policy names is
 * read (exists, RUNNING, Redis >= 4.0, the nodes that hold sessions); each
 * read permission the function needs is proven by a call of its kind, and the
 * one that cannot be proven without acting (kill) is named, never tried.
 */
import { randomUUID } from 'node:crypto';
import type { DcsClient, DcsError } from '../dcs';
import { isDcsError } from '../dcs';
import type { Policy } from '../policy';
import { sessionNodes } from '../sessions';
import { checkInstance } from '../targets/preflight';
import { fail, ok, warn, type Check } from './check';

/** The IAM action each call needs (deploy/iam-policy.json grants exactly these). */
const ACTIONS = { showInstance: 'dcs:instance:get', showJobInfo: 'dcs:job:get', listClients: 'dcs:clients:list', kill: 'dcs:clients:kill' } as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The exact instance ids the policy names (globs and "*" name none). */
export function namedInstances(policy: Policy): string[] {
  const ids = new Set<string>();
  for (const id of policy.instances.allow) if (UUID.test(id)) ids.add(id);
  for (const rule of policy.alarms) for (const id of rule.match.instances ?? []) if (UUID.test(id)) ids.add(id);
  for (const schedule of Object.values(policy.schedules)) for (const t of schedule.targets) ids.add(t.instance);
  return [...ids].sort();
}

/**
 * The instances a precision action (kill-matching) acts on: schedules name theirs; a rule
 * names them in match.instances (exact ids only). `anywhere`: some rule or schedule uses one.
 */
export function precisionTargets(policy: Policy): { instances: Set<string>; anywhere: boolean } {
  const instances = new Set<string>();
  let anywhere = false;
  for (const rule of policy.alarms) {
    if (rule.action?.kind !== 'kill-matching') continue;
    anywhere = true;
    for (const id of rule.match.instances ?? []) if (UUID.test(id)) instances.add(id);
  }
  for (const schedule of Object.values(policy.schedules)) {
    if (schedule.action?.kind !== 'kill-matching') continue;
    anywhere = true;
    for (const t of schedule.targets) instances.add(t.instance);
  }
  return { instances, anywhere };
}

export async function dcsChecks(client: DcsClient, policy: Policy, deadline: () => number): Promise<Check[]> {
  const checks: Check[] = [];
  const probe = await attempt(() => client.showInstance({ instanceId: randomUUID() }, { deadlineEpochMs: deadline() }));
  const access = accessCheck(probe, client);
  checks.push(access);
  if (access.status === 'fail') return checks;
  checks.push(permission('dcs.permission.instance', ACTIONS.showInstance, probe));
  checks.push(permission('dcs.permission.job', ACTIONS.showJobInfo, await attempt(() => client.showJobInfo({ jobId: randomUUID() }, { deadlineEpochMs: deadline() }))));
  const instances = namedInstances(policy);
  const precision = precisionTargets(policy);
  if (instances.length === 0) checks.push(ok('dcs.instances', 'the policy names no instance id (globs or "*" only): each is checked when an alarm names it'));
  let listProven = false;
  for (const id of instances) {
    const shown = await attempt(() => client.showInstance({ instanceId: id }, { deadlineEpochMs: deadline() }));
    if (isDcsError(shown)) {
      checks.push(fail(`dcs.instance ${id}`, shown.httpStatus === 404 ? 'does not exist in this project' : shown.message, shown.httpStatus === 404 ? 'fix the id in the policy, or the project id' : undefined));
      continue;
    }
    const pre = checkInstance(shown);
    checks.push(pre.ok ? ok(`dcs.instance ${id}`, `${shown.name}: RUNNING, Redis ${shown.engine_version}`) : fail(`dcs.instance ${id}`, pre.reason, 'kill-all needs a RUNNING Redis 4.0+ instance'));
    if (!pre.ok) continue;
    const nodes = await attempt(() => client.showNodesInformation({ instanceId: id }, { deadlineEpochMs: deadline() }));
    if (isDcsError(nodes)) {
      checks.push(fail(`dcs.nodes ${id}`, nodes.message));
      continue;
    }
    const holding = sessionNodes(nodes.nodes);
    if (holding.length > 0) checks.push(ok(`dcs.nodes ${id}`, `${holding.length} Active node(s) hold client sessions${precision.instances.has(id) ? ' (scanned by the precision action)' : ''}`));
    else if (precision.instances.has(id)) checks.push(fail(`dcs.nodes ${id}`, 'no Active node holds client sessions: the precision (kill-matching) action on this instance would find nothing to scan', 'check the instance\'s nodes in the console'));
    else checks.push(warn(`dcs.nodes ${id}`, 'no Active node holds client sessions: a precision (kill-matching) action would find nothing to act on'));
    const first = holding[0];
    if (!listProven && first) {
      checks.push(permission('dcs.permission.clients', ACTIONS.listClients, await attempt(() => client.listClients({ instanceId: id, nodeId: first.node_id, limit: 1 }, { deadlineEpochMs: deadline() }))));
      listProven = true;
    }
  }
  if (!listProven) {
    const needed = precision.anywhere ? fail : warn;
    checks.push(needed('dcs.permission.clients', `${ACTIONS.listClients} not proven: no named RUNNING instance to list sessions of${precision.anywhere ? ', and a precision (kill-matching) action needs it' : ''}`, `make sure the agency has ${ACTIONS.listClients}`));
  }
  checks.push(warn('dcs.permission.kill', `${ACTIONS.kill} cannot be proven without killing sessions: doctor never tries`, `make sure the function's agency has ${ACTIONS.kill} (deploy/iam-policy.json)`));
  return checks;
}

async function attempt<T>(call: () => Promise<T>): Promise<T | DcsError> {
  try {
    return await call();
  } catch (error) {
    if (isDcsError(error)) return error;
    throw error;
  }
}

/** The probe of an instance that cannot exist: 404 proves endpoint, credentials and project. */
function accessCheck(probe: unknown, client: DcsClient): Check {
  const where = `${client.endpoint}, project ${client.projectId}`;
  if (!isDcsError(probe)) return ok('dcs.access', `${where}: answered`);
  if (probe.httpStatus === 404 || probe.httpStatus === 400) return ok('dcs.access', `${where}: the endpoint answers, the credentials and the project id are accepted`);
  if (probe.httpStatus === 401) return fail('dcs.access', `${where}: credentials refused (${probe.code})`, 'check HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (or the agency)');
  if (probe.httpStatus === 403) return fail('dcs.access', `${where}: refused (${probe.code}): the project id is not the credentials' project, or ${ACTIONS.showInstance} is missing`, 'check HUAWEICLOUD_SDK_PROJECT_ID and the IAM permissions');
  if (probe.kind === 'not_sent' || probe.kind === 'outcome_unknown') return fail('dcs.access', `${where}: no answer (${probe.code})`, 'check DCS_REGION / DCS_ENDPOINT and the network (a VPC needs a NAT or endpoint to reach the API)');
  return fail('dcs.access', `${where}: ${probe.message}`);
}

/** A read of the action's kind: anything but 401/403 proves the permission. */
function permission(id: string, action: string, result: unknown): Check {
  if (isDcsError(result) && (result.httpStatus === 401 || result.httpStatus === 403)) return fail(id, `${action}: refused (${result.code})`, `grant ${action} to the agency (deploy/iam-policy.json)`);
  if (isDcsError(result) && result.httpStatus === null) return warn(id, `${action}: not proven (${result.code})`);
  return ok(id, `${action}: allowed (proven by a read)`);
}
