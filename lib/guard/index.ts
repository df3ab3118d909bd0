/**
 * The guard: may this kill happen now? Dedup, cooldown, circuit breaker and the
 * "one actor per target" claim, kept in memory (default) or in Redis (GUARD_REDIS_URL).
 *
 * Usage (one store per warm container — use sharedGuardStore, or memoise createGuardStore):
 *
 *   const guard = sharedGuardStore(guardStoreOptionsFromEnv(process.env));
 *   const verdict = await guard.check({ target, dedupKey, dryRun, now: Date.now(), settings });
 *   // proceed → kill; then, only if nothing was sent: await guard.settle(verdict.lease, 'not_sent')
 */
import { MemoryGuardStore } from './memory-store';
import { RedisGuardStore } from './redis-store';
import { parseRedisUrl, type RedisTarget } from './redis-url';
import { GuardError, type GuardStore } from './types';

export * from './types';
export { MemoryGuardStore } from './memory-store';
export { RedisGuardStore, type SlotScript } from './redis-store';
export { HASH_TAG, redisKey, historyStreamKey } from './keys';
export { parseRedisUrl, type RedisTarget } from './redis-url';

export const DEFAULT_KEY_PREFIX = 'dcs-guard:';
/** Short on purpose: a guard that hangs would eat the function's timeout; the caller decides what "unavailable" means. */
export const DEFAULT_TIMEOUT_MS = 500;
/** A guard call that needs more than this is an outage, not a slow answer. */
export const MAX_TIMEOUT_MS = 60_000;

export interface GuardStoreOptions {
  /** redis://, rediss://, redis+cluster:// or rediss+cluster:// (see redis-url.ts); null/undefined/'' = in-process memory. */
  redisUrl?: string | null;
  /** Prefix of every Redis key; default `?prefix=` from the URL, else "dcs-guard:". No braces (they would change the hash slot). */
  keyPrefix?: string;
  /** Deadline of one store call, connecting included. Default 500 ms. */
  timeoutMs?: number;
  /** PEM CA certificate(s) for rediss:// with a private CA. */
  tlsCa?: string;
}

/** Where the guard keeps its state: this container's memory, one Redis endpoint, or a native Redis Cluster. */
export type GuardStoreMode = 'memory' | 'redis' | 'redis-cluster';

/** What a store would be, for tools (doctor) and logs: nothing secret in it. */
export interface GuardStoreDescription {
  mode: GuardStoreMode;
  /** The URL with its password masked; null for memory. */
  address: string | null;
  /** Prefix of every key (Redis only). */
  keyPrefix: string | null;
  timeoutMs: number;
}

type ResolvedConfig = { timeoutMs: number; redis: { target: RedisTarget; keyPrefix: string } | null };

/** Options → a checked configuration; throws GuardError('invalid_guard_config') naming the problem, never the URL. */
function resolveConfig(opts: GuardStoreOptions): ResolvedConfig {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Bounded: past setTimeout's range (e.g. 3e9) a timer fires at once, and every check would "time out".
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new GuardError('invalid_guard_config', `guard store timeout (GUARD_REDIS_TIMEOUT_MS, guard.storeTimeoutMs) must be a whole number of milliseconds between 1 and ${MAX_TIMEOUT_MS}`);
  }
  if (!opts.redisUrl) return { timeoutMs, redis: null };
  const target = parseRedisUrl(opts.redisUrl, opts.tlsCa);
  if (!target.ok) throw target.error;
  const keyPrefix = opts.keyPrefix ?? target.value.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (/[{}\s]/.test(keyPrefix) || keyPrefix.length > 100) {
    throw new GuardError('invalid_guard_config', 'guard key prefix must be at most 100 characters, without braces or spaces');
  }
  return { timeoutMs, redis: { target: target.value, keyPrefix } };
}

/**
 * A new store. Throws GuardError('invalid_guard_config') for a bad URL, prefix or timeout
 * (the message never contains the URL). Creating one is cheap: Redis connects on first use.
 */
export function createGuardStore(opts: GuardStoreOptions): GuardStore {
  const { timeoutMs, redis } = resolveConfig(opts);
  return redis ? new RedisGuardStore({ ...redis, timeoutMs }) : new MemoryGuardStore();
}

/** The store these options select, without connecting. Throws as createGuardStore does. */
export function describeGuardStore(opts: GuardStoreOptions): GuardStoreDescription {
  const { timeoutMs, redis } = resolveConfig(opts);
  if (!redis) return { mode: 'memory', address: null, keyPrefix: null, timeoutMs };
  return { mode: redis.target.cluster ? 'redis-cluster' : 'redis', address: redis.target.redacted, keyPrefix: redis.keyPrefix, timeoutMs };
}

/**
 * Reads GUARD_REDIS_URL, GUARD_REDIS_PREFIX, GUARD_REDIS_TIMEOUT_MS and GUARD_REDIS_TLS_CA
 * (PEM text) from an env map. Unset prefix → the URL's `?prefix=`, else the default.
 */
export function guardStoreOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): GuardStoreOptions {
  const timeout = env.GUARD_REDIS_TIMEOUT_MS?.trim();
  return {
    redisUrl: env.GUARD_REDIS_URL?.trim() || null,
    ...(env.GUARD_REDIS_PREFIX !== undefined ? { keyPrefix: env.GUARD_REDIS_PREFIX } : {}),
    // Checked where the store is made (resolveConfig): "3e9", "-5", "abc" are configuration errors.
    ...(timeout ? { timeoutMs: /^\d+$/.test(timeout) ? Number(timeout) : Number.NaN } : {}),
    ...(env.GUARD_REDIS_TLS_CA ? { tlsCa: env.GUARD_REDIS_TLS_CA } : {}),
  };
}

const shared = new Map<string, GuardStore>();

/**
 * One store per configuration for the life of the warm container: the memory store's
 * state and the Redis connection both survive from one invocation to the next.
 */
export function sharedGuardStore(opts: GuardStoreOptions): GuardStore {
  const id = JSON.stringify([opts.redisUrl ?? null, opts.keyPrefix ?? null, opts.timeoutMs ?? null, opts.tlsCa ?? null]);
  let store = shared.get(id);
  if (!store) {
    store = createGuardStore(opts);
    shared.set(id, store);
  }
  return store;
}
