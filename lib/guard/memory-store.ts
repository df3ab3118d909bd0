/**
 * The guard's state in this process's memory: the default when GUARD_REDIS_URL is unset.
 *
 * Limits (also in the README): the state lives in ONE warm container. It is lost on a cold
 * start, and FunctionGraph runs several containers at once under load, each with its own
 * state — so dedup, cooldowns and the breaker hold per container only. That suits a single
 * low-traffic function or local runs; real deployments should point GUARD_REDIS_URL at Redis.
 *
 * Memory stays bounded: entries are dropped once the caller's clock passes their end
 * (swept at most once a minute), and dedup marks are capped (oldest dropped first).
 */
import { nodeCrypto } from '../runtime/lazy';
import { guardKeys, type GuardKeys } from './keys';
import { BREAKER_WINDOW_MS, cooldownField, evaluate, limitsOf, type CooldownEntry, type GuardState } from './rules';
import { NOTHING_VANISHED, type ClaimEntry, type GuardRequest, type GuardStore, type GuardVerdict, type Lease, type SettleOutcome, type SettleReport } from './types';
import { assertValidRequest } from './validate';

const SWEEP_EVERY_MS = 60_000;
export const MAX_DEDUP_MARKS = 10_000;

interface DedupMark {
  firstSeenAt: number;
  expiresAt: number;
  leaseId: string;
}

/** One breaker's kills, oldest claim first: times apart from lease ids, so a check reads `at` as is. */
interface Kills {
  at: number[];
  leaseIds: string[];
  /** The smallest of `at` (a caller's clock may step back): nothing is dropped before it leaves the window. */
  oldest: number;
}

const NO_KILLS: readonly number[] = [];

export class MemoryGuardStore implements GuardStore {
  readonly kind = 'memory' as const;
  private readonly dedup = new Map<string, DedupMark>();
  private readonly cooldowns = new Map<string, Map<string, CooldownEntry>>();
  private readonly kills = new Map<string, Kills>();
  private lastSweep = -Infinity;
  /**
   * Lease ids: one random prefix per store, then a count; an id is only ever compared within this
   * store. Drawn at the first claim: a skipped event builds the store but never claims, and
   * should not load node:crypto for it.
   */
  private leasePrefix: string | null = null;
  private leaseCount = 0;

  constructor(private readonly maxDedupMarks = MAX_DEDUP_MARKS) {}

  /** Synchronous inside: one event-loop turn, so a decision is atomic within this process. */
  async check(req: GuardRequest): Promise<GuardVerdict> {
    assertValidRequest(req);
    this.sweepIfDue(req.now);
    const keys = guardKeys(req.target, req.dedupKey);
    const state: GuardState = {
      dedupFirstSeenAt: keys.dedup === null ? null : (this.dedup.get(keys.dedup)?.firstSeenAt ?? null),
      cooldowns: [...(this.cooldowns.get(keys.cooldowns)?.values() ?? [])],
      globalKills: this.kills.get(keys.globalKills)?.at ?? NO_KILLS,
      instanceKills: this.kills.get(keys.instanceKills)?.at ?? NO_KILLS,
    };
    const blocked = evaluate(state, req);
    if (blocked) return blocked;
    if (req.dryRun) return { kind: 'proceed', lease: null };
    return { kind: 'proceed', lease: this.claim(req, keys) };
  }

  async settle(lease: Lease, outcome: SettleOutcome): Promise<SettleReport> {
    if (outcome !== 'not_sent') return NOTHING_VANISHED;
    const vanished: ClaimEntry[] = [];
    const keys = guardKeys(lease.target, lease.dedupKey);
    if (keys.dedup !== null) {
      if (this.dedup.get(keys.dedup)?.leaseId === lease.id) this.dedup.delete(keys.dedup);
      else vanished.push('dedup');
    }
    const entries = this.cooldowns.get(keys.cooldowns);
    const field = cooldownField(lease.target);
    if (entries?.get(field)?.leaseId === lease.id) entries.delete(field);
    else vanished.push('cooldown');
    let counted = 0;
    for (const key of [keys.globalKills, keys.instanceKills]) {
      const kills = this.kills.get(key);
      const before = kills?.at.length ?? 0;
      if (kills) this.keepKills(key, kills, (i) => kills.leaseIds[i] !== lease.id);
      counted += before - (this.kills.get(key)?.at.length ?? 0);
    }
    if (counted < 2) vanished.push('kills');
    return { vanished };
  }

  async close(): Promise<void> {
    this.dedup.clear();
    this.cooldowns.clear();
    this.kills.clear();
  }

  /** Entry counts, for tests of the memory bound. */
  size(): { dedup: number; cooldowns: number; kills: number } {
    let cooldowns = 0;
    let kills = 0;
    for (const m of this.cooldowns.values()) cooldowns += m.size;
    for (const k of this.kills.values()) kills += k.at.length;
    return { dedup: this.dedup.size, cooldowns, kills };
  }

  private claim(req: GuardRequest, keys: GuardKeys): Lease {
    const { now, target } = req;
    const limits = limitsOf(req);
    const lease: Lease = { id: `${(this.leasePrefix ??= nodeCrypto().randomUUID())}-${++this.leaseCount}`, target, dedupKey: req.dedupKey, claimedAt: now, cooldownUntil: now + limits.cooldownMs };
    if (keys.dedup !== null) this.setDedupMark(keys.dedup, { firstSeenAt: now, expiresAt: now + limits.dedupTtlMs, leaseId: lease.id });
    const entries = this.cooldowns.get(keys.cooldowns) ?? new Map<string, CooldownEntry>();
    const field = cooldownField(target);
    entries.set(field, { field, until: lease.cooldownUntil, since: now, leaseId: lease.id });
    this.cooldowns.set(keys.cooldowns, entries);
    for (const key of [keys.globalKills, keys.instanceKills]) {
      const kills = this.liveKills(key, now);
      kills.at.push(now);
      kills.leaseIds.push(lease.id);
      kills.oldest = Math.min(kills.oldest, now);
    }
    return lease;
  }

  /** The kills of `key` still in the window at `now` (the list is rebuilt only when one has left it). */
  private liveKills(key: string, now: number): Kills {
    let kills = this.kills.get(key);
    if (kills && kills.oldest <= now - BREAKER_WINDOW_MS) kills = this.keepKills(key, kills, (i) => kills!.at[i]! > now - BREAKER_WINDOW_MS);
    if (!kills) {
      kills = { at: [], leaseIds: [], oldest: Infinity };
      this.kills.set(key, kills);
    }
    return kills;
  }

  /** Keeps the kills of `key` that `keep` accepts; an emptied list is dropped. */
  private keepKills(key: string, kills: Kills, keep: (index: number) => boolean): Kills | undefined {
    const kept: Kills = { at: [], leaseIds: [], oldest: Infinity };
    kills.at.forEach((at, i) => {
      if (!keep(i)) return;
      kept.at.push(at);
      kept.leaseIds.push(kills.leaseIds[i]!);
      kept.oldest = Math.min(kept.oldest, at);
    });
    if (kept.at.length === 0) {
      this.kills.delete(key);
      return undefined;
    }
    this.kills.set(key, kept);
    return kept;
  }

  private setDedupMark(key: string, mark: DedupMark): void {
    this.dedup.delete(key); // re-insert at the end: Map order = age order for the cap below
    this.dedup.set(key, mark);
    for (const oldest of this.dedup.keys()) {
      if (this.dedup.size <= this.maxDedupMarks) break;
      this.dedup.delete(oldest);
    }
  }

  private sweepIfDue(now: number): void {
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, mark] of this.dedup) if (mark.expiresAt <= now) this.dedup.delete(key);
    for (const [key, entries] of this.cooldowns) {
      for (const [field, e] of entries) if (e.until <= now) entries.delete(field);
      if (entries.size === 0) this.cooldowns.delete(key);
    }
    for (const [key, kills] of this.kills) this.keepKills(key, kills, (i) => kills.at[i]! > now - BREAKER_WINDOW_MS);
  }
}
