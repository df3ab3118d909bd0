/**
 * (3) Alarm storm: 10,000 deliveries of one node alarm (each its own SMN
 * message, as when Cloud Eye keeps notifying) from 50 concurrent callers,
 * spread over warm function processes that share one Redis guard store (a
 * redis-server started for the bench). Exactly one kill-all may reach the
 * emulator. Redis commands are counted by the server (INFO commandstats), and so are the
 * reads it made of them (INFO stats): concurrent commands of a process share socket writes.
 */
import type { Emulator } from '../dev/emulator/server';
import { CHECK_SCRIPT, RELEASE_SCRIPT } from '../lib/guard/redis-script';
import { APPEND_SCRIPT } from '../lib/history/stream';
import type { RedisServerHandle } from '../test/support/redis-server';
import type { RunReply } from './protocol';
import { elapsedNs, summarize, type Summary } from './stats';
import type { WarmFunction } from './worker-client';

export interface StormResult {
  /** Where the guard state lived: one redis-server, or a native Redis Cluster of three. */
  store: 'redis' | 'redis-cluster';
  deliveries: number;
  callers: number;
  processes: number;
  wallMs: number;
  eventsPerSecond: number;
  killAllRequests: number;
  /** Every DCS request the storm caused, by operation. */
  dcsCalls: Record<string, number>;
  decisions: Record<string, number>;
  /** Commands the functions sent (one round trip each), and those the guard's Lua scripts ran inside them. */
  redisCommands: Record<string, number>;
  redisCommandsInScripts: Record<string, number>;
  /** Commands sent per delivery: each one request and one reply (the guard's check; a share of a history append). */
  redisCommandsPerEvent: number;
  /** Socket reads the servers made of them per delivery (Redis ≥ 6 counts them); null when not counted. */
  redisReadsPerEvent: number | null;
  handlerUs: Summary;
}

/** Sums per-command counts over the servers (a cluster's nodes). */
function sumCalls(all: Array<Record<string, number>>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const calls of all) for (const [c, n] of Object.entries(calls)) total[c] = (total[c] ?? 0) + n;
  return total;
}

/** calls per command from INFO commandstats ("cmdstat_evalsha:calls=10000,usec=..."). */
export function commandCalls(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1]!] = Number(m[2]);
  return calls;
}

/** The bench's own redis-cli calls, not the function's. */
const BENCH_COMMANDS = new Set(['info', 'config|resetstat', 'config']);

/**
 * INFO commandstats also counts the commands a Lua script runs: those are no round trips.
 * The guard and the history sink never send them themselves (the guard one script call per
 * decision, the history one per batch of records), so they are told apart by name, read from the scripts.
 */
const SCRIPT_COMMANDS = new Set([...`${CHECK_SCRIPT}${RELEASE_SCRIPT}${APPEND_SCRIPT.lua}`.matchAll(/redis\.p?call\('([A-Za-z]+)'/g)].map((m) => m[1]!.toLowerCase()));

function splitCommands(calls: Record<string, number>): { sent: Record<string, number>; inScripts: Record<string, number> } {
  const sent: Record<string, number> = {};
  const inScripts: Record<string, number> = {};
  for (const [command, n] of Object.entries(calls)) {
    if (BENCH_COMMANDS.has(command)) continue;
    (SCRIPT_COMMANDS.has(command) ? inScripts : sent)[command] = n;
  }
  return { sent, inScripts };
}

/** Reads of client data the servers made (total_reads_processed; each redis-cli call adds one of its own). */
function totalReads(servers: RedisServerHandle[]): number | null {
  let total = 0;
  for (const server of servers) {
    const reads = /^total_reads_processed:(\d+)/m.exec(server.cli('INFO', 'stats'))?.[1];
    if (reads === undefined) return null;
    total += Number(reads);
  }
  return total;
}

function countBy(names: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** `servers`: the redis-server processes holding the guard state (one, or every node of the cluster). */
export async function runStorm(
  store: StormResult['store'],
  fns: WarmFunction[],
  emulator: Emulator,
  servers: RedisServerHandle[],
  deliveries: number,
  callers: number,
): Promise<StormResult> {
  const perProcess = Math.ceil(deliveries / fns.length);
  const concurrency = Math.ceil(callers / fns.length);
  await Promise.all(
    fns.map((fn, p) => fn.ask({ type: 'prepare', kind: 'node_kill', tag: `storm${p}x`, count: Math.min(perProcess, deliveries - p * perProcess) }, 'prepared')),
  );
  for (const server of servers) server.cli('CONFIG', 'RESETSTAT');
  const readsBefore = totalReads(servers);
  const mark = emulator.requests.length;

  const start = process.hrtime.bigint();
  const replies: RunReply[] = await Promise.all(fns.map((fn) => fn.ask({ type: 'run', concurrency }, 'run')));
  const wallNs = elapsedNs(start);

  const readsAfter = totalReads(servers);
  const { sent, inScripts } = splitCommands(sumCalls(servers.map((server) => commandCalls(server.cli('INFO', 'commandstats')))));
  const decisions: Record<string, number> = {};
  for (const r of replies) for (const [d, n] of Object.entries(r.decisions)) decisions[d] = (decisions[d] ?? 0) + n;
  const commands = Object.values(sent).reduce((a, b) => a + b, 0);
  return {
    store,
    deliveries,
    callers: concurrency * fns.length,
    processes: fns.length,
    wallMs: wallNs / 1e6,
    eventsPerSecond: deliveries / (wallNs / 1e9),
    killAllRequests: emulator.requests.slice(mark).filter((r) => r.operation === 'hangUpKillAllClients').length,
    dcsCalls: countBy(emulator.requests.slice(mark).map((r) => r.operation)),
    decisions,
    redisCommands: sent,
    redisCommandsInScripts: inScripts,
    redisCommandsPerEvent: commands / deliveries,
    redisReadsPerEvent: readsBefore === null || readsAfter === null ? null : (readsAfter - readsBefore) / deliveries,
    handlerUs: summarize(replies.flatMap((r) => r.handlerNs.map((n) => n / 1000))),
  };
}
