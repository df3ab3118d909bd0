/**
 * The alarm story end to end: every fixture through the BUILT bundle
 * (dist/alarm/index.js, in a fresh process) against the DCS emulator over
 * HTTP, signed by the real sdk-core signer. Asserts what the emulator received
 * and the audit lines the function printed.
 */
import { fixture } from '../support/bundle';
import { CONTEXT_CREDENTIALS } from '../support/secrets';
import { startRecordingServer, TLS_CA_FILE } from '../fuzz/support/servers';
import { ACTING_POLICY, alarmEvent, FIXTURE_NODE, INSTANCES, instanceAlarmOn, PROJECT, Scenario } from '../support/scenario';

let s: Scenario;
beforeAll(async () => {
  s = await Scenario.start();
});
afterAll(() => s.close());
beforeEach(() => s.reset());

const UNSIGNED = { SMN_ALLOW_UNSIGNED: 'true', SMN_MAX_AGE_SECONDS: '0' };

/** SMN_ALLOW_UNSIGNED admits messages that carry NO signature; a present but wrong one is still refused. */
function withoutSignature(message: Record<string, unknown>): Record<string, unknown> {
  const { signature: _dropped, ...rest } = message;
  return rest;
}

function unsignedApigEvent(): any {
  const event = fixture('apig.smn-notification.json');
  const body = withoutSignature(JSON.parse(Buffer.from(event.body, 'base64').toString('utf8')));
  return { ...event, body: Buffer.from(JSON.stringify(body)).toString('base64') };
}

describe('fixtures', () => {
  test('instance alarm (SMN trigger) kills all nodes and follows the job to SUCCESS', async () => {
    const run = await s.invoke('alarm', [fixture('smn-trigger.instance-alarm.json')]);
    expect(s.operations()).toEqual(['showInstance', 'hangUpKillAllClients', ...s.operations().slice(2).map(() => 'showJobInfo')]);
    expect(s.killRequests()).toHaveLength(1);
    expect(s.killRequests()[0]!.body).toEqual({ kill_all_nodes: true });
    expect(s.killRequests()[0]!.path).toBe(`/v2/${PROJECT}/instances/${INSTANCES.shop}/clients/kill-all`);

    expect(run.audit).toHaveLength(1);
    const [record] = run.audit;
    expect(record).toMatchObject({
      type: 'audit',
      trigger: 'alarm',
      decision: 'executed',
      target: { projectId: PROJECT, instanceId: INSTANCES.shop, nodeId: null, killAllNodes: true },
      source: {
        alarmId: 'al1732700000000AbCdEfGh1',
        alarmName: 'dcs-connections-high',
        alarmStatus: 'alarm',
        metric: 'connections_usage',
        smnMessageId: 'a51671f77d4a479cacb09e2cd591a983',
        topicUrn: 'urn:smn:cn-north-4:0b8f4a2e5c6d47e1a9b3c8d7e6f5a4b3:dcs-alarms',
      },
      job: { status: 'SUCCESS' },
      rule: 'connection-pressure',
    });
    expect(record!.jobId).toMatch(/^[0-9a-f]{32}$/);
    expect(new Date(record!.time).toISOString()).toBe(record!.time);
    expect(record!.durationMs).toBeGreaterThanOrEqual(0);
    // The handler returns the same records.
    expect(run.results[0]).toEqual({ ok: true, value: { results: run.audit } });
  });

  test('node alarm resolves the dimension to the node_id and kills that node only', async () => {
    const run = await s.invoke('alarm', [fixture('smn-trigger.node-alarm.json')]);
    expect(s.operations().slice(0, 3)).toEqual(['showNodesInformation', 'showInstance', 'hangUpKillAllClients']);
    expect(s.killRequests()[0]!.body).toEqual({ node_id: FIXTURE_NODE.nodeId, kill_all_nodes: false });
    expect(run.audit[0]).toMatchObject({
      decision: 'executed',
      target: { instanceId: INSTANCES.shop, nodeId: FIXTURE_NODE.nodeId, killAllNodes: false },
      source: { metric: 'connected_clients' },
    });
  });

  test('recovery notification is audited as skipped_recovered, with no DCS call', async () => {
    const run = await s.invoke('alarm', [fixture('smn-trigger.recovered.json')]);
    expect(s.emulator.requests).toHaveLength(0);
    expect(run.audit).toEqual([expect.objectContaining({ decision: 'skipped_recovered', source: expect.objectContaining({ alarmStatus: 'ok' }) })]);
  });

  test('APIG event with a placeholder signature is rejected 401; no DCS call', async () => {
    const run = await s.invoke('alarm', [fixture('apig.smn-notification.json')], { env: { SMN_MAX_AGE_SECONDS: '0' } });
    const response = run.results[0]!.ok ? (run.results[0] as any).value : null;
    expect(response).toMatchObject({ statusCode: 401, isBase64Encoded: false, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(response.body).error).toEqual(expect.any(String));
    expect(run.audit).toEqual([expect.objectContaining({ decision: 'rejected' })]);
    expect(run.audit[0]!.target).toBeUndefined();
    expect(s.emulator.requests).toHaveLength(0);
  });

  test('APIG event (base64 body) without a signature is acted on when unsigned messages are explicitly allowed, and says so loudly', async () => {
    const run = await s.invoke('alarm', [unsignedApigEvent()], { env: UNSIGNED });
    const response = (run.results[0] as any).value;
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body).results[0]).toMatchObject({ decision: 'executed', target: { killAllNodes: true } });
    expect(run.lines.some((l) => l.type === 'log' && l.level === 'WARN' && /SMN_ALLOW_UNSIGNED/.test(l.message))).toBe(true);
    expect(s.killRequests()).toHaveLength(1);
  });

  test('bare SMN HTTP notification: rejected when unsigned, acted on when allowed', async () => {
    const rejected = await s.invoke('alarm', [fixture('smn-http.notification.json')], { env: { SMN_MAX_AGE_SECONDS: '0' } });
    expect(rejected.audit[0]).toMatchObject({ decision: 'rejected' });
    expect(s.emulator.requests).toHaveLength(0);
    const forged = await s.invoke('alarm', [fixture('smn-http.notification.json')], { env: UNSIGNED });
    expect(forged.audit[0]).toMatchObject({ decision: 'rejected', error: { code: 'bad_signature' } });
    const allowed = await s.invoke('alarm', [withoutSignature(fixture('smn-http.notification.json'))], { env: UNSIGNED });
    expect(allowed.audit[0]).toMatchObject({ decision: 'executed', source: { smnMessageId: 'd3df1fb0248f48b69fb9df4676177406' } });
  });

  test('an UNSIGNED subscription confirmation is never confirmed, even with SMN_ALLOW_UNSIGNED (it admits notifications only)', async () => {
    const confirmHost = await startRecordingServer({ tls: true });
    try {
      const message = { ...withoutSignature(fixture('smn-http.subscription-confirmation.json')), subscribe_url: `${confirmHost.origin}/smn/subscription/confirm?token=t` };
      const run = await s.invoke('alarm', [message], { env: { ...UNSIGNED, SMN_CONFIRM_HOSTS: '127.0.0.1', NODE_EXTRA_CA_CERTS: TLS_CA_FILE } });
      expect(run.audit.map((r) => r.decision)).toEqual(['skipped_no_rule']);
      expect(confirmHost.connections()).toBe(0);
    } finally {
      await confirmHost.close();
    }
  });

  test('subscription confirmation with a placeholder signature is rejected, nothing confirmed', async () => {
    const run = await s.invoke('alarm', [fixture('smn-http.subscription-confirmation.json')], { env: { SMN_MAX_AGE_SECONDS: '0' } });
    expect(run.audit[0]).toMatchObject({ decision: 'rejected' });
    expect(s.emulator.requests).toHaveLength(0);
  });
});

describe('real Huawei SMN messages (real signatures, default certificate pin)', () => {
  const REAL = { SMN_MAX_AGE_SECONDS: '0', HUAWEICLOUD_SDK_AK: 'DEMOACCESSKEYID00002', HUAWEICLOUD_SDK_SK: 'DEMO-SECRET-KEY-not-a-real-secret-00002', HUAWEICLOUD_SDK_PROJECT_ID: '477a784601d744e4ab9ab83986502d31' };

  test('the templated DCS alarm verifies and maps to its instance', async () => {
    const run = await s.invoke('alarm', [fixture('real/cloudeye-dcs-alarm.cn-north-4.2025-06-02.json')], { env: REAL });
    expect(run.audit[0]).toMatchObject({
      decision: 'executed',
      rule: 'templated-dcs',
      target: { instanceId: INSTANCES.real, killAllNodes: true },
      source: { alarmName: 'alarm-c5jj', alarmStatus: 'alarm', smnMessageId: '1565df032a19494590d61e05f7b0dc0e' },
    });
    expect(s.killRequests()[0]!.path).toContain(INSTANCES.real);
  });

  test('the same message with one changed character is rejected', async () => {
    const tampered = fixture('real/cloudeye-dcs-alarm.cn-north-4.2025-06-02.json');
    tampered.message = tampered.message.replace('alarm-c5jj', 'alarm-c5jk');
    const run = await s.invoke('alarm', [tampered], { env: REAL });
    expect(run.audit[0]).toMatchObject({ decision: 'rejected' });
    expect(s.emulator.requests).toHaveLength(0);
  });

  test('a verified non-alarm notification (DataArts) is ignored', async () => {
    const run = await s.invoke('alarm', [fixture('real/dataarts-job-failure.cn-south-1.2025-02-14.json')], { env: REAL });
    expect(run.audit[0]).toMatchObject({ decision: 'skipped_no_rule' });
    expect(run.audit[0]!.reason).toMatch(/not a Cloud Eye alarm/i);
    expect(s.emulator.requests).toHaveLength(0);
  });

  test('a verified subscription confirmation to a host not allowed is rejected without any request', async () => {
    const run = await s.invoke('alarm', [fixture('real/subscription-confirmation.cn-north-4.2025-06-07.json')], {
      env: { ...REAL, SMN_CONFIRM_HOSTS: 'smn.example.invalid' },
    });
    expect(run.audit[0]).toMatchObject({ decision: 'rejected' });
    expect(s.emulator.requests).toHaveLength(0);
  });
});

describe('policy decisions', () => {
  test('GUARD_DRY_RUN=true: dry_run with the exact request, preflight only, no kill', async () => {
    const run = await s.invoke('alarm', [fixture('smn-trigger.node-alarm.json')], { env: { GUARD_DRY_RUN: 'true' } });
    expect(s.killRequests()).toHaveLength(0);
    expect(run.audit[0]).toMatchObject({
      decision: 'dry_run',
      dryRun: true,
      request: { method: 'POST', path: `/v2/${PROJECT}/instances/${INSTANCES.shop}/clients/kill-all`, body: { node_id: FIXTURE_NODE.nodeId, kill_all_nodes: false } },
    });
  });

  test('a denied instance is skipped_not_allowed with no DCS call', async () => {
    const policy = { ...ACTING_POLICY, instances: { allow: ['*'], deny: [INSTANCES.shop] } };
    const run = await s.invoke('alarm', [fixture('smn-trigger.instance-alarm.json')], { env: { GUARD_POLICY: JSON.stringify(policy) } });
    expect(run.audit[0]).toMatchObject({ decision: 'skipped_not_allowed' });
    expect(s.emulator.requests).toHaveLength(0);
  });

  test('an instance outside the allow list is skipped_not_allowed', async () => {
    const policy = { ...ACTING_POLICY, instances: { allow: [INSTANCES.proxy], deny: [] } };
    const run = await s.invoke('alarm', [fixture('smn-trigger.instance-alarm.json')], { env: { GUARD_POLICY: JSON.stringify(policy) } });
    expect(run.audit[0]).toMatchObject({ decision: 'skipped_not_allowed' });
  });

  test('no matching rule, or another namespace: skipped_no_rule', async () => {
    const otherMetric = alarmEvent('smn-trigger.instance-alarm.json', (m) => (m.metric_name = 'memory_usage'));
    const otherNamespace = alarmEvent('smn-trigger.instance-alarm.json', (m) => (m.namespace = 'SYS.ECS'));
    const run = await s.invoke('alarm', [otherMetric, otherNamespace]);
    expect(run.audit.map((r) => r.decision)).toEqual(['skipped_no_rule', 'skipped_no_rule']);
    expect(run.audit[1]!.reason).toMatch(/SYS\.ECS/);
    expect(s.emulator.requests).toHaveLength(0);
  });

  test('an invalid policy fails every invocation with its location, and acts on nothing', async () => {
    const broken = JSON.stringify({ ...ACTING_POLICY, alarms: [{ name: 'x', match: {}, scope: 'everything' }] });
    const run = await s.invoke('alarm', [fixture('smn-trigger.instance-alarm.json'), unsignedApigEvent()], {
      env: { GUARD_POLICY: broken, ...UNSIGNED },
    });
    expect(run.audit.map((r) => r.decision)).toEqual(['failed', 'failed']);
    expect(run.audit[0]!.reason).toMatch(/alarms\[0\]\.scope/);
    expect((run.results[1] as any).value.statusCode).toBe(500);
    expect(s.emulator.requests).toHaveLength(0);
  });
});

describe('session snapshot', () => {
  test('is taken before the kill and recorded in the audit line (and in dry runs)', async () => {
    const policy = { ...ACTING_POLICY, audit: { snapshotSessions: true, snapshotBudgetMs: 2000 } };
    const run = await s.invoke('alarm', [fixture('smn-trigger.node-alarm.json')], { env: { GUARD_POLICY: JSON.stringify(policy) } });
    const ops = s.operations();
    expect(ops.indexOf('scanClients')).toBeGreaterThan(-1);
    expect(ops.lastIndexOf('listClients')).toBeLessThan(ops.indexOf('hangUpKillAllClients'));
    // The seed gives this node four normal sessions and one replica link.
    expect(run.audit[0]).toMatchObject({ decision: 'executed', sessions: { status: 'ok', nodes: 1, sessionCount: 5 } });

    s.reset();
    const dry = await s.invoke('alarm', [fixture('smn-trigger.node-alarm.json')], { env: { GUARD_POLICY: JSON.stringify(policy), GUARD_DRY_RUN: 'true' } });
    expect(dry.audit[0]).toMatchObject({ decision: 'dry_run', sessions: { status: 'ok', sessionCount: 5 } });
    expect(s.killRequests()).toHaveLength(0);
  });

  test('a failing snapshot does not stop the kill', async () => {
    s.emulator.faults.add({ operation: 'scanClients', status: 500, errorCode: 'DCS.5000', errorMsg: 'internal' });
    const policy = { ...ACTING_POLICY, audit: { snapshotSessions: true, snapshotBudgetMs: 1000 } };
    const run = await s.invoke('alarm', [fixture('smn-trigger.node-alarm.json')], { env: { GUARD_POLICY: JSON.stringify(policy) } });
    expect(run.audit[0]).toMatchObject({ decision: 'executed', sessions: { status: 'failed' } });
    expect(s.killRequests()).toHaveLength(1);
  });
});

describe('targets and preflight', () => {
  test('a node alarm whose dimension matches no node is skipped_precondition', async () => {
    const event = alarmEvent('smn-trigger.node-alarm.json', (m) => {
      m.dimension = `dcs_instance_id:${INSTANCES.shop},dcs_cluster_redis_node:00000000000000000000000000000000`;
    });
    const run = await s.invoke('alarm', [event]);
    expect(run.audit[0]).toMatchObject({ decision: 'skipped_precondition' });
    expect(s.operations()).toEqual(['showNodesInformation', 'showNodesInformation'].slice(0, s.operations().length));
    expect(s.killRequests()).toHaveLength(0);
  });

  test.each([
    ['frozen', INSTANCES.frozen, /FROZEN/],
    ['Memcached', INSTANCES.memcached, /Memcached/],
    ['Redis 3.0', INSTANCES.redis3, /4\.0/],
  ])('%s instance is skipped_precondition, never killed', async (_label, instanceId, reason) => {
    const run = await s.invoke('alarm', [instanceAlarmOn(instanceId, 'f0000000000000000000000000000001')]);
    expect(run.audit[0]).toMatchObject({ decision: 'skipped_precondition' });
    expect(run.audit[0]!.reason).toMatch(reason);
    expect(s.operations()).toEqual(['showInstance']);
  });
});

test('one instance, one identity: an alarm spelling the id in upper case is the same instance (cooldown, path, audit)', async () => {
  const lower = instanceAlarmOn(INSTANCES.shop, 'f0000000000000000000000000000011');
  const upper = instanceAlarmOn(INSTANCES.shop.toUpperCase(), 'f0000000000000000000000000000012');
  const run = await s.invoke('alarm', [lower, upper]);
  expect(run.audit.map((r) => [r.decision, r.target.instanceId])).toEqual([
    ['executed', INSTANCES.shop],
    ['skipped_cooldown', INSTANCES.shop],
  ]);
  expect(s.killRequests().map((k) => k.path)).toEqual([`/v2/${PROJECT}/instances/${INSTANCES.shop}/clients/kill-all`]);
});

describe('DCS failures', () => {
  test('kill-all answered 400 DCS.4957 → failed with the error code and request id', async () => {
    s.emulator.faults.add({ operation: 'hangUpKillAllClients', status: 400, errorCode: 'DCS.4957', errorMsg: 'This operation is not allowed when the task is in the current state.' });
    const run = await s.invoke('alarm', [fixture('smn-trigger.instance-alarm.json')]);
    expect(run.audit[0]).toMatchObject({ decision: 'failed', error: { code: 'DCS.4957', httpStatus: 400 } });
    expect(run.audit[0]!.error.requestId).toEqual(expect.any(String));
    expect(s.killRequests()).toHaveLength(1);
  });

  test('kill-all answered 500 → failed, sent once (its effect is unknown)', async () => {
    s.emulator.faults.add({ operation: 'hangUpKillAllClients', status: 500, errorCode: 'DCS.5000', errorMsg: 'internal' });
    const run = await s.invoke('alarm', [fixture('smn-trigger.instance-alarm.json')]);
    expect(run.audit[0]).toMatchObject({ decision: 'failed', error: { httpStatus: 500 } });
    expect(s.killRequests()).toHaveLength(1);
  });

  test('kill-all that hangs → failed on timeout, sent exactly once', async () => {
    s.emulator.faults.add({ operation: 'hangUpKillAllClients', hang: true });
    const run = await s.invoke('alarm', [fixture('smn-trigger.instance-alarm.json')], { env: { DCS_TIMEOUT_MS: '300' } });
    expect(run.audit[0]).toMatchObject({ decision: 'failed' });
    expect(run.audit[0]!.reason).toMatch(/may or may not/);
    expect(s.killRequests()).toHaveLength(1);
  });

  test('job ending FAIL is executed with job FAIL and its reason', async () => {
    s.emulator.faults.add({ operation: 'hangUpKillAllClients', jobFail: 'node busy' });
    const run = await s.invoke('alarm', [fixture('smn-trigger.instance-alarm.json')]);
    expect(run.audit[0]).toMatchObject({ decision: 'executed', job: { status: 'FAIL', failReason: 'node busy' } });
  });

  test('a job still running when the budget ends is PENDING', async () => {
    const slow = await Scenario.start({ jobDurationMs: 60_000 });
    try {
      const run = await slow.invoke('alarm', [fixture('smn-trigger.instance-alarm.json')], {
        env: { GUARD_POLICY: JSON.stringify({ ...ACTING_POLICY, jobs: { waitSeconds: 1 } }) },
      });
      expect(run.audit[0]).toMatchObject({ decision: 'executed', job: { status: 'PENDING' } });
    } finally {
      await slow.close();
    }
  });

  test('agency credentials from the context win, and never show in any output', async () => {
    const run = await s.invoke('alarm', [fixture('smn-trigger.instance-alarm.json')], {
      env: { HUAWEICLOUD_SDK_AK: undefined, HUAWEICLOUD_SDK_SK: undefined },
      context: { requestId: 'req-ctx', ...CONTEXT_CREDENTIALS },
    });
    // The emulator does not know the context AK: the call is refused, which proves it was used.
    expect(run.audit[0]).toMatchObject({ decision: 'failed', requestId: 'req-ctx-0', error: { httpStatus: 401 } });
    const all = run.stdout + run.stderr;
    for (const secret of Object.values(CONTEXT_CREDENTIALS)) expect(all).not.toContain(secret);
  });
});

describe('malformed input', () => {
  test.each([
    ['an SMN trigger whose message is an alarm with a bad status', alarmEvent('smn-trigger.instance-alarm.json', (m) => (m.alarm_status = 'exploded'))],
    ['an SMN trigger record without smn', { record: [{ event_source: 'smn' }] }],
    ['an empty record list', { record: [] }],
    ['a number', 42],
    ['null', null],
  ])('%s → rejected, no DCS call, no exception', async (_label, event) => {
    const run = await s.invoke('alarm', [event]);
    expect(run.results[0]!.ok).toBe(true);
    expect(run.audit.map((r) => r.decision)).toEqual(['rejected']);
    expect(run.audit[0]!.reason.length).toBeGreaterThan(5);
    expect(s.emulator.requests).toHaveLength(0);
  });

  test('an APIG event with a garbage body is answered 400 in APIG shape', async () => {
    const event = { ...fixture('apig.smn-notification.json'), body: Buffer.from('{not json').toString('base64') };
    const run = await s.invoke('alarm', [event]);
    expect((run.results[0] as any).value).toMatchObject({ statusCode: 400, isBase64Encoded: false });
    expect(run.audit[0]).toMatchObject({ decision: 'rejected' });
  });
});
