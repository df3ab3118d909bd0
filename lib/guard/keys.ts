/**
 * Names of the guard's state entries. Both stores use them (the memory store as map
 * keys, the Redis store behind its prefix and hash tag), so a Redis dump reads like
 * the memory store's maps. Ids are URI-encoded so a ':' inside one cannot collide.
 */
import { nodeCrypto } from '../runtime/lazy';
import type { Target } from '../domain/types';
import { cooldownField } from './rules';

const enc = encodeURIComponent;

/**
 * Every Redis key of a deployment carries this hash tag, so all of them live in one hash
 * slot, on one shard of a cluster: a decision is one script over the instance's keys AND the
 * global breaker (docs/guard.md, "Why one hash slot").
 */
export const HASH_TAG = '{guard}';

/**
 * The Redis name of a guard entry: `<prefix>{guard}:<name>`. Whatever a deployment keeps in
 * Redis beside the guard (the decision history stream) is named through this too: same
 * prefix, same slot.
 */
export function redisKey(prefix: string, name: string): string {
  return `${prefix}${HASH_TAG}:${name}`;
}

/** The capped stream of audit records kept beside the guard keys (the decision history). */
export function historyStreamKey(prefix: string): string {
  return redisKey(prefix, 'history');
}

/** Dedup keys come from outside (SMN message ids): long ones are hashed to keep keys small. */
const MAX_READABLE_DEDUP_KEY = 200;

export function instanceName(target: Target): string {
  return `${enc(target.projectId)}:${enc(target.instanceId)}`;
}

export interface GuardKeys {
  /** Mark: this notification acted on this target. null when the request has no dedupKey. */
  dedup: string | null;
  /** Hash of the instance's cooldowns, field = node id or '*'. */
  cooldowns: string;
  /** Kill times of the global breaker. */
  globalKills: string;
  /** Kill times of this instance's breaker. */
  instanceKills: string;
}

export function guardKeys(target: Target, dedupKey: string | null): GuardKeys {
  const instance = instanceName(target);
  return {
    dedup: dedupKey === null ? null : `dedup:${instance}:${enc(cooldownField(target))}:${dedupName(dedupKey)}`,
    cooldowns: `cooldown:${instance}`,
    globalKills: 'kills:global',
    instanceKills: `kills:${instance}`,
  };
}

function dedupName(dedupKey: string): string {
  const readable = enc(dedupKey);
  if (readable.length <= MAX_READABLE_DEDUP_KEY) return readable;
  return `sha256-${nodeCrypto().createHash('sha256').update(dedupKey).digest('hex')}`;
}
