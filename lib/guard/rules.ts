/**
 * The guard's rules as one pure function over the state a decision reads.
 *
 * The memory store calls it directly; the Redis store runs the same rules inside one
 * Lua script (redis-script.ts), because a decision there must be atomic on the server.
 * test/guard/ runs identical sequences against both to keep the two in step.
 *
 * Order of the checks (the first that blocks wins):
 *   1. dedup      — this notification already acted on this target;
 *   2. cooldown   — the node, or its whole instance, is cooling down;
 *   3. breaker    — too many kills in the rolling hour, globally then on this instance.
 */
import type { Target } from '../domain/types';
import type { GuardRequest, GuardVerdict } from './types';

export const BREAKER_WINDOW_MS = 3_600_000;

/** The cooldown field of a target inside its instance: the node id, or '*' for all nodes. */
export const ALL_NODES_FIELD = '*';

export function cooldownField(target: Target): string {
  return target.killAllNodes || target.nodeId === null ? ALL_NODES_FIELD : target.nodeId;
}

/** One cooldown of an instance: on a node (field = node id) or on all its nodes (field = '*'). */
export interface CooldownEntry {
  field: string;
  until: number;
  since: number;
  leaseId: string;
}

/** Everything one decision reads. Entries may be stale: the rules compare them with `now`. */
export interface GuardState {
  /** When this notification first acted on this target, if a mark exists. */
  dedupFirstSeenAt: number | null;
  /** Every cooldown entry of the target's instance. */
  cooldowns: readonly CooldownEntry[];
  /** Kill times counted by the global breaker. */
  globalKills: readonly number[];
  /** Kill times counted by this instance's breaker. */
  instanceKills: readonly number[];
}

export type BlockingVerdict = Extract<GuardVerdict, { kind: 'duplicate' | 'cooldown' | 'rate_limit' }>;

/** Settings in the units the stores work in. */
export interface Limits {
  cooldownMs: number;
  dedupTtlMs: number;
  maxGlobal: number;
  maxInstance: number;
}

export function limitsOf(req: GuardRequest): Limits {
  const s = req.settings;
  return {
    cooldownMs: Math.round(s.cooldownSeconds * 1000),
    dedupTtlMs: Math.round(s.dedupTtlSeconds * 1000),
    maxGlobal: s.maxKillsPerHour,
    maxInstance: s.maxKillsPerHourPerInstance,
  };
}

/** null = nothing blocks: the target may be claimed. */
export function evaluate(state: GuardState, req: GuardRequest): BlockingVerdict | null {
  const limits = limitsOf(req);
  const { now } = req;
  if (req.dedupKey !== null && state.dedupFirstSeenAt !== null && state.dedupFirstSeenAt + limits.dedupTtlMs > now) {
    return { kind: 'duplicate', firstSeenAt: state.dedupFirstSeenAt };
  }
  const cooling = blockingCooldown(state.cooldowns, cooldownField(req.target), now);
  if (cooling) {
    const scope = cooling.field === ALL_NODES_FIELD ? 'instance' : 'node';
    return { kind: 'cooldown', until: cooling.until, scope, since: cooling.since };
  }
  return (
    breakerVerdict('global', state.globalKills, limits.maxGlobal, now) ??
    breakerVerdict('instance', state.instanceKills, limits.maxInstance, now)
  );
}

/**
 * The active cooldown that blocks `field` for longest. A node is blocked by its own
 * cooldown and by its instance's; all nodes ('*') are blocked by any cooldown of the
 * instance, since a node kill counts for the instance-wide cooldown.
 * Ties go to '*', then to the smaller field, so both stores pick the same entry.
 */
export function blockingCooldown(entries: readonly CooldownEntry[], field: string, now: number): CooldownEntry | null {
  let best: CooldownEntry | null = null;
  for (const e of entries) {
    const blocks = field === ALL_NODES_FIELD || e.field === field || e.field === ALL_NODES_FIELD;
    if (e.until > now && blocks && (best === null || outranks(e, best))) best = e;
  }
  return best;
}

function outranks(a: CooldownEntry, b: CooldownEntry): boolean {
  if (a.until !== b.until) return a.until > b.until;
  if (a.field === ALL_NODES_FIELD || b.field === ALL_NODES_FIELD) return a.field === ALL_NODES_FIELD;
  return a.field < b.field;
}

/** The breaker trips at `limit` kills within the window; retryAt = when enough of them age out. */
export function breakerVerdict(
  scope: 'global' | 'instance',
  kills: readonly number[],
  limit: number,
  now: number,
): BlockingVerdict | null {
  // Fewer kills than the limit in all: none can trip it, whatever their times (no copy, no sort).
  if (kills.length < limit) return null;
  const inWindow = kills.filter((t) => t > now - BREAKER_WINDOW_MS).sort((a, b) => a - b);
  if (inWindow.length < limit) return null;
  const mustAgeOut = inWindow[inWindow.length - limit];
  const retryAt = mustAgeOut === undefined ? now + BREAKER_WINDOW_MS : mustAgeOut + BREAKER_WINDOW_MS;
  return { kind: 'rate_limit', scope, limit, retryAt };
}
