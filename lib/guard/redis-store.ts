/**
 * The guard's state in Redis (a DCS instance in production): shared by every container,
 * so dedup, cooldowns and the breaker hold across concurrent invocations.
 *
 * One check = one Lua script call = one round trip (EVALSHA; ioredis sends EVAL the first
 * time on each connection). Releases ('not_sent') are a second script.
 *
 * Cluster mode (DCS Proxy Cluster, Redis Cluster): a script may only touch keys of one
 * hash slot. The global breaker must be read and written in the same script as the
 * instance's keys — otherwise two containers could both see "19 of 20" and both kill —
 * so EVERY key carries the same hash tag `{guard}` and lives in one slot. The load is a
 * few tiny keys per kill, far below what one shard serves.
 *
 * Failure behaviour, tuned for a function that must answer within its timeout: the
 * connection opens lazily on the first check; no offline queue (a command issued while
 * disconnected fails at once instead of waiting to be replayed — a replayed claim would
 * write a cooldown for a kill the caller already gave up on); no automatic reconnect loop
 * (a frozen container cannot use one), the next check reconnects instead; ONE deadline of
 * timeoutMs per call, connecting included (see withinDeadline). Any failure becomes the
 * 'unavailable' verdict with a sanitized cause; errors from ioredis are never passed on,
 * since some carry the command's arguments (for AUTH, the password).
 *
 * A check that times out may still have run on the server: its claim then stays until the
 * cooldown ends — the safe side for a fail-closed caller.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from './ioredis-module';
import { guardKeys, type GuardKeys } from './keys';
import { CHECK_SCRIPT, RELEASE_SCRIPT } from './redis-script';
import { BREAKER_WINDOW_MS, cooldownField, limitsOf, type BlockingVerdict } from './rules';
import type { RedisTarget } from './redis-url';
import {
  GUARD_UNAVAILABLE_MESSAGE,
  GuardError,
  type GuardRequest,
  type GuardStore,
  type GuardVerdict,
  type Lease,
  type SettleOutcome,
} from './types';
import { assertValidRequest } from './validate';

/** All keys share this hash tag (see above). */
export const HASH_TAG = '{guard}';

/** Keys outlive their logical end by this much (TTL = garbage collection, times decide). */
const TTL_GRACE_MS = 60_000;

export interface RedisGuardStoreOptions {
  target: RedisTarget;
  keyPrefix: string;
  timeoutMs: number;
}

type ScriptReply = string[];

interface GuardCommands {
  guardCheck(...keysAndArgs: string[]): Promise<ScriptReply>;
  guardRelease(...keysAndArgs: string[]): Promise<number>;
}

class DeadlineExceeded extends Error {}

export class RedisGuardStore implements GuardStore {
  readonly kind = 'redis' as const;
  private client: Redis;
  private connecting: { client: Redis; promise: Promise<void> } | null = null;
  /** The last 'error' event: it names the real cause when a call only sees "connection closed". */
  private lastError: unknown;

  constructor(private readonly options: RedisGuardStoreOptions) {
    this.client = this.openClient();
  }

  private openClient(): Redis {
    const { timeoutMs } = this.options;
    const client = new (loadIoredis())({
      ...this.options.target.connection,
      lazyConnect: true,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // No connect or command timers of ioredis' own: they would fire ahead of a reply that
      // already arrived after a blocked event loop (see withinDeadline); the deadline covers both.
      connectTimeout: 0,
      disconnectTimeout: timeoutMs,
      // RESP2 and no CLIENT SETINFO: older DCS versions and proxies know neither HELLO nor SETINFO.
      protocol: 2,
      disableClientInfo: true,
      connectionName: 'dcs-session-guard',
    });
    // Errors surface through the failing call; without a listener ioredis would print them.
    client.on('error', (e: unknown) => {
      if (client === this.client) this.lastError = e;
    });
    client.defineCommand('guardCheck', { numberOfKeys: 4, lua: CHECK_SCRIPT });
    client.defineCommand('guardRelease', { numberOfKeys: 4, lua: RELEASE_SCRIPT });
    return client;
  }

  async check(req: GuardRequest): Promise<GuardVerdict> {
    assertValidRequest(req);
    const leaseId = randomUUID();
    try {
      const reply = await this.withinDeadline((redis) => redis.guardCheck(...this.checkArgs(req, leaseId)));
      return toVerdict(reply, req, leaseId);
    } catch (e) {
      return { kind: 'unavailable', message: GUARD_UNAVAILABLE_MESSAGE, failOpen: req.settings.failOpen, cause: this.causeOf(e) };
    }
  }

  async settle(lease: Lease, outcome: SettleOutcome): Promise<void> {
    if (outcome !== 'not_sent') return;
    const keys = this.keysOf(lease.target, lease.dedupKey);
    const args = [lease.id, cooldownField(lease.target), lease.dedupKey === null ? '0' : '1'];
    try {
      await this.withinDeadline((redis) => redis.guardRelease(...keys, ...args));
    } catch (e) {
      throw new GuardError('guard_store_unavailable', `${GUARD_UNAVAILABLE_MESSAGE}: could not release the claim (${this.causeOf(e)}); its cooldown stays`);
    }
  }

  async close(): Promise<void> {
    this.connecting = null;
    disconnect(this.client);
  }

  private causeOf(e: unknown): string {
    const cause = sanitizedCause(e);
    return cause === 'connection_closed' && this.lastError !== undefined ? sanitizedCause(this.lastError) : cause;
  }

  /** The full Redis key names of a decision, in the scripts' KEYS order. */
  keysOf(target: GuardRequest['target'], dedupKey: string | null): [string, string, string, string] {
    const names: GuardKeys = guardKeys(target, dedupKey);
    const full = (name: string) => `${this.options.keyPrefix}${HASH_TAG}:${name}`;
    // Without a dedup key the script never touches KEYS[1]; the placeholder keeps the slot.
    return [full(names.dedup ?? 'dedup:none'), full(names.cooldowns), full(names.globalKills), full(names.instanceKills)];
  }

  private checkArgs(req: GuardRequest, leaseId: string): string[] {
    const limits = limitsOf(req);
    return [
      ...this.keysOf(req.target, req.dedupKey),
      String(req.now),
      cooldownField(req.target),
      String(limits.cooldownMs),
      String(limits.dedupTtlMs),
      String(limits.maxGlobal),
      String(limits.maxInstance),
      String(BREAKER_WINDOW_MS),
      req.dryRun ? '1' : '0',
      leaseId,
      req.dedupKey === null ? '0' : '1',
      String(TTL_GRACE_MS),
    ];
  }

  /**
   * Connects if needed and runs `call`, all within timeoutMs.
   *
   * When the event loop was blocked past the deadline (a GC pause, a CPU-starved container:
   * FunctionGraph gives small functions a fraction of a core), the timer and the server's reply
   * are both pending once the loop runs again, and timers run first. Without care, a store that
   * answered in a millisecond would be declared unavailable — and the kill dropped. So the
   * deadline rejects from setImmediate: that runs after the loop's poll phase has read whatever
   * already arrived, and an answer that was on time wins.
   */
  private async withinDeadline<T>(call: (commands: GuardCommands) => Promise<T>): Promise<T> {
    this.lastError = undefined;
    const client = this.client;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => setImmediate(() => reject(new DeadlineExceeded())), this.options.timeoutMs);
    });
    const work = this.ready(client).then(() => call(client as unknown as GuardCommands));
    work.catch(() => undefined); // it may settle after the deadline: never leave it unhandled
    try {
      return await Promise.race([work, deadline]);
    } catch (e) {
      if (e instanceof DeadlineExceeded || isTimeout(e)) this.replaceClient(client);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * After a timeout the socket may be dead without knowing it (a dropped NAT mapping, a
   * frozen server): the next call starts on a fresh connection instead of queueing behind it.
   */
  private replaceClient(stale: Redis): void {
    if (stale !== this.client) return; // a concurrent call already did
    this.client = this.openClient();
    this.connecting = null;
    disconnect(stale);
  }

  /** Connects `client` unless it is ready; concurrent calls share one attempt. */
  private ready(client: Redis): Promise<void> {
    if (client.status === 'ready') return Promise.resolve();
    if (!this.connecting || this.connecting.client !== client) {
      const attempt = { client, promise: client.connect() };
      attempt.promise.then(
        () => this.connecting === attempt && (this.connecting = null),
        () => this.connecting === attempt && (this.connecting = null),
      );
      this.connecting = attempt;
    }
    return this.connecting.promise;
  }
}

/**
 * ioredis is required on first use, not imported: a container without a Redis guard
 * store never loads it (cold start). In a function bundle this is dist/<fn>/redis.js.
 */
function loadIoredis(): typeof Redis {
  return (require('./ioredis-module') as typeof import('./ioredis-module')).Redis;
}

/** A client whose connection already ended has nothing to close (ioredis would arm a useless timer). */
function disconnect(client: Redis): void {
  if (client.status !== 'end') client.disconnect();
}

function toVerdict(reply: ScriptReply, req: GuardRequest, leaseId: string): GuardVerdict {
  const [kind, a, b, c] = reply;
  if (kind === 'proceed') {
    if (req.dryRun) return { kind: 'proceed', lease: null };
    const cooldownUntil = Number(a);
    return { kind: 'proceed', lease: { id: leaseId, target: req.target, dedupKey: req.dedupKey, claimedAt: req.now, cooldownUntil } };
  }
  const blocked = blockingVerdict(kind, a, b, c);
  if (blocked) return blocked;
  throw new Error('BAD_REPLY unexpected script reply');
}

function blockingVerdict(kind?: string, a?: string, b?: string, c?: string): BlockingVerdict | null {
  if (kind === 'duplicate') return { kind, firstSeenAt: Number(a) };
  if (kind === 'cooldown' && (b === 'node' || b === 'instance')) return { kind, until: Number(a), scope: b, since: Number(c) };
  if (kind === 'rate_limit' && (a === 'global' || a === 'instance')) return { kind, scope: a, limit: Number(b), retryAt: Number(c) };
  return null;
}

/** Duck-typed: errors from Node's core come from another realm under test runners, so instanceof Error fails. */
function errorFields(e: unknown): { message: string; code: unknown } | null {
  if (typeof e !== 'object' || e === null || typeof (e as { message?: unknown }).message !== 'string') return null;
  return { message: (e as { message: string }).message, code: (e as { code?: unknown }).code };
}

function isTimeout(e: unknown): boolean {
  return /timed out/i.test(errorFields(e)?.message ?? '');
}

/**
 * A short code for what went wrong, built only from fixed vocabularies (system error
 * codes, Redis error prefixes): never from free text that could hold a URL or password.
 */
export function sanitizedCause(e: unknown): string {
  if (e instanceof DeadlineExceeded || isTimeout(e)) return 'timeout';
  const fields = errorFields(e);
  if (!fields) return 'error';
  if (typeof fields.code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(fields.code)) return fields.code;
  // Redis 7 answers a big command from an unauthenticated client with "Protocol error: unauthenticated ...".
  if (/WRONGPASS|NOAUTH|unauthenticated|invalid password|invalid username/i.test(fields.message)) return 'auth_failed';
  if (/Connection is closed|isn't writeable|already connecting/i.test(fields.message)) return 'connection_closed';
  return /^([A-Z][A-Z_]{1,30})(\s|$)/.exec(fields.message)?.[1] ?? 'error';
}
