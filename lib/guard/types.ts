/**
 * The guard's vocabulary: what a caller asks before a kill (GuardRequest), what it is
 * told (GuardVerdict), and how it reports back when the kill never happened (settle).
 *
 * Both stores (memory, Redis) implement GuardStore with identical decisions; the
 * behaviour suite in test/guard/ runs the same sequences against both.
 */
import type { Target } from '../domain/types';

/** From the policy's `guard` section (defaults are the policy's business, not the store's). */
export interface GuardSettings {
  /** How long a target stays cool after a kill. 0 disables cooldowns (and the in-progress hold). */
  cooldownSeconds: number;
  /** Circuit breaker: kills in any rolling hour, over every instance this deployment guards. */
  maxKillsPerHour: number;
  /** Circuit breaker: kills in any rolling hour on one instance. */
  maxKillsPerHourPerInstance: number;
  /** How long a notification (dedupKey) is remembered once it acted. */
  dedupTtlSeconds: number;
  /** What the caller should do when the store cannot answer (carried in the 'unavailable' verdict). */
  failOpen: boolean;
}

export interface GuardRequest {
  target: Target;
  /** SMN message_id, else alarm_id + time; null (timers) skips the dedup check. */
  dedupKey: string | null;
  /** Evaluate every check, write nothing. */
  dryRun: boolean;
  /** Epoch ms. Every decision uses the caller's clock, so both stores decide alike and tests need no sleeps. */
  now: number;
  settings: GuardSettings;
}

/**
 * Proof of a claim: what settle() needs to release it. Callers treat it as opaque
 * (the fields are informative, e.g. for an audit line) and hand it back unchanged.
 */
export interface Lease {
  /** Unique id (random, or a random prefix and a count in the memory store); it marks every entry this claim wrote, so a release removes exactly those. */
  readonly id: string;
  readonly target: Target;
  readonly dedupKey: string | null;
  /** The request's `now`. */
  readonly claimedAt: number;
  /** When the cooldown this claim set ends (epoch ms). */
  readonly cooldownUntil: number;
}

export type GuardVerdict =
  /** Go ahead. For a real run the target is now claimed (cooldown, breaker count, dedup mark written). */
  | { kind: 'proceed'; lease: Lease | null /* null for dry runs */ }
  /** This notification already acted on this target; firstSeenAt = when (epoch ms). */
  | { kind: 'duplicate'; firstSeenAt?: number }
  /**
   * The target (scope 'node') or its instance (scope 'instance') is cooling down until `until`.
   * `since` = when the blocking claim was made (a very recent one usually means another
   * invocation is acting right now).
   */
  | { kind: 'cooldown'; until: number; scope: 'node' | 'instance'; since?: number }
  /** The circuit breaker tripped; retryAt = when the oldest counted kill leaves the rolling hour. */
  | { kind: 'rate_limit'; scope: 'global' | 'instance'; limit: number; retryAt: number }
  /**
   * The store did not answer in time or failed. `cause` is a short sanitized code
   * (e.g. "timeout", "ECONNREFUSED", "auth_failed", "READONLY"): never a URL or password.
   */
  | { kind: 'unavailable'; message: string; failOpen: boolean; cause?: string };

/**
 * executed: the kill was sent and accepted — keep everything (no store call).
 * outcome_unknown: it may have happened — keep everything (no store call).
 * not_sent: nothing happened (failed before sending, or 4xx) — release cooldown, breaker entry and dedup mark.
 */
export type SettleOutcome = 'executed' | 'not_sent' | 'outcome_unknown';

/** The entries a claim writes: its dedup mark, its cooldown, its breaker counts. */
export type ClaimEntry = 'dedup' | 'cooldown' | 'kills';

/**
 * What a release found: the claim's entries that were already gone. Within seconds of the
 * claim none should be; one that is was evicted (or the store lost it), and the guard is
 * weaker than it looks (docs/guard.md, eviction). Empty for outcomes that touch nothing.
 */
export interface SettleReport {
  vanished: ClaimEntry[];
}

export const NOTHING_VANISHED: SettleReport = Object.freeze({ vanished: [] as ClaimEntry[] }) as SettleReport;

export interface GuardStore {
  readonly kind: 'memory' | 'redis';
  /**
   * Never rejects for store trouble (that is the 'unavailable' verdict). Rejects with
   * GuardError('invalid_guard_request') only for a malformed request (a programming error upstream).
   */
  check(req: GuardRequest): Promise<GuardVerdict>;
  /**
   * Only 'not_sent' touches the store. Rejects with GuardError('guard_store_unavailable') when the
   * release could not be written: the claim then stays (the safe side) and the caller should audit that.
   */
  settle(lease: Lease, outcome: SettleOutcome): Promise<SettleReport>;
  close(): Promise<void>;
}

export const GUARD_UNAVAILABLE_MESSAGE = 'guard store unavailable';

export type GuardErrorCode = 'invalid_guard_request' | 'invalid_guard_config' | 'guard_store_unavailable';

/** Every error the guard raises: a stable code and a message that never holds a secret. */
export class GuardError extends Error {
  constructor(
    readonly code: GuardErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GuardError';
  }
}
