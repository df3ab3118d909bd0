/**
 * One guard store for both functions, as in a deployment with GUARD_REDIS_URL: an alarm that
 * killed a node must cool down the nightly schedule on the same instance, and the other way
 * round. The alarm and cron containers are separate processes, so in-process memory cannot be
 * shared: the runner uses the user's GUARD_REDIS_URL (real DCS API mode), else a redis-server
 * of its own, else memory, and the banner says which.
 */
import { spawnRedisServer, type RedisProcess } from '../emulator/redis-process';
import type { Env } from './target';

export interface RunnerGuardStore {
  /** GUARD_REDIS_URL for both functions, or null (the user's own, already in their environment, or memory). */
  redisUrl: string | null;
  /** One line for the banner. */
  description: string;
  /** Whether alarm and cron share the store. */
  shared: boolean;
  /** Why the store is in memory, or null. */
  noRedisBecause: string | null;
  stop(): Promise<void>;
}

const nothingToStop = async (): Promise<void> => undefined;

/** `noRedisBecause`: why no redis-server may be started (--no-redis, not on PATH), or null. */
export async function startGuardStore(opts: { userEnv: Env; useUserRedis: boolean; noRedisBecause: string | null }): Promise<RunnerGuardStore> {
  if (opts.useUserRedis && opts.userEnv.GUARD_REDIS_URL?.trim()) {
    return { redisUrl: null, description: 'your GUARD_REDIS_URL, shared by alarm and cron', shared: true, noRedisBecause: null, stop: nothingToStop };
  }
  const memory = (why: string): RunnerGuardStore => ({
    redisUrl: null,
    description: `in-process memory, one per function: alarm and cron do NOT share dedup, cooldowns or the breaker (${why}; a deployment shares one with GUARD_REDIS_URL)`,
    shared: false,
    noRedisBecause: why,
    stop: nothingToStop,
  });
  if (opts.noRedisBecause !== null) return memory(opts.noRedisBecause);
  let server: RedisProcess;
  try {
    server = await spawnRedisServer();
  } catch (e) {
    return memory(e instanceof Error ? e.message : String(e));
  }
  return {
    redisUrl: `redis://${server.host}:${server.port}`,
    description: `local redis-server ${server.host}:${server.port}, shared by alarm and cron (as GUARD_REDIS_URL in a deployment)`,
    shared: true,
    noRedisBecause: null,
    stop: () => server.stop(),
  };
}
