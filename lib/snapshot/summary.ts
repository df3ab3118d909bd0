/**
 * Pure aggregation of session lists into the snapshot's figures: how many sessions, which
 * client IPs hold the most, the oldest connection and the longest idle one.
 */
import type { ClientInfo } from '../dcs/models';

export const DEFAULT_TOP_CLIENTS = 20;

export interface ClientCount {
  ip: string;
  count: number;
}

export interface SessionSummary {
  topClients: ClientCount[];
  oldestAgeSeconds: number | null;
  longestIdleSeconds: number | null;
}

/**
 * The client IP of a CLIENT LIST addr: "10.0.0.1:5000" -> "10.0.0.1", "[::1]:5000" -> "::1".
 * A unix socket ("/tmp/redis.sock:0") keeps its path; an empty addr is "unknown".
 */
export function clientIp(addr: string): string {
  const text = addr.trim();
  if (text === '') return 'unknown';
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    return end > 1 ? text.slice(1, end) : text;
  }
  const colon = text.lastIndexOf(':');
  return colon > 0 ? text.slice(0, colon) : text;
}

/** Seconds as DCS sends them (number or numeric string); null when absent or not a count. */
function seconds(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
}

function maxOf(values: Array<number | null>): number | null {
  let max: number | null = null;
  for (const v of values) if (v !== null && (max === null || v > max)) max = v;
  return max;
}

/** Top client IPs by session count (ties by IP, so the result is stable), oldest age, longest idle. */
export function summarizeSessions(clients: readonly ClientInfo[], topN = DEFAULT_TOP_CLIENTS): SessionSummary {
  const byIp = new Map<string, number>();
  for (const c of clients) {
    const ip = clientIp(typeof c.addr === 'string' ? c.addr : '');
    byIp.set(ip, (byIp.get(ip) ?? 0) + 1);
  }
  const topClients = [...byIp.entries()]
    .map(([ip, count]) => ({ ip, count }))
    .sort((a, b) => b.count - a.count || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0))
    .slice(0, Math.max(0, topN));
  return {
    topClients,
    oldestAgeSeconds: maxOf(clients.map((c) => seconds(c.age))),
    longestIdleSeconds: maxOf(clients.map((c) => seconds(c.idle))),
  };
}
