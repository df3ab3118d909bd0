/**
 * Reading a node's sessions: scanClients (DCS lists sessions from the node's last scan, so a
 * fresh scan comes first), follow the scan job to SUCCESS, then listClients page by page.
 *
 * Every call carries the deadline. A scan that ends FAIL, or is still running at the
 * deadline, is a DcsError (kind server: nothing was done, trying later may work). A listing
 * stopped by the deadline or the size bound is returned as it stands, marked incomplete.
 */
import type { DcsClient } from '../dcs/client';
import { DcsError } from '../dcs/errors';
import { waitForJob } from '../dcs/jobs';
import type { ClientInfo } from '../dcs/models';

/** The DCS calls reading sessions makes. */
export type SessionReader = Pick<DcsClient, 'scanClients' | 'listClients' | 'showJobInfo'>;

/** DCS's largest page. */
export const MAX_PAGE_SIZE = 1000;

export interface ScanOptions {
  deadline: number;
  /** First wait before polling the scan job; doubles up to 4x. */
  pollMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Starts a scan of the node and waits for it to succeed. */
export async function scanNode(dcs: SessionReader, instanceId: string, nodeId: string, opts: ScanOptions): Promise<void> {
  const scan = await dcs.scanClients({ instanceId, body: { node_id: nodeId } }, { deadlineEpochMs: opts.deadline });
  const job = await waitForJob(dcs, scan.job_id, opts.deadline, {
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    initialDelayMs: opts.pollMs,
    maxDelayMs: opts.pollMs * 4,
  });
  if (job.status === 'FAIL') {
    throw new DcsError({ kind: 'server', code: 'scan_failed', message: `scan of node ${nodeId} failed${job.failReason ? `: ${job.failReason}` : ''}` });
  }
  if (job.status === 'PENDING') {
    throw new DcsError({ kind: 'server', code: 'scan_unfinished', message: `scan of node ${nodeId} (job ${scan.job_id}) had not finished at the deadline` });
  }
}

export interface ListOptions {
  deadline: number;
  /** Sessions asked per page, 1..1000. */
  pageSize: number;
  /** Stop once this many sessions are read (bounds memory on a huge node). */
  maxSessions: number;
  now?: () => number;
  /** Called after each page with what was read so far. */
  onPage?: (listing: Listing) => void;
}

export interface Listing {
  clients: ClientInfo[];
  /** DCS's count of sessions in the scan; null before the first page. */
  count: number | null;
  pages: number;
  /** Every session of the scan was read. */
  complete: boolean;
}

/**
 * Reads every page of the node's last scan. Pages are asked by offset = sessions read so
 * far, so a server that answers fewer than asked (its own page limit) is followed correctly;
 * an empty page ends the listing (never an endless loop on a count that does not add up).
 */
export async function listAllClients(dcs: SessionReader, instanceId: string, nodeId: string, opts: ListOptions): Promise<Listing> {
  const now = opts.now ?? Date.now;
  const listing: Listing = { clients: [], count: null, pages: 0, complete: false };
  while (listing.clients.length < opts.maxSessions) {
    if (listing.pages > 0 && now() >= opts.deadline) break;
    const limit = Math.min(opts.pageSize, MAX_PAGE_SIZE, opts.maxSessions - listing.clients.length);
    const page = await dcs.listClients({ instanceId, nodeId, offset: listing.clients.length, limit }, { deadlineEpochMs: opts.deadline });
    listing.pages += 1;
    listing.count = page.count;
    listing.clients.push(...page.clients);
    listing.complete = listing.clients.length >= page.count;
    opts.onPage?.(listing);
    if (page.clients.length === 0 || listing.complete) break;
  }
  return listing;
}

export interface ReadOptions extends ScanOptions {
  pageSize?: number;
  maxSessions?: number;
  /** Pages are read until this deadline (default: the scan's). */
  listDeadline?: number;
}

/** Sessions read per node at most unless told otherwise: 100 pages of 1000, a bound on memory, not on any real node. */
export const DEFAULT_MAX_SESSIONS = 100_000;

/** A fresh scan of the node, then every page of it; with how long each step took. */
export async function readSessions(dcs: SessionReader, instanceId: string, nodeId: string, opts: ReadOptions): Promise<Listing & { scanMs: number; listMs: number }> {
  const now = opts.now ?? Date.now;
  const started = now();
  await scanNode(dcs, instanceId, nodeId, opts);
  const scanned = now();
  const listing = await listAllClients(dcs, instanceId, nodeId, {
    deadline: opts.listDeadline ?? opts.deadline,
    pageSize: opts.pageSize ?? MAX_PAGE_SIZE,
    maxSessions: opts.maxSessions ?? DEFAULT_MAX_SESSIONS,
    now,
  });
  return { ...listing, scanMs: scanned - started, listMs: now() - scanned };
}
