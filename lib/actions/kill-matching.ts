/**
 * kill-matching: close only the sessions the policy selects (scanClients, listClients,
 * hangUpClients), on the target's node or on every node of the instance that holds sessions.
 *
 *   which nodes → read every node (scan + every page, in parallel) → choose on each
 *     → nothing chosen anywhere: skip (skipped_no_match) or escalate to kill-all (whenNoneMatch)
 *     → dry run: report exactly what would be closed, close nothing
 *     → otherwise close the chosen sessions node by node, in bounded batches
 *
 * The deadline rule: a node is not started unless its scan, one page and one kill batch can
 * still fit in the invocation's budget; a scan still running when only that reserve is left
 * is abandoned (nothing is closed on that node).
 *
 * The record carries only listing fields of the sessions it closed (address, name, idle, age),
 * the name cleaned of anything unprintable: never a value a client sent beyond those.
 */
import { DcsError, isDcsError, MIN_ATTEMPT_MS, type NodeInfo } from '../dcs';
import type { Budget } from '../domain/budget';
import type { ActionDetails, Target } from '../domain/types';
import type { KillMatchingSpec } from '../policy/schema';
import { chooseSessions, compileSelection, holdsSessions, killInBatches, readSessions, sessionNodes, type Candidate, type KillReport, type Selection } from '../sessions';
import { failedSend, type Action, type ActionContext, type ActionReport, type ActionRequest } from './action';
import { killAll, scopeText } from './kill-all';

export type { KillMatchingSpec };

/** Sessions listed by address in the record at most; the rest are counted in `more`. */
export const MAX_LISTED_SESSIONS = 50;
/** Wait before the first poll of a scan job (a scan is quick; the policy's pollIntervalMs is the ceiling). */
const SCAN_POLL_MS = 200;
/** Kept back from a scan for the node's first page and first kill batch. */
const RESERVE_AFTER_SCAN_MS = 2 * MIN_ATTEMPT_MS;
/** Kept back from the listing for the first kill batch. */
const RESERVE_AFTER_LIST_MS = MIN_ATTEMPT_MS;

/** One node's line in the audit record. */
export interface NodeRecord {
  nodeId: string;
  /** Sessions listed. */
  scanned: number;
  /** Chosen by select and not protected (before the cap). */
  selected: number;
  protected: number;
  /** Closed (accepted by DCS); in a dry run, the number that would be. */
  killed: number;
  /** Not every selected session was closed: the cap, or a listing cut short. */
  truncated: boolean;
  /** Addresses whose batch ended with an unknown outcome (may have been closed). */
  unknown?: number;
  /** Why the node was not read, or not (wholly) acted on. */
  error?: string;
}

/** A closed (or, in a dry run, would-be closed) session as the record lists it. */
export interface KilledSession {
  addr: string;
  name: string;
  idle: number | null;
  age: number | null;
}

interface NodeWork {
  nodeId: string;
  record: NodeRecord;
  chosen: Candidate[];
  /** Why nothing could be chosen on this node (not started, scan failed ...). */
  failure: DcsError | null;
}

export const killMatching: Action<KillMatchingSpec> = {
  kind: 'kill-matching',
  readsSessions: true,

  describe: (target) => `kill the matching client sessions of ${scopeText(target)}`,

  async run(target, spec, ctx) {
    const nodes = await nodesOf(target, ctx);
    if ('report' in nodes) return nodes.report;
    const selection = compileSelection(spec);
    const work = await Promise.all(nodes.nodeIds.map((nodeId) => readAndChoose(target.instanceId, nodeId, selection, ctx)));
    const chosen = work.reduce((n, w) => n + w.chosen.length, 0);
    const failed = work.filter((w) => w.failure !== null);

    if (chosen === 0) {
      const firstFailure = failed[0]?.failure;
      // A node we could not read may hold matching sessions: neither "none matched" nor an escalation.
      if (firstFailure) return nothingSent(firstFailure, details(work, []));
      if (spec.whenNoneMatch === 'kill-all') return escalate(target, work, ctx);
      return { outcome: 'none_matched', details: details(work, []), reason: `No session of ${scopeText(target)} matched the selection (${scannedText(work)}); nothing killed.` };
    }
    if (ctx.dryRun) return dryRunReport(target, work);
    return closeChosen(target, work, ctx);
  },
};

// --- Which nodes ---

/** The target's node (if it holds sessions), or every node of the instance that does. */
async function nodesOf(target: Target, ctx: ActionContext): Promise<{ nodeIds: string[] } | { report: ActionReport }> {
  let listing: NodeInfo[];
  try {
    listing = (await ctx.dcs.showNodesInformation({ instanceId: target.instanceId }, ctx.budget.callOptions())).nodes;
  } catch (e) {
    return { report: nothingSent(e, { kind: 'kill-matching', nodes: [] }) };
  }
  if (target.killAllNodes || target.nodeId === null) {
    const ids = sessionNodes(listing).map((n) => n.node_id);
    if (ids.length === 0) return { report: notApplicable(`Instance ${target.instanceId} has no Active node holding client sessions.`) };
    return { nodeIds: ids };
  }
  const node = listing.find((n) => n.node_id === target.nodeId);
  if (!node) return { report: notApplicable(`Node ${target.nodeId} is not a node of instance ${target.instanceId}.`) };
  if (node.status !== 'Active') return { report: notApplicable(`Node ${target.nodeId} is ${node.status}, not Active: its sessions cannot be scanned.`) };
  if (!holdsSessions(node, listing)) {
    return {
      report: notApplicable(
        `Node ${target.nodeId} is a Redis server behind proxies: its connections are the proxies' own. A precision action acts on the proxies (alarm on a proxy node, or use scope: instance).`,
      ),
    };
  }
  return { nodeIds: [node.node_id] };
}

/** A read failed before anything destructive was sent, whatever the read's own error kind. */
function nothingSent(e: unknown, summary: ActionDetails): ActionReport {
  const error = isDcsError(e) ? e : new DcsError({ kind: 'server', code: 'InternalError', message: 'unexpected error while reading the nodes' });
  return { outcome: 'not_sent', error, details: summary };
}

function notApplicable(reason: string): ActionReport {
  return { outcome: 'not_applicable', reason, details: { kind: 'kill-matching', nodes: [] } };
}

// --- Reading and choosing, per node ---

async function readAndChoose(instanceId: string, nodeId: string, selection: Selection, ctx: ActionContext): Promise<NodeWork> {
  const record: NodeRecord = { nodeId, scanned: 0, selected: 0, protected: 0, killed: 0, truncated: false };
  const pollMs = Math.min(SCAN_POLL_MS, ctx.jobs.pollIntervalMs);
  // The deadline rule: scan, a first page and a first kill batch must fit, or the node is not started.
  const needed = pollMs + 2 * MIN_ATTEMPT_MS + RESERVE_AFTER_SCAN_MS;
  if (!ctx.budget.allows(needed)) {
    const failure = new DcsError({ kind: 'not_sent', code: 'deadline_exceeded', message: `node ${nodeId} not started: ${ctx.budget.remaining()} ms left, a scan needs at least ${needed} ms` });
    return { nodeId, record: { ...record, error: failure.message }, chosen: [], failure };
  }
  try {
    const listing = await readSessions(ctx.dcs, instanceId, nodeId, {
      deadline: reserveBefore(ctx.budget, RESERVE_AFTER_SCAN_MS),
      pollMs,
      listDeadline: reserveBefore(ctx.budget, RESERVE_AFTER_LIST_MS),
    });
    const choice = chooseSessions(listing.clients, selection);
    Object.assign(record, { scanned: listing.clients.length, selected: choice.selected, protected: choice.protected, truncated: choice.capped || !listing.complete });
    return { nodeId, record, chosen: choice.chosen, failure: null };
  } catch (e) {
    const failure = isDcsError(e) ? e : new DcsError({ kind: 'server', code: 'InternalError', message: `node ${nodeId} could not be read` });
    return { nodeId, record: { ...record, error: failure.message }, chosen: [], failure };
  }
}

const reserveBefore = (budget: Budget, ms: number): number => (Number.isFinite(budget.deadline) ? budget.deadline - ms : budget.deadline);

// --- Acting ---

async function closeChosen(target: Target, work: NodeWork[], ctx: ActionContext): Promise<ActionReport> {
  let stop: DcsError | null = null;
  const closed: Candidate[] = [];
  for (const node of work.filter((w) => w.chosen.length > 0)) {
    if (stop) {
      node.record.error = 'not sent: an earlier node failed';
      continue;
    }
    const addrs = node.chosen.map((c) => c.addr);
    const report: KillReport = await killInBatches(ctx.dcs, target.instanceId, node.nodeId, addrs, { deadline: ctx.budget.deadline });
    node.record.killed = report.killed;
    closed.push(...node.chosen.slice(0, report.killed));
    if (report.unknown > 0) node.record.unknown = report.unknown;
    if (report.stoppedBy) {
      node.record.error = report.stoppedBy.message;
      stop = report.stoppedBy;
    }
  }
  const summary = details(work, closed);
  const total = closed.length;
  if (stop && (total === 0 || stop.kind === 'outcome_unknown' || stop.kind === 'server')) return failedSend(stop, summary);
  const partial = stop ? `; then stopped: ${stop.message}` : '';
  return { outcome: 'done', details: summary, reason: `Killed ${total} matching session${total === 1 ? '' : 's'} of ${scopeText(target)} (${scannedText(work)})${partial}.` };
}

function dryRunReport(target: Target, work: NodeWork[]): ActionReport {
  const chosen = work.flatMap((w) => w.chosen);
  for (const w of work) w.record.killed = w.chosen.length;
  const first = work.find((w) => w.chosen.length > 0)!;
  const request: ActionRequest = {
    method: 'POST',
    path: `/v2/${target.projectId}/instances/${target.instanceId}/clients/kill`,
    body: { node_id: first.nodeId, client_addrs: first.chosen.slice(0, MAX_LISTED_SESSIONS).map((c) => c.addr) },
  };
  return {
    outcome: 'done',
    details: details(work, chosen),
    request,
    reason: `Dry run: would kill ${chosen.length} matching session${chosen.length === 1 ? '' : 's'} of ${scopeText(target)} (${scannedText(work)}).`,
  };
}

/** Nothing matched anywhere and the policy says so: kill-all of the same target, recorded as an escalation. */
async function escalate(target: Target, work: NodeWork[], ctx: ActionContext): Promise<ActionReport> {
  const report = await killAll.run(target, { kind: 'kill-all' }, ctx);
  const merged = { ...details(work, []), escalated: 'kill-all' };
  const why = `No session matched the selection (${scannedText(work)}); escalated to kill-all (whenNoneMatch). `;
  if (report.outcome === 'done') return { ...report, details: merged, reason: why + report.reason };
  return { ...report, details: merged } as ActionReport;
}

// --- The record ---

function details(work: NodeWork[], closed: readonly Candidate[]) {
  return {
    kind: 'kill-matching',
    nodes: work.map((w) => w.record),
    killed: closed.slice(0, MAX_LISTED_SESSIONS).map(listed),
    more: Math.max(0, closed.length - MAX_LISTED_SESSIONS),
  };
}

/** Only the listing's fields; the client-chosen name without control or non-ASCII characters, bounded. */
function listed(c: Candidate): KilledSession {
  return { addr: c.addr, name: c.name.replace(/[^\x20-\x7e]/g, '?').slice(0, 64), idle: c.idle, age: c.age };
}

function scannedText(work: NodeWork[]): string {
  const scanned = work.reduce((n, w) => n + w.record.scanned, 0);
  return `${scanned} session${scanned === 1 ? '' : 's'} scanned on ${work.length} node${work.length === 1 ? '' : 's'}`;
}
