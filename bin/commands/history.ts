/**
 * `history`: what the guard decided, read back from the history stream in Redis
 * (lib/history). Works against any Redis holding it (a native cluster too, redis+cluster://): the local loop's, a DCS
 * instance reachable from where you run it.
 */
import { DECISION_KINDS } from '../../lib/domain/types';
import { DEFAULT_KEY_PREFIX, historyStreamKey, parseRedisUrl, type RedisTarget } from '../../lib/guard';
import { followHistory, newestId, queryHistory, type HistoryClient, type HistoryQuery } from '../../lib/history/query';
import type { HistoryEntry } from '../../lib/history/stream';
import { parseCommandArgs, stringValue, UsageError } from '../cli/args';
import type { Command } from '../cli/command';
import { EXIT, EXIT_CODES_HELP, type Io } from '../cli/io';
import { listenForStopSignals } from '../cli/stop-signals';

const USAGE = `Usage: dcs-session-guard history [--since 24h] [--instance ID] [--decision executed,...]
                                 [--limit N] [--json] [--follow] [--redis-url URL] [--prefix P]

Lists the guard's decisions from its history stream in Redis (written by the functions when
GUARD_REDIS_URL is set and the policy's history.enabled is true): the newest first
selected, printed oldest first.

Options:
  --since D        only decisions since D: a duration (90s, 30m, 24h, 7d) or an ISO time
  --instance ID    only decisions about this DCS instance
  --decision LIST  only these decisions, comma-separated (e.g. executed,failed,skipped_rate_limit)
  --limit N        at most N decisions (default 50, at most 10000)
  --json           one audit record per line (JSON lines) instead of a table
  --follow         then keep printing new decisions as they are made, until Ctrl-C
  --redis-url URL  the Redis holding the history (default: GUARD_REDIS_URL)
  --prefix P       the guard's key prefix (default: GUARD_REDIS_PREFIX, the URL's ?prefix=, else ${DEFAULT_KEY_PREFIX})
  -h, --help

${EXIT_CODES_HELP}
  (history: 0 listed, even when nothing matched; 2 bad options; 3 Redis unreachable)`;

const DURATION = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const CONNECT_TIMEOUT_MS = 5000;

export function parseSince(text: string, now: number): number {
  const duration = DURATION.exec(text);
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  const time = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) throw new UsageError(`--since needs a duration like 24h or an ISO time, got "${text}"`);
  return time;
}

function parseDecisions(text: string): Set<string> {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !(DECISION_KINDS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) throw new UsageError(`--decision: unknown decision ${unknown.join(', ') || '(empty)'}; known: ${DECISION_KINDS.join(', ')}`);
  return new Set(names);
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 50;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 10_000) throw new UsageError(`--limit needs a number from 1 to 10000, got "${text}"`);
  return Number(text);
}

/** One table row: time, decision, instance/node, rule, reason (cut to fit a terminal line). */
function row(entry: HistoryEntry): string {
  const r = entry.record;
  const where = r.target ? `${r.target.instanceId}${r.target.killAllNodes ? ' (all)' : ` ${r.target.nodeId}`}` : '-';
  const reason = r.reason.length > 100 ? `${r.reason.slice(0, 99)}…` : r.reason;
  return [r.time.padEnd(24), r.decision.padEnd(22), where.padEnd(48), (r.rule ?? '-').padEnd(20), reason].join(' ');
}

const HEADER = ['TIME'.padEnd(24), 'DECISION'.padEnd(22), 'INSTANCE / NODE'.padEnd(48), 'RULE'.padEnd(20), 'REASON'].join(' ');

export const historyCommand: Command = {
  name: 'history',
  summary: 'list the decisions recorded in the Redis history stream',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(
      argv,
      {
        since: { type: 'string' },
        instance: { type: 'string' },
        decision: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        follow: { type: 'boolean' },
        'redis-url': { type: 'string' },
        prefix: { type: 'string' },
      },
      { max: 0 },
    );
    if (args.values.help) {
      io.out(USAGE);
      return EXIT.OK;
    }
    const since = stringValue(args.values.since);
    const decisions = stringValue(args.values.decision);
    const query: HistoryQuery = {
      sinceMs: since === undefined ? null : parseSince(since, Date.now()),
      instance: stringValue(args.values.instance) ?? null,
      decisions: decisions === undefined ? null : parseDecisions(decisions),
      limit: parseLimit(stringValue(args.values.limit)),
    };
    const url = stringValue(args.values['redis-url']) ?? io.env.GUARD_REDIS_URL?.trim();
    if (!url) throw new UsageError('no Redis: pass --redis-url or set GUARD_REDIS_URL');
    const target = parseRedisUrl(url, io.env.GUARD_REDIS_TLS_CA);
    if (!target.ok) throw new UsageError(target.error.message);
    const prefix = stringValue(args.values.prefix) ?? io.env.GUARD_REDIS_PREFIX ?? target.value.keyPrefix ?? DEFAULT_KEY_PREFIX;
    const key = historyStreamKey(prefix);
    const json = args.values.json === true;
    const print = (entry: HistoryEntry) => io.out(json ? JSON.stringify(entry.record) : row(entry));

    // Listen before connecting: a Ctrl-C at any point ends the command cleanly.
    const stop = args.values.follow ? listenForStopSignals() : null;
    const redis = await connect(target.value, io);
    if (redis === null) {
      stop?.close();
      return EXIT.CANNOT_RUN;
    }
    try {
      const startAfter = await newestId(redis, key);
      const entries = await queryHistory(redis, key, query);
      if (!json) io.out(entries.length > 0 || stop ? HEADER : 'No decisions recorded that match.');
      entries.forEach(print);
      if (stop) {
        const aborted = new AbortController();
        void stop.first.then(() => aborted.abort());
        // XREAD BLOCK holds its connection: a second one reads while this one is free to close.
        const reader = (redis as { duplicate(): HistoryClient }).duplicate(); // a server's or a cluster's: both have one
        try {
          for await (const entry of followHistory(reader, key, { ...query, sinceMs: null, limit: Number.POSITIVE_INFINITY }, startAfter, aborted.signal)) print(entry);
        } finally {
          reader.disconnect();
        }
      }
      return EXIT.OK;
    } catch (e) {
      io.err(`dcs-session-guard history: reading ${target.value.redacted} failed (${(e as { code?: string }).code ?? 'error'})`);
      return EXIT.CANNOT_RUN;
    } finally {
      stop?.close();
      redis.disconnect();
    }
  },
};

/** One server, or a native Redis Cluster for redis+cluster:// (the stream is routed by its key). */
async function connect(target: RedisTarget, io: Io): Promise<HistoryClient | null> {
  const { Cluster, Redis } = require('../../lib/guard/ioredis-module') as typeof import('../../lib/guard/ioredis-module');
  const options = { lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS, maxRetriesPerRequest: 1, retryStrategy: () => null, protocol: 2, disableClientInfo: true, connectionName: 'dcs-session-guard-history' } as const;
  const { host, port, db: _db, ...auth } = target.connection;
  const redis: HistoryClient = target.cluster
    ? new Cluster([{ host: host!, port: port! }], { lazyConnect: true, clusterRetryStrategy: () => null, slotsRefreshTimeout: CONNECT_TIMEOUT_MS, redisOptions: { ...options, ...auth } })
    : new Redis({ ...target.connection, ...options });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return redis;
  } catch (e) {
    io.err(`dcs-session-guard history: cannot connect to ${target.redacted} (${(e as { code?: string }).code ?? 'connection failed'})`);
    redis.disconnect();
    return null;
  }
}
