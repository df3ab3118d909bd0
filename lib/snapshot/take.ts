/**
 * The session snapshot taken before a kill: who was connected, for the audit record.
 *
 * For each node inspected: scanClients (DCS lists sessions from its last scan, so a scan comes
 * first), wait for the scan job, then listClients page by page. An instance-wide target
 * inspects up to maxNodes nodes (nodes.ts says which), in parallel.
 *
 * It must never hold up the kill: everything shares one deadline (start + budgetMs), a node
 * still working at the deadline is abandoned (its pages read so far still count), and the
 * function never throws: a failure is a `failed` or `partial` snapshot with a safe message.
 */
import type { DcsClient } from '../dcs/client';
import { DcsError, sanitizeText } from '../dcs/errors';
import type { ClientInfo } from '../dcs/models';
import type { Target } from '../domain/types';
import { listAllClients, scanNode } from '../sessions/read';
import { chooseSnapshotNodes } from './nodes';
import { DEFAULT_TOP_CLIENTS, summarizeSessions, type ClientCount } from './summary';

export interface SessionSnapshot {
  /** ok: every chosen node read; partial: some read, some failed or late; failed: none read. */
  status: 'ok' | 'partial' | 'failed';
  /** Nodes whose sessions were read (wholly or in part). */
  nodes: number;
  /** Sessions on those nodes, as DCS counted them. */
  sessionCount: number;
  /** By client IP (addr without port), most sessions first. */
  topClients: ClientCount[];
  oldestAgeSeconds: number | null;
  longestIdleSeconds: number | null;
  /** More nodes, or more sessions, than were inspected. */
  truncated: boolean;
  /** Why it is failed or partial; safe to log (no credentials, bounded). */
  error?: string;
  elapsedMs: number;
}

/** The DCS calls a snapshot makes. */
export type SnapshotDcs = Pick<DcsClient, 'scanClients' | 'listClients' | 'showNodesInformation' | 'showJobInfo'>;

export interface SnapshotOptions {
  /** Instance-wide targets: inspect at most this many nodes. */
  maxNodes: number;
  /** The whole snapshot, every node included, takes at most this long. */
  budgetMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** listClients page size, 1..1000. Default 1000. */
  pageSize?: number;
  /** Pages read per node at most. Default 5. */
  maxPages?: number;
  /** First wait before polling the scan job; doubles up to 4x. Default 100 ms. */
  scanPollMs?: number;
  /** Client IPs kept in topClients. Default 20. */
  topN?: number;
}

interface Settings {
  maxNodes: number;
  budgetMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  pageSize: number;
  maxPages: number;
  scanPollMs: number;
  topN: number;
}

/** What one node gave before its work ended or the deadline came. */
interface NodeProgress {
  nodeId: string;
  /** DCS's session count for the node; null until the first page arrived. */
  count: number | null;
  clients: ClientInfo[];
  /** Read to the end (or to maxPages), without error. */
  done: boolean;
  error: string | null;
}

const MAX_ERROR_LENGTH = 1000;
const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function takeSessionSnapshot(dcs: SnapshotDcs, target: Target, opts: SnapshotOptions): Promise<SessionSnapshot> {
  const now = opts?.now ?? Date.now;
  const started = now();
  const finish = (result: Omit<SessionSnapshot, 'elapsedMs'>): SessionSnapshot => ({ ...result, elapsedMs: Math.max(0, now() - started) });
  try {
    const settings = checkOptions(opts, now);
    if (typeof settings === 'string') return finish(failed(settings));
    const deadline = started + settings.budgetMs;

    const plan = await planNodes(dcs, target, settings, deadline);
    if ('error' in plan) return finish(failed(plan.error));
    const progress = plan.nodeIds.map((nodeId): NodeProgress => ({ nodeId, count: null, clients: [], done: false, error: null }));
    const work = Promise.all(progress.map((p) => readNode(dcs, target.instanceId, p, settings, deadline)));
    if ((await beforeDeadline(work, deadline, now)).late) {
      for (const p of progress) if (!p.done) p.error ??= `no answer within the ${settings.budgetMs} ms budget`;
    }
    return finish(assemble(progress, plan.truncated, settings.topN));
  } catch (e) {
    // A bug, not a DCS failure: the kill must still go ahead, so say so and carry on.
    return finish(failed(`snapshot error: ${safeMessage(e)}`));
  }
}

function checkOptions(opts: SnapshotOptions, now: () => number): Settings | string {
  const int = (v: unknown, min: number, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
  if (!opts || !int(opts.maxNodes, 1, 10_000)) return 'invalid snapshot options: maxNodes must be an integer >= 1';
  if (!int(opts.budgetMs, 1, 600_000)) return 'invalid snapshot options: budgetMs must be an integer from 1 to 600000';
  const settings: Settings = {
    maxNodes: opts.maxNodes,
    budgetMs: opts.budgetMs,
    now,
    sleep: opts.sleep ?? sleepFor,
    pageSize: opts.pageSize ?? 1000,
    maxPages: opts.maxPages ?? 5,
    scanPollMs: opts.scanPollMs ?? 100,
    topN: opts.topN ?? DEFAULT_TOP_CLIENTS,
  };
  if (!int(settings.pageSize, 1, 1000)) return 'invalid snapshot options: pageSize must be an integer from 1 to 1000';
  if (!int(settings.maxPages, 1, 1000)) return 'invalid snapshot options: maxPages must be an integer >= 1';
  if (!int(settings.scanPollMs, 1, 60_000)) return 'invalid snapshot options: scanPollMs must be a positive integer';
  if (!int(settings.topN, 0, 1000)) return 'invalid snapshot options: topN must be an integer from 0 to 1000';
  return settings;
}

/** The node itself, or the chosen nodes of the instance. */
async function planNodes(dcs: SnapshotDcs, target: Target, settings: Settings, deadline: number): Promise<{ nodeIds: string[]; truncated: boolean } | { error: string }> {
  if (!target.killAllNodes && target.nodeId !== null) return { nodeIds: [target.nodeId], truncated: false };
  const listing = await beforeDeadline(
    dcs.showNodesInformation({ instanceId: target.instanceId }, { deadlineEpochMs: deadline }).then(
      (r) => ({ ok: true as const, nodes: r.nodes }),
      (e: unknown) => ({ ok: false as const, error: safeMessage(e) }),
    ),
    deadline,
    settings.now,
  );
  if (listing.late) return { error: `showNodesInformation: no answer within the ${settings.budgetMs} ms budget` };
  if (!listing.value.ok) return { error: `showNodesInformation failed: ${listing.value.error}` };
  const choice = chooseSnapshotNodes(listing.value.nodes, settings.maxNodes);
  if (choice.nodeIds.length === 0) return { error: 'no Active node to inspect' };
  return choice;
}

/** Scan, wait for the scan, list page by page; fills `progress` as it goes and never rejects. */
async function readNode(dcs: SnapshotDcs, instanceId: string, progress: NodeProgress, settings: Settings, deadline: number): Promise<void> {
  try {
    await scanNode(dcs, instanceId, progress.nodeId, { deadline, pollMs: settings.scanPollMs, now: settings.now, sleep: settings.sleep });
    await listAllClients(dcs, instanceId, progress.nodeId, {
      deadline,
      pageSize: settings.pageSize,
      maxSessions: settings.pageSize * settings.maxPages,
      now: settings.now,
      onPage: (listing) => {
        progress.count = listing.count;
        progress.clients = listing.clients;
      },
    });
    progress.done = true;
  } catch (e) {
    progress.error = safeMessage(e);
  }
}

function assemble(progress: readonly NodeProgress[], moreNodes: boolean, topN: number): Omit<SessionSnapshot, 'elapsedMs'> {
  const read = progress.filter((p) => p.count !== null);
  const problems = progress.filter((p) => p.error !== null).map((p) => `node ${p.nodeId}: ${p.error}`);
  const status = read.length === 0 ? 'failed' : progress.every((p) => p.done) ? 'ok' : 'partial';
  const clients = read.flatMap((p) => p.clients);
  const snapshot: Omit<SessionSnapshot, 'elapsedMs'> = {
    status,
    nodes: read.length,
    sessionCount: read.reduce((sum, p) => sum + (p.count ?? 0), 0),
    ...summarizeSessions(clients, topN),
    truncated: moreNodes || read.some((p) => p.clients.length < (p.count ?? 0)),
  };
  if (problems.length > 0) snapshot.error = bounded(problems.join('; '));
  return snapshot;
}

function failed(error: string): Omit<SessionSnapshot, 'elapsedMs'> {
  return { status: 'failed', nodes: 0, sessionCount: 0, topClients: [], oldestAgeSeconds: null, longestIdleSeconds: null, truncated: false, error: bounded(error) };
}

function bounded(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

/** DcsErrors are safe by construction; anything else is sanitized like outside text. */
function safeMessage(e: unknown): string {
  if (e instanceof DcsError) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return sanitizeText(e.message);
  return 'unknown error';
}

/**
 * Waits for `work` until the deadline at most. The work is not cancelled (its calls carry the
 * same deadline, so they end soon after); the timer is, so nothing lingers once it is done.
 */
function beforeDeadline<T>(work: Promise<T>, deadline: number, now: () => number): Promise<{ late: false; value: T } | { late: true }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve({ late: true }), Math.max(0, deadline - now()));
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve({ late: false, value });
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
