/**
 * doctor's guard store part, for a GUARD_REDIS_URL: reachable within the
 * store timeout the function uses, the server's mode against the URL's
 * scheme, the eviction policy (guard keys must not be evicted), latency, and
 * one round trip of the real decision script — the function's own
 * RedisGuardStore — on scratch keys under a prefix of their own, deleted
 * afterwards. Nothing else is written.
 */
import { randomUUID } from 'node:crypto';
import type { Redis as RedisClient } from 'ioredis';
import { createGuardStore, guardStoreOptionsFromEnv, parseRedisUrl, RedisGuardStore, DEFAULT_KEY_PREFIX } from '../guard';
import type { GuardSettings } from '../guard/types';
import type { Env } from '../runtime/container';
import { fail, ok, warn, type Check } from './check';

const SAFE_EVICTION = new Set(['noeviction']);

export async function guardChecks(env: Env, storeTimeoutMs: number, settings: GuardSettings): Promise<Check[]> {
  const options = guardStoreOptionsFromEnv(env);
  if (!options.redisUrl) return [];
  const target = parseRedisUrl(options.redisUrl, options.tlsCa);
  if (!target.ok) return []; // the configuration check reported it
  const timeoutMs = options.timeoutMs ?? storeTimeoutMs;
  const { Redis, Cluster } = require('../guard/ioredis-module') as typeof import('../guard/ioredis-module');
  const behaviour = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null };
  const client = (target.value.cluster
    ? new Cluster([{ host: target.value.connection.host ?? '127.0.0.1', port: target.value.connection.port ?? 6379 }], { redisOptions: { ...target.value.connection, ...behaviour }, clusterRetryStrategy: () => null, enableOfflineQueue: false, lazyConnect: true })
    : new Redis({ ...target.value.connection, ...behaviour })) as unknown as RedisClient;
  client.on('error', () => undefined); // reported through the calls' rejections
  const where = target.value.redacted;
  const checks: Check[] = [];
  try {
    const started = Date.now();
    try {
      await within(timeoutMs, client.connect().then(() => client.ping()));
    } catch (error) {
      if (target.value.cluster && (await answersStandalone(new Redis({ ...target.value.connection, ...behaviour }), timeoutMs))) {
        return [fail('guard.mode', `GUARD_REDIS_URL says cluster (redis+cluster://) but ${where} is not a Redis Cluster`, 'use redis:// (or rediss://)')];
      }
      return [fail('guard.reachable', `${where}: not reachable within ${timeoutMs} ms (${cause(error)})`, 'check GUARD_REDIS_URL, the password, the VPC/security group, and GUARD_REDIS_TIMEOUT_MS / guard.storeTimeoutMs')];
    }
    checks.push(ok('guard.reachable', `${where}: connected and answered PING in ${Date.now() - started} ms (limit ${timeoutMs} ms)`));
    checks.push(await modeCheck(client, target.value.cluster));
    checks.push(await evictionCheck(client));
    checks.push(await latencyCheck(client, timeoutMs));
    checks.push(await scriptCheck(env, options.keyPrefix ?? target.value.keyPrefix ?? DEFAULT_KEY_PREFIX, timeoutMs, settings, client));
    return checks;
  } finally {
    client.disconnect();
  }
}

async function info(client: RedisClient, section: string): Promise<Record<string, string>> {
  const text = await client.info(section);
  return Object.fromEntries(text.split(/\r?\n/).filter((l) => l.includes(':') && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));
}

async function modeCheck(client: RedisClient, clusterUrl: boolean): Promise<Check> {
  try {
    const server = await info(client, 'server');
    const cluster = await info(client, 'cluster').catch(() => ({}) as Record<string, string>);
    const mode = cluster.cluster_enabled === '1' ? 'cluster' : (server.redis_mode ?? 'standalone');
    const version = server.redis_version ? `Redis ${server.redis_version}` : 'version not reported';
    if (mode === 'cluster' && !clusterUrl) return fail('guard.mode', `the server is a Redis Cluster (${version}) but GUARD_REDIS_URL is redis://`, 'use redis+cluster:// (or rediss+cluster://)');
    if (mode !== 'cluster' && clusterUrl) return fail('guard.mode', `GUARD_REDIS_URL says cluster but the server runs ${mode} (${version})`, 'use redis:// (or rediss://)');
    return ok('guard.mode', `${mode}, ${version}`);
  } catch (error) {
    return warn('guard.mode', `not reported by the server (${cause(error)})`);
  }
}

/** Guard keys carry TTLs: any policy but noeviction may drop a cooldown or a breaker count under memory pressure. */
async function evictionCheck(client: RedisClient): Promise<Check> {
  let memory: Record<string, string>;
  try {
    memory = await info(client, 'memory');
  } catch (error) {
    return warn('guard.eviction', `eviction policy not reported by the server (${cause(error)})`, 'check in the console that the instance uses noeviction');
  }
  const policy = memory.maxmemory_policy;
  if (policy === undefined) return warn('guard.eviction', 'eviction policy not reported by the server', 'check in the console that the instance uses noeviction');
  if (SAFE_EVICTION.has(policy)) return ok('guard.eviction', `maxmemory-policy ${policy}: guard keys are never evicted`);
  if (memory.maxmemory === '0') return ok('guard.eviction', `maxmemory-policy ${policy}, but no maxmemory limit: nothing is evicted`);
  return warn('guard.eviction', `maxmemory-policy ${policy}: under memory pressure Redis may evict guard keys (cooldowns, breaker counts, dedup marks), and a guard would forget a kill`, 'use a dedicated instance with maxmemory-policy noeviction');
}

async function latencyCheck(client: RedisClient, timeoutMs: number): Promise<Check> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const t = process.hrtime.bigint();
    await client.ping();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const worst = Math.max(...samples);
  const text = `PING round trip: median ${median(samples).toFixed(1)} ms, worst ${worst.toFixed(1)} ms`;
  return worst > timeoutMs / 2 ? warn('guard.latency', `${text}: more than half the store timeout (${timeoutMs} ms)`, 'raise guard.storeTimeoutMs or move the store closer') : ok('guard.latency', text);
}

/** The function's decision script, once, on scratch keys: claim, release, delete. */
async function scriptCheck(env: Env, prefix: string, timeoutMs: number, settings: GuardSettings, client: RedisClient): Promise<Check> {
  const scratchPrefix = `${prefix}doctor-scratch:${randomUUID()}:`;
  const store = createGuardStore({ ...guardStoreOptionsFromEnv(env), keyPrefix: scratchPrefix, timeoutMs }) as RedisGuardStore;
  const target = { projectId: 'doctor', instanceId: 'scratch', nodeId: null, killAllNodes: true };
  const started = Date.now();
  try {
    const verdict = await store.check({ target, dedupKey: 'doctor', dryRun: false, now: Date.now(), settings });
    const took = Date.now() - started;
    if (verdict.kind !== 'proceed' || verdict.lease === null) {
      return fail('guard.script', `the decision script answered ${verdict.kind}${verdict.kind === 'unavailable' ? ` (${verdict.cause ?? 'unknown'})` : ''} on fresh scratch keys`, 'the store must allow EVAL/EVALSHA (Lua scripts)');
    }
    await store.settle(verdict.lease, 'not_sent');
    return ok('guard.script', `the decision script ran on scratch keys in ${took} ms (claim and release)`);
  } catch (error) {
    return fail('guard.script', `the decision script failed (${cause(error)})`, 'the store must allow EVAL/EVALSHA (Lua scripts)');
  } finally {
    await client.del(...store.keysOf(target, 'doctor')).catch(() => undefined);
    await store.close();
  }
}

/** Whether the seed node answers as a plain server (a cluster client cannot start on it). */
async function answersStandalone(plain: RedisClient, timeoutMs: number): Promise<boolean> {
  plain.on('error', () => undefined);
  try {
    await within(timeoutMs, plain.connect().then(() => plain.ping()));
    return (await info(plain, 'cluster')).cluster_enabled !== '1';
  } catch {
    return false;
  } finally {
    plain.disconnect();
  }
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)));
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** A short cause, never the URL or password (ioredis errors can carry command arguments). */
function cause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const known = /timeout|ECONNREFUSED|ENOTFOUND|ECONNRESET|WRONGPASS|NOAUTH|NOPERM|invalid password|Connection is closed|READONLY|certificate/i.exec(message);
  return known ? known[0] : 'error';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
