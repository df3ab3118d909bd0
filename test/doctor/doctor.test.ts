/**
 * doctor catches each misconfiguration, one test each, against the DCS emulator (real HTTP,
 * real sdk-core signer) and real redis-server processes. It never kills: no test sees a
 * kill request, and the guard store holds no key afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startEmulator, type Emulator } from '../../dev/emulator/server';
import { precisionTargets, runDoctor, type Check } from '../../lib/doctor';
import { parsePolicy } from '../../lib/policy';
import { DEMO, INSTANCES, PROJECT } from '../support/scenario';
import { describeWithRedis, startRedisServer, type RedisServerHandle } from '../support/redis-server';

jest.setTimeout(60_000);

const policyText = (instances: string[], dryRun = false) => `version: 1
dryRun: ${dryRun}
instances: { allow: [${instances.map((i) => `"${i}"`).join(', ')}] }
alarms:
  - name: pressure
    match: { metrics: [connections_usage] }
`;

const byId = (checks: Check[], id: string): Check => {
  const found = checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${checks.map((c) => c.id).join(', ')}`);
  return found;
};
const failed = (checks: Check[]) => checks.filter((c) => c.status === 'fail').map((c) => c.id);

describeWithRedis('doctor', () => {
  let dcs: Emulator;
  let redis: RedisServerHandle;
  let dir: string;
  let policy: string;

  const env = (extra: Record<string, string | undefined> = {}) => ({
    DCS_ENDPOINT: dcs.url,
    HUAWEICLOUD_SDK_AK: DEMO.ak,
    HUAWEICLOUD_SDK_SK: DEMO.sk,
    HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
    GUARD_REDIS_URL: redis.url,
    SMN_TOPIC_URNS: `urn:smn:cn-north-4:${PROJECT}:dcs-alarms`,
    ...extra,
  });
  const doctor = (extra: Record<string, string | undefined> = {}, now?: number) => runDoctor({ env: env(extra), policyPath: policy, ...(now !== undefined ? { now } : {}) });

  beforeAll(async () => {
    dcs = await startEmulator({ port: 0 });
    redis = (await startRedisServer({ args: ['--maxmemory-policy', 'noeviction'] }))!;
  });
  afterAll(async () => {
    await dcs.close();
    await redis.stop();
  });
  beforeEach(() => {
    dcs.reset();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsg-doctor-'));
    policy = path.join(dir, 'policy.yaml');
    fs.writeFileSync(policy, policyText([INSTANCES.shop]));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    // doctor never kills, and leaves no key behind.
    expect(dcs.requests.filter((r) => r.operation === 'hangUpKillAllClients' || r.operation === 'hangUpClients')).toEqual([]);
    expect(redis.cli('DBSIZE')).toBe('0');
  });

  it('a good deployment: nothing fails; kill is named as unprovable; the guard script ran on scratch keys', async () => {
    const checks = await doctor();
    expect(failed(checks)).toEqual([]);
    expect(byId(checks, 'dry-run')).toMatchObject({ status: 'warn', message: expect.stringContaining('WILL KILL') });
    expect(byId(checks, 'dcs.access').message).toContain('the credentials and the project id are accepted');
    expect(byId(checks, `dcs.instance ${INSTANCES.shop}`)).toMatchObject({ status: 'ok', message: expect.stringContaining('RUNNING') });
    expect(byId(checks, `dcs.nodes ${INSTANCES.shop}`).status).toBe('ok');
    expect(byId(checks, 'dcs.permission.instance').message).toContain('dcs:instance:get');
    expect(byId(checks, 'dcs.permission.job')).toMatchObject({ status: 'ok' });
    expect(byId(checks, 'dcs.permission.clients')).toMatchObject({ status: 'ok' });
    expect(byId(checks, 'dcs.permission.kill')).toMatchObject({ status: 'warn', message: expect.stringContaining('dcs:clients:kill') });
    expect(byId(checks, 'guard.mode').message).toMatch(/^standalone, Redis \d/);
    expect(byId(checks, 'guard.eviction')).toMatchObject({ status: 'ok', message: expect.stringContaining('noeviction') });
    expect(byId(checks, 'guard.script')).toMatchObject({ status: 'ok' });
    expect(byId(checks, 'guard.latency').status).toBe('ok');
  });

  it('says plainly that GUARD_DRY_RUN=true will not kill', async () => {
    expect(byId(await doctor({ GUARD_DRY_RUN: 'true' }), 'dry-run')).toMatchObject({ status: 'ok', message: 'this deployment will NOT kill: GUARD_DRY_RUN=true (decide and audit only)' });
  });

  it('an invalid policy fails with its line and path, and nothing is called', async () => {
    fs.writeFileSync(policy, 'version: 1\nalarms:\n  - name: x\n    scope: everywhere\n');
    const checks = await doctor();
    expect(byId(checks, 'policy')).toMatchObject({ status: 'fail', message: expect.stringMatching(/policy\.yaml:\d+:\d+ at alarms\[0\]/) });
    expect(dcs.requests).toEqual([]);
  });

  it('a mistyped GUARD_DRY_RUN fails', async () => {
    expect(byId(await doctor({ GUARD_DRY_RUN: 'yes' }), 'policy').status).toBe('fail');
  });

  it('a missing project id fails the DCS configuration', async () => {
    expect(byId(await doctor({ HUAWEICLOUD_SDK_PROJECT_ID: undefined }), 'dcs.config')).toMatchObject({ status: 'fail', message: expect.stringContaining('HUAWEICLOUD_SDK_PROJECT_ID') });
  });

  it('refused credentials fail dcs.access', async () => {
    const checks = await doctor({ HUAWEICLOUD_SDK_SK: 'not-the-secret-key-0000000000000000' });
    expect(byId(checks, 'dcs.access')).toMatchObject({ status: 'fail', message: expect.stringContaining('credentials refused') });
    expect(JSON.stringify(checks)).not.toContain('not-the-secret-key');
  });

  it('a project id that is not the credentials\' fails dcs.access', async () => {
    const checks = await doctor({ HUAWEICLOUD_SDK_PROJECT_ID: 'ffffffffffffffffffffffffffffffff' });
    expect(byId(checks, 'dcs.access')).toMatchObject({ status: 'fail', message: expect.stringContaining('the project id is not') });
  });

  it('an endpoint that does not answer fails dcs.access', async () => {
    const checks = await doctor({ DCS_ENDPOINT: 'http://127.0.0.1:9' });
    expect(byId(checks, 'dcs.access')).toMatchObject({ status: 'fail', message: expect.stringContaining('no answer') });
  });

  it.each([
    ['does not exist', '00000000-0000-4000-8000-000000000000', /does not exist/],
    ['is not RUNNING', INSTANCES.frozen, /not RUNNING/],
    ['runs Redis 3', INSTANCES.redis3, /needs 4.0 or later/],
    ['is Memcached', INSTANCES.memcached, /only Redis/],
  ])('an instance the policy names that %s fails', async (_label, id, message) => {
    fs.writeFileSync(policy, policyText([id]));
    expect(byId(await doctor(), `dcs.instance ${id}`)).toMatchObject({ status: 'fail', message: expect.stringMatching(message) });
  });

  it('a precision action on an instance without Active session nodes fails; on a healthy one the nodes are checked', async () => {
    const precise = (id: string) => `version: 1
schedules:
  nightly:
    targets: [{ instance: ${id}, nodes: all }]
    action: { kind: kill-matching, select: { idleSecondsAtLeast: 600 } }
`;
    fs.writeFileSync(policy, precise(INSTANCES.shop));
    expect(byId(await doctor(), `dcs.nodes ${INSTANCES.shop}`)).toMatchObject({ status: 'ok', message: expect.stringContaining('scanned by the precision action') });
  });

  it('knows which instances a precision action scans (schedules by target, rules by exact match.instances)', () => {
    const parsed = parsePolicy(`version: 1
alarms:
  - name: precise
    match: { instances: ["${INSTANCES.proxy}", "5e2b1c9a-*"] }
    action: { kind: kill-matching, select: { idleSecondsAtLeast: 60 } }
  - name: blunt
    match: { instances: ["${INSTANCES.redis3}"] }
schedules:
  nightly:
    targets: [{ instance: ${INSTANCES.shop}, nodes: all }]
    action: { kind: kill-matching, select: { idleSecondsAtLeast: 600 } }
`, 'inline');
    if (!parsed.ok) throw new Error(parsed.error.format());
    const targets = precisionTargets(parsed.value);
    expect(targets.anywhere).toBe(true);
    expect([...targets.instances].sort()).toEqual([INSTANCES.proxy, INSTANCES.shop].sort());
  });

  it('a read permission the credentials lack fails with its IAM action', async () => {
    dcs.faults.add({ operation: 'showJobInfo', status: 403, errorCode: 'DCS.4403', errorMsg: 'Forbidden.' });
    expect(byId(await doctor(), 'dcs.permission.job')).toMatchObject({ status: 'fail', message: expect.stringContaining('dcs:job:get'), fix: expect.stringContaining('dcs:job:get') });
  });

  it('an unreachable guard store fails within its timeout', async () => {
    const started = Date.now();
    const checks = await doctor({ GUARD_REDIS_URL: 'redis://127.0.0.1:9', GUARD_REDIS_TIMEOUT_MS: '300' });
    expect(byId(checks, 'guard.reachable')).toMatchObject({ status: 'fail', message: expect.stringContaining('not reachable within 300 ms') });
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('a wrong guard store password fails, and the password is never shown', async () => {
    const locked = (await startRedisServer({ password: 'guard-pass-0001' }))!;
    try {
      const checks = await doctor({ GUARD_REDIS_URL: locked.url.replace('guard-pass-0001', 'wrong-pass-0002') });
      expect(byId(checks, 'guard.reachable').status).toBe('fail');
      expect(JSON.stringify(checks)).not.toMatch(/guard-pass-0001|wrong-pass-0002/);
    } finally {
      await locked.stop();
    }
  });

  it('a guard store that may evict guard keys is a warning', async () => {
    const evicting = (await startRedisServer({ args: ['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru'] }))!;
    try {
      const checks = await doctor({ GUARD_REDIS_URL: evicting.url });
      expect(byId(checks, 'guard.eviction')).toMatchObject({ status: 'warn', message: expect.stringContaining('volatile-lru') });
      expect(evicting.cli('DBSIZE')).toBe('0');
    } finally {
      await evicting.stop();
    }
  });

  it('a cluster URL against a standalone server fails guard.mode', async () => {
    const checks = await doctor({ GUARD_REDIS_URL: redis.url.replace('redis://', 'redis+cluster://') });
    expect(byId(checks, 'guard.mode')).toMatchObject({ status: 'fail', message: expect.stringContaining('is not a Redis Cluster') });
  });

  it('a store that refuses Lua scripts fails guard.script', async () => {
    const noScripts = (await startRedisServer({ args: ['--rename-command', 'EVAL', '', '--rename-command', 'EVALSHA', ''] }))!;
    try {
      expect(byId(await doctor({ GUARD_REDIS_URL: noScripts.url }), 'guard.script').status).toBe('fail');
    } finally {
      await noScripts.stop();
    }
  });

  it('no guard store is a warning (state per container)', async () => {
    expect(byId(await doctor({ GUARD_REDIS_URL: undefined }), 'guard.config')).toMatchObject({ status: 'warn' });
  });

  it('an SMN certificate out of date fails', async () => {
    // The pinned Huawei certificate is valid until 2030-09-07.
    const checks = await doctor({}, Date.parse('2031-01-01T00:00:00Z'));
    expect(byId(checks, 'smn.certificates')).toMatchObject({ status: 'fail', message: expect.stringContaining('not in date') });
  });

  it('a malformed topic URN fails; unset topics and unsigned mode are flagged', async () => {
    expect(byId(await doctor({ SMN_TOPIC_URNS: 'dcs-alarms' }), 'smn.config')).toMatchObject({ status: 'fail', message: expect.stringContaining('SMN_TOPIC_URNS') });
    expect(byId(await doctor({ SMN_TOPIC_URNS: undefined }), 'smn.topics').status).toBe('warn');
    expect(byId(await doctor({ SMN_ALLOW_UNSIGNED: 'true' }), 'smn.unsigned')).toMatchObject({ status: 'warn', message: expect.stringContaining('UNSIGNED SMN MESSAGES ARE ACCEPTED') });
  });
});
