/**
 * ioredis, alone. redis-store.ts requires it when the first Redis guard store is
 * built; the function bundles build it as a file of its own
 * (dist/<fn>/redis.js, esbuild.config.mjs), so a container without
 * GUARD_REDIS_URL never parses nor evaluates it. Cluster is the native Redis
 * Cluster client (redis+cluster://), part of the same package.
 */
import Redis, { Cluster } from 'ioredis';

export { Redis, Cluster };
