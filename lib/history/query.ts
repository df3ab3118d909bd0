/**
 * Reading the decision history back (the `history` command): newest first
 * through XREVRANGE from now back to `since`, filtered by instance and
 * decision, at most `limit` entries; `follow` tails new entries with XREAD
 * BLOCK. Works against any Redis holding the stream (DCS, the local loop).
 */
import type { Cluster, Redis } from 'ioredis';

/** A connection to the Redis holding the stream: one server, or a native cluster (redis+cluster://). */
export type HistoryClient = Redis | Cluster;
import { parseEntry, type HistoryEntry } from './stream';

export interface HistoryQuery {
  /** ms since epoch; null = from the oldest entry. */
  sinceMs: number | null;
  instance: string | null;
  /** null = every decision. */
  decisions: ReadonlySet<string> | null;
  limit: number;
}

/** Entries are read in pages; filters apply on the client (a stream has no index). */
const PAGE = 500;
/** A filter that matches nothing must not read a 100,000-entry stream in one go: the scan stops here. */
const MAX_SCANNED = 200_000;

export function matches(entry: HistoryEntry, query: HistoryQuery): boolean {
  if (query.sinceMs !== null && entry.at < query.sinceMs) return false;
  if (query.instance !== null && entry.record.target?.instanceId !== query.instance) return false;
  return query.decisions === null || query.decisions.has(entry.record.decision);
}

/** The newest `limit` matching entries, oldest first (as a log reads). */
export async function queryHistory(redis: HistoryClient, key: string, query: HistoryQuery): Promise<HistoryEntry[]> {
  const found: HistoryEntry[] = [];
  const start = query.sinceMs === null ? '-' : String(query.sinceMs);
  let end = '+';
  let scanned = 0;
  while (found.length < query.limit && scanned < MAX_SCANNED) {
    const page = (await redis.xrevrange(key, end, start, 'COUNT', PAGE)) as Array<[string, string[]]>;
    for (const raw of page) {
      const entry = parseEntry(raw);
      if (entry && matches(entry, query) && found.length < query.limit) found.push(entry);
    }
    scanned += page.length;
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) break;
    end = idBefore(last[0]);
  }
  return found.reverse();
}

/** The greatest stream id below `id` (exclusive ranges, "(id", need Redis 6.2; DCS offers 5.0). */
export function idBefore(id: string): string {
  const [ms = '0', seq = '0'] = id.split('-');
  if (BigInt(seq) > 0n) return `${ms}-${BigInt(seq) - 1n}`;
  return BigInt(ms) > 0n ? `${BigInt(ms) - 1n}-18446744073709551615` : '0-0';
}

/** The id of the newest entry, or '0-0' for an empty (or missing) stream: where `follow` starts. */
export async function newestId(redis: HistoryClient, key: string): Promise<string> {
  const newest = (await redis.xrevrange(key, '+', '-', 'COUNT', 1)) as Array<[string, string[]]>;
  return newest[0]?.[0] ?? '0-0';
}

/**
 * New matching entries after `afterId` ('$' = from now), until `signal` aborts.
 * Each XREAD blocks at most blockMs, so an abort is noticed within it.
 */
export async function* followHistory(redis: HistoryClient, key: string, query: HistoryQuery, afterId: string, signal: AbortSignal, blockMs = 1000): AsyncGenerator<HistoryEntry> {
  let last = afterId;
  while (!signal.aborted) {
    const reply = (await redis.xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', key, last)) as Array<[string, Array<[string, string[]]>]> | null;
    for (const raw of reply?.[0]?.[1] ?? []) {
      last = raw[0];
      const entry = parseEntry(raw);
      if (entry && matches(entry, query)) yield entry;
    }
  }
}
