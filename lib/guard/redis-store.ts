/**
 * The guard's state in Redis (a DCS instance in production): shared by every container,
 * so dedup, cooldowns and the breaker hold across concurrent invocations.
 *
 * One check = one Lua script call = one round trip (EVALSHA; ioredis sends EVAL the first
 * time on each connection). Releases ('not_sent') are a second script.
 *
 * Cluster mode (DCS Proxy Cluster through its one address; a native Redis Cluster through
 * redis+cluster://, ioredis' Cluster client, see openCluster): a script may only touch keys of one
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
import { nodeCrypto, onFirstUse } from '../runtime/lazy';
import type { RedisOptions } from 'ioredis';
import type { Cluster, Redis } from './ioredis-module';
import { guardKeys, redisKey, type GuardKeys } from './keys';
import { CHECK_SCRIPT, RELEASE_SCRIPT, RELEASE_VANISHED } from './redis-script';
import { BREAKER_WINDOW_MS, cooldownField, limitsOf, type BlockingVerdict } from './rules';
import type { RedisTarget } from './redis-url';
import {
  GUARD_UNAVAILABLE_MESSAGE,
  GuardError,
  NOTHING_VANISHED,
  type ClaimEntry,
  type GuardRequest,
  type GuardStore,
  type GuardVerdict,
  type Lease,
  type SettleOutcome,
  type SettleReport,
} from './types';
import { assertValidRequest } from './validate';

/** Keys outlive their logical end by this much (TTL = garbage collection, times decide). */
const TTL_GRACE_MS = 60_000;

/** A script of another concern (the decision history) run on the guard's connection, in its slot. */
export interface SlotScript {
  /** A command name for ioredis' defineCommand, e.g. historyAppend. */
  name: string;
  numberOfKeys: number;
  lua: string;
}

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

/** A standalone connection or a native cluster client: the store uses what both offer. */
type GuardClient = Redis | Cluster;

export class RedisGuardStore implements GuardStore {
  readonly kind = 'redis' as const;
  /** 'redis-cluster' for redis+cluster:// (a native Redis Cluster), else 'redis'. */
  readonly mode: 'redis' | 'redis-cluster';
  private client: GuardClient;
  private connecting: { client: GuardClient; promise: Promise<void> } | null = null;
  /** The last 'error' event: it names the real cause when a call only sees "connection closed". */
  private lastError: unknown;
  /** Sockets are corked until the end of this turn of the event loop (coalesceWrites). */
  private corked = false;

  constructor(private readonly options: RedisGuardStoreOptions) {
    this.mode = options.target.cluster ? 'redis-cluster' : 'redis';
    this.client = this.openClient();
  }

  private openClient(): GuardClient {
    const { target, timeoutMs } = this.options;
    const client = target.cluster ? openCluster(target, timeoutMs) : new (loadIoredis().Redis)({ ...target.connection, ...connectionBehaviour(timeoutMs) });
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
    const leaseId = nodeCrypto().randomUUID();
    try {
      const reply = await this.withinDeadline((redis) => redis.guardCheck(...this.checkArgs(req, leaseId)));
      return toVerdict(reply, req, leaseId);
    } catch (e) {
      return { kind: 'unavailable', message: GUARD_UNAVAILABLE_MESSAGE, failOpen: req.settings.failOpen, cause: this.causeOf(e) };
    }
  }

  async settle(lease: Lease, outcome: SettleOutcome): Promise<SettleReport> {
    if (outcome !== 'not_sent') return NOTHING_VANISHED;
    const keys = this.keysOf(lease.target, lease.dedupKey);
    const args = [lease.id, cooldownField(lease.target), lease.dedupKey === null ? '0' : '1'];
    try {
      const bits = Number(await this.withinDeadline((redis) => redis.guardRelease(...keys, ...args)));
      const vanished = (Object.keys(RELEASE_VANISHED) as ClaimEntry[]).filter((entry) => (bits & RELEASE_VANISHED[entry]) !== 0);
      return { vanished };
    } catch (e) {
      throw new GuardError('guard_store_unavailable', `${GUARD_UNAVAILABLE_MESSAGE}: could not release the claim (${this.causeOf(e)}); its cooldown stays`);
    }
  }

  /**
   * Runs `script` with the guard's deadline, connection and failure rules; its keys get the
   * guard's prefix and hash tag, so they live in the guard's hash slot (a Proxy or Redis
   * Cluster never splits them). Rejects with GuardError('guard_store_unavailable') and a
   * sanitized cause, never with an ioredis error.
   */
  async runScript(script: SlotScript, keyNames: readonly string[], args: readonly string[]): Promise<unknown> {
    const keys = keyNames.map((name) => redisKey(this.options.keyPrefix, name));
    try {
      return await this.withinDeadline((commands) => {
        const client = commands as unknown as Redis & Record<string, (...keysAndArgs: string[]) => Promise<unknown>>;
        if (typeof client[script.name] !== 'function') client.defineCommand(script.name, { numberOfKeys: script.numberOfKeys, lua: script.lua });
        return client[script.name]!(...keys, ...args);
      });
    } catch (e) {
      throw new GuardError('guard_store_unavailable', `${script.name} failed (${this.causeOf(e)})`);
    }
  }

  async close(): Promise<void> {
    this.connecting = null;
    disconnect(this.client);
  }

  private causeOf(e: unknown): string {
    const cause = sanitizedCause(e);
    const vague = cause === 'connection_closed' || cause === CLUSTER_UNREACHABLE;
    return vague && this.lastError !== undefined ? sanitizedCause(this.lastError) : cause;
  }

  /** The full Redis key names of a decision, in the scripts' KEYS order. */
  keysOf(target: GuardRequest['target'], dedupKey: string | null): [string, string, string, string] {
    const names: GuardKeys = guardKeys(target, dedupKey);
    const full = (name: string) => redisKey(this.options.keyPrefix, name);
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
    const work = this.ready(client).then(() => {
      this.coalesceWrites(client);
      return call(client as unknown as GuardCommands);
    });
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
   * The calls made in one callback and the promise continuations it sets off leave in one write
   * (one system call here, one read at the server): the first corks the sockets, a nextTick
   * uncorks them once that cascade is over. In a storm, one read of replies resumes many
   * concurrent invocations, and their next calls go out together. ioredis still sends and
   * answers each command on its own (replies, errors, MOVED/ASK/TRYAGAIN, the deadline); only
   * the writes are shared, and nothing waits past the current callback: a call is on the wire
   * before the event loop moves on, as before.
   */
  private coalesceWrites(client: GuardClient): void {
    if (this.corked) return;
    const nodes = this.mode === 'redis-cluster' ? (client as Cluster).nodes('all') : [client as Redis];
    const streams = nodes.map((node) => node.stream).filter((stream) => stream?.writable === true);
    for (const stream of streams) stream.cork();
    this.corked = true;
    process.nextTick(() => {
      this.corked = false;
      for (const stream of streams) stream.uncork();
    });
  }

  /**
   * After a timeout the socket may be dead without knowing it (a dropped NAT mapping, a
   * frozen server): the next call starts on a fresh connection instead of queueing behind it.
   */
  private replaceClient(stale: GuardClient): void {
    if (stale !== this.client) return; // a concurrent call already did
    this.client = this.openClient();
    this.connecting = null;
    disconnect(stale);
  }

  /** Connects `client` unless it is ready; concurrent calls share one attempt. */
  private ready(client: GuardClient): Promise<void> {
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
const loadIoredis = /* @__PURE__ */ onFirstUse(() => require('./ioredis-module') as typeof import('./ioredis-module'));

/**
 * How every connection behaves, standalone or a cluster's node: no offline queue (a command
 * issued while disconnected fails at once instead of waiting to be replayed — a replayed claim
 * would write a cooldown for a kill the caller already gave up on), no reconnect loop, no connect
 * or command timers of ioredis' own: they would fire ahead of a reply that already arrived after
 * a blocked event loop (see withinDeadline), and the deadline covers both.
 */
function connectionBehaviour(timeoutMs: number): RedisOptions {
  return {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 0,
    disconnectTimeout: timeoutMs,
    // RESP2 and no CLIENT SETINFO: older DCS versions and proxies know neither HELLO nor SETINFO.
    protocol: 2,
    disableClientInfo: true,
    connectionName: 'dcs-session-guard',
  };
}

/**
 * A native Redis Cluster: the seed node tells the client which node serves which slot
 * (CLUSTER SLOTS, on connect); MOVED (the slot has moved: refresh the map, retry there) and
 * ASK (the slot is being migrated: ASKING, then retry there) are followed by ioredis, up to
 * maxRedirections; TRYAGAIN is retried after a short delay. TRYAGAIN is what a node answers while
 * the guard's slot is being migrated and a decision's keys are not all on one node — and since a
 * decision always names a key that does not exist yet (a new dedup mark), that holds from the
 * first MIGRATING to the last SETSLOT NODE: decisions wait for the migration to end. All of it inside the one deadline of a call:
 * a decision that cannot complete in time is 'unavailable', as on a standalone server.
 * No background slot refresh and no cluster reconnect loop (a frozen container runs neither):
 * the next call reconnects, a stale map costs one MOVED.
 */
const TRYAGAIN_DELAY_MS = 25;

function openCluster(target: RedisTarget, timeoutMs: number): Cluster {
  const { host, port, db: _db, ...nodeAuth } = target.connection;
  const tls = nodeAuth.tls;
  return new (loadIoredis().Cluster)([{ host: host!, port: port! }], {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableReadyCheck: false,
    clusterRetryStrategy: () => null,
    slotsRefreshTimeout: timeoutMs,
    slotsRefreshInterval: 0,
    // TRYAGAIN is retried until the deadline ends the call, not for a fixed count: a migration
    // of the guard's few keys takes milliseconds, and the decision should wait for it.
    maxRedirections: 16 + Math.ceil(timeoutMs / TRYAGAIN_DELAY_MS),
    retryDelayOnMoved: 0,
    retryDelayOnTryAgain: TRYAGAIN_DELAY_MS,
    retryDelayOnClusterDown: 100,
    retryDelayOnFailover: 50,
    // Nodes announce IP addresses: with TLS, keep the seed's server name for every node's certificate check.
    ...(tls ? { dnsLookup: (address: string, done: (e: null, address: string) => void) => done(null, address) } : {}),
    redisOptions: { ...connectionBehaviour(timeoutMs), ...nodeAuth },
  });
}

/** A client whose connection already ended has nothing to close (ioredis would arm a useless timer). */
function disconnect(client: GuardClient): void {
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

const CLUSTER_UNREACHABLE = 'cluster_unreachable';

/**
 * A short code for what went wrong, built only from fixed vocabularies (system error
 * codes, Redis error prefixes): never from free text that could hold a URL or password.
 */
export function sanitizedCause(e: unknown): string {
  if (e instanceof DeadlineExceeded || isTimeout(e)) return 'timeout';
  const fields = errorFields(e);
  if (!fields) return 'error';
  if (typeof fields.code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(fields.code)) return fields.code;
  // ioredis' ClusterAllFailedError: no node answered CLUSTER SLOTS; the last node's error says why, when it says more.
  const nodeError = (e as { lastNodeError?: unknown }).lastNodeError;
  if (nodeError !== undefined) {
    const inner = sanitizedCause(nodeError);
    return inner === 'connection_closed' || inner === 'error' ? CLUSTER_UNREACHABLE : inner;
  }
  // Redis 7 answers a big command from an unauthenticated client with "Protocol error: unauthenticated ...".
  if (/WRONGPASS|NOAUTH|unauthenticated|invalid password|invalid username/i.test(fields.message)) return 'auth_failed';
  if (/Connection is closed|isn't writeable|already connecting|Cluster isn't ready|Cluster is ended/i.test(fields.message)) return 'connection_closed';
  // Cluster: redirections followed until the limit name the last answer (TRYAGAIN, MOVED, ...).
  const lastRedirection = /^Too many Cluster redirections\. Last error: (?:\w+: )?([A-Z][A-Z_]{1,30})(\s|$)/.exec(fields.message);
  if (lastRedirection) return lastRedirection[1]!;
  if (/cluster support disabled/i.test(fields.message)) return 'not_a_cluster';
  if (/None of startup nodes is available|Failed to refresh slots cache/i.test(fields.message)) return CLUSTER_UNREACHABLE;
  // Redis 4.0 has no streams: a script calling XADD fails with "Unknown Redis command called from Lua script".
  if (/unknown (redis )?command/i.test(fields.message)) return 'unknown_command';
  return /^([A-Z][A-Z_]{1,30})(\s|$)/.exec(fields.message)?.[1] ?? 'error';
}
