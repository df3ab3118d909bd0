/**
 * What only Redis can show: state written (or not) on the server, one hash slot, TTLs,
 * atomicity across separate connections (= separate containers), outages, passwords, TLS.
 */
import Redis from 'ioredis';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createGuardStore } from '../../lib/guard';
import { GuardError, type GuardStore } from '../../lib/guard/types';
import { describeWithRedis, startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { concurrentClaimTests, request } from './concurrent-claims';
import { redisStore, requestOf, uniquePrefix } from './harness';
import { BASE_SETTINGS, T0, targetOf } from './sequences';

const PASSWORD = 'S3cret:p@ss/word%-guard';

/** Every key under a prefix with its type and content. */
async function snapshot(inspector: Redis, prefix: string): Promise<Record<string, unknown>> {
  const keys = (await inspector.keys(`${prefix}*`)).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await inspector.type(key);
    if (type === 'string') out[key] = await inspector.get(key);
    else if (type === 'hash') out[key] = await inspector.hgetall(key);
    else if (type === 'zset') out[key] = await inspector.zrange(key, '0', '-1', 'WITHSCORES');
    else out[key] = `unexpected type ${type}`;
  }
  return out;
}

describeWithRedis('redis store on a real redis-server', () => {
  let server: RedisServerHandle;
  let inspector: Redis;
  const stores: GuardStore[] = [];
  const open = (prefix: string, timeoutMs?: number) => {
    const store = redisStore(server.url, { prefix, ...(timeoutMs ? { timeoutMs } : {}) });
    stores.push(store);
    return store;
  };
  beforeAll(async () => {
    server = (await startRedisServer())!;
    inspector = new Redis(server.url);
  });
  afterAll(async () => {
    inspector?.disconnect();
    await Promise.all(stores.map((s) => s.close()));
    await server?.stop();
  });

  it('dry runs and blocked checks write nothing', async () => {
    const prefix = uniquePrefix();
    const store = open(prefix);
    for (const target of ['A/n1', 'A/*', 'B/n2'] as const) {
      expect(await store.check(request({ target: targetOf(target), dryRun: true }))).toEqual({ kind: 'proceed', lease: null });
    }
    expect(await inspector.keys(`${prefix}*`)).toEqual([]);

    expect((await store.check(request())).kind).toBe('proceed');
    const afterClaim = await snapshot(inspector, prefix);
    expect(Object.keys(afterClaim)).toHaveLength(4); // dedup mark, cooldowns, global and instance kills
    const blocked = [
      await store.check(request({ now: T0 + 1 })), // duplicate
      await store.check(request({ now: T0 + 2, dedupKey: 'msg-2' })), // cooldown
      await store.check(request({ now: T0 + 3, dedupKey: 'msg-3', target: targetOf('A/n2'), settings: { ...BASE_SETTINGS, maxKillsPerHour: 1 } })),
      await store.check(request({ now: T0 + 4, dedupKey: 'msg-4', target: targetOf('B/n1'), dryRun: true })),
    ];
    expect(blocked.map((v) => v.kind)).toEqual(['duplicate', 'cooldown', 'rate_limit', 'proceed']);
    expect(await snapshot(inspector, prefix)).toEqual(afterClaim);
  });

  it("settle 'not_sent' removes what the claim wrote; 'executed' and 'outcome_unknown' send nothing", async () => {
    const prefix = uniquePrefix();
    const store = open(prefix);
    const claim = await store.check(request());
    if (claim.kind !== 'proceed' || !claim.lease) throw new Error(`expected a claim, got ${claim.kind}`);
    const claimed = await snapshot(inspector, prefix);
    await store.settle(claim.lease, 'executed');
    await store.settle(claim.lease, 'outcome_unknown');
    expect(await snapshot(inspector, prefix)).toEqual(claimed);
    expect(await store.settle(claim.lease, 'not_sent')).toEqual({ vanished: [] });
    const left = await snapshot(inspector, prefix);
    expect(JSON.stringify(left)).not.toContain(claim.lease.id);
  });

  it('a release reports the claim entries that vanished before it (evicted): here the dedup mark and the cooldown', async () => {
    const prefix = uniquePrefix();
    const store = open(prefix);
    const claim = await store.check(request());
    if (claim.kind !== 'proceed' || !claim.lease) throw new Error(`expected a claim, got ${claim.kind}`);
    const evicted = (await inspector.keys(`${prefix}*`)).filter((key) => /:(dedup|cooldown):/.test(key));
    expect(evicted).toHaveLength(2);
    await inspector.del(...evicted);
    expect(await store.settle(claim.lease, 'not_sent')).toEqual({ vanished: ['dedup', 'cooldown'] });
  });

  it('a check is one script call on the server; settling executed or outcome_unknown sends nothing', async () => {
    const store = open(uniquePrefix());
    await store.check(request({ dryRun: true })); // connects and loads the script
    const monitor = await inspector.monitor();
    const sent: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') sent.push(String(args[0]).toLowerCase()); // commands run by a script come from 'lua'
    });
    const claim = await store.check(request());
    if (claim.kind !== 'proceed' || !claim.lease) throw new Error(`expected a claim, got ${claim.kind}`);
    await store.settle(claim.lease, 'executed');
    await store.settle(claim.lease, 'outcome_unknown');
    await store.check(request({ now: T0 + 1, dryRun: true }));
    // MONITOR streams in order: once a marker command shows up, every command before it has too
    const markerSeen = new Promise<void>((resolve) => monitor.on('monitor', (_t: string, args: string[]) => String(args[0]).toLowerCase() === 'ping' && resolve()));
    await inspector.ping();
    await markerSeen;
    monitor.disconnect();
    expect(sent.filter((c) => c !== 'ping')).toEqual(['evalsha', 'evalsha']);
  });

  concurrentClaimTests(open);

  it('Redis killed mid-run: the next checks answer unavailable, carrying failOpen; a release fails loudly', async () => {
    const own = (await startRedisServer())!;
    const store = redisStore(own.url);
    stores.push(store);
    const claim = await store.check(request());
    expect(claim.kind).toBe('proceed');
    await own.kill();

    // depending on when the client notices, the cause is the closed socket or the refused reconnect
    const cause = expect.stringMatching(/^(connection_closed|ECONNRESET|ECONNREFUSED)$/);
    const closed = await store.check(request({ dedupKey: 'msg-2', now: T0 + 1 }));
    expect(closed).toEqual({ kind: 'unavailable', message: 'guard store unavailable', failOpen: false, cause });
    const open = await store.check(request({ dedupKey: 'msg-3', now: T0 + 2, settings: { ...BASE_SETTINGS, failOpen: true } }));
    expect(open).toEqual({ kind: 'unavailable', message: 'guard store unavailable', failOpen: true, cause });

    if (claim.kind !== 'proceed' || !claim.lease) throw new Error('no lease');
    await expect(store.settle(claim.lease, 'not_sent')).rejects.toMatchObject({ code: 'guard_store_unavailable' });
    await expect(store.settle(claim.lease, 'executed')).resolves.toEqual({ vanished: [] });
  });

  it('a server that stops answering: unavailable with cause "timeout", then recovers when it answers again', async () => {
    const own = (await startRedisServer())!;
    // The paused server never answers, so any deadline expires; the recovery (a new connection and
    // one script call) must fit in it even on a loaded machine: seconds, not a production 500 ms.
    const store = redisStore(own.url, { timeoutMs: 2_000 });
    stores.push(store);
    try {
      expect((await store.check(request({ dryRun: true }))).kind).toBe('proceed');
      own.pause();
      expect(await store.check(request())).toMatchObject({ kind: 'unavailable', cause: 'timeout' });
      own.resume();
      // (the timed-out claim may still run once the server wakes: another target shows the recovery)
      expect((await store.check(request({ now: T0 + 1, target: targetOf('Z/*'), dedupKey: 'msg-9' }))).kind).toBe('proceed');
    } finally {
      own.resume();
      await own.stop();
    }
  });

  it('an answer that arrived while the event loop was blocked past the deadline still counts', async () => {
    const prefix = uniquePrefix();
    const store = open(prefix, 1_000);
    expect((await store.check(request({ dryRun: true }))).kind).toBe('proceed'); // connected
    const verdict = store.check(request()); // sent: the script runs on the server at once
    // Then this process is blocked (a GC pause, a CPU-starved container) until the server has
    // answered and the deadline has passed. When the loop runs again, the expired timer comes
    // before the socket's data: the answer must still win.
    setImmediate(() => {
      const deadlinePassed = Date.now() + 1_100;
      while (server.cli('KEYS', `${prefix}*`) === ''); // the claim is written: the answer is on its way
      while (Date.now() < deadlinePassed);
    });
    expect((await verdict).kind).toBe('proceed');
  });

  it('concurrent checks leave in one write: the server reads them at once, and each is still answered on its own', async () => {
    const prefix = uniquePrefix();
    const store = open(prefix);
    expect((await store.check(request({ dryRun: true }))).kind).toBe('proceed'); // connected, script loaded
    const reads = () => Number(/total_reads_processed:(\d+)/.exec(server.cli('INFO', 'stats'))?.[1]);
    const before = reads();
    const targets = ['A/n1', 'A/n2', 'A/n3', 'A/n4', 'B/n1', 'B/n2', 'B/n3', 'D/n1', 'D/n2', 'E/*'] as const;
    const verdicts = await Promise.all(targets.map((target, i) => store.check(request({ target: targetOf(target), dedupKey: `m-${i}`, now: T0 + i, dryRun: true }))));
    // Ten EVALSHAs in one write, one read at the server (plus the read of the INFO that counts).
    expect(reads() - before).toBeLessThanOrEqual(3);
    expect(verdicts).toEqual(targets.map(() => ({ kind: 'proceed', lease: null })));
  });

  it('a store that cannot connect at all answers unavailable', async () => {
    const own = (await startRedisServer())!;
    await own.stop();
    const store = redisStore(own.url);
    stores.push(store);
    expect(await store.check(request())).toMatchObject({ kind: 'unavailable', failOpen: false, cause: 'ECONNREFUSED' });
  });

  it('refuses a malformed request with a typed error, before touching Redis', async () => {
    const prefix = uniquePrefix();
    const store = open(prefix);
    const bad = request({ target: { projectId: 'p', instanceId: 'i', nodeId: null, killAllNodes: false } });
    await expect(store.check(bad)).rejects.toBeInstanceOf(GuardError);
    await expect(store.check(request({ now: Number.NaN }))).rejects.toMatchObject({ code: 'invalid_guard_request' });
    expect(await inspector.keys(`${prefix}*`)).toEqual([]);
  });
});

describeWithRedis('redis store in cluster mode', () => {
  let server: RedisServerHandle;

  beforeAll(async () => {
    server = (await startRedisServer({ args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'] }))!;
    server.cli('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    while (!server.cli('CLUSTER', 'INFO').includes('cluster_state:ok')) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(async () => server?.stop());

  it('every key of every decision lives in one hash slot, and every key has a TTL', async () => {
    // The server itself refuses a script over keys of different slots: the check below would fail without the hash tag.
    expect(() => server.cli('EVAL', 'return 1', '2', 'a', 'b')).not.toThrow();
    expect(server.cli('EVAL', 'return 1', '2', 'a', 'b')).toMatch(/CROSSSLOT/);

    const prefix = uniquePrefix();
    const store = redisStore(server.url, { prefix });
    const steps = [
      { check: 'A/n1', at: 0, dedup: 'm1' },
      { check: 'A/*', at: 70_000, dedup: 'm2' },
      { check: 'B/n7', at: 70_001 },
      { check: 'C/*', at: 70_002, dedup: 'a-very-long-message-id-'.repeat(20) },
    ] as const;
    for (const step of steps) expect((await store.check(requestOf({ ...step, expect: 'proceed' }))).kind).toBe('proceed');
    await store.close();

    const keys = server.cli('--scan', '--pattern', `${prefix}*`).split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThanOrEqual(9);
    const slots = new Set(keys.map((k) => server.cli('CLUSTER', 'KEYSLOT', k)));
    expect(slots.size).toBe(1);
    const ttls = keys.map((k) => Number(server.cli('PTTL', k)));
    expect(ttls.every((ttl) => ttl > 0)).toBe(true);
  });
});

describeWithRedis('redis store with a password', () => {
  let server: RedisServerHandle;
  const printed: string[] = [];
  const spies: jest.SpyInstance[] = [];

  beforeAll(async () => {
    server = (await startRedisServer({ password: PASSWORD }))!;
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      spies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(' '))));
    }
  });
  afterAll(async () => {
    spies.forEach((s) => s.mockRestore());
    await server?.stop();
  });

  it('connects with the password from the URL (percent-encoded)', async () => {
    expect(server.url).toContain(encodeURIComponent(PASSWORD));
    const store = redisStore(server.url);
    try {
      expect((await store.check(request())).kind).toBe('proceed');
    } finally {
      await store.close();
    }
  });

  it('a wrong or missing password is "unavailable: auth_failed", and no message or log line holds a password', async () => {
    const wrongPassword = 'Wr0ng-guard-password-9';
    const urls = [server.url.replace(encodeURIComponent(PASSWORD), wrongPassword), server.url.replace(`:${encodeURIComponent(PASSWORD)}@`, '')];
    for (const url of urls) {
      const store = redisStore(url);
      const verdict = await store.check(request());
      expect(verdict).toMatchObject({ kind: 'unavailable', cause: 'auth_failed' });
      const lease = { id: 'x', target: targetOf('A/n1'), dedupKey: null, claimedAt: T0, cooldownUntil: T0 };
      const release = await store.settle(lease, 'not_sent').catch((e: unknown) => e);
      expect(release).toBeInstanceOf(GuardError);
      await store.close();
      const everything = JSON.stringify(verdict) + String((release as Error).message) + printed.join('\n');
      expect(everything).not.toContain(wrongPassword);
      expect(everything).not.toContain(PASSWORD);
    }
  });

  it('a malformed URL is refused without echoing it', () => {
    const attempt = () => createGuardStore({ redisUrl: `redis://user:${PASSWORD}@host:notaport` });
    expect(attempt).toThrow(GuardError);
    try {
      attempt();
    } catch (e) {
      expect((e as Error).message).not.toContain(PASSWORD);
      expect((e as Error).message).not.toContain('@host');
    }
  });
});

/** P-256 keys: generated at once, where an RSA key's prime search can take seconds on a busy machine. */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

describeWithRedis('redis store over TLS (rediss://)', () => {
  let server: RedisServerHandle;
  let dir: string;
  let ca: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'guard-tls-'));
    const f = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    openssl('req', '-x509', ...EC_KEY, '-nodes', '-days', '1', '-subj', '/CN=guard test CA', '-keyout', f('ca.key'), '-out', f('ca.crt'));
    openssl('req', ...EC_KEY, '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
    require('node:fs').writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    openssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', f('ext.cnf'), '-out', f('server.crt'));
    ca = readFileSync(f('ca.crt'), 'utf8');
    server = (await startRedisServer({ password: PASSWORD, tls: { certFile: f('server.crt'), keyFile: f('server.key'), caFile: f('ca.crt') } }))!;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the CA given, and refuses a server it cannot verify', async () => {
    expect(server.url.startsWith('rediss://')).toBe(true);
    const trusted = redisStore(server.url, { tlsCa: ca });
    const untrusted = redisStore(server.url);
    try {
      expect((await trusted.check(request())).kind).toBe('proceed');
      const refused = await untrusted.check(request());
      expect(refused).toMatchObject({ kind: 'unavailable' });
      expect(refused.kind === 'unavailable' && refused.cause).toMatch(/CERT|VERIFY|SELF_SIGNED/);
    } finally {
      await Promise.all([trusted.close(), untrusted.close()]);
    }
  });
});
