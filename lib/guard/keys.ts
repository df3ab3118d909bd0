/**
 * Names of the guard's state entries. Both stores use them (the memory store as map
 * keys, the Redis store behind its prefix and hash tag), so a Redis dump reads like
 * the memory store's maps. Ids are URI-encoded so a ':' inside one cannot collide.
 */
import { createHash } from 'node:crypto';
import type { Target } from '../domain/types';
import { cooldownField } from './rules';

const enc = encodeURIComponent;

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
  return `sha256-${createHash('sha256').update(dedupKey).digest('hex')}`;
}
