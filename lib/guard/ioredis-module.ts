/**
 * ioredis, alone. redis-store.ts requires it when the first Redis guard store is
 * built; the function bundles build it as a file of its own
 * (dist/<fn>/redis.js, esbuild.config.mjs), so a container without
 * GUARD_REDIS_URL never parses nor evaluates it.
 */
import Redis from 'ioredis';

export { Redis };
